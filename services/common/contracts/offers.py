"""Messages of the partners service: what partners offer in the regions.

One topic, offers.v1, carries four kinds of offer, each with its own details:
job offers (employers), settlement offers (municipalities, MRCs, community
organizations), the intake capacity of a welcoming organization, and support
measures (provincial bodies, the hub) whose eligibility rules are data.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from .base import CnpCode, Contract, MrcCode, RegionCode, Versioned

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class OfferKind(StrEnum):
    """The kinds of offer."""

    JOB = "job"
    SETTLEMENT = "settlement"
    INTAKE_CAPACITY = "intake_capacity"
    SUPPORT_MEASURE = "support_measure"


class OfferKey(Contract):
    """Key of offers.v1."""

    offer_id: UUID = Field(description="Offer id.")


class Window(Contract):
    """When an offer is open: from ``start_date`` to ``closing_date`` (inclusive)."""

    start_date: date = Field(description="First day the offer is open.")
    closing_date: date | None = Field(
        default=None, description="Last day it is open; None = until withdrawn."
    )

    @model_validator(mode="after")
    def _closes_after_it_starts(self) -> Window:
        if self.closing_date is not None and self.closing_date < self.start_date:
            raise ValueError("closing_date is before start_date")
        return self


class JobOffer(Window):
    """A job an employer offers in a region."""

    cnp: CnpCode
    region: RegionCode
    mrc: MrcCode | None = None
    positions: int = Field(ge=1, le=1000, description="Positions to fill.")
    hours_per_week: float = Field(gt=0, le=80, description="Hours per week (a regular job is ≥ 15).")
    hourly_wage: Decimal = Field(ge=0, le=1000, decimal_places=2, description="Hourly wage in CAD.")
    french_level_required: int | None = Field(
        default=None, ge=1, le=12, description="Échelle québécoise level 1–12 required, if any."
    )


class SettlementOffer(Window):
    """Help to settle in a region: housing, childcare places, welcome programs."""

    category: Literal["housing_help", "childcare", "welcome_program", "other"]
    region: RegionCode
    mrc: MrcCode | None = None
    capacity: int = Field(ge=0, description="Households (or places) it can take.")
    description: Text = ""


class IntakeCapacity(Contract):
    """How many households a regional welcoming organization can welcome per month."""

    region: RegionCode
    mrcs: list[MrcCode] = Field(default_factory=list, description="MRCs it welcomes in; empty = region.")
    households_per_month: int = Field(ge=0, le=10000)


class Condition(Contract):
    """One eligibility condition on a fact about a person: ``fact op value``.

    Facts are named by the intake (immigration_status, months_since_arrival, age,
    post_secondary_studies, destination_region, children, job_offer_in_hand,
    receives_social_assistance, receives_employment_insurance, asylum_claim_decided…);
    a fact the person's file lacks is reported as missing information.
    """

    fact: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,49}$")]
    op: Literal["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge"]
    value: bool | int | float | str | list[str]
    explanation_fr: Text
    explanation_en: Text


class SupportMeasure(Contract):
    """A support measure people (or their employer) may be entitled to, with its rules as data."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$")]
    name_fr: Title
    name_en: Title
    paid_by: Title = Field(description="Who pays it (e.g. MIFI, Services Québec).")
    payee: Literal["person", "employer"] = "person"
    amount_fr: Text = Field(description="Amount or rule, in French.")
    amount_en: Text = Field(description="Amount or rule, in English.")
    illustrative: bool = Field(default=False, description="True when no current official amount was found.")
    regions: list[RegionCode] = Field(default_factory=list, description="Destination regions; empty = all.")
    eligibility: list[Condition] = Field(default_factory=list, description="All must hold.")
    exclusions: list[Condition] = Field(default_factory=list, description="Any one excludes.")
    source: Text = ""


class Offer(Versioned):
    """An offer's full current state (offers.v1 value); exactly one details field, the one of its kind."""

    offer_id: UUID = Field(description="Offer id; equal to the record key.")
    partner_id: UUID | None = Field(
        description="The partner that publishes it; None for the platform's default measure catalogue."
    )
    kind: OfferKind
    title: Title
    status: Literal["active", "withdrawn"] = "active"
    published_at: datetime
    updated_at: datetime | None = None
    job: JobOffer | None = None
    settlement: SettlementOffer | None = None
    intake: IntakeCapacity | None = None
    measure: SupportMeasure | None = None

    @model_validator(mode="after")
    def _details_match_kind(self) -> Offer:
        present = {
            OfferKind.JOB: self.job,
            OfferKind.SETTLEMENT: self.settlement,
            OfferKind.INTAKE_CAPACITY: self.intake,
            OfferKind.SUPPORT_MEASURE: self.measure,
        }
        given = [kind for kind, details in present.items() if details is not None]
        if given != [self.kind]:
            raise ValueError(f"a {self.kind.value} offer carries exactly its `{_FIELD[self.kind]}` details")
        return self

    @property
    def region(self) -> str | None:
        """The region the offer is in (None for a measure valid everywhere)."""
        for details in (self.job, self.settlement, self.intake):
            if details is not None:
                return details.region
        if self.measure is not None and len(self.measure.regions) == 1:
            return self.measure.regions[0]
        return None


_FIELD = {
    OfferKind.JOB: "job",
    OfferKind.SETTLEMENT: "settlement",
    OfferKind.INTAKE_CAPACITY: "intake",
    OfferKind.SUPPORT_MEASURE: "measure",
}
