"""HTTP request and response models of events-api."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.common.contracts import ActivityKind
from services.common.contracts.base import RegionCode


class ProposalCreate(BaseModel):
    """Propose a recruitment activity in Montréal."""

    model_config = ConfigDict(extra="forbid")

    organizer_id: UUID = Field(description="The partner organizing it (must be registered).")
    regions: list[RegionCode] = Field(min_length=1, max_length=17, examples=[["05"]])
    kind: ActivityKind
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] = Field(
        examples=["Journée de l'Estrie au Salon de l'immigration"]
    )
    preferred_dates: list[date] = Field(min_length=1, max_length=5, description="Ranked, best first.")

    @field_validator("preferred_dates")
    @classmethod
    def _distinct(cls, days: list[date]) -> list[date]:
        if len(set(days)) != len(days):
            raise ValueError("preferred dates must be distinct")
        return days


class ProposalReceived(BaseModel):
    """The proposal is recorded; its decision will appear in the calendar."""

    proposal_id: UUID
    status: Literal["received"] = "received"
    decision_url: str = Field(description="Where the decision can be read once made.")
