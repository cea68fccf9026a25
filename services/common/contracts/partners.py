"""Messages of the partners service: the organizations of the regionalization network."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

from .base import Contract, Language, RegionCode, Versioned


class PartnerKey(Contract):
    """Key of partners.v1: one record per partner (log-compacted)."""

    partner_id: UUID = Field(description="Partner id, chosen by partners-api.")


class Partner(Versioned):
    """The full current state of a partner organization (partners.v1 value)."""

    partner_id: UUID = Field(description="Partner id; equal to the record key.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] = Field(
        description="The organization's name."
    )
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,49}$")] = Field(
        description="Kind of body, as data (e.g. community_organization, employer, hub)."
    )
    regions: list[RegionCode] = Field(min_length=1, description="Regions served (ISQ codes).")
    contact_email: EmailStr = Field(description="The organization's contact address (not a person's).")
    language: Language = Field(default="fr", description="Language the organization is written to in.")
    status: Literal["active", "deactivated"] = Field(default="active", description="Lifecycle status.")
    registered_at: datetime = Field(description="When the partner was registered (UTC).")
