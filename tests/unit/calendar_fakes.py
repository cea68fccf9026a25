"""An in-memory calendar store and proposal factory for unit tests of the calendar decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from services.common.contracts import ActivityKind, ActivityProposed, CalendarEntry, CalendarRules

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SATURDAY = date(2027, 3, 6)


class FakeCalendar:
    """Entries, proposals and a day index in dicts (what the worker keeps in faust tables)."""

    def __init__(self) -> None:
        self.entries: dict[UUID, CalendarEntry] = {}
        self.proposals: dict[UUID, ActivityProposed] = {}

    def entry(self, proposal_id: UUID) -> CalendarEntry | None:
        return self.entries.get(proposal_id)

    def scheduled_between(self, first: date, last: date) -> list[CalendarEntry]:
        return [
            e
            for e in self.entries.values()
            if e.status == "scheduled" and e.day is not None and first <= e.day <= last
        ]

    def proposal(self, proposal_id: UUID) -> ActivityProposed | None:
        return self.proposals.get(proposal_id)

    def keep_proposal(self, proposal: ActivityProposed) -> None:
        self.proposals[proposal.proposal_id] = proposal

    def save(self, entry: CalendarEntry) -> None:
        self.entries[entry.proposal_id] = entry

    def on(self, day: date) -> list[CalendarEntry]:
        return self.scheduled_between(day, day)


def rules(**changes: Any) -> CalendarRules:
    """Rules with nothing but the daily maximum unless told otherwise."""
    base: dict[str, Any] = {
        "max_per_day": 3,
        "max_per_slot": 3,
        "min_days_same_region": 0,
        "min_days_same_sector": 0,
    }
    return CalendarRules.model_validate({**base, **changes})


def proposal(
    region: str = "05",
    days: list[date] | None = None,
    kind: ActivityKind = ActivityKind.INFORMATION_SESSION,
    at: time = time(10, 0),
    **more: Any,
) -> ActivityProposed:
    """A proposal from a new organizer (not open to joint activities unless told)."""
    fields: dict[str, Any] = {
        "proposal_id": uuid.uuid4(),
        "organizer_id": uuid.uuid4(),
        "regions": [region],
        "kind": kind,
        "title": f"Activité {region}",
        "preferred_dates": days or [SATURDAY],
        "proposed_at": NOW,
        "start_time": at,
        "duration_minutes": 120,
        "open_to_joint": False,
        **more,
    }
    return ActivityProposed.model_validate(fields)


def hours(n: int) -> time:
    """Start times spread over the day, so activities do not overlap."""
    return (datetime.combine(SATURDAY, time(8, 0)) + timedelta(hours=3 * n)).time()
