"""HTTP request and response models of matching-api."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.common.contracts import ImmigrationStatus
from services.common.contracts.base import CnpCode, Language, RegionCode


class ContactIn(BaseModel):
    """How to reach the person; stored only on contacts.v1."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()\-]{7,20}$")] | None = None


class InterestCreate(BaseModel):
    """A person's declaration of interest in settling in a region outside Montréal."""

    model_config = ConfigDict(extra="forbid")

    contact: ContactIn
    consent_to_contact: Literal[True] = Field(
        description="Express consent to be contacted about regionalization (Law 25); must be true."
    )
    immigration_status: ImmigrationStatus
    arrival_date: date | None = None
    occupation: CnpCode | None = None
    french_level: int | None = Field(default=None, ge=1, le=12)
    preferred_regions: list[RegionCode] = Field(default_factory=list, max_length=16)
    language: Language = "fr"


class InterestReceived(BaseModel):
    """The interest is recorded; the case will appear once the matching worker opens it."""

    person_id: UUID
    case_id: UUID
    status: Literal["received"] = "received"
    case_url: str
