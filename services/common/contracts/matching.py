"""Messages of the matching service: contacts (personal data), interests, counsellors and cases.

Personal contact data (name, email, phone) lives only in ``Contact`` on
contacts.v1; every other message carries the pseudonymous ``person_id`` only.
Referral plans and concertation rounds are in ``referrals.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints, model_validator

from .base import CnpCode, Contract, Language, RegionCode, Versioned


class ImmigrationStatus(StrEnum):
    """Immigration status recorded at intake."""

    PERMANENT_RESIDENT = "permanent_resident"
    PROTECTED_PERSON = "protected_person"
    TEMPORARY_WORKER = "temporary_worker"
    INTERNATIONAL_STUDENT = "international_student"
    ASYLUM_SEEKER = "asylum_seeker"
    CITIZEN = "citizen"


class PersonKey(Contract):
    """Key of contacts.v1 and interests.v1: the pseudonymous person id."""

    person_id: UUID = Field(description="Pseudonymous person id, chosen by matching-api.")


class Contact(Versioned):
    """A person's contact data (contacts.v1 only; never logged, never on another topic)."""

    person_id: UUID = Field(description="Pseudonymous person id; equal to the record key.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Name the person wants to be addressed by."
    )
    email: EmailStr = Field(description="Email address.")
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()\-]{7,20}$")] | None = Field(
        default=None, description="Phone number, optional."
    )
    language: Language


class Household(Contract):
    """Who moves together: one unit in a concertation round."""

    adults: int = Field(default=1, ge=1, le=10, description="Adults moving (the person included).")
    children_ages: list[Annotated[int, Field(ge=0, le=17)]] = Field(
        default_factory=list, max_length=15, description="Age of each child moving with them."
    )

    @property
    def size(self) -> int:
        """Everyone in the household."""
        return self.adults + len(self.children_ages)


class Occupation(Contract):
    """An occupation the person has practised, with its experience: a CNP 2021 code, or, when no
    code of Concerto's list fits, its title in the person's words (a counsellor codes it later;
    ranking treats it as unknown until then)."""

    cnp: CnpCode | None = Field(default=None, description="CNP/NOC 2021 unit group, when one fits.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)] | None = (
        Field(default=None, description="The occupation in the person's words, when no code fits yet.")
    )
    years: float = Field(default=0, ge=0, le=60, description="Years of experience in it.")
    stays_in_field: bool = Field(default=True, description="Whether they want to keep working in it.")

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.cnp is None and self.title is None:
            raise ValueError("an occupation needs its CNP code or its title")
        return self


StudiesLevel = Literal["none", "secondary", "vocational", "college", "bachelor", "master", "doctorate"]
EnglishLevel = Literal["none", "basic", "intermediate", "advanced"]
IncomeSupport = Literal["none", "social_assistance", "employment_insurance"]


class Consents(Contract):
    """What the person agreed to, purpose by purpose (Québec's Law 25)."""

    contact: bool = Field(description="To be contacted by the hub about settling in a region (required).")
    referral: bool = Field(
        description="To take part in concertation rounds: their profile (no contact data) is "
        "shared with the one regional partner they are referred to."
    )
    share_contact: bool = Field(
        description="The regional partner they are referred to may also see their name, email and phone."
    )


class InterestDeclared(Versioned):
    """A person's interest in settling outside Montréal, current state (interests.v1).

    Each update is a new record for the same person; a withdrawal sets
    ``withdrawn_at``; an erasure is a tombstone.
    """

    person_id: UUID = Field(description="Pseudonymous person id; equal to the record key.")
    immigration_status: ImmigrationStatus
    arrival_date: date | None = Field(default=None, description="Arrival in Québec, if known.")
    occupation: CnpCode | None = Field(
        default=None,
        description="Main occupation (the first of ``occupations``), kept for version-1 readers.",
    )
    french_level: int | None = Field(
        default=None, ge=1, le=12, description="Échelle québécoise level 1–12, if assessed."
    )
    preferred_regions: list[RegionCode] = Field(
        default_factory=list, description="Destination regions, best first; empty means open to any."
    )
    language: Language
    declared_at: datetime = Field(description="When the interest was received (UTC).")
    # Added in intake version 2 (all optional: version-1 records still read).
    household: Household = Field(default_factory=Household, description="Who moves together.")
    occupations: list[Occupation] = Field(default_factory=list, description="Occupations, main one first.")
    studies: StudiesLevel | None = Field(default=None, description="Highest studies completed.")
    credential_recognition_in_progress: bool | None = Field(
        default=None, description="Recognition by a professional order (ordre professionnel) under way."
    )
    english_level: EnglishLevel | None = None
    open_to_any_region: bool = Field(default=False, description="Open to any region beyond the ranked ones.")
    driving_licence: bool | None = None
    earliest_move_date: date | None = None
    age: int | None = Field(default=None, ge=16, le=100, description="Age, when a measure depends on it.")
    income_support: IncomeSupport | None = Field(default=None, description="Income support received.")
    consents: Consents | None = Field(default=None, description="Consents per purpose (None: version 1).")
    revision: int = Field(default=1, ge=1, description="1 at declaration, +1 at each update.")
    withdrawn_at: datetime | None = Field(default=None, description="Set when the person withdraws.")

    @property
    def cnp_codes(self) -> list[str]:
        """Every occupation code, main first."""
        codes = [o.cnp for o in self.occupations if o.cnp is not None]  # a titled one is not coded yet
        if self.occupation and self.occupation not in codes:
            codes.insert(0, self.occupation)
        return codes

    @property
    def takes_part_in_rounds(self) -> bool:
        """Whether the person may be referred (consent, and not withdrawn)."""
        consented = self.consents.referral if self.consents is not None else True
        return consented and self.withdrawn_at is None


