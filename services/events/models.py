"""HTTP request and response models of events-api."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.common.contracts import ActivityKind
from services.common.contracts.base import LocalTime, RegionCode
from services.common.contracts.events import Sector, VenueId

Dates = Annotated[list[date], Field(min_length=1, max_length=5, description="Ranked, best first.")]


def _distinct(days: list[date]) -> list[date]:
    if len(set(days)) != len(days):
        raise ValueError("preferred dates must be distinct")
    return days


class ProposalCreate(BaseModel):
    """Propose a recruitment activity in Montréal."""

    model_config = ConfigDict(extra="forbid")

    organizer_id: UUID = Field(
        description="The partner organizing it (for a region's activity: its delegate)."
    )
    regions: list[RegionCode] = Field(min_length=1, max_length=17, examples=[["05"]])
    kind: ActivityKind
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] = Field(
        examples=["Journée de l'Estrie au Salon de l'immigration"]
    )
    preferred_dates: Dates
    start_time: LocalTime = Field(default=time(10, 0), description="Local start time in Montréal.")
    duration_minutes: int = Field(default=180, ge=15, le=720)
    venue_id: VenueId | None = Field(default=None, description="A venue of GET /rules; omit for online.")
    sectors: list[Sector] = Field(default_factory=list, max_length=20, description="CNP codes or prefixes.")
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: ["fr"], min_length=1, max_length=10
    )
    expected_attendance: int = Field(default=50, ge=1, le=20000)
    open_to_joint: bool = Field(default=True, description="May be pooled with a compatible activity.")

    _check_dates = field_validator("preferred_dates")(_distinct)


class Reschedule(BaseModel):
    """New ranked preferred dates for a proposal."""

    model_config = ConfigDict(extra="forbid")

    preferred_dates: Dates
    _check_dates = field_validator("preferred_dates")(_distinct)


class ProposalReceived(BaseModel):
    """The proposal is recorded; its decision will appear in the calendar."""

    proposal_id: UUID
    status: Literal["received"] = "received"
    endorsed: bool = Field(description="Carries its table's endorsement (proposed by the table's delegate).")
    decision_url: str = Field(description="Where the decision can be read once made.")


class CommandReceived(BaseModel):
    """The action is recorded; the calendar entry changes once the worker applied it."""

    command_id: UUID
    proposal_id: UUID
    action: str
    decision_url: str
