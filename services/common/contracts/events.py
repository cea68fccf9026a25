"""Messages of the events service: proposals, commands on them, the rules, and the calendar.

Proposals (event-proposals.v1) and commands on them (calendar-commands.v1) are
decided one at a time by the events worker, under the rules in force
(calendar-rules.v1); each decision is the proposal's calendar entry
(calendar.v1, its full current state).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from .base import Contract, Language, LocalTime, RegionCode, Versioned

Sector = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,5}$"),
    Field(
        description="A CNP 2021 code or prefix the activity is aimed at (2 = natural and applied sciences)."
    ),
]
VenueId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,49}$")]


class ActivityKind(StrEnum):
    """Kinds of recruitment activity held in (or aimed at) Montréal."""

    FAIR_KIOSK = "fair_kiosk"
    INFORMATION_SESSION = "information_session"
    SPEED_RECRUITING = "speed_recruiting"
    BUS_TRIP = "bus_trip"
    WEBINAR = "webinar"


class ProposalKey(Contract):
    """Key of event-proposals.v1, calendar-commands.v1 and calendar.v1."""

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
    start_time: LocalTime = Field(default=time(10, 0), description="Local start time in Montréal.")
    duration_minutes: int = Field(default=180, ge=15, le=720, description="How long it lasts.")
    venue_id: VenueId | None = Field(
        default=None, description="A Montréal venue of the rules; None = online."
    )
    sectors: list[Sector] = Field(
        default_factory=list,
        description="Sectors aimed at; empty = a general audience (no sector spacing applies).",
    )
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: ["fr"], description="Languages the activity is held in."
    )
    expected_attendance: int = Field(default=50, ge=1, le=20000, description="People expected.")
    open_to_joint: bool = Field(
        default=True, description="Whether it may be pooled with a compatible activity."
    )
    language: Language | None = Field(
        default=None,
        description="The organizer's language when it proposed: its decision's reason is written in it "
        "(absent: French).",
    )
    endorsed: bool = Field(
        default=False, description="Endorsed by the region's concertation table (its delegate proposes it)."
    )

    @field_validator("preferred_dates")
    @classmethod
    def _distinct(cls, days: list[date]) -> list[date]:
        if len(set(days)) != len(days):
            raise ValueError("preferred dates must be distinct")
        return days

    def interval_on(self, day: date) -> tuple[datetime, datetime]:
        """When the activity runs if held on ``day`` (local time)."""
        start = datetime.combine(day, self.start_time)
        return start, start + timedelta(minutes=self.duration_minutes)


class CalendarCommand(Versioned):
    """An action on a proposal, decided in order with the proposals (calendar-commands.v1, a fact)."""

    command_id: UUID
    proposal_id: UUID
    action: Literal["endorse", "withdraw", "reschedule", "accept_joint", "decline_joint"]
    by_partner: UUID | None = Field(description="The partner acting; None when the hub acts.")
    preferred_dates: list[date] = Field(default_factory=list, max_length=5, description="For reschedule.")
    issued_at: datetime


class Venue(Contract):
    """A place in Montréal where activities are held."""

    venue_id: VenueId
    name: str
    capacity: int = Field(ge=1, description="People it holds.")


class RulesKey(Contract):
    """Key of calendar-rules.v1: one set of rules in force."""

    rules_id: Literal["montreal"] = "montreal"


class CalendarRules(Versioned):
    """The calendar's rules, as data the hub edits (calendar-rules.v1, full current state)."""

    rules_id: Literal["montreal"] = "montreal"
    max_per_day: int = Field(default=3, ge=1, description="Regional activities per day in Montréal.")
    max_per_slot: int = Field(default=2, ge=1, description="Activities running at the same time.")
    min_days_same_region: int = Field(
        default=7, ge=0, description="Days between two activities of the same region (0 = no rule)."
    )
    min_days_same_sector: int = Field(
        default=2, ge=0, description="Days between two activities aimed at the same sector (0 = no rule)."
    )
    blackout_dates: list[date] = Field(default_factory=list, description="No activity on these days.")
    endorsement_required: list[ActivityKind] = Field(
        default_factory=list, description="Kinds that need the endorsement of the region's table."
    )
    venues: list[Venue] = Field(default_factory=list)
    fair_days: list[date] = Field(default_factory=list, description="Prime days besides Saturdays.")
    joint_window_days: int = Field(
        default=3, ge=0, description="How far from a preferred date a compatible activity may be joined."
    )
    # Added with the priority of endorsed activities on contested days (optional: older records read).
    priority_window_hours: int = Field(
        default=48,
        ge=0,
        description="For this long after it is scheduled, an activity without its table's endorsement holds "
        "its place provisionally: on a full day, an endorsed proposal may take it (0 = first come, first "
        "served).",
    )
    updated_at: datetime | None = None

    def venue(self, venue_id: str | None) -> Venue | None:
        """The venue with this id, if the rules know it."""
        return next((v for v in self.venues if v.venue_id == venue_id), None)

    def is_prime(self, day: date) -> bool:
        """Saturdays and fair days are prime slots."""
        return day.weekday() == 5 or day in self.fair_days


