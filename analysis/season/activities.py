"""The season's days and the delegates' activity proposals in Montréal.

The season's fair days are data/calendar_rules.json's, moved into the season:
each fair (consecutive fair days) keeps its weekdays and moves by whole 52-week
years to its first occurrence at least two weeks after the start; fairs that
then fall after the season's end are left out (if none is left, the first one
is kept and the season lengthened to hold it). Blackout dates are repeated on
the same month and day within the season. The season's rules (rules.json) are
the reference rules plus those fair days and blackout dates: for a season that
needs no move they are the reference rules themselves.

A few Saturdays are "hot": most delegates want them, or the fair days, first,
so the calendar has collisions to avoid.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from services.common.reference import DATA_DIR

from .network import Network
from .spec import Record, new_id


@dataclass(frozen=True)
class Kind:
    """How organizers hold one kind of activity (illustrative): the demo's delegates here
    (``KINDS``), the planner season's organizations in ``planner_season.KINDS``."""

    weight: int
    prime_taste: float  # chance the first choice is a prime day (a hot Saturday or a fair day)
    venues: tuple[str | None, ...]
    attendance: tuple[int, int]  # people (the planner's season: only online or outside any venue)
    starts: tuple[time, ...]
    durations: tuple[int, ...]
    title: str
    of_room: tuple[float, float] = (0.3, 1.0)  # the planner's season: share of the venue's capacity


KINDS = {
    "fair_kiosk": Kind(
        20, 0.95, ("palais-des-congres", "place-bonaventure"), (150, 900), (time(9), time(10)), (360, 480),
        "Kiosque de la région au salon",
    ),
    "information_session": Kind(
        30, 0.5, ("grande-bibliotheque", "maison-regions", "carrefour-hub"), (30, 110),
        (time(13), time(18), time(18, 30)), (90, 120), "Séance d'information : vivre et travailler",
    ),
    "speed_recruiting": Kind(
        15, 0.6, ("maison-regions", "carrefour-hub"), (30, 60), (time(9), time(13)), (180, 240),
        "Recrutement express",
    ),
    "bus_trip": Kind(10, 0.8, (None,), (40, 56), (time(7),), (600, 720), "Autobus découverte"),
    "webinar": Kind(25, 0.15, (None,), (50, 400), (time(12), time(19)), (60, 90), "Webinaire"),
}  # fmt: skip


@dataclass(frozen=True)
class Days:
    """The season's dates: its span, its fair days, its hot Saturdays, its blackout dates."""

    start: date
    end: date
    fair_days: tuple[date, ...]
    hot_saturdays: tuple[date, ...]
    blackout: frozenset[date]

    def open_days(self) -> list[date]:
        """Days an activity may be asked for: in the season, not a blackout date, not a Sunday."""
        days = (self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1))
        return [d for d in days if d not in self.blackout and d.weekday() != 6]


def reference_rules(path: Path = DATA_DIR / "calendar_rules.json") -> dict[str, Any]:
    """The rules of data/calendar_rules.json, as the body of PUT /rules."""
    rules: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["rules"]
    return rules


def season_rules(rules: dict[str, Any], days: Days) -> dict[str, Any]:
    """``rules`` that also know the season's fair days and blackout dates (unchanged if they did)."""
    fair = {*rules.get("fair_days", []), *(d.isoformat() for d in days.fair_days)}
    blackout = {*rules.get("blackout_dates", []), *(d.isoformat() for d in days.blackout)}
    return {**rules, "fair_days": sorted(fair), "blackout_dates": sorted(blackout)}


def _fairs(fair_days: list[date]) -> list[list[date]]:
    fairs: list[list[date]] = []
    for day in sorted(fair_days):
        if fairs and (day - fairs[-1][-1]).days == 1:
            fairs[-1].append(day)
        else:
            fairs.append([day])
    return fairs


def plan_days(rng: random.Random, start: date, end: date, rules: dict[str, Any], hot: int = 6) -> Days:
    """The season's fair days (moved into the season), blackout dates and hot Saturdays."""
    earliest = start + timedelta(weeks=2)
    moved: list[list[date]] = []
    for fair in _fairs([date.fromisoformat(str(d)) for d in rules.get("fair_days", [])]):
        years = -((fair[0] - earliest).days // 364)  # the fewest 52-week years to reach ``earliest``
        moved.append([d + timedelta(days=364 * years) for d in fair])
    moved.sort()
    inside = [fair for fair in moved if fair[-1] <= end]
    if not inside and moved:
        inside, end = moved[:1], max(end, moved[0][-1] + timedelta(days=7))
    given = [date.fromisoformat(str(d)) for d in rules.get("blackout_dates", [])]
    blackout = set(given)
    for year in range(start.year, end.year + 1):
        blackout |= {d for d in (_same_day(g, year) for g in given) if start <= d <= end}
    fair_days = tuple(d for fair in inside for d in fair)
    saturdays = [
        start + timedelta(days=n)
        for n in range(7, (end - start).days + 1)
        if (start + timedelta(days=n)).weekday() == 5
    ]
    candidates = [d for d in saturdays if d not in blackout and d not in fair_days]
    hot_days = tuple(sorted(rng.sample(candidates, k=min(hot, len(candidates)))))
    return Days(start, end, fair_days, hot_days, frozenset(blackout))


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def proposals(net: Network, days: Days, delegates: dict[str, str], count: int) -> list[Record]:
    """``count`` proposals by the tables' delegates, spread over them, many wanting the same prime days."""
    rng = net.rng
    regions = sorted(delegates)
    open_days = days.open_days()
    prime = [*days.hot_saturdays, *days.fair_days]
    kinds = {name: kind.weight for name, kind in KINDS.items()}
    sectors_of = {r: sorted({o.sector for o in net.orgs if r in o.regions and o.sector}) for r in regions}
    records: list[Record] = []
    for index in range(count):
        region = regions[index % len(regions)] if index < len(regions) else rng.choice(regions)
        name = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        kind = KINDS[name]
        if name == "fair_kiosk" and days.fair_days and rng.random() < 0.8:
            first = rng.choice(days.fair_days)
        elif prime and rng.random() < kind.prime_taste:
            first = rng.choice(prime)
        else:
            first = rng.choice(open_days)
        wanted = [first]
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            nearby = [d for d in open_days if 0 < abs((d - first).days) <= 21 and d not in wanted]
            spare = [d for d in prime if d not in wanted]
            pool = spare if spare and rng.random() < 0.5 else nearby
            if pool:
                wanted.append(rng.choice(pool))
        venue = rng.choice(kind.venues)
        sectors = sectors_of[region]
        body: Record = {
            "organizer_id": delegates[region],
            "regions": [region],
            "kind": name,
            "title": f"{kind.title} — {net.region_name(region)}",
            "preferred_dates": [d.isoformat() for d in wanted],
            "start_time": rng.choice(kind.starts).strftime("%H:%M"),
            "duration_minutes": rng.choice(kind.durations),
            "venue_id": venue,
            "sectors": rng.sample(sectors, k=min(len(sectors), rng.randint(0, 2))),
            "languages": ["fr", "en"] if rng.random() < 0.4 else ["fr"],
            "expected_attendance": rng.randint(*kind.attendance),
            "open_to_joint": rng.random() < 0.85,
        }
        records.append({"id": new_id(rng), "body": body})
    return records
