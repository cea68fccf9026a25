"""What the web's routes share (built once in ``app.create_app``), and the page dependency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment

from services.common.clock import Clock
from services.common.page_links import PageLinks
from services.common.reference import ReferenceData
from services.common.settings import Settings
from services.notifications.mailer import Mailer

from .apis import MatchingApi
from .links import LinkSigner, csrf_ok
from .pages import SESSION_COOKIE, Page, csrf_cookie_of, language_for
from .store import Account, WebStore
from .throttle import Throttle


@dataclass
class Web:
    """The web service's parts."""

    settings: Settings
    clock: Clock
    store: WebStore
    signer: LinkSigner
    pages: PageLinks
    mailer: Mailer
    matching: MatchingApi
    env: Environment
    reference: ReferenceData
    signin_limit: Throttle
    register_limit: Throttle

    @property
    def secret(self) -> str:
        return self.settings.auth.secret.get_secret_value()

    @property
    def secure_cookies(self) -> bool:
        return self.settings.environment not in ("development", "test")

    @property
    def minutes(self) -> int:
        return self.signer.ttl_s // 60

    def sessions(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt="concerto-web-session")

    def open_session(self, account: Account) -> tuple[str, str]:
        """A new session for ``account``: its id and the signed cookie value."""
        sid = secrets.token_urlsafe(24)
        expires = self.clock.timestamp() + self.settings.web.session_ttl_s
        self.store.open_session(sid, account, expires)
        return sid, self.sessions().dumps(sid)

    def session_of(self, request: Request) -> tuple[str | None, Account | None]:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None, None
        try:
            sid = self.sessions().loads(raw)
        except BadSignature:
            return None, None
        if not isinstance(sid, str):
            return None, None
        return sid, self.store.session(sid, self.clock.timestamp())


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


class CsrfRefused(HTTPException):
    """A form posted without the token of its browser's CSRF cookie."""

    def __init__(self) -> None:
        super().__init__(403, "csrf")


async def page(request: Request) -> Page:
    """The page context; a POST must carry its CSRF token (``CsrfRefused`` otherwise)."""
    web = web_of(request)
    cookie, new = csrf_cookie_of(request)
    sid, account = web.session_of(request)
    current = Page(
        request=request,
        language=language_for(request),
        csrf_cookie=cookie,
        new_csrf=new,
        account=account,
        session_id=sid,
        secure_cookies=web.secure_cookies,
        secret=web.secret,
    )
    if request.method == "POST":
        form = await request.form()
        submitted = form.get("csrf_token")
        if new or not csrf_ok(web.secret, cookie, submitted if isinstance(submitted, str) else None):
            raise CsrfRefused()
    return current


CurrentPage = Annotated[Page, Depends(page)]
CurrentWeb = Annotated[Web, Depends(web_of)]
