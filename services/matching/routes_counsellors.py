"""Routes of matching-api for the hub's counsellors (the hub manages them; counsellors read)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import Counsellor, CounsellorKey
from services.common.http import Runtime
from services.common.topics import COUNSELLORS

from .deps import STAFF, load
from .models import CounsellorIn

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
