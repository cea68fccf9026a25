"""Links in the emails a person receives, to the page the email talks about (pure: the secret and
the clock are passed in).

A page link is signed with the services' secret (``CONCERTO_AUTH__SECRET``) and names a person
and one page of a closed list; it is valid ``ttl_s`` seconds by the clock given (30 days by
default: an email about a plan is read days later). It never signs anyone in by itself: the web
opens the page when the browser's session is that person's, and otherwise emails a sign-in link,
valid 15 minutes and once, to the address on the person's file (services/web/routes_open.py).
So a forwarded or leaked email gives no one the file; it only lets its owner ask for a link.

The notifications worker issues page links; the web reads them (docs/web.md).
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

from services.common.clock import Clock

PageName = Literal["file", "plan"]
# Where each page is on the web. Only these: a link cannot send anyone elsewhere.
PAGES: dict[PageName, str] = {"file": "/my-file", "plan": "/my-file#plan"}
PAGE_LINK_TTL_S = 30 * 24 * 3600


class PageLinkRefused(ValueError):
    """A page link that is forged or names no known page (``invalid``), or too old (``expired``)."""

    def __init__(self, reason: Literal["invalid", "expired"]) -> None:
        super().__init__(reason)
        self.reason = reason


class PageLinks:
    """Issues and reads the signed links to a person's pages."""

    def __init__(self, secret: str, clock: Clock, public_url: str, ttl_s: int = PAGE_LINK_TTL_S) -> None:
        self._serializer = URLSafeSerializer(secret, salt="concerto-page-link")
        self._clock = clock
        self._base = public_url.rstrip("/")
        self.ttl_s = ttl_s

    def url(self, person_id: UUID, page: PageName) -> str:
        """The address, on the web, of a link to ``page`` for ``person_id``."""
        payload: dict[str, Any] = {"p": str(person_id), "g": page, "t": self._clock.timestamp()}
        return f"{self._base}/open/{self._serializer.dumps(payload)}"

    def staff_case(self, case_id: UUID) -> str:
        """The address of a case's staff page (the counsellor signs in as usual)."""
        return f"{self._base}/staff/cases/{case_id}"

    def read(self, token: str) -> tuple[UUID, PageName]:
        """The person and page ``token`` names, or ``PageLinkRefused``."""
        try:
            payload = self._serializer.loads(token)
            person_id, page, issued = UUID(payload["p"]), payload["g"], float(payload["t"])
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise PageLinkRefused("invalid") from exc
        if page not in PAGES:
            raise PageLinkRefused("invalid")
        age = self._clock.timestamp() - issued
        if age < 0 or age >= self.ttl_s:
            raise PageLinkRefused("expired")
        return person_id, page
