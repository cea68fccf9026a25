"""A person's file: the case, the counsellor, the entitlements, the referral plan and its answers.

Every read and every action goes to matching-api with a token minted for the signed-in person
(role ``person``, subject = their person id): the API refuses another person's case or
referral (403), and the page says so. The file's address carries the case id, so changing it
is exactly the attempt the API must refuse.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from services.common.auth import Role
from services.common.contracts import Case, Referral
from services.matching.domain import case_id_for

from .apis import Caller
from .pages import Page, render
from .runtime import CurrentPage, CurrentWeb, Web

router = APIRouter()
log = structlog.get_logger(__name__)


def person_of(page: CurrentPage) -> Caller | None:
    if page.account is None or page.account.role != Role.PERSON.value:
        return None
    return Caller(Role.PERSON, page.account.subject)


def refusal(web: Web, page: CurrentPage, status: int) -> Response:
    key = {401: "sign_in_needed", 403: "forbidden"}.get(status, "not_found")
    return render(web.env, page, "message.html", status, title="error_title", body=page.t(key))


@router.get("/my-file")
def my_file(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        target = "/sign-in" if page.account is None else "/caseload"
        return page.finish(RedirectResponse(target, status_code=303))
    return page.finish(RedirectResponse(f"/file/{case_id_for(uuid.UUID(caller.subject))}", status_code=303))


@router.get("/file/{case_id}")
async def case_file(case_id: uuid.UUID, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    answer = await web.matching.call(caller, "GET", f"/cases/{case_id}", page.language)
    if answer.status == 404 and case_id == case_id_for(uuid.UUID(caller.subject)):
        return render(
            web.env, page, "file.html", case=None, referrals=[], counsellor=None, regions={}, case_id=case_id
        )
    if not answer.ok:
        log.info("web.file_refused", status=answer.status)
        return refusal(web, page, answer.status)
    case = Case.model_validate(answer.body)
    referrals_answer = await web.matching.call(
        caller, "GET", f"/people/{case.person_id}/referrals", page.language
    )
    referrals: list[Any] = []
    if referrals_answer.ok and isinstance(referrals_answer.body, list):
        referrals = [Referral.model_validate(r) for r in referrals_answer.body]
        referrals.sort(key=lambda r: r.issued_at, reverse=True)
    counsellor = None
    if case.counsellor_id is not None:
        counsellor = (await web.matching.counsellor_names()).get(case.counsellor_id)
    regions = {r.code: (r.fr if page.language == "fr" else r.en) for r in web.reference.regions}
    return render(
        web.env,
        page,
        "file.html",
        case=case,
        referrals=referrals,
        counsellor=counsellor,
        regions=regions,
        case_id=case_id,
        recorded=page.request.query_params.get("recorded") == "1",
        notice=_notice(page),
    )


NOTICES = ("details_saved", "withdrawn_notice", "information_saved")


def _notice(page: Page) -> str | None:
    """What the page just did, said once at the top (only the texts named here)."""
    notice = page.request.query_params.get("notice")
    return notice if notice in NOTICES else None


@router.post("/file/{case_id}/referrals/{referral_id}/{action}")
async def answer_plan(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    action: str,
    page: CurrentPage,
    web: CurrentWeb,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    if action not in ("accept", "decline", "review"):
        return refusal(web, page, 404)
    body = {"reason": reason.strip() or None} if action == "decline" else None
    answer = await web.matching.call(
        caller, "POST", f"/referrals/{referral_id}/{action}", page.language, json=body
    )
    if not answer.ok:
        log.info("web.plan_answer_refused", status=answer.status, action=action)
        return refusal(web, page, answer.status)
    return page.finish(RedirectResponse(f"/file/{case_id}?recorded=1", status_code=303))
