"""What every page needs: the language, the CSRF cookie and token, the signed-in account, and
rendering a template with them (Jinja2, autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.common.factors import for_the_person
from services.common.messages import Lang, language_of

from .formatting import long_date, number
from .links import csrf_token, new_csrf_cookie
from .store import Account
from .texts import text

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "concerto_lang"
CSRF_COOKIE = "concerto_csrf"
SESSION_COOKIE = "concerto_session"
YEAR_S = 365 * 24 * 3600


def environment() -> Environment:
    """The pages' Jinja2 environment: every value escaped unless a template says otherwise."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["for_the_person"] = for_the_person
    return env


@dataclass
class Page:
    """One request's page context."""

    request: Request
    language: Lang
    csrf_cookie: str
    new_csrf: bool
    account: Account | None
    session_id: str | None
    secure_cookies: bool
    secret: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret, self.csrf_cookie)

    def t(self, key: str, **params: object) -> str:
        return text(key, self.language, **params)

    def here(self) -> str:
        """This page's path (with its query), for the language switch to come back to."""
        query = self.request.url.query
        return self.request.url.path + (f"?{query}" if query else "")

    def cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="lax", secure=self.secure_cookies, path="/"
        )

    def finish(self, response: Response) -> Response:
        """Give a new browser its CSRF cookie."""
        if self.new_csrf:
            self.cookie(response, CSRF_COOKIE, self.csrf_cookie, YEAR_S)
        return response


def language_for(request: Request) -> Lang:
    """The language chosen on the site (cookie), else the browser's preference, else French."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("fr", "en"):
        return "fr" if chosen == "fr" else "en"
    return language_of(request.headers.get("accept-language"))


def csrf_cookie_of(request: Request) -> tuple[str, bool]:
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return existing, False
    return new_csrf_cookie(), True


def render(env: Environment, page: Page, template: str, status_code: int = 200, **values: Any) -> Response:
    """The HTML of ``template`` for ``page``."""
    other: Lang = "en" if page.language == "fr" else "fr"
    html = env.get_template(template).render(
        page=page,
        t=page.t,
        lang=page.language,
        other_lang=other,
        switch_url=f"/language/{other}?next={quote(page.here(), safe='')}",
        csrf=page.csrf,
        account=page.account,
        long_date=lambda value: long_date(value, page.language),
        number=lambda value: number(value, page.language),
        **values,
    )
    return page.finish(HTMLResponse(html, status_code=status_code))


def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site: ``//evil`` and ``https:`` are refused)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
