"""Calendar decisions (pure): each proposal, and each action on it, against the calendar and the rules.

A proposal gets one decision: scheduled on its best feasible preferred date;
pending the endorsement of its region's table; a suggestion to join an already
scheduled compatible activity (one pavilion instead of one kiosk per MRC); or not
possible as asked, with the nearest feasible days. The hard rules are in
``rules.py``.

Deciding is idempotent: a proposal already scheduled on one of its preferred
dates keeps that place, so a redelivered record never takes two places.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import (
    ActivityKind,
    ActivityProposed,
    CalendarEntry,
    CalendarRules,
    ConcertationTable,
    Partner,
)
from services.common.errors import Rejected
from services.common.messages import Lang, Message, say
from services.common.scope import check_scope, indexed

from .lifecycle import entry_allows
from .rules import Activity, activity_of, activity_of_entry, broken_rules, sectors_overlap, violations

ALTERNATIVES = 3
KINDS_FR = {
    "fair_kiosk": "kiosque dans un salon",
    "information_session": "séance d'information",
    "speed_recruiting": "recrutement éclair",
    "bus_trip": "autobus vers la région",
    "webinar": "webinaire",
}
SEARCH_DAYS = 30
JOINABLE = {
    ActivityKind.FAIR_KIOSK,
    ActivityKind.INFORMATION_SESSION,
    ActivityKind.SPEED_RECRUITING,
    ActivityKind.WEBINAR,
}


class CalendarView(Protocol):
    """What a decision reads of the calendar."""

    def entry(self, proposal_id: UUID) -> CalendarEntry | None: ...
    def scheduled_between(self, first: date, last: date) -> list[CalendarEntry]: ...


def span(rules: CalendarRules) -> int:
    """How many days around a day the rules look at."""
    return max(rules.min_days_same_region, rules.min_days_same_sector, 1)


def _near(calendar: CalendarView, day: date, rules: CalendarRules) -> list[Activity]:
    reach = timedelta(days=span(rules))
    entries = calendar.scheduled_between(day - reach, day + reach)
    return [a for e in entries if (a := activity_of_entry(e, e.expected_attendance or 0)) is not None]


def problems(
    proposal: ActivityProposed,
    day: date,
    calendar: CalendarView,
    rules: CalendarRules,
    today: date,
    joint_with: UUID | None = None,
) -> list[Message]:
    """Why ``proposal`` cannot be held on ``day`` (empty: it can), alone or joining ``joint_with``."""
    return broken_rules(activity_of(proposal, day, joint_with), _near(calendar, day, rules), rules, today)


def language_of(proposal: ActivityProposed | CalendarEntry) -> Lang:
    """The language a decision on ``proposal`` is written in: its organizer's (French by default)."""
    return proposal.language or "fr"


def reason_fields(message: Message, language: Lang) -> dict[str, object]:
    return {"reason": message.text(language), "reason_code": message.code, "language": language}


def _entry(proposal: ActivityProposed, now: datetime, reason: Message, **decision: object) -> CalendarEntry:
    return CalendarEntry.model_validate(
        {
            "proposal_id": proposal.proposal_id,
            "organizer_id": proposal.organizer_id,
            "regions": proposal.regions,
            "kind": proposal.kind,
            "title": proposal.title,
            "decided_at": now,
            "start_time": proposal.start_time,
            "duration_minutes": proposal.duration_minutes,
            "venue_id": proposal.venue_id,
            "sectors": proposal.sectors,
            "languages": proposal.languages,
            "preferred_dates": proposal.preferred_dates,
            "expected_attendance": proposal.expected_attendance,
            **reason_fields(reason, language_of(proposal)),
            **decision,
        }
    )


