"""Signed links and CSRF tokens (pure: the secret and the clock are passed in).

An emailed link carries a signed token: its kind (``signin``, ``register``, or ``email`` for a
new address), a random id
(``jti``, remembered once used so a link works once), what it is about, and when it was
issued. It is valid ``ttl_s`` seconds by the clock given, never by the machine's own.

CSRF: every browser gets a random ``csrf`` cookie; each form carries an HMAC of it. A post
whose form token does not match its cookie is refused (signed double submit): another site
can make a browser send the cookie, but cannot read it to compute the form's token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeSerializer

from services.common.clock import Clock
from services.common.page_links import PAGES, PageName

LinkKind = Literal["signin", "register", "email"]
# A link in a notification email (services/common/page_links.py) is read by services/web/routes_open.py.


class LinkRefused(ValueError):
    """A link that is forged, of another kind, or too old; ``reason`` is ``invalid`` or ``expired``."""

    def __init__(self, reason: Literal["invalid", "expired"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaims:
    """What a valid link says."""

    kind: LinkKind
    jti: str
    subject: str
    issued_at: float
    next_page: PageName | None = None
    """Where a sign-in link leads once used (a page an email linked to), else the account's first page."""


class LinkSigner:
    """Issues and reads the links emailed for signing in and for confirming an address."""

    def __init__(self, secret: str, clock: Clock, ttl_s: int) -> None:
        self._serializer = URLSafeSerializer(secret, salt="concerto-web-link")
        self._clock = clock
        self.ttl_s = ttl_s

    def issue(
        self, kind: LinkKind, subject: str, next_page: PageName | None = None
    ) -> tuple[str, LinkClaims]:
        """A new token of ``kind`` about ``subject`` (an account key or a pending registration)."""
        claims = LinkClaims(kind, uuid.uuid4().hex, subject, self._clock.timestamp(), next_page)
        payload: dict[str, Any] = {"k": kind, "j": claims.jti, "s": subject, "t": claims.issued_at}
        if next_page is not None:
            payload["n"] = next_page
        return self._serializer.dumps(payload), claims

    def read(self, token: str, kind: LinkKind) -> LinkClaims:
        """The claims of ``token``, or ``LinkRefused``; whether it was already used is the caller's."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature as exc:
            raise LinkRefused("invalid") from exc
        if not isinstance(payload, dict) or payload.get("k") != kind:
            raise LinkRefused("invalid")
        issued, jti, subject = payload.get("t"), payload.get("j"), payload.get("s")
        if not isinstance(issued, int | float) or not isinstance(jti, str) or not isinstance(subject, str):
            raise LinkRefused("invalid")
        next_page = payload.get("n")
        if next_page is not None and next_page not in PAGES:
            raise LinkRefused("invalid")
        age = self._clock.timestamp() - float(issued)
        if age < 0 or age >= self.ttl_s:
            raise LinkRefused("expired")
        return LinkClaims(kind, jti, subject, float(issued), next_page)


def new_csrf_cookie() -> str:
    """A fresh random value for a browser's ``csrf`` cookie."""
    return secrets.token_urlsafe(32)


def csrf_token(secret: str, cookie: str) -> str:
    """The token a form must carry for a browser whose ``csrf`` cookie is ``cookie``."""
    return hmac.new(secret.encode(), b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, cookie: str | None, submitted: str | None) -> bool:
    """True when ``submitted`` is the token of ``cookie`` (both present)."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie), submitted)


def account_key(secret: str, email: str) -> str:
    """The key an email address is known by in the web's store: an HMAC, never the address itself."""
    normalized = email.strip().lower()
    return hmac.new(secret.encode(), b"account:" + normalized.encode(), hashlib.sha256).hexdigest()
