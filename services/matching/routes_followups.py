"""Routes of matching-api for follow-ups: a household's answers at 3, 6, 12 and 24 months after its
arrival in the region.

Who answers: the hub, the organization welcoming the household (its partner or delegate token),
or the person themselves. Who reads: those, and the hub's counsellors. Nobody else (403).

The answers are personal data: they go to followups.v1 and nowhere else. This API writes them
there itself (the matching service is the topic's only writer), under its write lock, once the
settlement says the household arrived and the follow-up is open — not through
matching-commands.v1, an append-only topic kept 30 days that an erasure could not clean. An
erasure tombstones followups.v1 here (DELETE /people/{id}) and again in the matching worker. Which
follow-up was answered (its month, no answer) goes on as a command, so that the matching worker
records it on the settlement, where the notifications worker's reminders read it. The
logs carry the case id, the month and who answered, never an answer.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, cast

import structlog
from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import (
    CommandKey,
    FollowUpAnswered,
    FollowUpAnswers,
    FollowUpKey,
    FollowUpMonth,
    FollowUps,
    MatchingCommand,
    PersonKey,
    Settlement,
    SettlementKey,
)
from services.common.errors import Rejected
from services.common.followup_schedule import MONTHS, due_days, opens_on
from services.common.http import ApiRuntime, Runtime
from services.common.messages import say
from services.common.topics import FOLLOWUPS, INTERESTS, MATCHING_COMMANDS, SETTLEMENTS

from . import followups
from .deps import load, may_see_person
from .routes_settlements import welcomer_only

router = APIRouter(tags=["follow-ups"])
log = structlog.get_logger(__name__)
ANSWERERS = (Role.HUB, Role.PARTNER, Role.DELEGATE, Role.PERSON)


class FollowUpIn(FollowUpAnswers):
    """The answers to one follow-up (an unknown field is refused)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FollowUpDue(BaseModel):
    """One follow-up of the schedule: when it is due, from when it may be answered, if answered."""

    month: FollowUpMonth
    due_on: date
    opens_on: date
    answered_on: date | None = None


class FollowUpsView(BaseModel):
    """A household's follow-ups: the schedule from its arrival, and the answers given."""

    case_id: uuid.UUID
    arrived_on: date | None = Field(description="None until the arrival is recorded (no schedule yet).")
    schedule: list[FollowUpDue]
    answered: list[FollowUpAnswered]


def _settlement(runtime: ApiRuntime, case_id: uuid.UUID) -> Settlement:
    found: Settlement = load(
        runtime, SETTLEMENTS, SettlementKey(case_id=case_id), f"settlement for case {case_id}"
    )
    return found


def _may_read(principal: Principal, settlement: Settlement) -> None:
    if principal.role in (Role.PARTNER, Role.DELEGATE):
        welcomer_only(principal, settlement)
    else:
        may_see_person(principal, settlement.person_id)


def _may_answer(principal: Principal, settlement: Settlement) -> None:
    require(principal, *ANSWERERS)
    _may_read(principal, settlement)


def _month(month: int) -> FollowUpMonth:
    if month not in MONTHS:
        raise Rejected("month", say("followup_month", value=month))
    return month


def _unrecorded(settlement: Settlement, current: FollowUps | None, month: FollowUpMonth) -> bool:
    """Whether ``month`` is answered on followups.v1 but not (yet) on the settlement."""
    answered = current is not None and any(done.month == month for done in current.answered)
    return answered and month not in settlement.followups_answered


def _recorded(runtime: ApiRuntime, principal: Principal, case_id: uuid.UUID, month: FollowUpMonth) -> None:
    """Which follow-up was answered, without its answers: the worker records it on the settlement
    (a replay records nothing twice)."""
    command = MatchingCommand(
        command_id=uuid.uuid4(),
        action="followup",
        case_id=case_id,
        followup_month=month,
        on=runtime.clock.today(),
        by_role=principal.role.value,
        by_subject=principal.subject,
        issued_at=runtime.clock.now(),
    )
    runtime.publish(
        MATCHING_COMMANDS,
        CommandKey(command_id=command.command_id),
        command,
        "matching.FollowUpRecordRequested",
    )


def _view(settlement: Settlement, current: FollowUps | None) -> FollowUpsView:
    answered = current.answered if current is not None else []
    on = {done.month: done.answered_on for done in answered}
    days = due_days(settlement.arrived_on) if settlement.arrived_on is not None else {}
    return FollowUpsView(
        case_id=settlement.case_id,
        arrived_on=settlement.arrived_on,
        schedule=[
            FollowUpDue(month=m, due_on=d, opens_on=opens_on(d), answered_on=on.get(m))
            for m, d in days.items()
        ],
        answered=answered,
    )


@router.get("/cases/{case_id}/followups", response_model=FollowUpsView)
def get_followups(case_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A household's follow-ups (404 until its plan is accepted, and once erased): the hub, its
    counsellors, the welcoming organization, or the person."""
    settlement = _settlement(runtime, case_id)
    _may_read(principal, settlement)
    return _view(settlement, runtime.projection.get(FOLLOWUPS, FollowUpKey(case_id=case_id)))


@router.post(
    "/cases/{case_id}/followups/{month}",
    status_code=status.HTTP_201_CREATED,
    response_model=FollowUpsView,
    responses={409: {"description": "Not arrived yet, or this follow-up is already answered."}},
)
def answer_followup(
    case_id: uuid.UUID,
    month: Annotated[int, Path(description="Months after the arrival: 3, 6, 12 or 24.")],
    body: FollowUpIn,
    runtime: Runtime,
    principal: CurrentPrincipal,
) -> Any:
    """Answer a follow-up, from two weeks before its day (422 on ``month`` before, or for a month
    other than 3, 6, 12 and 24), once (409 again); the arrival first (409)."""
    settlement = _settlement(runtime, case_id)
    _may_answer(principal, settlement)
    which = _month(month)
    key = FollowUpKey(case_id=case_id)
    with runtime.write_lock:
        # An erased person's interest is gone from this projection at once: nothing is written after.
        load(runtime, INTERESTS, PersonKey(person_id=settlement.person_id), f"person {settlement.person_id}")
        current: FollowUps | None = runtime.projection.get(FOLLOWUPS, key)
        if _unrecorded(settlement, current, which):
            _recorded(runtime, principal, case_id, which)  # a retry after the command was lost: again
        answers = FollowUpAnswers.model_validate(body.model_dump())
        by_role = cast(followups.AnsweredBy, principal.role.value)
        changed = followups.answer(
            settlement, current, which, answers, by_role, runtime.clock.today(), runtime.clock.now()
        )
        runtime.publish(FOLLOWUPS, key, changed, "matching.FollowUpAnswered")
        _recorded(runtime, principal, case_id, which)
    log.info("followup.answered", case_id=str(case_id), month=which, by_role=principal.role.value)
    return _view(settlement, changed)