DecisionStatus = Literal["scheduled", "not_possible", "pending_endorsement", "joint_suggested", "withdrawn"]


class CalendarEntry(Versioned):
    """The decision on a proposal: the full current state of a calendar entry (calendar.v1)."""

    proposal_id: UUID = Field(description="The proposal decided; equal to the record key.")
    organizer_id: UUID = Field(description="The partner organizing the activity.")
    regions: list[RegionCode] = Field(description="Region(s) the activity represents.")
    kind: ActivityKind = Field(description="Kind of activity.")
    title: str = Field(description="Title shown in the calendar.")
    status: DecisionStatus = Field(
        description="scheduled on `day`; not possible as asked (see `alternatives`); waiting for the "
        "table's endorsement; a suggestion to join `joint_with`; or withdrawn by its organizer."
    )
    day: date | None = Field(
        default=None, description="The day it is held on (scheduled, or suggested joint)."
    )
    preference_rank: int | None = Field(
        default=None, ge=1, description="Which preferred date was honored (1 = first choice)."
    )
    alternatives: list[date] = Field(
        default_factory=list, description="Nearest feasible days, when not possible as asked."
    )
    reason: str = Field(description="Why this decision, in plain words, in the organizer's language.")
    reason_code: str | None = Field(
        default=None, description="Stable, machine-readable kind of the reason (e.g. decision_scheduled)."
    )
    language: Language | None = Field(
        default=None, description="The organizer's language, the one `reason` is written in (absent: French)."
    )
    decided_at: datetime = Field(description="When the decision was made (UTC).")
    start_time: LocalTime | None = None
    duration_minutes: int | None = None
    venue_id: str | None = None
    sectors: list[str] = Field(default_factory=list)
    preferred_dates: list[date] = Field(default_factory=list)
    expected_attendance: int | None = None
    languages: list[str] = Field(default_factory=list)
    joint_with: UUID | None = Field(
        default=None, description="The scheduled activity it joins (or is invited to join)."
    )
    joint_members: list[UUID] = Field(
        default_factory=list, description="For a host activity: the proposals that joined it."
    )
    change: Literal[
        "decided", "endorsed", "rescheduled", "joined", "member_joined", "member_left", "withdrawn"
    ] = Field(
        default="decided", description="What this update of the entry is, for the people told about it."
    )
    # Added with the priority of endorsed activities on contested days (optional: older records read).
    provisional_until: datetime | None = Field(
        default=None,
        description="Scheduled without its table's endorsement: until then, on a full day, an endorsed "
        "proposal may take its place (CalendarRules.priority_window_hours).",
    )
    displaced_from: date | None = Field(
        default=None, description="The day whose place it gave to an endorsed activity, if it did."
    )
    displaced_by: UUID | None = Field(default=None, description="The endorsed proposal that took that place.")
