"""Partner pages: the households referred to the signed-in partner's organization, and the forms
that record their settlement milestones.

A partner's account has the role ``partner`` and its partner id as subject; every call goes to
matching-api with a partner token bound to that id, so the API decides what it may see and do
(``GET /partners/{id}/referrals``, ``GET /cases/{case}/settlement``, ``POST /cases/{case}/milestones``).
The pages name a household by its referral id and always read it through the partner's own list
first: any other id, whoever it belongs to, is the same "page does not exist" (404), never a 403
that would tell another partner's household exists. Contact details appear only when the API
gives them (the person agreed to share them with this partner).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from services.common.auth import Role
from services.common.contracts import PartnerReferral, Settlement

from .apis import Answer, Caller
from .pages import Page, render
from .routes_staff import refusal
from .runtime import CurrentPage, CurrentWeb, Web

router = APIRouter()
log = structlog.get_logger(__name__)

MILESTONES = ("first_contact", "exploratory_visit", "move", "arrival")
# Past these steps no milestone is left to record (only closing the case, which the hub does).
FINISHED = ("arrived", "closed")
# matching-api's refusal codes on the day (services/matching/settlement.py), in the page's words.
DAY_CODES = ("date_in_future", "move_too_far", "date_before_acceptance", "date_before_milestone")


@dataclass(frozen=True)
class Household:
    """A household referred to the partner: what the API lets the partner see of it."""

    case_id: uuid.UUID
    referral: PartnerReferral
    contact: dict[str, Any] | None
    settlement: Settlement | None

    @property
    def ref(self) -> str:
        return str(self.referral.referral_id)[:8]

    @property
    def open(self) -> bool:
        """Whether a milestone may still be recorded."""
        return self.settlement is not None and self.settlement.status not in FINISHED


def _partner(page: Page) -> Caller | None:
    if page.account is None or page.account.role != Role.PARTNER.value:
        return None
    return Caller(Role.PARTNER, page.account.subject)


async def _household(web: Web, page: Page, caller: Caller, body: dict[str, Any]) -> Household:
    case_id = uuid.UUID(body["case_id"])
    referral = PartnerReferral.model_validate(body["referral"])
    settlement = None
    if referral.status == "accepted":
        answer = await web.matching.call(caller, "GET", f"/cases/{case_id}/settlement", page.language)
        settlement = Settlement.model_validate(answer.body) if answer.ok else None
    return Household(case_id, referral, body.get("contact"), settlement)


async def _one(web: Web, page: Page, caller: Caller, referral_id: uuid.UUID) -> Household | None:
    """The partner's own household ``referral_id``, or None (another partner's, or no such one)."""
    path = f"/partners/{caller.subject}/referrals/{referral_id}"
    answer = await web.matching.call(caller, "GET", path, page.language)
    if not answer.ok or not isinstance(answer.body, dict):
        return None
    return await _household(web, page, caller, answer.body)


def _regions(web: Web, page: Page) -> dict[str, str]:
    return {r.code: (r.fr if page.language == "fr" else r.en) for r in web.reference.regions}


@router.get("/partner/households")
async def households(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = _partner(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    answer = await web.matching.call(caller, "GET", f"/partners/{caller.subject}/referrals", page.language)
    found = answer.body if answer.ok and isinstance(answer.body, list) else []
    # One settlement read per household, side by side rather than one after the other.
    listed = list(await asyncio.gather(*(_household(web, page, caller, body) for body in found)))
    listed.sort(key=lambda h: h.referral.issued_at, reverse=True)
    return render(web.env, page, "partner_households.html", households=listed, regions=_regions(web, page))


def _household_page(
    web: Web,
    page: Page,
    household: Household,
    problems: list[tuple[str, str]],
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    return render(
        web.env,
        page,
        "partner_household.html",
        status,
        household=household,
        regions=_regions(web, page),
        milestones=MILESTONES,
        problems=problems,
        typed=typed or {},
        recorded=page.request.query_params.get("recorded") in MILESTONES,
    )


@router.get("/partner/households/{referral_id}")
async def household(referral_id: uuid.UUID, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = _partner(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    found = await _one(web, page, caller, referral_id)
    if found is None:
        return refusal(web, page, 404)
    return _household_page(web, page, found, [])


def day_problem(page: Page, milestone: str, on: str) -> tuple[date | None, str | None]:
    """The day typed in the form, or the message naming the field and why it is not a day."""
    field = page.t(f"on_{milestone}")
    if not on.strip():
        return None, page.t("err_day_missing", field=field)
    try:
        return date.fromisoformat(on.strip()), None
    except ValueError:
        return None, page.t("err_day_invalid", field=field)


def refusal_words(page: Page, milestone: str, answer: Answer) -> str:
    """matching-api's 4xx on a milestone, in plain words naming the field."""
    field = page.t(f"on_{milestone}")
    body = answer.body if isinstance(answer.body, dict) else {}
    code = body.get("code", "")
    if answer.status == 422 and code in DAY_CODES:
        return page.t(f"err_{code}", field=field)
    if answer.status == 409:
        return page.t("err_step_passed", field=field)
    if answer.status == 404:
        return page.t("err_no_settlement", field=field)
    reason = str(body.get("message") or page.t("unavailable"))
    return page.t("err_refused", field=field, reason=reason)


@router.post("/partner/households/{referral_id}/milestones")
async def record_milestone(
    referral_id: uuid.UUID,
    page: CurrentPage,
    web: CurrentWeb,
    milestone: Annotated[str, Form(max_length=40)] = "",
    on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    caller = _partner(page)
    if caller is None:
        return refusal(web, page, 401 if page.account is None else 403)
    found = await _one(web, page, caller, referral_id)
    if found is None or milestone not in MILESTONES:
        return refusal(web, page, 404)
    day, problem = day_problem(page, milestone, on)
    if day is not None:
        body = {"milestone": milestone, "on": day.isoformat()}
        path = f"/cases/{found.case_id}/milestones"
        answer = await web.matching.call(caller, "POST", path, page.language, json=body)
        if answer.status == 403:
            return refusal(web, page, 404)
        if answer.ok:
            log.info("web.milestone_recorded", case_id=str(found.case_id), milestone=milestone)
            where = f"/partner/households/{referral_id}?recorded={milestone}"
            return page.finish(RedirectResponse(where, status_code=303))
        problem = refusal_words(page, milestone, answer)
    typed = {"milestone": milestone, "on": on.strip()}
    return _household_page(web, page, found, [(f"on-{milestone}", problem or "")], 400, typed)
