"""HTTP request and response models of partners-api."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.common.contracts.base import Language, RegionCode


class PartnerCreate(BaseModel):
    """Register a partner organization."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] = Field(
        examples=["Place aux jeunes en région — Estrie"]
    )
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,49}$")] = Field(
        description="Kind of body (community_organization, provincial_body, employer, municipality, hub…).",
        examples=["community_organization"],
    )
    regions: list[RegionCode] = Field(min_length=1, max_length=17, examples=[["05"]])
    contact_email: EmailStr = Field(examples=["accueil@example.org"])
    language: Language = "fr"
