"""Messages of the matching service: contacts (personal data), interests and cases.

Personal contact data (name, email, phone) lives only in ``Contact`` on
contacts.v1; every other message carries the pseudonymous ``person_id`` only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

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


class InterestDeclared(Versioned):
    """A person declared interest in settling outside Montréal (interests.v1, a fact)."""

    person_id: UUID = Field(description="Pseudonymous person id; equal to the record key.")
    immigration_status: ImmigrationStatus
    arrival_date: date | None = Field(default=None, description="Arrival in Québec, if known.")
    occupation: CnpCode | None = Field(default=None, description="Main occupation, CNP 2021 code.")
    french_level: int | None = Field(
        default=None, ge=1, le=12, description="Échelle québécoise level 1–12, if assessed."
    )
    preferred_regions: list[RegionCode] = Field(
        default_factory=list, description="Destination regions, best first; empty means open to any."
    )
    language: Language
    declared_at: datetime = Field(description="When the interest was received (UTC).")


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


class Case(Versioned):
    """A person's case held by the Montréal hub (cases.v1, full current state)."""

    case_id: UUID = Field(description="Case id, derived from the person id (one case per person).")
    person_id: UUID = Field(description="The person the case is about (pseudonymous).")
    status: Literal["open", "closed"] = Field(description="Case status.")
    language: Language
    preferred_regions: list[RegionCode] = Field(description="Destination regions, best first.")
    opened_at: datetime = Field(description="When the case was opened: the interest's time (UTC).")
    entitlements: list[Entitlement] = Field(
        default_factory=list, description="Every support measure evaluated for the person, with reasons."
    )


class CaseKey(Contract):
    """Key of cases.v1."""

    case_id: UUID = Field(description="Case id.")
