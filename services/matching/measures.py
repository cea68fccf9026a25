"""The measures ledger (pure): each support measure a person is entitled to, from identified to
applied for, granted and paid, or refused, with who handles it and its deadline.

A case's ledger follows its settlement (an accepted plan: a region and a welcoming organization).
Its entries are the measures the case's entitlements say the person is ``entitled`` to
(matching-worker computes them), each ``identified`` until something is recorded of it
(``ledger_of``); a measure recorded stays on the ledger even if a later revision of the interest
no longer entitles the person to it. Which action each status allows is lifecycle.py's table
(``MEASURE``); this module adds the rules on fields, each refused with a 422 naming the field:

- ``on`` is not in the future, nor before the measure's last step;
- a ``deadline`` is not past;
- a refusal needs a ``reason``, and carries no amount; a reason goes with a refusal only.

The API checks these and writes measures.v1 itself, under its write lock (like follow-ups).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from services.common.contracts import (
    Case,
    HandledBy,
    MeasureAction,
    MeasureEntry,
    MeasureLedger,
    MeasureStep,
    Settlement,
)
from services.common.errors import Rejected
from services.common.messages import say

from .lifecycle import check_measure

RecordedBy = Literal["hub", "counsellor", "partner", "delegate"]
DEFAULT_HANDLER: HandledBy = "counsellor"  # who identified it: the hub's counsellor, until told otherwise


@dataclass(frozen=True)
class MeasureChange:
    """One transition asked of a measure: the action, its day, and what it sets."""

    action: MeasureAction
    on: date
    handled_by: HandledBy | None = None
    deadline: date | None = None
    amount_cad: Decimal | None = None
    reason: str | None = None


def entitled_codes(case: Case | None) -> list[str]:
    """The codes of the measures the case says the person is entitled to, in the case's order."""
    if case is None:
        return []
    return [e.measure_code for e in case.entitlements if e.status == "entitled"]


def ledger_of(settlement: Settlement, case: Case | None, stored: MeasureLedger | None) -> MeasureLedger:
    """The case's ledger: what is recorded, and every other measure it is entitled to, identified."""
    entries = list(stored.entries) if stored is not None else []
    known = {entry.measure_code for entry in entries}
    entries += [
        MeasureEntry(measure_code=code, status="identified", handled_by=DEFAULT_HANDLER)
        for code in entitled_codes(case)
        if code not in known
    ]
    return MeasureLedger(
        case_id=settlement.case_id,
        person_id=settlement.person_id,
        region=settlement.region,
        welcoming_partner_id=settlement.welcoming_partner_id,
        entries=entries,
        updated_at=stored.updated_at if stored is not None else settlement.updated_at,
    )


def check_fields(entry: MeasureEntry, change: MeasureChange, today: date) -> None:
    """Refuse (422 naming the field) a day, deadline, reason or amount the change may not carry."""
    if change.on > today:
        raise Rejected("on", say("date_in_future", value=change.on))
    if entry.steps and change.on < entry.steps[-1].on:
        raise Rejected("on", say("measure_date_before_step", value=change.on, earlier=entry.steps[-1].on))
    if change.deadline is not None and change.deadline < today:
        raise Rejected("deadline", say("measure_deadline_past", value=change.deadline, today=today))
    if change.action == "refuse":
        if not change.reason:
            raise Rejected("reason", say("measure_reason_needed"))
        if change.amount_cad is not None:
            raise Rejected("amount_cad", say("measure_amount_refused"))
    elif change.reason is not None:
        raise Rejected("reason", say("measure_reason_only_refused"))


def _amounts(entry: MeasureEntry, change: MeasureChange) -> dict[str, Decimal | None]:
    """Where the change's amount goes: expected (update, apply), granted, or paid (the granted one
    when none is given)."""
    amount = change.amount_cad
    if change.action == "grant":
        return {"granted_amount_cad": amount}
    if change.action == "pay":
        return {"paid_amount_cad": amount if amount is not None else entry.granted_amount_cad}
    if change.action in ("update", "apply") and amount is not None:
        return {"expected_amount_cad": amount}
    return {}


def record(
    ledger: MeasureLedger, code: str, change: MeasureChange, by_role: RecordedBy, today: date, now: datetime
) -> MeasureLedger:
    """The ledger with ``change`` recorded on measure ``code`` (422 for a measure the person is not
    entitled to or a wrong field, 409 for an action its status refuses)."""
    found = [entry for entry in ledger.entries if entry.measure_code == code]
    if not found:
        raise Rejected("measure_code", say("measure_unknown", value=code, case=ledger.case_id))
    [entry] = found
    status = check_measure(ledger.case_id, code, entry.status, change.action)
    check_fields(entry, change, today)
    step = MeasureStep(action=change.action, status=status, on=change.on, recorded_at=now, by_role=by_role)
    update: dict[str, object] = {"status": status, "steps": [*entry.steps, step], **_amounts(entry, change)}
    if change.handled_by is not None:
        update["handled_by"] = change.handled_by
    if change.deadline is not None:
        update["deadline"] = change.deadline
    if change.reason is not None:
        update["refusal_reason"] = change.reason
    changed = entry.model_copy(update=update)
    entries = [changed if e.measure_code == code else e for e in ledger.entries]
    return ledger.model_copy(update={"entries": entries, "updated_at": now})
