"""What a person does about their registration from "My file": change their contact details
and the language of their messages, withdraw, or have their data erased.

Every change goes to matching-api with the person's own token (the API decides, and its
lifecycle table says which case status allows what): ``PUT /people/{id}/contact``,
``POST /people/{id}/withdraw``, ``DELETE /people/{id}``. The pages act on the signed-in person
only; no id in their address can name someone else.

A new email address changes nothing until the person opens the link sent to it (as at
registration: no one points Concerto's emails at an address they do not hold); the change waits,
encrypted, in the web's store. Withdrawing and erasing each have a page that says what will
happen before a button does it; erasure also asks to tick a box, and then deletes the web's
account and sessions of the person.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.common.auth import Role
from services.common.messages import Lang
from services.matching.domain import case_id_for

from .apis import Caller
from .links import LinkRefused, account_key
from .mail import link_email
from .pages import LANG_COOKIE, SESSION_COOKIE, YEAR_S, Page, render
from .registration import Problem, check_contact
from .routes_file import person_of, refusal
from .routes_signin import link_page, refused, too_many
from .runtime import CurrentPage, CurrentWeb, Web
from .store import Account

router = APIRouter()
log = structlog.get_logger(__name__)


def _file(caller: Caller, notice: str) -> str:
    return f"/file/{case_id_for(uuid.UUID(caller.subject))}?notice={notice}"


def _details(
    web: Web, page: Page, answers: dict[str, str], problems: list[Problem], status_code: int = 200
) -> Response:
    return render(
        web.env,
        page,
        "details.html",
        status_code,
        answers=answers,
        problems=[(p.field, page.t(p.key, **p.params)) for p in problems],
        by_field={p.field: page.t(p.key, **p.params) for p in reversed(problems)},
    )


@router.get("/my-file/details")
async def details_form(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    answer = await web.matching.call(
        caller, "GET", f"/people/{caller.subject}/contact", page.language, params={"purpose": "web: my file"}
    )
    if not answer.ok:
        return refusal(web, page, answer.status)
    contact = answer.body
    answers = {k: contact.get(k) or "" for k in ("name", "email", "phone", "language")}
    return _details(web, page, answers, [])


@router.post("/my-file/details")
async def change_details(request: Request, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    form = await request.form()
    checked = check_contact({k: v for k, v in form.items() if isinstance(v, str)})
    if not checked.ok:
        return _details(web, page, checked.answers, checked.problems, 400)
    current = await web.matching.call(
        caller, "GET", f"/people/{caller.subject}/contact", page.language, params={"purpose": "web: my file"}
    )
    if not current.ok:
        return refusal(web, page, current.status)
    old_email = str(current.body["email"])
    if checked.body["email"].lower() != old_email.lower():
        return await _confirm_new_address(web, page, caller, checked.body, old_email)
    return await _apply(web, page, caller, checked.body)


async def _apply(web: Web, page: Page, caller: Caller, body: dict[str, Any]) -> Response:
    """Send the new details; on success, the account's and the site's language follow."""
    answer = await web.matching.call(
        caller, "PUT", f"/people/{caller.subject}/contact", page.language, json=body
    )
    if answer.status == 409:
        return render(
            web.env, page, "message.html", 409, title="error_title", body=page.t("already_withdrawn")
        )
    if not answer.ok:
        log.info("web.details_refused", status=answer.status)
        return refusal(web, page, answer.status)
    web.store.set_language(Role.PERSON.value, caller.subject, body["language"])
    log.info("web.details_changed", person_id=caller.subject)
    response = RedirectResponse(_file(caller, "details_saved"), status_code=303)
    page.cookie(response, LANG_COOKIE, body["language"], YEAR_S)
    return page.finish(response)


async def _confirm_new_address(
    web: Web, page: Page, caller: Caller, body: dict[str, Any], old_email: str
) -> Response:
    """Email a link to the new address (counted like a registration's: both confirm an address);
    the change waits for it."""
    if (limited := too_many(web, page, web.register_limit, body["email"])) is not None:
        return limited
    token, claims = web.signer.issue("email", caller.subject)
    pending = {"body": body, "old_key": account_key(web.secret, old_email)}
    web.store.keep_pending(claims.jti, json.dumps(pending).encode(), claims.issued_at + web.signer.ttl_s)
    link = f"{web.settings.web.public_url.rstrip('/')}/my-file/email/{token}"
    language: Lang = "fr" if body["language"] == "fr" else "en"
    await web.mailer.send(
        link_email(web.settings.smtp, body["email"], "email", language, link, web.minutes, body["name"])
    )
    log.info("web.new_address_pending", person_id=caller.subject)
    return render(
        web.env,
        page,
        "message.html",
        title="new_email_title",
        body=page.t("new_email_body", minutes=web.minutes),
    )


@router.get("/my-file/email/{token}")
def new_address_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    return link_page(web, page, token, "email", f"/my-file/email/{token}")


@router.post("/my-file/email/{token}")
async def use_new_address_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    try:
        claims = web.signer.read(token, "email")
    except LinkRefused as exc:
        return refused(web, page, exc.reason)
    raw = web.store.pending(claims.jti)
    if raw is None or not web.store.use_link(claims.jti, claims.issued_at + web.signer.ttl_s):
        return refused(web, page, "used")
    pending = json.loads(raw)
    body = pending["body"]
    caller = Caller(Role.PERSON, claims.subject)
    answer = await web.matching.call(
        caller, "PUT", f"/people/{caller.subject}/contact", page.language, json=body
    )
    web.store.drop_pending(claims.jti)
    if not answer.ok:
        log.info("web.new_address_refused", status=answer.status)
        return refusal(web, page, answer.status)
    account = Account(Role.PERSON.value, caller.subject, body["language"])
    web.store.move_account(pending["old_key"], account_key(web.secret, body["email"]), account)
    log.info("web.address_changed", person_id=caller.subject)
    if page.account is not None and page.account.subject == caller.subject:
        response = RedirectResponse(_file(caller, "details_saved"), status_code=303)
        page.cookie(response, LANG_COOKIE, body["language"], YEAR_S)
        return page.finish(response)
    return render(
        web.env, page, "message.html", title="email_changed_title", body=page.t("email_changed_body")
    )


def _confirm_page(
    web: Web, page: Page, kind: str, problems: list[Problem], status_code: int = 200
) -> Response:
    return render(
        web.env,
        page,
        "confirm.html",
        status_code,
        title=f"{kind}_title",
        body=f"{kind}_body",
        button=f"{kind}_confirm",
        action=f"/my-file/{kind}",
        understood="erase_understood" if kind == "erase" else None,
        answers={},
        problems=[(p.field, page.t(p.key)) for p in problems],
        by_field={p.field: page.t(p.key) for p in problems},
    )


@router.get("/my-file/withdraw")
def withdraw_page(page: CurrentPage, web: CurrentWeb) -> Response:
    if person_of(page) is None:
        return refusal(web, page, 401)
    return _confirm_page(web, page, "withdraw", [])


@router.post("/my-file/withdraw")
async def withdraw(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    answer = await web.matching.call(caller, "POST", f"/people/{caller.subject}/withdraw", page.language)
    if answer.status == 409:
        return render(
            web.env, page, "message.html", 409, title="error_title", body=page.t("already_withdrawn")
        )
    if not answer.ok:
        return refusal(web, page, answer.status)
    log.info("web.withdrawn", person_id=caller.subject)
    return page.finish(RedirectResponse(_file(caller, "withdrawn_notice"), status_code=303))


@router.get("/my-file/erase")
def erase_page(page: CurrentPage, web: CurrentWeb) -> Response:
    if person_of(page) is None:
        return refusal(web, page, 401)
    return _confirm_page(web, page, "erase", [])


@router.post("/my-file/erase")
async def erase(request: Request, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    if (await request.form()).get("understood") != "yes":
        return _confirm_page(web, page, "erase", [Problem("understood", "err_erase_understood")], 400)
    answer = await web.matching.call(caller, "DELETE", f"/people/{caller.subject}", page.language)
    if not answer.ok and answer.status != 404:  # 404: erased already
        return refusal(web, page, answer.status)
    web.store.forget(Role.PERSON.value, caller.subject)
    log.info("web.erased", person_id=caller.subject)
    page.account = None  # the page that says so is no longer signed in
    response = render(web.env, page, "message.html", title="erased_title", body=page.t("erased_body"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
