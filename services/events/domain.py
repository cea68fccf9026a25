"""Calendar rules (pure): decide a proposal against the days already booked.

The foundation's one rule: at most K regional recruitment activities per day
in Montréal. A proposal is scheduled on its best preferred date that still has
room; otherwise it is not possible as asked, and the nearest days that have
room are offered instead.

Deciding is idempotent: a proposal already booked on a day is found there and
gets the same decision again, so a redelivered proposal never takes two places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from uuid import UUID

from services.common.contracts import ActivityProposed, CalendarEntry, ConcertationTable, Partner
from services.common.errors import Rejected

BookedOn = Callable[[date], frozenset[UUID]]
"""The proposals already booked on a day."""

ALTERNATIVES = 3
SEARCH_DAYS = 30


def decide(proposal: ActivityProposed, booked_on: BookedOn, max_per_day: int, now: datetime) -> CalendarEntry:
    """The decision on ``proposal`` given the current bookings."""
    common = {
        "proposal_id": proposal.proposal_id,
        "organizer_id": proposal.organizer_id,
        "regions": proposal.regions,
        "kind": proposal.kind,
        "title": proposal.title,
        "decided_at": now,
    }
    ranked = list(enumerate(proposal.preferred_dates, start=1))
    # A redelivered proposal already holds a place: it keeps it, whatever changed since.
    already = [(rank, day) for rank, day in ranked if proposal.proposal_id in booked_on(day)]
    for rank, day in already or ranked:
        booked = booked_on(day)
        if proposal.proposal_id in booked or len(booked) < max_per_day:
            return CalendarEntry(
                **common,
                status="scheduled",
                day=day,
                preference_rank=rank,
                reason=_scheduled_reason(rank, len(booked | {proposal.proposal_id}), max_per_day),
            )
    alternatives = nearest_days_with_room(proposal.preferred_dates, booked_on, max_per_day)
    return CalendarEntry(
        **common,
        status="not_possible",
        alternatives=alternatives,
        reason=(
            f"Every preferred date already has {max_per_day} regional activities in Montréal "
            f"(the daily maximum)."
        ),
    )


def nearest_days_with_room(
    preferred: list[date], booked_on: BookedOn, max_per_day: int, count: int = ALTERNATIVES
) -> list[date]:
    """Up to ``count`` days with room after the first preferred date, nearest first."""
    first = preferred[0]
    candidates = (first + timedelta(days=offset) for offset in range(1, SEARCH_DAYS + 1))
    found = [day for day in candidates if day not in preferred and len(booked_on(day)) < max_per_day]
    return found[:count]


def _scheduled_reason(rank: int, taken: int, max_per_day: int) -> str:
    choice = "first choice" if rank == 1 else f"choice #{rank} (earlier choices were full)"
    return f"Scheduled on the {choice}; {taken} of {max_per_day} daily places now taken."


def check_organizer(
    organizer: Partner | None, regions: list[str], tables: Iterable[ConcertationTable], day: date
) -> None:
    """Refuse a proposal whose organizer may not propose for its regions.

    The organizer must be an active partner. Where a region's concertation table
    has delegated one organization to recruit in Montréal for the whole region,
    only that delegate proposes the region's activities.
    """
    if organizer is None or organizer.status != "active":
        raise Rejected("organizer_id", "no active partner has this id")
    for region in regions:
        for table in sorted(tables, key=lambda t: (bool(t.mrcs), t.name)):  # regional tables first
            if table.region != region or table.status != "active":
                continue
            delegate = table.delegate_on(day)
            if delegate is not None and delegate != organizer.partner_id:
                raise Rejected(
                    "organizer_id",
                    f"region {region}: the concertation table «{table.name}» has delegated partner "
                    f"{delegate} to propose its activities in Montréal",
                )
