"""HTTP request models of partners-api (commands); responses are the contracts themselves."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.common.contracts import IntakeCapacity, JobOffer, OfferKind, SettlementOffer, SupportMeasure
from services.common.contracts.base import Language, MrcCode, RegionCode
from services.common.contracts.partners import Neq, PartnerKindCode, Phone, ServiceLanguage

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class Command(BaseModel):
    """Base of commands: unknown fields are refused, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class PartnerCreate(Command):
    """Register a partner organization (hub only)."""

    name: Name = Field(examples=["Service d'aide aux néo-Canadiens"])
    kind: PartnerKindCode = Field(examples=["community_organization"])
    neq: Neq | None = Field(default=None, examples=["1140000000"])
    regions: list[RegionCode] = Field(min_length=1, max_length=17, examples=[["05"]])
    mrcs: list[MrcCode] = Field(default_factory=list, max_length=120, examples=[["430"]])
    service_languages: list[ServiceLanguage] = Field(
        default_factory=lambda: ["fr"], min_length=1, max_length=20
    )
    contact_email: EmailStr = Field(examples=["accueil@example.org"])
    contact_phone: Phone | None = None
    language: Language = "fr"


class PartnerUpdate(Command):
    """Change a partner's record (the hub, or the partner itself); absent fields are kept."""

    name: Name | None = None
    kind: PartnerKindCode | None = None
    neq: Neq | None = None
    regions: list[RegionCode] | None = Field(default=None, min_length=1, max_length=17)
    mrcs: list[MrcCode] | None = Field(default=None, max_length=120)
    service_languages: list[ServiceLanguage] | None = Field(default=None, min_length=1, max_length=20)
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    language: Language | None = None


class TableCreate(Command):
    """Create a concertation table (hub only)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    region: RegionCode
    mrcs: list[MrcCode] = Field(default_factory=list, description="Sub-regional table: its MRCs.")
    members: list[UUID] = Field(default_factory=list, max_length=500)


class MembersUpdate(Command):
    """Replace a table's members (hub only)."""

    members: list[UUID] = Field(max_length=500)


class DelegationCreate(Command):
    """Delegate a member to recruit in Montréal for the table (hub only); the previous delegation ends."""

    partner_id: UUID
    start: date
    end: date | None = None


class OfferCreate(Command):
    """Publish an offer. A partner publishes for itself; the hub names the partner."""

    partner_id: UUID | None = Field(default=None, description="Publisher; defaults to the caller's partner.")
    kind: OfferKind
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    job: JobOffer | None = None
    settlement: SettlementOffer | None = None
    intake: IntakeCapacity | None = None
    measure: SupportMeasure | None = None


class OfferUpdate(Command):
    """Replace an offer's title and details (its owner or the hub); its kind cannot change."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    job: JobOffer | None = None
    settlement: SettlementOffer | None = None
    intake: IntakeCapacity | None = None
    measure: SupportMeasure | None = None
