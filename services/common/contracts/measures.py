"""Messages of a case's measures ledger: each support measure the person is entitled to, from
identified to applied for, granted, paid or refused.

The ledger travels on measures.v1 (compacted, keyed by case id, one record per case with every
measure, written by matching-api alone): pseudonymous ids, measure codes, statuses, days and
amounts, never a name, an email or a phone. A tombstone erases it with the person.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from .base import Contract, RegionCode, Versioned

MeasureStatus = Literal["identified", "applied_for", "granted", "paid", "refused"]
MeasureAction = Literal["update", "apply", "grant", "pay", "refuse"]
HandledBy = Literal["partner", "counsellor", "hub"]
AmountCad = Annotated[
    Decimal,
    Field(ge=0, le=1_000_000, max_digits=9, decimal_places=2, description="An amount in Canadian dollars."),
]


class MeasureKey(Contract):
    """Key of measures.v1: the case id (one ledger per case)."""

    case_id: UUID = Field(description="The case the ledger is about.")


class MeasureStep(Contract):
    """One transition of a measure, as it was recorded (its history)."""

    action: MeasureAction = Field(description="update (who handles it, deadline), apply, grant, pay, refuse.")
    status: MeasureStatus = Field(description="The measure's status after it.")
    on: date = Field(description="The day it happened (Montréal's date).")
    recorded_at: datetime = Field(description="When it was recorded (UTC).")
    by_role: Literal["hub", "counsellor", "partner", "delegate"] = Field(description="Who recorded it.")


class MeasureEntry(Contract):
    """One measure of the ledger: where it stands, who handles it, its deadline and amounts."""

    measure_code: str = Field(description="The measure's code (data/measures.json), as on the case.")
    status: MeasureStatus = Field(
        description="identified → applied_for → granted → paid, or refused (from identified or applied_for)."
    )
    handled_by: HandledBy = Field(
        description="Who handles it: the welcoming partner, the counsellor, or the hub."
    )
    deadline: date | None = Field(default=None, description="The day the application is due, if any.")
    expected_amount_cad: AmountCad | None = Field(
        default=None, description="The amount expected or applied for, when known."
    )
    granted_amount_cad: AmountCad | None = Field(default=None, description="The amount granted, if any.")
    paid_amount_cad: AmountCad | None = Field(default=None, description="The amount paid, if any.")
    refusal_reason: str | None = Field(
        default=None, max_length=300, description="Why it was refused (a plain reason, no personal data)."
    )
    steps: list[MeasureStep] = Field(default_factory=list, description="Every transition, in order.")


class MeasureLedger(Versioned):
    """The measures of one case (measures.v1, full current state; a tombstone on erasure)."""

    case_id: UUID = Field(description="The case; equal to the record key.")
    person_id: UUID = Field(description="The person the case is about (pseudonymous).")
    region: RegionCode = Field(description="The region of the accepted plan.")
    welcoming_partner_id: UUID = Field(description="The organization welcoming the household.")
    entries: list[MeasureEntry] = Field(
        default_factory=list, description="One per measure the person is entitled to, by code."
    )
    updated_at: datetime
