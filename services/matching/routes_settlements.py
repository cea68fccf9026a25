"""Routes of matching-api for settlements: after an accepted plan, the household's milestones and
the case's closing with an outcome.

Who records: the hub, or the organization welcoming the household (the partner of the accepted
plan, with its partner or delegate token) — nobody else (403). Who reads: those, the hub's
counsellors, and the person themselves. A step is checked here for a quick 4xx (409 for a step
the settlement's status refuses, 422 naming the field for a wrong day or region), then written to
matching-commands.v1, where the matching worker decides it in order with the plans' actions and
the erasures.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import CommandKey, MatchingCommand, Settlement, SettlementKey
from services.common.errors import Forbidden
from services.common.http import ApiRuntime, Runtime
from services.common.topics import MATCHING_COMMANDS, SETTLEMENTS

from . import settlement as journey
from .deps import load, may_see_person
from .models import CloseIn, MilestoneIn, SettlementAccepted

router = APIRouter()
RECORDERS = (Role.HUB, Role.PARTNER, Role.DELEGATE)


def _settlement(runtime: ApiRuntime, case_id: uuid.UUID) -> Settlement:
    settlement: Settlement = load(
        runtime,
        SETTLEMENTS,
        SettlementKey(case_id=case_id),
        f"settlement for case {case_id} (no accepted plan)",
    )
    return settlement


def welcomer_only(principal: Principal, settlement: Settlement) -> None:
    """Refuse (403) a partner or delegate who does not act for the organization welcoming the household."""
    if principal.role is not Role.HUB and not principal.acts_for(settlement.welcoming_partner_id):
        raise Forbidden(f"only the organization welcoming case {settlement.case_id}'s household records it")


def _command(runtime: ApiRuntime, principal: Principal, event: str, **fields: Any) -> SettlementAccepted:
    command = MatchingCommand(
        command_id=uuid.uuid4(),
        by_role=principal.role.value,
        by_subject=principal.subject,
        issued_at=runtime.clock.now(),
        **fields,
    )
    runtime.publish(MATCHING_COMMANDS, CommandKey(command_id=command.command_id), command, event)
    case_id = fields["case_id"]
    return SettlementAccepted(
        case_id=case_id, action=command.action, settlement_url=f"/cases/{case_id}/settlement"
    )


@router.get("/cases/{case_id}/settlement", response_model=Settlement, tags=["settlements"])
def get_settlement(case_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A household's settlement (404 until its plan is accepted, and once erased): the hub, its
    counsellors, the welcoming organization, or the person."""
    settlement = _settlement(runtime, case_id)
    if principal.role in (Role.PARTNER, Role.DELEGATE):
        welcomer_only(principal, settlement)
    else:
        may_see_person(principal, settlement.person_id)
    return settlement


@router.post(
    "/cases/{case_id}/milestones",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SettlementAccepted,
    tags=["settlements"],
)
def record_milestone(
    case_id: uuid.UUID, body: MilestoneIn, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """Record a milestone: first contact, exploratory visit, move date (may be planned ahead), arrival.
    Milestones may be skipped forward, never taken back (409); a day in the future, or before the
    plan's acceptance or a milestone already lived, is refused (422 on ``on``)."""
    require(principal, *RECORDERS)
    settlement = _settlement(runtime, case_id)
    welcomer_only(principal, settlement)
    clock = runtime.clock
    journey.record(settlement, body.milestone, body.on, "hub", clock.today(), clock.now())  # the checks
    return _command(
        runtime,
        principal,
        "matching.MilestoneRequested",
        action="milestone",
        case_id=case_id,
        milestone=body.milestone,
        on=body.on,
    )


@router.post(
    "/cases/{case_id}/close",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SettlementAccepted,
    tags=["settlements"],
)
def close_case(case_id: uuid.UUID, body: CloseIn, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Close the case with its outcome; settled_in_region only once the arrival is recorded (409)."""
    require(principal, *RECORDERS)
    settlement = _settlement(runtime, case_id)
    welcomer_only(principal, settlement)
    clock = runtime.clock
    journey.close(settlement, body.outcome, body.on, body.moved_to_region, "hub", clock.today(), clock.now())
    return _command(
        runtime,
        principal,
        "matching.CaseCloseRequested",
        action="close",
        case_id=case_id,
        outcome=body.outcome,
        on=body.on,
        moved_to_region=body.moved_to_region,
    )