def decide(
    proposal: ActivityProposed,
    calendar: CalendarView,
    rules: CalendarRules,
    now: datetime,
    keep_place: bool = True,
) -> CalendarEntry:
    """The decision on ``proposal`` given the calendar and the rules in force.

    With ``keep_place`` (a redelivered proposal), one already scheduled on a
    preferred date keeps that place; actions that change the proposal decide afresh.
    """
    today = local_date(now)
    current = calendar.entry(proposal.proposal_id)
    if (
        keep_place
        and current is not None
        and entry_allows(current.status, "keep_place")
        and current.day in proposal.preferred_dates
    ):
        return current
    if proposal.kind in rules.endorsement_required and not proposal.endorsed:
        kind = proposal.kind.value
        reason = say("decision_pending_endorsement", kind=kind.replace("_", " "), kind_fr=KINDS_FR[kind])
        return _entry(proposal, now, reason, status="pending_endorsement")
    # Converging on the same day as a compatible activity: pool them (one pavilion, not one kiosk each).
    same_day = _suggest_joint(proposal, calendar, rules, today, now, window_days=0)
    if same_day is not None:
        return same_day
    found: dict[date, list[Message]] = {}
    for rank, day in enumerate(proposal.preferred_dates, start=1):
        found[day] = problems(proposal, day, calendar, rules, today)
        if not found[day]:
            reason = (
                say("decision_scheduled") if rank == 1 else say("decision_scheduled_later_choice", rank=rank)
            )
            return _entry(
                proposal,
                now,
                reason,
                status="scheduled",
                day=day,
                preference_rank=rank,
                provisional_until=provisional_until(proposal, rules, now),
            )
    # Not possible alone: joining a compatible activity near a preferred date may be.
    nearby = _suggest_joint(proposal, calendar, rules, today, now, window_days=rules.joint_window_days)
    if nearby is not None:
        return nearby
    first = proposal.preferred_dates[0]
    language = language_of(proposal)
    colon = " : " if language == "fr" else ": "
    details = "; ".join(f"{d}{colon}{found[d][0].text(language)}" for d in proposal.preferred_dates)
    reason = (
        say("decision_not_possible", details=details) if found[first] else say("decision_not_possible_plain")
    )
    return _entry(
        proposal,
        now,
        reason,
        status="not_possible",
        alternatives=alternatives(proposal, calendar, rules, today),
    )


def provisional_until(proposal: ActivityProposed, rules: CalendarRules, now: datetime) -> datetime | None:
    """Until when a place given now to ``proposal`` may still go to an endorsed one (None: it is held)."""
    if proposal.endorsed or rules.priority_window_hours == 0:
        return None
    return now + timedelta(hours=rules.priority_window_hours)


def alternatives(
    proposal: ActivityProposed,
    calendar: CalendarView,
    rules: CalendarRules,
    today: date,
    count: int = ALTERNATIVES,
) -> list[date]:
    """Up to ``count`` feasible days after the first preferred date, nearest first."""
    first = proposal.preferred_dates[0]
    reach = timedelta(days=span(rules))
    # The calendar around the whole search window is read once, not once per day.
    window = [
        a
        for e in calendar.scheduled_between(
            first + timedelta(days=1) - reach, first + timedelta(SEARCH_DAYS) + reach
        )
        if (a := activity_of_entry(e, e.expected_attendance or 0)) is not None
    ]
    found: list[date] = []
    for offset in range(1, SEARCH_DAYS + 1):
        day = first + timedelta(days=offset)
        if day in proposal.preferred_dates:
            continue
        near = [a for a in window if abs(a.day - day) <= reach]
        if not violations(activity_of(proposal, day), near, rules, today):
            found.append(day)
            if len(found) == count:
                break
    return found


def _suggest_joint(
    proposal: ActivityProposed,
    calendar: CalendarView,
    rules: CalendarRules,
    today: date,
    now: datetime,
    window_days: int,
) -> CalendarEntry | None:
    if not proposal.open_to_joint or proposal.kind not in JOINABLE:
        return None
    host = joint_host(proposal, calendar, rules, today, window_days)
    if host is None:
        return None
    reason = say("decision_joint_suggested", title=host.title, regions=", ".join(host.regions), day=host.day)
    return _entry(proposal, now, reason, status="joint_suggested", day=host.day, joint_with=host.proposal_id)


