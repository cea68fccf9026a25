"""Follow-up reminders: which are due, to whom, and what they say (pure).

A household that arrived in its region is followed up 3, 6, 12 and 24 months after its arrival
day (services/common/followup_schedule.py). Every ``check_interval_s`` the worker's timer asks
``reminders_due`` with the one clock's day and the settlements it follows (settlements.v1:
arrival, welcoming partner, which follow-ups were answered — never an answer):

- from a follow-up's day, while it is not answered, its welcoming partner is reminded, once;
- past its day by more than 30 days, still not answered, the hub is told, once.

Only a settlement whose household has arrived and whose case is still followed (status
``arrived``) is reminded of; a closed case is not. The timer writes each reminder due, keyed by
case, on the worker's internal topic; the agent reading it sends it unless the send ledger
already has its key (``reminder_key``), so a worker down on the day reminds when it comes back
and a restart never reminds twice. Like the digest's trigger, the internal topic is not in the
registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from services.common.contracts import FollowUpMonth, Partner, Settlement, SettlementKey
from services.common.contracts.base import Versioned
from services.common.followup_schedule import due_days, overdue
from services.common.reference import region_names
from services.common.topics import TopicSpec

from .contexts import reference

Recipient = Literal["partner", "hub"]
TEMPLATES: dict[Recipient, str] = {"partner": "followup_reminder", "hub": "followup_overdue_hub"}


class FollowUpDue(Versioned):
    """A follow-up reminder is due (the worker's internal trigger)."""

    case_id: UUID
    month: FollowUpMonth = Field(description="Months after the arrival: 3, 6, 12 or 24.")
    to: Recipient = Field(description="partner: the welcoming partner; hub: overdue by more than 30 days.")
    due_on: date
    as_of: date = Field(description="The day (Montréal's) it was found due.")


FOLLOWUP_DUE = TopicSpec(
    "concerto-notifications-worker-followup-due",
    SettlementKey,
    FollowUpDue,
    "notifications",
    4,  # the send ledger's partitions: a case's reminders are always recorded in the same one
    False,
    "Internal trigger of the notifications worker: a follow-up reminder is due.",
)


def reminder_key(case_id: UUID, month: int, to: Recipient) -> str:
    """A follow-up reminder: once per (case, month, recipient)."""
    return f"{case_id}|followup_{month}|{TEMPLATES[to]}"


def followed(settlement: Settlement) -> bool:
    """Whether the household is followed up: arrived in the region, its case not closed."""
    return settlement.status == "arrived" and settlement.arrived_on is not None


def reminders_due(
    today: date, settlements: Iterable[Settlement], already_sent: Callable[[str], bool]
) -> list[FollowUpDue]:
    """The reminders to trigger on ``today`` (see the module's docstring), none ``already_sent``."""
    found = []
    for settlement in settlements:
        if not followed(settlement):
            continue
        assert settlement.arrived_on is not None
        for month, due_on in due_days(settlement.arrived_on).items():
            if month in settlement.followups_answered or today < due_on:
                continue
            wanted: list[Recipient] = ["partner", "hub"] if overdue(due_on, today) else ["partner"]
            found += [
                FollowUpDue(case_id=settlement.case_id, month=month, to=to, due_on=due_on, as_of=today)
                for to in wanted
                if not already_sent(reminder_key(settlement.case_id, month, to))
            ]
    return found


def still_due(settlement: Settlement | None, due: FollowUpDue) -> bool:
    """Whether a reminder triggered earlier is still due when its agent reads it (not answered since)."""
    return settlement is not None and followed(settlement) and due.month not in settlement.followups_answered


def reminder_context(
    settlement: Settlement, due: FollowUpDue, partner: Partner, language: str
) -> dict[str, Any]:
    """A reminder's context: the case's reference, region, arrival and follow-up; never a person's data."""
    assert settlement.arrived_on is not None
    return {
        "case_ref": reference(settlement.case_id),
        "case_id": str(settlement.case_id),
        "region": region_names(language).get(settlement.region, settlement.region),
        "partner": partner.name,
        "month": due.month,
        "arrived": settlement.arrived_on,
        "due": due.due_on,
        "late_days": (due.as_of - due.due_on).days,
    }
