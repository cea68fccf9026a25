"""The planner's season: proposals by organizations of the regions, seeded and reproducible.

``make_season`` draws organizations of the regions (01–17 but Montréal, 06;
Capitale-Nationale and Montérégie busier than Nord-du-Québec), some pooling two
regions; a mix of kinds, each with its own venues, hours and attendance (within
the venue's capacity but for a few optimists); many proposals aimed at the same
few Saturdays and at the fair days; sectors from the CNP broad categories (and a
few major groups); the rules of data/calendar_rules.json. The season planner's
tests, its report (``analysis.season_report``) and the calendar benchmark use it.

It draws with the demo season's parts (``spec``: the regions' weights, ids; ``activities.Kind``)
but its own kinds' figures: where the demo's proposals come from each region's one delegate
(``activities.proposals``), these come from many organizations, a few pooling two regions.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from services.common.contracts import ActivityKind, ActivityProposed, CalendarRules
from services.common.reference import load_reference, region_names
from services.events.seed import default_rules

from .activities import Kind
from .spec import REGION_WEIGHTS, draw_uuid

SEASON_START = date(2027, 4, 12)
"""A Monday; its 12 weeks hold the May fair days and three blackout dates."""

KINDS = {
    ActivityKind.FAIR_KIOSK: Kind(
        20, 0.9, ("palais-des-congres", "place-bonaventure"), (0, 0), (time(9), time(10)), (360, 480),
        "Kiosque régional au salon", (0.02, 0.25),  # the fair's visitors share the hall
    ),
    ActivityKind.INFORMATION_SESSION: Kind(
        30, 0.4, ("grande-bibliotheque", "maison-regions", "carrefour-hub"), (0, 0),
        (time(13), time(18), time(18, 30)), (90, 120, 150), "Séance d'information",
    ),
    ActivityKind.SPEED_RECRUITING: Kind(
        15, 0.6, ("maison-regions", "carrefour-hub"), (0, 0), (time(9), time(13)), (180, 240),
        "Recrutement express",
    ),
    ActivityKind.BUS_TRIP: Kind(
        10, 0.8, (None,), (40, 56), (time(7),), (600, 720), "Autobus vers la région"
    ),
    ActivityKind.WEBINAR: Kind(25, 0.1, (None,), (50, 500), (time(12), time(19)), (60, 90), "Webinaire"),
}  # fmt: skip


def _sectors(rng: random.Random, categories: list[str], groups: list[str]) -> list[str]:
    """0 to 2 CNP broad categories (none = every sector), now and then a major group instead."""
    chosen = rng.sample(categories, k=rng.choice([0, 1, 1, 1, 2]))
    return [
        rng.choice([g for g in groups if g.startswith(c)] or [c]) if rng.random() < 0.1 else c for c in chosen
    ]


def _preferred(
    rng: random.Random, kind: Kind, days: list[date], prime: list[date], hot: set[date]
) -> list[date]:
    """Ranked dates: a prime day (the hot Saturdays and fair days first) or a weekday, then nearby days."""
    weekdays = [d for d in days if d.weekday() < 5 and d not in prime]
    if prime and rng.random() < kind.prime_taste:
        first = rng.choices(prime, weights=[5 if d in hot else 1 for d in prime])[0]
    else:
        first = rng.choice(weekdays)
    wanted = [first]
    for _ in range(rng.choice([0, 1, 2, 2, 3, 4])):
        if rng.random() < 0.5:
            day = first + timedelta(days=7 * rng.choice([-2, -1, 1, 2, 3]))
        else:
            day = rng.choice(prime if first in prime else weekdays)
        if days[0] <= day <= days[-1] and day not in wanted:
            wanted.append(day)
    return wanted


def make_season(
    seed: int, organizations: int = 50, proposals: int = 1000, weeks: int = 12, start: date = SEASON_START
) -> tuple[list[ActivityProposed], CalendarRules]:
    """A reproducible season of ``proposals`` from ``organizations`` over ``weeks`` from ``start``."""
    rng = random.Random(seed)
    rules = default_rules()
    capacity = {v.venue_id: v.capacity for v in rules.venues}
    names = region_names("fr")
    unit_groups = load_reference().cnp_unit_groups
    categories = sorted({u.code[0] for u in unit_groups})
    groups = sorted({u.code[:2] for u in unit_groups})
    days = [start + timedelta(days=n) for n in range(weeks * 7)]
    prime = [d for d in days if rules.is_prime(d)]
    saturdays = [d for d in prime if d not in rules.fair_days]
    hot = {*rules.fair_days, *rng.sample(saturdays, k=min(3, len(saturdays)))}  # everyone's favourites
    codes, weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
    orgs = []
    for _ in range(organizations):
        regions = rng.choices(codes, weights=weights)
        if rng.random() < 0.1:  # a regional pavilion pooling two regions
            regions = sorted({*regions, *rng.choices(codes, weights=weights)})
        orgs.append((draw_uuid(rng), regions, rng.paretovariate(2.5)))  # how active it is
    opened = datetime.combine(start - timedelta(days=70), time(9), tzinfo=UTC)
    season = []
    for _ in range(proposals):
        organizer, regions, _activity = rng.choices(orgs, weights=[o[2] for o in orgs])[0]
        kind_name = rng.choices(list(KINDS), weights=[k.weight for k in KINDS.values()])[0]
        kind = KINDS[kind_name]
        venue = rng.choice(kind.venues)
        if venue is None:
            attendance = rng.randint(*kind.attendance)
        else:
            room = capacity[venue]
            attendance = max(1, round(room * rng.uniform(*kind.of_room)))
            if rng.random() < 0.04:  # an optimist: more people than the room holds
                attendance = min(20000, room + rng.randint(1, room // 2 + 1))
        season.append(
            ActivityProposed(
                proposal_id=draw_uuid(rng),
                organizer_id=organizer,
                regions=regions,
                kind=kind_name,
                title=f"{kind.title} — {names[regions[0]]}",
                preferred_dates=_preferred(rng, kind, days, prime, hot),
                proposed_at=opened + timedelta(seconds=rng.randrange(60 * 86400)),
                start_time=rng.choice(kind.starts),
                duration_minutes=rng.choice(kind.durations),
                venue_id=venue,
                sectors=_sectors(rng, categories, groups),
                languages=["fr", "en"] if rng.random() < 0.2 else ["fr"],
                expected_attendance=attendance,
                endorsed=kind_name in rules.endorsement_required and rng.random() < 0.85,
            )
        )
    return season, rules
