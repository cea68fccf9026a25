"""Measure reminders: which are due, to whom, and what they say (pure).

A measure of a case's ledger (measures.v1) may carry a deadline. Every ``check_interval_s`` (the
follow-ups' setting: one timer rhythm for the reminders) the worker's timer asks ``reminders_due``
with the one clock's day and the ledgers it follows:

- from ``REMIND_BEFORE_DAYS`` (14) days before a deadline to the deadline itself, while the measure
  is still open (identified, applied for or granted: not paid, not refused), whoever handles it is
  reminded, once: the welcoming partner, the counsellor holding the case (the hub when none holds
  it), or the hub;
- a new deadline is a new reminder (the key names the deadline); a deadline passed reminds nobody;
- only while the household is followed: its settlement (settlements.v1) exists and is not closed.
  A plan released (declined, overridden, cancelled) leaves its ledger without a settlement: no
  reminder goes to the organization that no longer welcomes the household. The partner reminded
  is the settlement's welcoming partner (the one of the plan accepted now).

The timer writes each reminder due, keyed by case, on the worker's internal topic; the agent
reading it sends it unless the send ledger already has its key (``reminder_key``), so a worker down
on the day reminds when it comes back, and a restart never reminds twice. The email names the
case's reference, the measure and the deadline; never the person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from pydantic import Field

from services.common.contracts import HandledBy, MeasureEntry, MeasureKey, MeasureLedger, Settlement
from services.common.contracts.base import Versioned
from services.common.reference import region_names
from services.common.topics import TopicSpec

from .contexts import reference

REMIND_BEFORE_DAYS = 14
OPEN = ("identified", "applied_for", "granted")
TEMPLATE = "measure_reminder"


class MeasureDue(Versioned):
    """A measure's deadline is near (the worker's internal trigger)."""

    case_id: UUID
    measure_code: str
    to: HandledBy = Field(description="Who handles the measure: partner, counsellor or hub.")
    deadline: date
    as_of: date = Field(description="The day (Montréal's) it was found due.")


MEASURE_DUE = TopicSpec(
    "concerto-notifications-worker-measure-due",
    MeasureKey,
    MeasureDue,
    "notifications",
    4,  # the send ledger's partitions: a case's reminders are always recorded in the same one
    False,
    "Internal trigger of the notifications worker: a measure's deadline is near.",
)


def reminder_key(case_id: UUID, code: str, deadline: date) -> str:
    """A measure reminder: once per (case, measure, deadline)."""
    return f"{case_id}|measure_{code}|{deadline.isoformat()}|{TEMPLATE}"


def remind_from(deadline: date) -> date:
    """The first day a measure due on ``deadline`` is reminded of."""
    return deadline - timedelta(days=REMIND_BEFORE_DAYS)


def open_with_deadline(entry: MeasureEntry, today: date) -> bool:
    """Whether ``entry`` is open, with a deadline reminded of ``today``."""
    return (
        entry.status in OPEN
        and entry.deadline is not None
        and remind_from(entry.deadline) <= today <= entry.deadline
    )


def followed(settlement: Settlement | None) -> bool:
    """Whether a ledger's household is followed: its settlement exists and is not closed."""
    return settlement is not None and settlement.status != "closed"


def reminders_due(
    today: date,
    ledgers: Iterable[MeasureLedger],
    settlements: Mapping[UUID, Settlement],
    already_sent: Callable[[str], bool],
) -> list[MeasureDue]:
    """The reminders to trigger on ``today`` (see the module's docstring), none ``already_sent``;
    ``settlements`` by case id."""
    found = []
    for ledger in ledgers:
        if not followed(settlements.get(ledger.case_id)):
            continue
        for entry in ledger.entries:
            if not open_with_deadline(entry, today):
                continue
            assert entry.deadline is not None
            if already_sent(reminder_key(ledger.case_id, entry.measure_code, entry.deadline)):
                continue
            found.append(
                MeasureDue(
                    case_id=ledger.case_id,
                    measure_code=entry.measure_code,
                    to=entry.handled_by,
                    deadline=entry.deadline,
                    as_of=today,
                )
            )
    return found


def still_due(
    ledger: MeasureLedger | None, settlement: Settlement | None, due: MeasureDue
) -> MeasureEntry | None:
    """The measure a reminder triggered earlier is about, if still due when its agent reads it (not
    paid, refused, given another deadline, released, closed or erased since)."""
    if ledger is None or not followed(settlement):
        return None
    for entry in ledger.entries:
        if entry.measure_code == due.measure_code and entry.deadline == due.deadline:
            return entry if open_with_deadline(entry, due.as_of) else None
    return None


def reminder_context(
    settlement: Settlement, entry: MeasureEntry, name: str, partner: str, language: str
) -> dict[str, Any]:
    """A reminder's context: the case's reference, region, the measure and its deadline; never a
    person's data."""
    assert entry.deadline is not None
    return {
        "case_ref": reference(settlement.case_id),
        "case_id": str(settlement.case_id),
        "region": region_names(language).get(settlement.region, settlement.region),
        "partner": partner,
        "measure": name,
        "measure_code": entry.measure_code,
        "status": entry.status,
        "deadline": entry.deadline,
    }
