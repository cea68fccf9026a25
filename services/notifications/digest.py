"""The weekly digest to each concertation table: when it is due, to whom, and what it lists (pure).

Every ``check_interval_s`` the worker's timer asks ``due_week``: from the
configured weekday and hour (Montréal time) to the end of the ISO week, the
digest of that week is due. For each active table with a delegate today and at
least one scheduled activity of its region in the next ``horizon_days``, the
timer then writes a ``DigestDue`` record, keyed by the table, on the worker's
internal topic; the agent reading it sends the digest unless the send ledger
already has the table's key for that week. So a worker that was down at the
hour sends the week's digests when it comes back, and a restart never sends one
twice. A table with no upcoming activity gets no digest (it would say nothing);
if an activity is scheduled later in the week, the digest goes out then.

The internal topic is the worker's own trigger, written and read by the
notifications worker only (like faust's changelogs), not a contract between
services: it is not in the topic registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import Field

from services.common.contracts import CalendarEntry, ConcertationTable, Partner, TableKey
from services.common.contracts.base import Versioned
from services.common.reference import region_names
from services.common.settings import DigestSettings
from services.common.topics import TopicSpec

from .formatting import ACTIVITY_KINDS


class DigestDue(Versioned):
    """The weekly digest of a table is due (the worker's internal trigger, one per table and check)."""

    table_id: UUID
    week: str = Field(description="ISO week it is due for, e.g. 2026-W48.")
    as_of: date = Field(description="The day (Montréal time) the upcoming activities are counted from.")


DIGEST_DUE = TopicSpec(
    "concerto-notifications-worker-digest-due",
    TableKey,
    DigestDue,
    "notifications",
    4,  # the send ledger's partitions: a table's digest is always recorded in the same one
    False,
    "Internal trigger of the notifications worker: a table's weekly digest is due.",
)


def iso_week(day: date) -> str:
    """``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_week(now: datetime, weekday: int, hour: int, timezone: str) -> str | None:
    """The ISO week whose digest is due at ``now``, or None before the week's weekday and hour.

    ``weekday`` is ISO (1 = Monday); ``hour`` is local time in ``timezone``.
    """
    local = now.astimezone(ZoneInfo(timezone))
    if (local.isoweekday(), local.hour) < (weekday, hour):
        return None
    return iso_week(local.date())


def local_day(now: datetime, timezone: str) -> date:
    """The date in ``timezone`` at ``now``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def upcoming(entries: Iterable[CalendarEntry], region: str, start: date, days: int) -> list[CalendarEntry]:
    """The scheduled activities of ``region`` from ``start`` for ``days`` days, soonest first."""
    end = start + timedelta(days=days)
    found = [
        e
        for e in entries
        if e.status == "scheduled" and e.day is not None and start <= e.day < end and region in e.regions
    ]
    return sorted(found, key=lambda e: (e.day, e.start_time or datetime.min.time(), e.title))


def tables_due(
    tables: Iterable[ConcertationTable], entries: Iterable[CalendarEntry], as_of: date, days: int
) -> list[ConcertationTable]:
    """The active tables with a delegate on ``as_of`` and at least one upcoming activity in their region."""
    end = as_of + timedelta(days=days)
    busy = {
        region
        for e in entries
        if e.status == "scheduled" and e.day is not None and as_of <= e.day < end
        for region in e.regions
    }
    return [
        t for t in tables if t.status == "active" and t.delegate_on(as_of) is not None and t.region in busy
    ]


def digests_due(
    now: datetime,
    schedule: DigestSettings,
    tables: Iterable[ConcertationTable],
    entries: Iterable[CalendarEntry],
    already_sent: Callable[[UUID, str], bool],
) -> list[DigestDue]:
    """The digests to trigger at ``now``: none before the week's weekday and hour, else one per
    table due (``tables_due``) whose week's digest ``already_sent`` does not know of.

    ``already_sent`` answers from what this worker knows; the agent that owns the table's
    partition checks again before sending, so a digest triggered twice is sent once.
    """
    if not schedule.enabled:
        return []
    week = due_week(now, schedule.weekday, schedule.hour, schedule.timezone)
    if week is None:
        return []
    as_of = local_day(now, schedule.timezone)
    return [
        DigestDue(table_id=table.table_id, week=week, as_of=as_of)
        for table in tables_due(tables, entries, as_of, schedule.horizon_days)
        if not already_sent(table.table_id, week)
    ]


def digest_context(
    table: ConcertationTable,
    delegate: Partner,
    activities: list[CalendarEntry],
    organizers: dict[UUID, Partner],
    as_of: date,
    days: int,
) -> dict[str, Any]:
    """The digest email to ``table`` through ``delegate``, in the delegate's language."""
    language = delegate.language
    names = region_names(language)
    return {
        "delegate": delegate.name,
        "table": table.name,
        "region": names.get(table.region, table.region),
        "start": as_of,
        "end": as_of + timedelta(days=days - 1),
        "days": days,
        "activities": [
            {
                "day": e.day,
                "start": e.start_time,
                "title": e.title,
                "kind": ACTIVITY_KINDS[language].get(str(e.kind), str(e.kind)),
                "organizer": organizers[e.organizer_id].name if e.organizer_id in organizers else None,
                "regions": [names.get(code, code) for code in e.regions],
                "joint": bool(e.joint_members) or e.joint_with is not None,
            }
            for e in activities
        ],
    }
