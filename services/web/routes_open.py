"""The links in notification emails: ``/open/{token}`` leads a person to the page an email talks
about (their file, or the plan on it), signing them in first if needed.

The token (services/common/page_links.py, valid 30 days) names a person and a page; it never
signs anyone in. When the browser's session is that person's, the page opens at once.
Otherwise the page offers one button: it emails a sign-in link (once, 15 minutes) to the
address on the person's file, read from matching-api as the person, and that link, once used,
opens the page. A person registered by a counsellor (no web account yet) gets their account
this way, on the address their file has. Asking is rate-limited as signing in is.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from services.common.auth import Role
from services.common.messages import Lang
from services.common.page_links import PAGES, PageLinkRefused, PageName

from .apis import Caller
from .links import account_key
from .mail import link_email
from .pages import render
from .routes_file import refusal
from .routes_signin import too_many
from .runtime import CurrentPage, CurrentWeb, Web
from .store import Account

router = APIRouter()


def _refused(web: Web, page: CurrentPage, reason: str) -> Response:
    key = "page_link_expired" if reason == "expired" else "link_invalid"
    body = page.t(key, days=web.pages.ttl_s // 86400)
    return render(web.env, page, "message.html", 400, title="link_refused_title", body=body, again=True)


@router.get("/open/{token}")
def open_page(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    try:
        person_id, name = web.pages.read(token)
    except PageLinkRefused as exc:
        return _refused(web, page, exc.reason)
    account = page.account
    if account is not None and account.role == Role.PERSON.value and account.subject == str(person_id):
        return page.finish(RedirectResponse(PAGES[name], status_code=303))
    return render(web.env, page, "link.html", kind="open", action=f"/open/{token}")


@router.post("/open/{token}")
async def email_a_sign_in_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    try:
        person_id, name = web.pages.read(token)
    except PageLinkRefused as exc:
        return _refused(web, page, exc.reason)
    if (limited := too_many(web, page, web.signin_limit, f"person:{person_id}")) is not None:
        return limited
    person = Caller(Role.PERSON, str(person_id))
    answer = await web.matching.call(
        person, "GET", f"/people/{person_id}/contact", page.language, params={"purpose": "web: emailed link"}
    )
    if answer.status == 404:  # erased, or never confirmed
        return _refused(web, page, "invalid")
    if not answer.ok:
        return refusal(web, page, answer.status)
    address, language = str(answer.body["email"]), answer.body["language"]
    await _email_sign_in_link(web, str(person_id), name, address, "fr" if language == "fr" else "en")
    return render(
        web.env,
        page,
        "message.html",
        title="signin_sent_title",
        body=page.t("open_sent_body", minutes=web.minutes),
    )


async def _email_sign_in_link(web: Web, person_id: str, name: PageName, address: str, language: Lang) -> None:
    """Email ``address`` a sign-in link that opens page ``name``; give the person an account on it
    if the address has none (a person a counsellor registered)."""
    key = account_key(web.secret, address)
    account = web.store.account(key)
    if account is None:
        account = Account(Role.PERSON.value, person_id, language)
        web.store.save_account(key, account)
    # An address that is someone else's account (staff writing to themselves) signs in as usual.
    mine = account.role == Role.PERSON.value and account.subject == person_id
    token, _ = web.signer.issue("signin", key, name if mine else None)
    link = f"{web.settings.web.public_url.rstrip('/')}/sign-in/{token}"
    await web.mailer.send(link_email(web.settings.smtp, address, "signin", language, link, web.minutes))
