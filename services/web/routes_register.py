"""Registration: the form, the review page, "check your email", and the confirmation link.

Nothing reaches matching-api before the person opens the link emailed to the address they
gave: until then the answers wait in the web's store, encrypted, for the link's 15 minutes
(store.py). The review page carries the answers in a hidden field encrypted with the same key,
so the browser never holds them in clear either. Confirming creates the person through the
intake API (``Idempotency-Key`` = the link's id: a repeated confirmation names the same
person), records their account, and signs them in.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from cryptography.fernet import InvalidToken
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.common.messages import Lang

from .links import LinkRefused, account_key
from .mail import link_email
from .pages import render
from .registration import FIELDS, check
from .routes_signin import link_page, refused, signed_in, too_many
from .runtime import CurrentPage, CurrentWeb, Web
from .store import Account, fernet_for

router = APIRouter()
log = structlog.get_logger(__name__)


def _answers(form: FormData) -> dict[str, str]:
    return {name: value for name in FIELDS if isinstance(value := form.get(name, ""), str)}


def _form(
    web: Web, page: CurrentPage, answers: dict[str, str], problems: list[Any], status_code: int = 200
) -> Response:
    regions = [r for r in web.reference.regions if r.code != "06"]
    regions.sort(key=lambda r: r.fr if page.language == "fr" else r.en)
    titles = sorted(
        g.title_fr if page.language == "fr" else g.title_en for g in web.reference.cnp_unit_groups
    )
    by_field = {p.field: page.t(p.key, **p.params) for p in reversed(problems)}
    return render(
        web.env,
        page,
        "register.html",
        status_code,
        answers=answers,
        problems=[(p.field, page.t(p.key, **p.params)) for p in problems],
        by_field=by_field,
        regions=regions,
        titles=titles,
        statuses=[s for s in STATUSES],
    )


STATUSES = (
    "permanent_resident",
    "protected_person",
    "temporary_worker",
    "international_student",
    "asylum_seeker",
    "citizen",
)


@router.get("/register")
def registration_form(page: CurrentPage, web: CurrentWeb) -> Response:
    return _form(web, page, {"language": page.language, "adults": "1"}, [])


@router.post("/register")
async def review(request: Request, page: CurrentPage, web: CurrentWeb) -> Response:
    form = await request.form()
    checked = check(_answers(form), web.reference, web.clock.today())
    if not checked.ok:
        return _form(web, page, checked.answers, checked.problems, 400)
    draft = fernet_for(web.secret).encrypt(json.dumps(checked.answers).encode()).decode()
    region_names = {r.code: (r.fr if page.language == "fr" else r.en) for r in web.reference.regions}
    return render(
        web.env, page, "review.html", answers=checked.answers, draft=draft, region_names=region_names
    )


@router.post("/register/send")
async def send(request: Request, page: CurrentPage, web: CurrentWeb) -> Response:
    form = await request.form()
    draft = form.get("draft")
    try:
        answers = json.loads(fernet_for(web.secret).decrypt(str(draft).encode(), ttl=None))
    except (InvalidToken, ValueError):
        return render(web.env, page, "message.html", 400, title="error_title", body=page.t("csrf_refused"))
    if form.get("change"):
        return _form(web, page, answers, [])
    checked = check(answers, web.reference, web.clock.today())
    if not checked.ok:
        return _form(web, page, checked.answers, checked.problems, 400)
    email = checked.body["contact"]["email"]
    if (limited := too_many(web, page, web.register_limit, email)) is not None:
        return limited
    token, claims = web.signer.issue("register", "pending")
    pending = {"body": checked.body, "email": checked.body["contact"]["email"]}
    web.store.keep_pending(claims.jti, json.dumps(pending).encode(), claims.issued_at + web.signer.ttl_s)
    link = f"{web.settings.web.public_url.rstrip('/')}/register/confirm/{token}"
    language: Lang = "fr" if checked.body["language"] == "fr" else "en"
    message = link_email(
        web.settings.smtp,
        pending["email"],
        "register",
        language,
        link,
        web.minutes,
        checked.body["contact"]["name"],
    )
    await web.mailer.send(message)
    log.info("web.registration_pending")
    return render(
        web.env,
        page,
        "message.html",
        title="check_email_title",
        body=page.t("check_email_body", minutes=web.minutes),
    )


@router.get("/register/confirm/{token}")
def confirmation_link(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    return link_page(web, page, token, "register", f"/register/confirm/{token}")


@router.post("/register/confirm/{token}")
async def confirm(token: str, page: CurrentPage, web: CurrentWeb) -> Response:
    try:
        claims = web.signer.read(token, "register")
    except LinkRefused as exc:
        return refused(web, page, exc.reason)
    raw = web.store.pending(claims.jti)
    if web.store.link_used(claims.jti) or raw is None:
        return refused(web, page, "used")
    pending = json.loads(raw)
    answer = await web.matching.declare(pending["body"], idempotency_key=claims.jti)
    if not answer.ok:
        message = answer.body.get("message") if isinstance(answer.body, dict) else None
        log.warning("web.registration_refused", status=answer.status)
        return render(
            web.env, page, "message.html", 400, title="error_title", body=message or page.t("unavailable")
        )
    if not web.store.use_link(claims.jti, claims.issued_at + web.signer.ttl_s):
        return refused(web, page, "used")
    web.store.drop_pending(claims.jti)
    account = Account("person", str(answer.body["person_id"]), pending["body"]["language"])
    web.store.save_account(account_key(web.secret, pending["email"]), account)
    log.info("web.registration_confirmed", person_id=account.subject)
    return signed_in(web, page, account)
