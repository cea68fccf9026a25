"""The calendar's hard rules (pure): what makes a day infeasible for an activity, in plain words.

Both the events worker (one proposal at a time) and the season planner use
these rules; the planner's property tests use ``violations`` as the verifier
of whole plans, independently of how the planner found them.

A joint member (an activity that joined a scheduled host) takes no place of its
own: it does not count against the daily or slot capacity or the venue. For the
spacing rules it counts: its regions and sectors are present that day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from services.common.contracts import ActivityKind, ActivityProposed, CalendarEntry, CalendarRules
from services.common.messages import Message, say


@dataclass(frozen=True)
class Activity:
    """What the rules need to know of an activity held (or to be held) on a day."""

    proposal_id: UUID
    regions: tuple[str, ...]
    day: date
    start: time
    duration_minutes: int
    venue_id: str | None
    sectors: tuple[str, ...]
    attendance: int
    joint_with: UUID | None = None
    online: bool = False

    @property
    def interval(self) -> tuple[datetime, datetime]:
        begin = datetime.combine(self.day, self.start)
        return begin, begin + timedelta(minutes=self.duration_minutes)

    @property
    def takes_a_place(self) -> bool:
        """Whether it takes one of Montréal's places: not a joint member, not online (a webinar)."""
        return self.joint_with is None and not self.online


def takes_prime_slot(activity: Activity, rules: CalendarRules) -> bool:
    """Whether ``activity`` takes one of Montréal's places on a prime day (Saturdays, fair days)."""
    return activity.takes_a_place and rules.is_prime(activity.day)


def activity_of(proposal: ActivityProposed, day: date, joint_with: UUID | None = None) -> Activity:
    """The activity ``proposal`` would be if held on ``day``."""
    return Activity(
        proposal_id=proposal.proposal_id,
        regions=tuple(proposal.regions),
        day=day,
        start=proposal.start_time,
        duration_minutes=proposal.duration_minutes,
        venue_id=proposal.venue_id,
        sectors=tuple(proposal.sectors),
        attendance=proposal.expected_attendance,
        joint_with=joint_with,
        online=proposal.kind == ActivityKind.WEBINAR,
    )


def activity_of_entry(entry: CalendarEntry, attendance: int = 0) -> Activity | None:
    """The activity a scheduled calendar entry holds; None if it is not scheduled."""
    if entry.status != "scheduled" or entry.day is None:
        return None
    return Activity(
        proposal_id=entry.proposal_id,
        regions=tuple(entry.regions),
        day=entry.day,
        start=entry.start_time or time(10, 0),
        duration_minutes=entry.duration_minutes or 180,
        venue_id=entry.venue_id,
        sectors=tuple(entry.sectors),
        attendance=attendance,
        joint_with=entry.joint_with,
        online=entry.kind == ActivityKind.WEBINAR,
    )


def sectors_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two activities aim at a common sector (a CNP prefix of the other's code)."""
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b)


def _overlap(a: Activity, b: Activity) -> bool:
    (a0, a1), (b0, b1) = a.interval, b.interval
    return a0 < b1 and b0 < a1


def _busiest(activity: Activity, others: list[Activity], weight: Callable[[Activity], int]) -> int:
    """The most weight (activities, or people) running at one moment of ``activity``'s time, with it.

    Counts change only when something starts, so the moments to look at are
    ``activity``'s start and the starts of the others within its time.
    """
    begin, end = activity.interval
    moments = {begin} | {o.interval[0] for o in others if begin <= o.interval[0] < end}
    return max(
        weight(activity) + sum(weight(o) for o in others if o.interval[0] <= moment < o.interval[1])
        for moment in moments
    )


def _same_joint(a: Activity, b: Activity) -> bool:
    """Whether a and b are parts of one joint activity (a host and its members)."""
    host_a = a.joint_with or a.proposal_id
    host_b = b.joint_with or b.proposal_id
    return host_a == host_b


def violations(
    activity: Activity, others: Sequence[Activity], rules: CalendarRules, today: date
) -> list[str]:
    """Every hard rule ``activity`` would break next to ``others`` (the rest of the calendar), in English."""
    return [str(m) for m in broken_rules(activity, others, rules, today)]


def broken_rules(
    activity: Activity, others: Sequence[Activity], rules: CalendarRules, today: date
) -> list[Message]:
    """Every hard rule ``activity`` would break next to ``others``, each a ``Message`` (fr or en)."""
    found: list[Message] = []
    day = activity.day
    if day < today:
        found.append(say("rule_past", day=day))
    if day in rules.blackout_dates:
        found.append(say("rule_blackout", day=day))
    same_day = [o for o in others if o.proposal_id != activity.proposal_id and o.day == day]
    found += _venue_rules(activity, same_day, rules)
    found += _capacity_rules(activity, same_day, rules)
    found += _spacing_rules(activity, others, rules)
    return found


def _venue_rules(activity: Activity, same_day: list[Activity], rules: CalendarRules) -> list[Message]:
    if activity.venue_id is None:
        return []
    venue = rules.venue(activity.venue_id)
    if venue is None:
        return [say("rule_unknown_venue", venue=activity.venue_id)]
    if not activity.takes_a_place:
        return []
    # A venue is shared (kiosks at one fair): everyone there at once must fit.
    there = [
        o for o in same_day if o.venue_id == venue.venue_id and o.takes_a_place and _overlap(o, activity)
    ]
    people = _busiest(activity, there, lambda a: a.attendance)
    if people > venue.capacity:
        return [say("rule_venue_full", venue=venue.name, people=people, capacity=venue.capacity)]
    return []


def _capacity_rules(activity: Activity, same_day: list[Activity], rules: CalendarRules) -> list[Message]:
    if not activity.takes_a_place:
        return []
    found: list[Message] = []
    places = [o for o in same_day if o.takes_a_place]
    if len(places) >= rules.max_per_day:
        found.append(say("rule_day_full", day=activity.day, count=len(places), max=rules.max_per_day))
    at_once = [o for o in places if _overlap(o, activity)]
    running = _busiest(activity, at_once, lambda a: 1)
    if running > rules.max_per_slot:
        found.append(say("rule_slot_full", count=running - 1, max=rules.max_per_slot))
    return found


def _spacing_rules(activity: Activity, others: Sequence[Activity], rules: CalendarRules) -> list[Message]:
    found: list[Message] = []
    for other in others:
        if other.proposal_id == activity.proposal_id or _same_joint(activity, other):
            continue
        gap = abs((other.day - activity.day).days)
        shared = set(other.regions) & set(activity.regions)
        if rules.min_days_same_region and shared and gap < rules.min_days_same_region:
            found.append(
                say("rule_region_spacing", region=min(shared), day=other.day, min=rules.min_days_same_region)
            )
        if (
            rules.min_days_same_sector
            and gap < rules.min_days_same_sector
            and sectors_overlap(activity.sectors, other.sectors)
        ):
            found.append(say("rule_sector_spacing", day=other.day, min=rules.min_days_same_sector))
    return found
