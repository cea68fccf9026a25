"""Messages of the partners service: concertation tables and their delegations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from .base import Contract, MrcCode, RegionCode, Versioned


class TableKey(Contract):
    """Key of tables.v1."""

    table_id: UUID = Field(description="Concertation table id, chosen by partners-api.")


class Delegation(Contract):
    """A table delegating one member to carry its recruitment activities in Montréal."""

    partner_id: UUID = Field(description="The delegated organization (a member of the table).")
    start: date = Field(description="First day of the delegation.")
    end: date | None = Field(default=None, description="Last day of the delegation; None while it runs.")

    def covers(self, day: date) -> bool:
        """Whether the delegation is in force on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


class ConcertationTable(Versioned):
    """A regional or sub-regional concertation table, full current state (tables.v1)."""

    table_id: UUID = Field(description="Table id; equal to the record key.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    region: RegionCode
    mrcs: list[MrcCode] = Field(
        default_factory=list,
        description="For a sub-regional table, the MRCs it covers; empty = whole region.",
    )
    members: list[UUID] = Field(default_factory=list, description="Member partners.")
    delegations: list[Delegation] = Field(
        default_factory=list, description="Every delegation, oldest first (history is kept)."
    )
    status: Literal["active", "dissolved"] = "active"
    created_at: datetime
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _delegates_are_members(self) -> ConcertationTable:
        for delegation in self.delegations:
            if delegation.end is None and delegation.partner_id not in self.members:
                raise ValueError("the current delegate must be a member of the table")
        return self

    def delegate_on(self, day: date) -> UUID | None:
        """The organization delegated on ``day``, if any."""
        current = [d for d in self.delegations if d.covers(day)]
        return current[-1].partner_id if current else None
