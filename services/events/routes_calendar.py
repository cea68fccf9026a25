"""Reads of the coordinated calendar: filtered lists, one decision, and iCalendar feeds.

The .ics feeds are public (calendar applications subscribe without a token) and
list only scheduled activities: titles, days, times, venues, regions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Response

from services.common.auth import CurrentPrincipal
from services.common.contracts import ActivityKind, CalendarEntry, CalendarRules, ProposalKey, RulesKey
from services.common.contracts.events import DecisionStatus
from services.common.http import ApiRuntime, Runtime, found
from services.common.topics import CALENDAR, CALENDAR_RULES

router = APIRouter(tags=["calendar"])
MONTREAL = ZoneInfo("America/Montreal")
ICS = "text/calendar; charset=utf-8"
# An ISQ region code, as contracts.base.RegionCode: the feed's name carries it, so nothing else may pass.
REGION_CODE = r"^(0[1-9]|1[0-7])$"


def _entries(runtime: ApiRuntime) -> list[CalendarEntry]:
    entries: list[CalendarEntry] = runtime.projection.values(CALENDAR)
    return sorted(
        entries, key=lambda e: (e.day or date.max, e.start_time or time.min, e.title, str(e.proposal_id))
    )


@router.get("/calendar", response_model=list[CalendarEntry])
def calendar(
    runtime: Runtime,
    principal: CurrentPrincipal,
    day: date | None = None,
    week: date | None = None,
    region: str | None = None,
    organizer: uuid.UUID | None = None,
    kind: ActivityKind | None = None,
    status: DecisionStatus | None = None,
) -> Any:
    """Decisions by day, by week (any day of it), region, organizer, kind and status."""
    entries = _entries(runtime)
    if day is not None:
        entries = [e for e in entries if e.day == day]
    if week is not None:
        monday = week - timedelta(days=week.weekday())
        entries = [e for e in entries if e.day is not None and monday <= e.day < monday + timedelta(days=7)]
    if region is not None:
        entries = [e for e in entries if region in e.regions]
    if organizer is not None:
        entries = [e for e in entries if e.organizer_id == organizer]
    if kind is not None:
        entries = [e for e in entries if e.kind == kind]
    if status is not None:
        entries = [e for e in entries if e.status == status]
    return entries


@router.get("/calendar/{proposal_id}", response_model=CalendarEntry)
def decision(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The decision on one proposal (404 until it is decided)."""
    entry = runtime.projection.get(CALENDAR, ProposalKey(proposal_id=proposal_id))
    return found(entry, f"no decision yet for {proposal_id}")


def ics_feed(name: str, entries: list[CalendarEntry], rules: CalendarRules | None, now: datetime) -> bytes:
    """An iCalendar feed of the scheduled ``entries``."""
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", "-//Concerto//Calendrier concerté de Montréal//FR")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "America/Montreal")
    for entry in entries:
        if entry.status != "scheduled" or entry.day is None or entry.start_time is None:
            continue
        start = datetime.combine(entry.day, entry.start_time, tzinfo=MONTREAL)
        event = Event()
        event.add("uid", f"{entry.proposal_id}@concerto.quebec")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=entry.duration_minutes or 180))
        event.add("summary", entry.title)
        venue = rules.venue(entry.venue_id) if rules is not None else None
        event.add(
            "location",
            venue.name if venue else ("En ligne / Online" if entry.venue_id is None else entry.venue_id),
        )
        joint = " (activité conjointe / joint activity)" if entry.joint_with or entry.joint_members else ""
        event.add(
            "description", f"{entry.kind.value.replace('_', ' ')} — régions {', '.join(entry.regions)}{joint}"
        )
        event.add("last-modified", entry.decided_at)
        feed.add_component(event)
    return bytes(feed.to_ical())


def _ics(runtime: ApiRuntime, name: str, entries: list[CalendarEntry]) -> Response:
    rules: CalendarRules | None = runtime.projection.get(CALENDAR_RULES, RulesKey())
    return Response(ics_feed(name, entries, rules, runtime.clock.now()), media_type=ICS)


@router.get("/feeds/regions/{region}.ics", response_class=Response, responses={200: {"content": {ICS: {}}}})
def region_feed(region: Annotated[str, Path(pattern=REGION_CODE)], runtime: Runtime) -> Response:
    """A region's activities in Montréal as an iCalendar feed (public, for calendar applications)."""
    entries = [e for e in _entries(runtime) if region in e.regions]
    return _ics(runtime, f"Concerto — région {region}", entries)


@router.get(
    "/feeds/partners/{partner_id}.ics", response_class=Response, responses={200: {"content": {ICS: {}}}}
)
def partner_feed(partner_id: uuid.UUID, runtime: Runtime) -> Response:
    """A partner's activities in Montréal as an iCalendar feed (public, for calendar applications)."""
    entries = [e for e in _entries(runtime) if e.organizer_id == partner_id]
    return _ics(runtime, "Concerto — activités", entries)
