"""The report's figures (pure): computed from what the services hold and the side-by-side comparisons.

Pseudonymous by construction: people appear only as counts; activities by their titles
(which name regions, not people); organizations not at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.common.contracts import ActivityKind
from services.common.reference import region_names

from .collect import Observed
from .compare import CalendarSide, RoutingSides


@dataclass(frozen=True)
class DayRow:
    """One day of the season with activity: places taken, activities pooled in, first choices aimed at it."""

    day: date
    places: int
    online: int
    joined: int
    wanted: int  # first choices that would take a place
    prime: bool


@dataclass(frozen=True)
class Moved:
    """A proposal that did not get its first choice alone, and what it got instead (a collision avoided)."""

    title: str
    regions: str
    wanted: date
    why: str
    outcome: str


@dataclass(frozen=True)
class Displaced:
    """A provisional place on a full day given to an endorsed activity (docs/calendar.md, priority)."""

    title: str
    regions: str
    day: date
    taken_by: str
    outcome: str


@dataclass(frozen=True)
class Priority:
    """What the priority of endorsed activities on contested days changed this season."""

    window_hours: int
    endorsed: int
    endorsed_first_choice: int
    displaced: list[Displaced]


@dataclass(frozen=True)
class Joint:
    """A joint activity: a host and the activities that joined it (one pavilion)."""

    title: str
    day: date
    regions: str
    activities: int


@dataclass(frozen=True)
class RegionRow:
    """A region's intake capacity and referrals, in the round and with competing regions."""

    region: str
    name: str
    capacity: int
    referred: int
    first_choice: int
    competing_placed: int
    competing_first: int


@dataclass(frozen=True)
class MeasureRow:
    """A support measure and how many people the cases found entitled (or possibly entitled) to it."""

    code: str
    name_fr: str
    name_en: str
    entitled: int
    possible: int


@dataclass
class Report:
    """Every figure the report shows."""

    season: dict[str, Any]
    max_per_day: int
    days: list[DayRow]
    statuses: Counter[str]
    moved: list[Moved]
    joints: list[Joint]
    joint_answers: dict[str, int]
    calendar_sides: list[CalendarSide]
    round: dict[str, Any]
    routing: RoutingSides
    regions: list[RegionRow]
    measures: list[MeasureRow]
    cases: int
    entitled_people: int
    emails: Counter[tuple[str, str]]
    emails_by_recipient: Counter[str]
    mail_files: int
    mail_dir: str
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    priority: Priority | None = None

    @property
    def scheduled(self) -> int:
        """Activities held (alone or jointly)."""
        return self.statuses["scheduled"]

    @property
    def first_choice_share(self) -> float:
        """Share of the households taking part referred to their first-choice region."""
        households = self.round["households"]
        return self.round["first_choice"] / households if households else 0.0


def build(
    observed: Observed,
    sides: list[CalendarSide],
    routing: RoutingSides,
    season: dict[str, Any],
    joint_answers: dict[str, int],
    mail_dir: str,
) -> Report:
    """The report's figures."""
    report = Report(
        season=season,
        max_per_day=observed.rules.max_per_day,
        days=_days(observed),
        statuses=Counter(e.status for e in observed.calendar),
        moved=_moved(observed),
        joints=_joints(observed),
        joint_answers=joint_answers,
        calendar_sides=sides,
        round=observed.round.model_dump(mode="json", exclude={"welcomers"}),
        routing=routing,
        regions=_regions(observed, routing),
        measures=_measures(observed),
        cases=len(observed.cases),
        entitled_people=sum(1 for c in observed.cases if any(e.status == "entitled" for e in c.entitlements)),
        emails=Counter((e.template, e.language) for e in observed.emails),
        emails_by_recipient=Counter(e.recipient_kind for e in observed.emails),
        mail_files=observed.mail_files,
        mail_dir=mail_dir,
        priority=_priority(observed),
    )
    if routing.households != observed.round.households:
        report.notes.append(
            f"The baseline was rebuilt on {routing.households} households; the round saw "
            f"{observed.round.households} (the services changed in between)."
        )
    return report


def _places(observed: Observed) -> tuple[Counter[date], Counter[date], Counter[date]]:
    """Per day: activities taking one of Montréal's places, webinars (online: no place), joint members."""
    places: Counter[date] = Counter()
    online: Counter[date] = Counter()
    joined: Counter[date] = Counter()
    for e in observed.calendar:
        if e.status == "scheduled" and e.day is not None:
            kind = joined if e.joint_with else online if e.kind is ActivityKind.WEBINAR else places
            kind[e.day] += 1
    return places, online, joined


