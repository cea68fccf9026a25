"""The web acts on matching-api on behalf of the signed-in user: each call carries a short-lived
token minted for that user's role and subject (services/common/auth.py ``mint``), so the API,
not the web, decides what the user may see and do.

Two calls are made as the web itself, with a hub token whose subject is ``web``: creating the
case of a person who has just confirmed their address (the intake route for staff, with the
confirmation link's id as ``Idempotency-Key``, so a confirmation repeated creates one person),
and reading the counsellors' professional names for a person's own file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import Clock
from services.common.messages import Lang

WEB_SUBJECT = "web"


class ApiUnavailable(RuntimeError):
    """matching-api did not answer (or answered 5xx)."""


@dataclass(frozen=True)
class Answer:
    """An API's answer: its status and JSON body."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Caller:
    """Who the web acts for. A partner's subject is its partner id, which its tokens carry."""

    role: Role
    subject: str

    @property
    def partner_id(self) -> uuid.UUID | None:
        """The partner a partner's or a delegate's token is bound to (None for the other roles)."""
        return uuid.UUID(self.subject) if self.role in (Role.PARTNER, Role.DELEGATE) else None


WEB = Caller(Role.HUB, WEB_SUBJECT)


class MatchingApi:
    """matching-api, called with a token minted per call for the user it acts for."""

    def __init__(
        self, base_url: str, auth: AuthSettings, clock: Clock, ttl_s: int, client: httpx.AsyncClient
    ) -> None:
        self._base = base_url.rstrip("/")
        self._auth = auth
        self._clock = clock
        self._ttl_s = ttl_s
        self._client = client

    async def call(
        self,
        caller: Caller,
        method: str,
        path: str,
        language: Lang = "fr",
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        token = mint(
            self._auth,
            caller.subject,
            caller.role,
            caller.partner_id,
            ttl_s=self._ttl_s,
            now=self._clock.now(),
        )
        sent = {"Authorization": f"Bearer {token}", "Accept-Language": language, **(headers or {})}
        try:
            response = await self._client.request(
                method, self._base + path, json=json, headers=sent, params=params, timeout=15
            )
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"matching-api: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ApiUnavailable(f"matching-api answered {response.status_code}")
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else None
        )
        return Answer(response.status_code, body)

    async def declare(self, body: dict[str, Any], idempotency_key: str) -> Answer:
        """Create a confirmed person's interest (the worker opens the case)."""
        return await self.call(
            WEB, "POST", "/interests", json=body, headers={"Idempotency-Key": idempotency_key}
        )

    async def counsellor_names(self) -> dict[uuid.UUID, tuple[str, str]]:
        """Each counsellor's professional name and address, by id."""
        answer = await self.call(WEB, "GET", "/counsellors")
        if not answer.ok or not isinstance(answer.body, list):
            return {}
        return {uuid.UUID(c["counsellor_id"]): (c["name"], c["email"]) for c in answer.body}
