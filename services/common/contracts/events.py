"""Messages of the events service: proposals of recruitment activities and the calendar."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from .base import Contract, RegionCode, Versioned


class ActivityKind(StrEnum):
    """Kinds of recruitment activity held in (or aimed at) Montréal."""

    FAIR_KIOSK = "fair_kiosk"
    INFORMATION_SESSION = "information_session"
    SPEED_RECRUITING = "speed_recruiting"
    BUS_TRIP = "bus_trip"
    WEBINAR = "webinar"


class ProposalKey(Contract):
    """Key of event-proposals.v1 and calendar.v1."""

    proposal_id: UUID = Field(description="Proposal id, chosen by events-api.")


class ActivityProposed(Versioned):
    """A partner proposed a recruitment activity in Montréal (event-proposals.v1, a fact)."""

    proposal_id: UUID = Field(description="Proposal id; equal to the record key.")
    organizer_id: UUID = Field(description="The partner organizing the activity.")
    regions: list[RegionCode] = Field(min_length=1, description="Region(s) the activity represents.")
    kind: ActivityKind = Field(description="Kind of activity.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] = Field(
        description="Title shown in the calendar."
    )
    preferred_dates: list[date] = Field(
        min_length=1, max_length=5, description="Dates wanted, best first (ranked)."
    )
    proposed_at: datetime = Field(description="When the proposal was received (UTC).")

    @field_validator("preferred_dates")
    @classmethod
    def _distinct(cls, days: list[date]) -> list[date]:
        if len(set(days)) != len(days):
            raise ValueError("preferred dates must be distinct")
        return days


class CalendarEntry(Versioned):
    """The decision on a proposal: the full current state of a calendar entry (calendar.v1)."""

    proposal_id: UUID = Field(description="The proposal decided; equal to the record key.")
    organizer_id: UUID = Field(description="The partner organizing the activity.")
    regions: list[RegionCode] = Field(description="Region(s) the activity represents.")
    kind: ActivityKind = Field(description="Kind of activity.")
    title: str = Field(description="Title shown in the calendar.")
    status: Literal["scheduled", "not_possible"] = Field(
        description="scheduled on `day`, or not possible on any preferred date."
    )
    day: date | None = Field(default=None, description="The day it is scheduled on, if scheduled.")
    preference_rank: int | None = Field(
        default=None, ge=1, description="Which preferred date was honored (1 = first choice)."
    )
    alternatives: list[date] = Field(
        default_factory=list, description="Nearest feasible days, when not possible as asked."
    )
    reason: str = Field(description="Why this decision, in plain words.")
    decided_at: datetime = Field(description="When the decision was made (UTC).")