class Entitlement(Contract):
    """A support measure evaluated for a person: entitled, possible (facts missing) or not, and why."""

    measure_code: str = Field(description="The measure's code (data/measures.json).")
    measure_offer_id: UUID = Field(description="The measure's offer on offers.v1.")
    name_fr: str
    name_en: str
    payee: Literal["person", "employer"] = Field(description="Who receives it.")
    status: Literal["entitled", "possible", "not_entitled"]
    reasons_fr: list[str] = Field(default_factory=list, description="Conditions met, or why not entitled.")
    reasons_en: list[str] = Field(default_factory=list, description="The same, in English.")
    missing_facts: list[str] = Field(
        default_factory=list, description="For a possible measure: the facts the intake should add."
    )


class Factor(Contract):
    """One factor of a score: what it is, its points, and what it means in both languages."""

    factor: str = Field(description="Stable code of the factor (e.g. preference, job_match).")
    points: float
    detail_fr: str
    detail_en: str


class RegionScore(Contract):
    """A destination region ranked for a person, with the factors of its score."""

    region: RegionCode
    score: float
    factors: list[Factor] = Field(default_factory=list)


class SuggestedOffer(Contract):
    """A job or settlement offer suggested to a person, with the factors of its score."""

    offer_id: UUID
    partner_id: UUID | None
    kind: Literal["job", "settlement"]
    title: str
    region: RegionCode
    score: float
    factors: list[Factor] = Field(default_factory=list)


class CounsellorKey(Contract):
    """Key of counsellors.v1."""

    counsellor_id: UUID


class Counsellor(Versioned):
    """A counsellor of the Montréal hub (counsellors.v1, full current state)."""

    counsellor_id: UUID = Field(description="Counsellor id; the subject of their tokens.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="A staff member's professional name, as the hub publishes it (not a person served)."
    )
    email: EmailStr = Field(description="Professional address at the hub (not a person served).")
    languages: list[Language] = Field(min_length=1, description="Languages they counsel in.")
    max_cases: int = Field(default=60, ge=1, le=1000, description="Open cases they can hold.")
    active: bool = True


class Case(Versioned):
    """A person's case held by the Montréal hub (cases.v1, full current state)."""

    case_id: UUID = Field(description="Case id, derived from the person id (one case per person).")
    person_id: UUID = Field(description="The person the case is about (pseudonymous).")
    status: Literal["open", "closed", "withdrawn"] = Field(description="Case status.")
    language: Language
    preferred_regions: list[RegionCode] = Field(description="Destination regions, best first.")
    opened_at: datetime = Field(description="When the case was opened: the interest's time (UTC).")
    entitlements: list[Entitlement] = Field(
        default_factory=list, description="Every support measure evaluated for the person, with reasons."
    )
    # Added with counsellors and ranking (optional for version-1 readers).
    counsellor_id: UUID | None = Field(
        default=None, description="The hub counsellor holding the case; None while none is free."
    )
    household_size: int = Field(default=1, ge=1)
    regions: list[RegionScore] = Field(
        default_factory=list, description="Destination regions ranked for the person, best first."
    )
    offers: list[SuggestedOffer] = Field(
        default_factory=list, description="Job and settlement offers ranked for the person, best first."
    )
    interest_revision: int = Field(default=1, description="The interest revision this state reflects.")
    updated_at: datetime | None = None
    # Added with the queue of cases waiting for a counsellor (optional: older records still read).
    counsellor_assigned_at: datetime | None = Field(
        default=None,
        description="When a counsellor took the case from the queue (it had waited for one); "
        "None when one held it from its opening, or while none holds it.",
    )


class CaseKey(Contract):
    """Key of cases.v1."""

    case_id: UUID = Field(description="Case id.")
