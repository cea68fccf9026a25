"""Messages of a household's settlement: what happens after it accepted its referral plan.

The welcoming organization (or the hub) records the household's milestones — first contact,
exploratory visit, move date, arrival in the region — and closes the case with an outcome. The
settlement travels on settlements.v1 (compacted, keyed by case id, written by matching-worker
alone): pseudonymous ids and dates only, never a name, an email or a phone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import Contract, RegionCode, Versioned
from .followups import FollowUpMonth

SettlementStatus = Literal["awaiting_contact", "contacted", "visited", "moving", "arrived", "closed"]
Milestone = Literal["first_contact", "exploratory_visit", "move", "arrival"]
SettlementOutcome = Literal[
    "settled_in_region", "moved_to_another_region", "back_in_montreal", "left_quebec", "unreachable"
]


class SettlementKey(Contract):
    """Key of settlements.v1: the case id (one settlement per case)."""

    case_id: UUID = Field(description="The case the settlement follows.")


class SettlementStep(Contract):
    """One milestone, or the closing, as it was recorded (the settlement's history)."""

    action: Literal["first_contact", "exploratory_visit", "move", "arrival", "close"] = Field(
        description="What was recorded."
    )
    on: date = Field(description="The day it happened (for a move, the day planned).")
    recorded_at: datetime = Field(description="When the worker recorded it (UTC).")
    by_role: Literal["hub", "partner", "delegate"] = Field(description="Who recorded it.")


class Settlement(Versioned):
    """A household's journey from its accepted plan to a closed case (settlements.v1, full state)."""

    case_id: UUID = Field(description="The case; equal to the record key.")
    person_id: UUID = Field(description="The person the case is about (pseudonymous).")
    referral_id: UUID = Field(description="The accepted referral plan the settlement follows.")
    region: RegionCode = Field(description="The region of the accepted plan.")
    welcoming_partner_id: UUID = Field(description="The organization welcoming the household there.")
    status: SettlementStatus = Field(
        description="awaiting_contact → contacted → visited → moving → arrived → closed; "
        "steps may be skipped forward, never taken back."
    )
    first_contact_on: date | None = Field(default=None, description="First contact with the household.")
    exploratory_visit_on: date | None = Field(default=None, description="Exploratory visit to the region.")
    move_on: date | None = Field(default=None, description="The move date (may be planned ahead).")
    arrived_on: date | None = Field(default=None, description="Arrival in the region.")
    outcome: SettlementOutcome | None = Field(default=None, description="Set when the case is closed.")
    moved_to_region: RegionCode | None = Field(
        default=None, description="For moved_to_another_region: the region now lived in, when known."
    )
    closed_on: date | None = Field(default=None, description="The day the outcome was observed.")
    steps: list[SettlementStep] = Field(default_factory=list, description="Every step recorded, in order.")
    followups_answered: list[FollowUpMonth] = Field(
        default_factory=list,
        description="The follow-ups answered (months after the arrival: 3, 6, 12, 24); their answers are "
        "personal data, on followups.v1 only.",
    )
    opened_at: datetime = Field(description="When the plan was accepted and the settlement began (UTC).")
    updated_at: datetime
