"""Messages of concertation rounds: commands, referral plans, the partner's view, round results.

A round refers each taking-part household to at most one regional welcoming
organization (an intake-capacity offer of a partner). The plan travels on
referrals.v1 (pseudonymous); the welcoming partner reads its own households on a
topic of its own, with only what the person consented to share; contact data
stays on contacts.v1 and is served by matching-api to that partner alone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import CnpCode, Contract, Language, LocalTime, RegionCode, Versioned
from .followups import FollowUpMonth
from .matching import EnglishLevel, Entitlement, Factor, Household, SuggestedOffer
from .settlements import Milestone, SettlementOutcome


class CommandKey(Contract):
    """Key of matching-commands.v1 (one partition: commands are decided in order)."""

    command_id: UUID


class MatchingCommand(Versioned):
    """An action on rounds, referrals and settlements, decided in order by the matching worker (a fact)."""

    command_id: UUID
    action: Literal[
        "run_round",
        "accept",
        "decline",
        "override",
        "request_review",
        "withdraw",
        "erase",
        "milestone",
        "close",
        "followup",
    ]
    round_id: UUID | None = Field(default=None, description="For run_round: the round's id.")
    referral_id: UUID | None = Field(
        default=None, description="For accept, decline, override and request_review."
    )
    person_id: UUID | None = Field(default=None, description="For withdraw and erase.")
    welcoming_offer_id: UUID | None = Field(
        default=None, description="For override: the intake-capacity offer to refer to instead (None: none)."
    )
    reason: str | None = Field(default=None, max_length=1000, description="Why (decline, override).")
    # Added with settlements (optional: older commands still read).
    case_id: UUID | None = Field(default=None, description="For milestone and close: the case.")
    milestone: Milestone | None = Field(default=None, description="For milestone: which one.")
    on: date | None = Field(
        default=None, description="For milestone and close: the day it happened; for followup: answered."
    )
    outcome: SettlementOutcome | None = Field(default=None, description="For close: the outcome.")
    moved_to_region: RegionCode | None = Field(
        default=None, description="For close as moved_to_another_region: the region, when known."
    )
    followup_month: FollowUpMonth | None = Field(
        default=None,
        description="For followup: which follow-up was answered (the answers are on followups.v1 only).",
    )
    by_role: Literal["hub", "counsellor", "person", "schedule", "partner", "delegate"]
    by_subject: str = Field(description="Who acted: a counsellor id, a person id, 'schedule'…")
    issued_at: datetime


class ReferralKey(Contract):
    """Key of referrals.v1 and of each partner's referral topic."""

    referral_id: UUID


class SuggestedActivity(Contract):
    """A calendar activity in Montréal the person should attend."""

    proposal_id: UUID
    title: str
    kind: str
    day: date
    start: LocalTime
    regions: list[RegionCode]


class Override(Contract):
    """A counsellor's review of an automated referral (Law 25: a person reviews the decision)."""

    counsellor_id: str
    reason: str
    at: datetime
    previous_partner_id: UUID | None
    previous_region: RegionCode | None


class Referral(Versioned):
    """A household's referral plan (referrals.v1, full current state)."""

    referral_id: UUID = Field(
        description="Derived from the round and the case: a round repeated gives the same id."
    )
    round_id: UUID
    case_id: UUID
    person_id: UUID
    household_size: int = Field(ge=1)
    region: RegionCode | None = Field(description="The region referred to; None once cancelled by override.")
    welcoming_partner_id: UUID | None
    welcoming_offer_id: UUID | None = Field(description="The intake-capacity offer whose place it takes.")
    preference_rank: int | None = Field(
        description="1 = the person's first-choice region; None = open to any."
    )
    jobs: list[SuggestedOffer] = Field(default_factory=list)
    settlement: list[SuggestedOffer] = Field(default_factory=list)
    activities: list[SuggestedActivity] = Field(default_factory=list)
    entitlements: list[Entitlement] = Field(default_factory=list)
    counsellor_id: UUID | None
    factors: list[Factor] = Field(default_factory=list, description="Why this region and this partner.")
    status: Literal["proposed", "accepted", "declined", "cancelled"]
    decided_by: Literal["round", "counsellor"] = Field(
        description="round: an automated decision (the person may ask a counsellor to review it)."
    )
    override: Override | None = None
    decline_reason: str | None = None
    review_requested_at: datetime | None = Field(
        default=None,
        description="When the person asked a counsellor to review this automated plan (Law 25); "
        "a counsellor's review (override) clears it.",
    )
    issued_at: datetime
    updated_at: datetime

    @property
    def holds_a_place(self) -> bool:
        """Whether it takes a place in its welcoming organization's capacity."""
        return self.status in ("proposed", "accepted") and self.welcoming_offer_id is not None


class PartnerReferral(Versioned):
    """What a welcoming partner learns about a household referred to it (its own topic).

    Only what the person consented to share: no name, email or phone (those are
    served by matching-api to this partner alone, when the person agreed).
    """

    referral_id: UUID
    round_id: UUID
    partner_id: UUID
    region: RegionCode
    status: Literal["proposed", "accepted", "declined", "cancelled"]
    household: Household
    occupations: list[CnpCode] = Field(default_factory=list)
    french_level: int | None = None
    english_level: EnglishLevel | None = None
    language: Language
    earliest_move_date: date | None = None
    contact_shared: bool = Field(description="Whether matching-api will give this partner the contact data.")
    counsellor_id: UUID | None
    issued_at: datetime
    updated_at: datetime


class RoundKey(Contract):
    """Key of rounds.v1."""

    round_id: UUID


class WelcomerUse(Contract):
    """One welcoming organization's places in a round."""

    offer_id: UUID
    partner_id: UUID | None
    region: RegionCode
    capacity: int
    held_before: int = Field(description="Places already held by earlier referrals.")
    referred: int = Field(description="Households referred to it in this round.")


class RoundCompleted(Versioned):
    """The result of a concertation round (rounds.v1, one record per round)."""

    round_id: UUID
    requested_by: str
    started_at: datetime
    households: int = Field(description="Households taking part.")
    referred: int
    first_choice: int = Field(description="Referred to their first-choice region.")
    unmatched: int
    welcomers: list[WelcomerUse] = Field(default_factory=list)
    duration_ms: float
