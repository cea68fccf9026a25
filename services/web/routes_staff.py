"""Staff pages: a counsellor's caseload and case pages, and the hub's invitations and access log.

Staff sign in by an emailed link like everyone; their accounts are made by the hub's
invitation (``/staff``, or ``python -m services.web.invite`` for the first hub account). A
counsellor's token subject is their counsellor id, so matching-api answers with their own
cases. Contact details come from matching-api's contact route, which records every read on
contact-access.v1 before it answers (``purpose`` says which page asked); the caseload shows
names only for the people a search found, each such find being a recorded read too.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from services.common.auth import Role
from services.common.contracts import Case, ContactAccessed, Referral
from services.common.messages import Lang
from services.common.settings import Settings
from services.notifications.mailer import Mailer

from .apis import Caller
from .links import LinkSigner, account_key
from .mail import link_email
from .pages import render
from .runtime import CurrentPage, CurrentWeb, Web
from .store import Account, WebStore

router = APIRouter()
log = structlog.get_logger(__name__)
STAFF_ROLES = (Role.COUNSELLOR.value, Role.HUB.value)


def _staff(page: CurrentPage, *roles: str) -> Caller | None:
    if page.account is None or page.account.role not in (roles or STAFF_ROLES):
        return None
    return Caller(Role(page.account.role), page.account.subject)


def refusal(web: Web, page: CurrentPage, status: int) -> Response:
    key = {401: "sign_in_needed", 403: "forbidden"}.get(status, "not_found")
    return render(web.env, page, "message.html", status, title="error_title", body=page.t(key))


def _region_names(web: Web, language: Lang) -> dict[str, str]:
    return {r.code: (r.fr if language == "fr" else r.en) for r in web.reference.regions}


@router.get("/caseload")
async def caseload(
    page: CurrentPage,
    web: CurrentWeb,
    status: str = "open",
    region: str = "",
    language: str = "",
    missing: str = "",
    q: str = "",
) -> Response:
    caller = _staff(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    query = f"?status={status}" if status in ("open", "closed", "withdrawn") else ""
    if caller.role is Role.COUNSELLOR:
        query += ("&" if query else "?") + f"counsellor_id={caller.subject}"
    answer = await web.matching.call(caller, "GET", "/cases" + query, page.language)
    cases = (
        [Case.model_validate(c) for c in answer.body] if answer.ok and isinstance(answer.body, list) else []
    )
    if region:
        cases = [c for c in cases if region in c.preferred_regions]
    if language in ("fr", "en"):
        cases = [c for c in cases if c.language == language]
    if missing == "yes":
        cases = [c for c in cases if any(e.status == "possible" for e in c.entitlements)]
    names: dict[uuid.UUID, str] = {}
    q = q.strip()[:100]
    if len(q) >= 2:
        found = await web.matching.call(
            caller,
            "GET",
            "/contacts/search",
            page.language,
            params={"q": q, "purpose": "web: caseload search"},
        )
        if found.ok and isinstance(found.body, list):
            names = {uuid.UUID(f["case_id"]): f["name"] for f in found.body}
        cases = [c for c in cases if c.case_id in names]
    return render(
        web.env,
        page,
        "caseload.html",
        cases=cases,
        names=names,
        regions=_region_names(web, page.language),
        filters={"status": status, "region": region, "language": language, "missing": missing, "q": q},
    )


@router.get("/staff/cases/{case_id}")
async def staff_case(case_id: uuid.UUID, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = _staff(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    answer = await web.matching.call(caller, "GET", f"/cases/{case_id}", page.language)
    if not answer.ok:
        return refusal(web, page, answer.status)
    case = Case.model_validate(answer.body)
    contact = await web.matching.call(
        caller,
        "GET",
        f"/people/{case.person_id}/contact",
        page.language,
        params={"purpose": "web: case page"},
    )
    referrals_answer = await web.matching.call(
        caller, "GET", f"/people/{case.person_id}/referrals", page.language
    )
    referrals: list[Referral] = []
    if referrals_answer.ok and isinstance(referrals_answer.body, list):
        referrals = sorted(
            (Referral.model_validate(r) for r in referrals_answer.body),
            key=lambda r: r.issued_at,
            reverse=True,
        )
    log.info("web.case_viewed", case_id=str(case_id), by_role=caller.role.value)
    return render(
        web.env,
        page,
        "staff_case.html",
        case=case,
        contact=contact.body if contact.ok else None,
        referrals=referrals,
        regions=_region_names(web, page.language),
        recorded=page.request.query_params.get("recorded") == "1",
        problem=page.request.query_params.get("problem"),
    )


@router.post("/staff/cases/{case_id}/referrals/{referral_id}/override")
async def override(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    page: CurrentPage,
    web: CurrentWeb,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    caller = _staff(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    if len(reason.strip()) < 5:
        return page.finish(RedirectResponse(f"/staff/cases/{case_id}?problem=reason", status_code=303))
    body = {"welcoming_offer_id": None, "reason": reason.strip()}
    answer = await web.matching.call(
        caller, "POST", f"/referrals/{referral_id}/override", page.language, json=body
    )
    if not answer.ok:
        return refusal(web, page, answer.status)
    return page.finish(RedirectResponse(f"/staff/cases/{case_id}?recorded=1", status_code=303))


@router.get("/staff")
async def staff(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = _staff(page, Role.HUB.value)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    answer = await web.matching.call(caller, "GET", "/counsellors", page.language)
    counsellors = answer.body if answer.ok and isinstance(answer.body, list) else []
    access = await web.matching.call(caller, "GET", "/contact-access", page.language)
    reads = [ContactAccessed.model_validate(r) for r in access.body[:100]] if access.ok else []
    invited = page.request.query_params.get("invited") == "1"
    return render(
        web.env,
        page,
        "staff.html",
        counsellors=counsellors,
        reads=reads,
        invited=invited,
        minutes=web.minutes,
    )


@router.post("/staff/invite/{counsellor_id}")
async def invite_counsellor(counsellor_id: uuid.UUID, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = _staff(page, Role.HUB.value)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    answer = await web.matching.call(caller, "GET", "/counsellors", page.language)
    counsellors: list[dict[str, Any]] = answer.body if answer.ok and isinstance(answer.body, list) else []
    chosen = next((c for c in counsellors if c["counsellor_id"] == str(counsellor_id)), None)
    if chosen is None:
        return refusal(web, page, 404)
    language: Lang = "fr" if "fr" in chosen["languages"] else "en"
    await invite(web, chosen["email"], Account(Role.COUNSELLOR.value, str(counsellor_id), language))
    log.info("web.counsellor_invited", counsellor_id=str(counsellor_id))
    return page.finish(RedirectResponse("/staff?invited=1", status_code=303))


async def invite(web: Web, email: str, account: Account) -> None:
    """Record a staff account and email it a sign-in link."""
    await send_invitation(web.settings, web.store, web.signer, web.mailer, email, account)


async def send_invitation(
    settings: Settings, store: WebStore, signer: LinkSigner, mailer: Mailer, email: str, account: Account
) -> None:
    """Record ``account`` under ``email`` and email it a sign-in link (the web, or the CLI)."""
    key = account_key(settings.auth.secret.get_secret_value(), email)
    store.save_account(key, account)
    token, _ = signer.issue("signin", key)
    link = f"{settings.web.public_url.rstrip('/')}/sign-in/{token}"
    language: Lang = "fr" if account.language == "fr" else "en"
    await mailer.send(link_email(settings.smtp, email, "invite", language, link, signer.ttl_s // 60))