def joint_host(
    proposal: ActivityProposed, calendar: CalendarView, rules: CalendarRules, today: date, window_days: int
) -> CalendarEntry | None:
    """A scheduled activity ``proposal`` could join: same kind and audience, near a preferred date."""
    window = timedelta(days=window_days)
    candidates: list[tuple[int, int, str, CalendarEntry]] = []
    for rank, preferred in enumerate(proposal.preferred_dates, start=1):
        for host in calendar.scheduled_between(preferred - window, preferred + window):
            if (
                host.joint_with is not None
                or host.kind != proposal.kind
                or host.organizer_id == proposal.organizer_id
                or host.proposal_id == proposal.proposal_id
                or host.day is None
                or host.day < today
                or (host.sectors and proposal.sectors and not sectors_overlap(host.sectors, proposal.sectors))
                or not set(host.languages or ["fr"]) & set(proposal.languages)
            ):
                continue
            if problems(proposal, host.day, calendar, rules, today, joint_with=host.proposal_id):
                continue
            candidates.append((abs((host.day - preferred).days), rank, str(host.proposal_id), host))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def join(member: CalendarEntry, host: CalendarEntry, now: datetime) -> tuple[CalendarEntry, CalendarEntry]:
    """``member`` joins ``host``: it is held with it, on its day, without taking a place of its own."""
    rank = member.preferred_dates.index(host.day) + 1 if host.day in member.preferred_dates else None
    joined = member.model_copy(
        update={
            "status": "scheduled",
            "day": host.day,
            "joint_with": host.proposal_id,
            "preference_rank": rank,
            "alternatives": [],
            "decided_at": now,
            **reason_fields(say("decision_joined", title=host.title, day=host.day), language_of(member)),
            "change": "joined",
        }
    )
    members = (
        [*host.joint_members, member.proposal_id]
        if member.proposal_id not in host.joint_members
        else host.joint_members
    )
    return joined, host.model_copy(
        update={"joint_members": members, "decided_at": now, "change": "member_joined"}
    )


def withdrawn(entry: CalendarEntry, now: datetime) -> CalendarEntry:
    """The entry of a proposal its organizer withdrew."""
    return entry.model_copy(
        update={
            "status": "withdrawn",
            "day": None,
            "joint_with": None,
            "joint_members": [],
            "alternatives": [],
            "decided_at": now,
            **reason_fields(say("decision_withdrawn"), language_of(entry)),
            "change": "withdrawn",
        }
    )


def region_delegates(region: str, tables: Iterable[ConcertationTable], day: date) -> dict[UUID, str]:
    """The organizations delegated to recruit in Montréal for ``region`` on ``day``, with their table's name.

    A regional table (no MRCs) speaks for the whole region: when one of them has a delegate that
    day, its delegate alone proposes (the sub-regional tables' delegations wait). Otherwise each
    sub-regional table's delegate proposes, for its MRCs and the region; several of them may. An
    empty answer: nobody is delegated, and any active partner serving the region proposes.
    """
    active = [t for t in tables if t.region == region and t.status == "active"]
    for level in ([t for t in active if not t.mrcs], [t for t in active if t.mrcs]):
        found = {
            d: t.name for t in sorted(level, key=lambda t: t.name) if (d := t.delegate_on(day)) is not None
        }
        if found:
            return found
    return {}


def check_organizer(
    organizer: Partner | None,
    regions: list[str],
    tables: Iterable[ConcertationTable],
    day: date,
    by_itself: bool = False,
) -> bool:
    """Refuse a proposal whose organizer may not propose for its regions; True if it is their delegate.

    The organizer must be an active partner, serving every region it proposes for, none of
    them Montréal (recruiting happens there; it is never a destination). ``by_itself``: the
    organizer asks itself (a region it does not serve is then a 403, not a 422). Where a
    region has delegates (``region_delegates``), only they propose the region's activities,
    and a delegate's proposals carry its table's endorsement.
    """
    if organizer is None or organizer.status != "active":
        raise Rejected("organizer_id", say("unknown_organizer"))
    check_scope(organizer, indexed("regions", regions), by_itself)
    tables = list(tables)
    delegate_everywhere = bool(regions)
    for region in regions:
        delegates = region_delegates(region, tables, day)
        if delegates and organizer.partner_id not in delegates:
            if len(delegates) > 1:
                named = ", ".join(f"{d} ({t})" for d, t in delegates.items())
                raise Rejected("organizer_id", say("region_delegates", region=region, delegates=named))
            delegate, table = next(iter(delegates.items()))
            raise Rejected(
                "organizer_id", say("region_delegated", region=region, table=table, delegate=delegate)
            )
        delegate_everywhere = delegate_everywhere and organizer.partner_id in delegates
    return delegate_everywhere
