"""Routes of matching-api for the hub's counsellors (the hub manages them; counsellors read),
and the queue of cases waiting for a counsellor."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import Case, Counsellor, CounsellorKey
from services.common.http import Runtime
from services.common.topics import CASES, COUNSELLORS

from .deps import STAFF, load
from .domain import queue_order
from .lifecycle import case_allows
from .models import CounsellorIn, WaitingCase

router = APIRouter(tags=["counsellors"])


@router.post("/counsellors", status_code=status.HTTP_201_CREATED, response_model=Counsellor)
def add_counsellor(body: CounsellorIn, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Register a counsellor of the hub (hub only); new cases are assigned to them from now on."""
    require(principal, Role.HUB)
    counsellor = Counsellor(counsellor_id=uuid.uuid4(), **body.model_dump())
    key = CounsellorKey(counsellor_id=counsellor.counsellor_id)
    runtime.publish(COUNSELLORS, key, counsellor, "matching.CounsellorRegistered")
    return counsellor


@router.put("/counsellors/{counsellor_id}", response_model=Counsellor)
def update_counsellor(
    counsellor_id: uuid.UUID, body: CounsellorIn, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """Change a counsellor's languages, cap or activity (hub only); their cases stay theirs."""
    require(principal, Role.HUB)
    key = CounsellorKey(counsellor_id=counsellor_id)
    load(runtime, COUNSELLORS, key, f"counsellor {counsellor_id}")
    counsellor = Counsellor(counsellor_id=counsellor_id, **body.model_dump())
    runtime.publish(COUNSELLORS, key, counsellor, "matching.CounsellorUpdated")
    return counsellor


@router.get("/counsellors", response_model=list[Counsellor])
def list_counsellors(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Every counsellor (staff only)."""
    require(principal, *STAFF)
    counsellors: list[Counsellor] = runtime.projection.values(COUNSELLORS)
    return sorted(counsellors, key=lambda c: (c.name, str(c.counsellor_id)))


@router.get("/queue", response_model=list[WaitingCase], tags=["cases"])
def waiting_for_a_counsellor(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The open cases no counsellor holds yet, in the order they will be taken (staff only).

    Each place that frees up (a case withdrawn or erased) or is added (a counsellor added,
    made active or given a higher cap) goes to the first case of the queue in its language.
    """
    require(principal, *STAFF)
    cases: list[Case] = runtime.projection.values(CASES)
    waiting = sorted(
        (c for c in cases if case_allows(c.status, "assign_counsellor") and c.counsellor_id is None),
        key=queue_order,
    )
    now = runtime.clock.now()
    return [
        WaitingCase(
            position=position,
            case_id=case.case_id,
            person_id=case.person_id,
            language=case.language,
            household_size=case.household_size,
            opened_at=case.opened_at,
            waiting_s=max(0, int((now - case.opened_at).total_seconds())),
        )
        for position, case in enumerate(waiting, start=1)
    ]
