"""Routes of matching-api for the measures ledger: each measure a person is entitled to, from
identified to applied for, granted and paid, or refused; and the hub's view of the aid not claimed.

Who records: the hub, the person's counsellor (the one holding the case), or the organization
welcoming the household (its partner or delegate token); another counsellor, partner or the person
are refused (403). Who reads a ledger: those, every counsellor of the hub, and the person. A case
has a ledger once its plan is accepted (404 before, and once erased). The hub alone reads the
regions' aggregates (GET /measures/unclaimed), figures on fewer than 5 people suppressed.

matching-api writes measures.v1 itself (the matching service is its only writer), under its write
lock, like the follow-ups' answers: the erasure (DELETE /people/{id}) tombstones it here, and again
in the matching worker. The logs carry the case id, the measure's code and its status.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, cast

import structlog
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import (
    Case,
    CaseKey,
    HandledBy,
    MeasureAction,
    MeasureKey,
    MeasureLedger,
    PersonKey,
    Settlement,
    SettlementKey,
)
from services.common.contracts.measures import AmountCad
from services.common.errors import Forbidden
from services.common.http import ApiRuntime, Runtime
from services.common.topics import CASES, INTERESTS, MEASURES, SETTLEMENTS

from . import measures
from .deps import load, may_see_person
from .measures_summary import RegionUnclaimed, unclaimed_by_region
from .routes_settlements import welcomer_only

router = APIRouter(tags=["measures"])
log = structlog.get_logger(__name__)
RECORDERS = (Role.HUB, Role.COUNSELLOR, Role.PARTNER, Role.DELEGATE)


class MeasureChangeIn(BaseModel):
    """One transition of a measure (an unknown field is refused)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: MeasureAction = Field(
        description="update (who handles it, deadline, amount expected), apply, grant, pay, or refuse."
    )
    on: date | None = Field(default=None, description="The day it happened; today when not given.")
    handled_by: HandledBy | None = Field(
        default=None, description="Who handles it from now: partner, counsellor or hub."
    )
    deadline: date | None = Field(default=None, description="The day the application is due (not past).")
    amount_cad: AmountCad | None = Field(
        default=None, description="update/apply: the amount expected; grant: granted; pay: paid."
    )
    reason: str | None = Field(default=None, min_length=1, max_length=300, description="refuse: why.")


def _settlement(runtime: ApiRuntime, case_id: uuid.UUID) -> Settlement:
    found: Settlement = load(
        runtime,
        SETTLEMENTS,
        SettlementKey(case_id=case_id),
        f"measures for case {case_id} (no accepted plan)",
    )
    return found


def _ledger(runtime: ApiRuntime, settlement: Settlement) -> MeasureLedger:
    case: Case | None = runtime.projection.get(CASES, CaseKey(case_id=settlement.case_id))
    stored: MeasureLedger | None = runtime.projection.get(MEASURES, MeasureKey(case_id=settlement.case_id))
    return measures.ledger_of(settlement, case, stored)


def _may_read(principal: Principal, settlement: Settlement) -> None:
    if principal.role in (Role.PARTNER, Role.DELEGATE):
        welcomer_only(principal, settlement)
    else:
        may_see_person(principal, settlement.person_id)


def _may_record(runtime: ApiRuntime, principal: Principal, settlement: Settlement) -> None:
    require(principal, *RECORDERS)
    _may_read(principal, settlement)
    if principal.role is Role.COUNSELLOR:
        case: Case | None = runtime.projection.get(CASES, CaseKey(case_id=settlement.case_id))
        if case is None or str(case.counsellor_id) != principal.subject:
            raise Forbidden(f"only the counsellor holding case {settlement.case_id} records its measures")


@router.get("/cases/{case_id}/measures", response_model=MeasureLedger)
def get_measures(case_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A case's measures ledger (404 until its plan is accepted, and once erased): the hub, the
    counsellors, the welcoming organization, or the person."""
    settlement = _settlement(runtime, case_id)
    _may_read(principal, settlement)
    return _ledger(runtime, settlement)


@router.post(
    "/cases/{case_id}/measures/{measure_code}",
    response_model=MeasureLedger,
    responses={409: {"description": "The measure's status does not allow this action."}},
)
def record_measure(
    case_id: uuid.UUID,
    measure_code: Annotated[str, Path(description="The measure's code, as on the ledger.")],
    body: MeasureChangeIn,
    runtime: Runtime,
    principal: CurrentPrincipal,
) -> Any:
    """Record a transition of one measure: identified → applied_for → granted → paid, or refused
    (409 for an action its status refuses; 422 naming the field for a wrong day, deadline, amount
    or reason, or a measure the person is not entitled to)."""
    settlement = _settlement(runtime, case_id)
    _may_record(runtime, principal, settlement)
    clock = runtime.clock
    change = measures.MeasureChange(
        action=body.action,
        on=body.on or clock.today(),
        handled_by=body.handled_by,
        deadline=body.deadline,
        amount_cad=body.amount_cad,
        reason=body.reason,
    )
    by_role = cast(measures.RecordedBy, principal.role.value)
    with runtime.write_lock:
        # An erased person's interest is gone from this projection at once: nothing is written after.
        load(runtime, INTERESTS, PersonKey(person_id=settlement.person_id), f"person {settlement.person_id}")
        ledger = _ledger(runtime, settlement)
        changed = measures.record(ledger, measure_code, change, by_role, clock.today(), clock.now())
        runtime.publish(MEASURES, MeasureKey(case_id=case_id), changed, "matching.MeasureRecorded")
    [entry] = [e for e in changed.entries if e.measure_code == measure_code]
    log.info("measure.recorded", case_id=str(case_id), measure=measure_code, status=entry.status)
    return changed


@router.get("/measures/unclaimed", response_model=list[RegionUnclaimed])
def unclaimed(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Per region of the accepted plans, the aid entitled people have not claimed (the hub only):
    aggregates, any figure on fewer than 5 people suppressed (null)."""
    require(principal, Role.HUB)
    settlements: list[Settlement] = runtime.projection.values(SETTLEMENTS)
    return unclaimed_by_region(_ledger(runtime, settlement) for settlement in settlements)
