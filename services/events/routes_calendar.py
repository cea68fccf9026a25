"""Reads of the coordinated calendar: filtered lists, one decision, and iCalendar feeds.

The .ics feeds are public (calendar applications subscribe without a token) and
list only scheduled activities: titles, days, times, venues, regions.
"""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from services.common.auth import CurrentPrincipal
from services.common.contracts import (
    ActivityKind,
    CalendarEntry,
    CalendarRules,
    Partner,
    PartnerKey,
    ProposalKey,
    RulesKey,
)
from services.common.contracts.events import DecisionStatus
from services.common.http import ApiRuntime, Runtime, found
from services.common.messages import Lang, say
from services.common.topics import CALENDAR, CALENDAR_RULES, PARTNERS

from .ics import ics_feed, partner_feed_name, region_feed_name

router = APIRouter(tags=["calendar"])
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


def _ics(runtime: ApiRuntime, name: str, entries: list[CalendarEntry], language: Lang) -> Response:
    rules: CalendarRules | None = runtime.projection.get(CALENDAR_RULES, RulesKey())
    feed = ics_feed(name, entries, rules, runtime.clock.now(), language)
    return Response(feed, media_type=ICS, headers={"Content-Language": language})


FeedLanguage = Annotated[
    Lang | None,
    Query(alias="lang", description="The feed's language, fr or en (a region's: fr; a partner's: its own)."),
]


@router.get("/feeds/regions/{region}.ics", response_class=Response, responses={200: {"content": {ICS: {}}}})
def region_feed(
    region: Annotated[str, Path(pattern=REGION_CODE)], runtime: Runtime, lang: FeedLanguage = None
) -> Response:
    """A region's activities in Montréal as an iCalendar feed (public, for calendar applications)."""
    language: Lang = lang or "fr"
    entries = [e for e in _entries(runtime) if region in e.regions]
    return _ics(runtime, region_feed_name(region, language), entries, language)


@router.get(
    "/feeds/partners/{partner_id}.ics",
    response_class=Response,
    responses={200: {"content": {ICS: {}}}, 404: {"description": "No partner has this id."}},
)
def partner_feed(partner_id: uuid.UUID, runtime: Runtime, lang: FeedLanguage = None) -> Response:
    """A partner's activities in Montréal as an iCalendar feed (public, for calendar applications),
    named after the partner and written in its language; 404 for an unknown partner."""
    partner: Partner = found(
        runtime.projection.get(PARTNERS, PartnerKey(partner_id=partner_id)),
        f"no partner {partner_id}",
        say("unknown_partner", value=partner_id),
    )
    language: Lang = lang or partner.language
    entries = [e for e in _entries(runtime) if e.organizer_id == partner_id]
    return _ics(runtime, partner_feed_name(partner.name, language), entries, language)
