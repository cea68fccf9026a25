"""Messages of the partners service: the organizations of the regionalization network."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

from .base import Contract, Language, MrcCode, RegionCode, Versioned

Neq = Annotated[
    str,
    StringConstraints(pattern=r"^\d{10}$"),
    Field(description="Québec enterprise number (NEQ): 10 digits."),
]
PartnerKindCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z_]{1,49}$"),
    Field(description="Kind of body, as data (data/partner_kinds.json): employer, municipality…"),
]
ServiceLanguage = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2}$"),
    Field(description="ISO 639-1 code of a language the organization serves people in."),
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()\-]{7,20}$")]


class PartnerKey(Contract):
    """Key of partners.v1: one record per partner (log-compacted)."""

    partner_id: UUID = Field(description="Partner id, chosen by partners-api.")


class Partner(Versioned):
    """The full current state of a partner organization (partners.v1 value)."""

    partner_id: UUID = Field(description="Partner id; equal to the record key.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] = Field(
        description="The organization's name."
    )
    kind: PartnerKindCode
    regions: list[RegionCode] = Field(min_length=1, description="Regions served (ISQ codes).")
    contact_email: EmailStr = Field(description="The organization's contact address (not a person's).")
    language: Language = Field(default="fr", description="Language the organization is written to in.")
    status: Literal["active", "deactivated"] = Field(default="active", description="Lifecycle status.")
    registered_at: datetime = Field(description="When the partner was registered (UTC).")
    neq: Neq | None = Field(default=None, description="Québec enterprise number, where it has one.")
    mrcs: list[MrcCode] = Field(default_factory=list, description="MRCs served, within its regions.")
    service_languages: list[ServiceLanguage] = Field(
        default_factory=lambda: ["fr"], description="Languages it serves people in."
    )
    contact_phone: Phone | None = Field(default=None, description="The organization's phone number.")
    updated_at: datetime | None = Field(default=None, description="Last change (UTC).")

    def serves(self, region: str) -> bool:
        """True when the partner serves ``region`` (it acts only for the regions it serves)."""
        return region in self.regions