def _days(observed: Observed) -> list[DayRow]:
    places, online, joined = _places(observed)
    wanted = Counter(p.preferred_dates[0] for p in observed.proposals if p.kind is not ActivityKind.WEBINAR)
    every = sorted({*places, *online, *joined, *wanted})
    rows = [DayRow(d, places[d], online[d], joined[d], wanted[d], observed.rules.is_prime(d)) for d in every]
    return rows


def _regions_of(codes: list[str]) -> str:
    return ", ".join(codes)


def _moved(observed: Observed) -> list[Moved]:
    places, _, _ = _places(observed)
    limit = observed.rules.max_per_day
    moved = []
    for e in observed.calendar:
        if not e.preferred_dates or (e.status == "scheduled" and e.preference_rank == 1 and not e.joint_with):
            continue
        wanted = e.preferred_dates[0]
        why = f"full ({places[wanted]}/{limit})" if places[wanted] >= limit else "a spacing or venue rule"
        if e.status == "scheduled" and e.joint_with:
            outcome = f"joint activity on {e.day}"
        elif e.status == "scheduled":
            outcome = f"its choice #{e.preference_rank}, {e.day}"
        elif e.status == "not_possible":
            outcome = "alternatives offered: " + (", ".join(str(d) for d in e.alternatives) or "none")
        else:
            outcome = e.status.replace("_", " ")
        moved.append(Moved(e.title, _regions_of(e.regions), wanted, why, outcome))
    return sorted(moved, key=lambda m: (m.wanted, m.title))


def _priority(observed: Observed) -> Priority:
    """Endorsed proposals on their first choice, and the provisional places they took."""
    by_id = {e.proposal_id: e for e in observed.calendar}
    endorsed = [p for p in observed.proposals if p.endorsed]
    first = sum(
        1
        for p in endorsed
        if (e := by_id.get(p.proposal_id)) is not None
        and e.status == "scheduled"
        and e.day == p.preferred_dates[0]
    )
    displaced = []
    for e in observed.calendar:
        if e.displaced_from is None:
            continue
        winner = by_id.get(e.displaced_by) if e.displaced_by else None
        outcome = f"{e.status.replace('_', ' ')}" + (f", {e.day}" if e.day else "")
        taken_by = winner.title if winner else "an endorsed activity"
        displaced.append(Displaced(e.title, _regions_of(e.regions), e.displaced_from, taken_by, outcome))
    return Priority(
        observed.rules.priority_window_hours,
        len(endorsed),
        first,
        sorted(displaced, key=lambda d: (d.day, d.title)),
    )


def _joints(observed: Observed) -> list[Joint]:
    by_id = {e.proposal_id: e for e in observed.calendar}
    joints = []
    for host in observed.calendar:
        members = [by_id[m] for m in host.joint_members if m in by_id and by_id[m].status == "scheduled"]
        if host.status != "scheduled" or host.day is None or not members:
            continue
        regions = sorted({r for e in (host, *members) for r in e.regions})
        joints.append(Joint(host.title, host.day, _regions_of(regions), 1 + len(members)))
    return sorted(joints, key=lambda j: (j.day, j.title))


def _regions(observed: Observed, routing: RoutingSides) -> list[RegionRow]:
    names = region_names("fr")
    capacity: Counter[str] = Counter()
    referred: Counter[str] = Counter()
    for use in observed.round.welcomers:
        capacity[use.region] += use.capacity
        referred[use.region] += use.referred
    first = Counter(
        r.region
        for r in observed.referrals
        if r.round_id == observed.round.round_id and r.preference_rank == 1 and r.region
    )
    competing = routing.competing.by_region
    return [
        RegionRow(
            region,
            names.get(region, region),
            capacity[region],
            referred[region],
            first[region],
            competing.get(region, (0, 0, 0))[1],
            competing.get(region, (0, 0, 0))[2],
        )
        for region in sorted(capacity)
    ]


def _measures(observed: Observed) -> list[MeasureRow]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, tuple[str, str]] = {}
    for case in observed.cases:
        for e in case.entitlements:
            counts[e.measure_code][e.status] += 1
            names[e.measure_code] = (e.name_fr, e.name_en)
    rows = [
        MeasureRow(code, *names[code], counts[code]["entitled"], counts[code]["possible"]) for code in counts
    ]
    return sorted(rows, key=lambda m: (-m.entitled, -m.possible, m.code))
