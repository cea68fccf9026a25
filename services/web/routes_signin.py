"""Signing in by an emailed link, and signing out.

``POST /sign-in`` emails a link to an address that has an account, and says the same thing
whether it has one or not (no one learns who is registered). The link opens a page with one
button: a mail client that fetches links to scan them does not use the link up; the button's
post (with its CSRF token) does, then opens a session.
"""

from __future__ import annotations

import math
from typing import Annotated

import structlog
from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from services.common.messages import Lang
from services.common.page_links import PAGES, PageName

from .links import LinkKind, LinkRefused, account_key
from .mail import link_email
from .pages import SESSION_COOKIE, render
from .runtime import CurrentPage, CurrentWeb, Web
from .store import Account
from .throttle import Throttle

router = APIRouter()
# Where each role lands once signed in (staff: the caseload).
FIRST_PAGES = {"person": "/my-file", "partner": "/partner/households"}
log = structlog.get_logger(__name__)


@router.get("/sign-in")
def sign_in_form(page: CurrentPage, web: CurrentWeb) -> Response:
    return render(web.env, page, "sign_in.html", email="", problem=None)


@router.post("/sign-in")
async def send_sign_in_link(
    page: CurrentPage, web: CurrentWeb, email: Annotated[str, Form()] = ""
) -> Response:
    email = email.strip()
    if "@" not in email or len(email) > 254:
        return render(web.env, page, "sign_in.html", 400, email=email, problem="err_email")
    if (limited := too_many(web, page, web.signin_limit, email)) is not None:
        return limited
    account = web.store.account(account_key(web.secret, email))
    if account is not None:
        token, _ = web.signer.issue("signin", account_key(web.secret, email))
        link = f"{web.settings.web.public_url.rstrip('/')}/sign-in/{token}"
        language: Lang = "fr" if account.language == "fr" else "en"
        await web.mailer.send(link_email(web.settings.smtp, email, "signin", language, link, web.minutes))
        log.info("web.sign_in_link_sent", role=account.role)
    return render(
        web.env,
        page,
        "message.html",
        title="signin_sent_title",
        body=page.t("signin_sent_body", minutes=web.minutes),
    )


def too_many(web: Web, page: CurrentPage, throttle: Throttle, email: str) -> Response | None:
    """Count an attempt to email ``email`` a link; a 429 page saying when to try again, or None."""
    client = page.request.client.host if page.request.client else "unknown"
    wait_s = throttle.hit(client, account_key(web.secret, email))
    if wait_s is None:
        return None
    minutes = math.ceil(wait_s / 60)
    log.info("web.rate_limited", form=throttle.name, retry_after_s=wait_s)
    body = page.t("too_many_body_one" if minutes == 1 else "too_many_body", minutes=minutes)
    response = render(web.env, page, "message.html", 429, title="too_many_title", body=body)
    response.headers["Retry-After"] = str(wait_s)
    return response


def refused(web: Web, page: CurrentPage, reason: str) -> Response:
    body = page.t(f"link_{reason}", minutes=web.minutes)
    return render(web.env, page, "message.html", 400, title="link_refused_title", body=body, again=True)


def link_page(web: Web, page: CurrentPage, token: str, kind: LinkKind, action: str) -> Response:
    """The page an emailed link opens: one button that uses it (so a mail scanner fetching the
    link does not use it up), or why the link is refused."""
    try:
        claims = web.signer.read(token, kind)
    except LinkRefused as exc:
        return refused(web, page, exc.reason)
    if web.store.link_used(claims.jti):
        return refused(web, page, "used")
    return render(web.env, page, "link.html", kind=kind, action=action)


@router.get("/sign-in/{token}")
def sign_in_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    return link_page(web, page, token, "signin", f"/sign-in/{token}")


@router.post("/sign-in/{token}")
def use_sign_in_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    try:
        claims = web.signer.read(token, "signin")
    except LinkRefused as exc:
        return refused(web, page, exc.reason)
    account = web.store.account(claims.subject)
    if account is None or not web.store.use_link(claims.jti, claims.issued_at + web.signer.ttl_s):
        return refused(web, page, "used" if account is not None else "invalid")
    log.info("web.signed_in", role=account.role)
    return signed_in(web, page, account, claims.next_page)


def signed_in(web: Web, page: CurrentPage, account: Account, next_page: PageName | None = None) -> Response:
    """Open a session for ``account`` and go to ``next_page`` (a person's), else its first page."""
    if page.session_id is not None:
        web.store.close_session(page.session_id)
    _, cookie = web.open_session(account)
    first = FIRST_PAGES.get(account.role, "/caseload")
    if next_page is not None and account.role == "person":
        first = PAGES[next_page]
    response = RedirectResponse(first, status_code=303)
    page.cookie(response, SESSION_COOKIE, cookie, web.settings.web.session_ttl_s)
    return page.finish(response)


@router.post("/sign-out")
def sign_out(page: CurrentPage, web: CurrentWeb) -> Response:
    if page.session_id is not None:
        web.store.close_session(page.session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return page.finish(response)
