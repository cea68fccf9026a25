"""HTTP request and response models of matching-api."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.common.contracts import (
    Factor,
    Household,
    ImmigrationStatus,
    Milestone,
    Occupation,
    PartnerReferral,
    SettlementOutcome,
)
from services.common.contracts.base import Language, RegionCode
from services.common.contracts.matching import EnglishLevel, IncomeSupport, StudiesLevel


class ContactIn(BaseModel):
    """How to reach the person; stored only on contacts.v1."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()\-]{7,20}$")] | None = None


class ContactChange(ContactIn):
    """A person's new contact details and the language of their messages (all replace the old)."""

    language: Language = Field(description="The language of every message to the person, and of their case.")


class ConsentsIn(BaseModel):
    """Consent per purpose, each given explicitly (Law 25): none has a default."""

    model_config = ConfigDict(extra="forbid")

    contact: Literal[True] = Field(
        description="To be contacted by the hub about settling in a region; required to register."
    )
    referral: bool = Field(
        description="To take part in concertation rounds: the profile (no contact data) goes to the "
        "one regional partner the household is referred to."
    )
    share_contact: bool = Field(
        description="The regional partner the household is referred to may see the name, email and phone."
    )


class ProfileIn(BaseModel):
    """What an intake records about a person (everything but their contact data)."""

    model_config = ConfigDict(extra="forbid")

    immigration_status: ImmigrationStatus
    arrival_date: date | None = Field(default=None, description="Arrival in Québec; not in the future.")
    household: Household = Field(default_factory=Household)
    occupations: list[Occupation] = Field(
        default_factory=list, max_length=5, description="CNP 2021 unit groups, main one first."
    )
    studies: StudiesLevel | None = None
    credential_recognition_in_progress: bool | None = None
    french_level: int | None = Field(default=None, ge=1, le=12, description="Échelle québécoise, 1–12.")
    english_level: EnglishLevel | None = None
    preferred_regions: list[RegionCode] = Field(
        default_factory=list, max_length=16, description="Destination regions, best first (not 06)."
    )
    open_to_any_region: bool = False
    driving_licence: bool | None = None
    earliest_move_date: date | None = None
    age: int | None = Field(default=None, ge=16, le=100)
    income_support: IncomeSupport | None = None
    language: Language = "fr"


class InterestCreate(ProfileIn):
    """A person's declaration of interest in settling in a region outside Montréal."""

    contact: ContactIn
    consents: ConsentsIn


class InterestUpdate(ProfileIn):
    """A new version of the person's profile (replaces the previous one; consents kept unless given)."""

    consents: ConsentsIn | None = None


class InterestReceived(BaseModel):
    """The interest is recorded; the case will appear once the matching worker opens it."""

    person_id: UUID
    case_id: UUID
    status: Literal["received"] = "received"
    case_url: str
    revision: int = 1
    token: str | None = Field(
        default=None, description="Self-registration only: the person's token to follow their own case."
    )


class CounsellorIn(BaseModel):
    """A counsellor of the hub, as the hub registers or updates them."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr
    languages: list[Language] = Field(min_length=1, max_length=2)
    max_cases: int = Field(default=60, ge=1, le=1000)
    active: bool = True


class WaitingCase(BaseModel):
    """A case waiting for a counsellor, at its place in the queue (GET /queue)."""

    position: int = Field(ge=1, description="1 = the next case a counsellor with room in its language takes.")
    case_id: UUID
    person_id: UUID
    language: Language = Field(description="The language a counsellor must counsel in to take it.")
    household_size: int
    opened_at: datetime = Field(description="When it opened, and so began to wait (UTC).")
    waiting_s: int = Field(description="How long it has waited so far, in seconds.")


class RoundRequested(BaseModel):
    """A concertation round is requested; its result appears at ``round_url`` once done."""

    round_id: UUID
    status: Literal["requested"] = "requested"
    round_url: str


class DeclineIn(BaseModel):
    """Why the household declines (optional, helps the next round)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class OverrideIn(BaseModel):
    """A counsellor's review of an automated referral."""

    model_config = ConfigDict(extra="forbid")

    welcoming_offer_id: UUID | None = Field(
        description="The intake-capacity offer to refer the household to instead; null cancels the referral."
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)] = Field(
        description="Why, in words the person can read (kept with the referral)."
    )


class ActionAccepted(BaseModel):
    """The action is recorded; the referral changes once the matching worker has decided it in order."""

    referral_id: UUID
    action: str
    status: Literal["accepted_for_processing"] = "accepted_for_processing"
    referral_url: str


class MilestoneIn(BaseModel):
    """A milestone of the household's settlement, and the day it happened."""

    model_config = ConfigDict(extra="forbid")

    milestone: Milestone = Field(
        description="first_contact, exploratory_visit, move (the move date, may be planned ahead) or arrival."
    )
    on: date = Field(description="The day (YYYY-MM-DD); not in the future, except a planned move date.")


class CloseIn(BaseModel):
    """The outcome the case closes with, and the day it was observed."""

    model_config = ConfigDict(extra="forbid")

    outcome: SettlementOutcome = Field(
        description="settled_in_region (after the arrival), moved_to_another_region, back_in_montreal, "
        "left_quebec or unreachable."
    )
    on: date = Field(description="The day it was observed (YYYY-MM-DD), not in the future.")
    moved_to_region: RegionCode | None = Field(
        default=None, description="For moved_to_another_region: the region the household lives in now."
    )


class SettlementAccepted(BaseModel):
    """The step is recorded; the settlement changes once the matching worker has decided it in order."""

    case_id: UUID
    action: str
    status: Literal["accepted_for_processing"] = "accepted_for_processing"
    settlement_url: str


class Explanation(BaseModel):
    """The main factors of a referral decision, and how to have a person review it (Law 25)."""

    referral_id: UUID
    automated: bool
    decided_by: str
    region: str | None
    factors: list[Factor]
    notice_fr: str
    notice_en: str


class PartnerContact(BaseModel):
    """A referred person's contact data, when they agreed to share it with their welcoming partner."""

    name: str
    email: EmailStr
    phone: str | None


class PartnerReferralDetail(BaseModel):
    """A household referred to a partner, with the contact data only if the person agreed."""

    case_id: UUID = Field(
        description="The household's case: its settlement is at /cases/{case_id}/settlement, where "
        "this partner records the milestones once the plan is accepted."
    )
    referral: PartnerReferral
    contact: PartnerContact | None
