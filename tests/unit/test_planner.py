"""The season planner, checked with the calendar's own rules (``services.events.rules.violations``).

Small random seasons (a few regions, sectors and venues over three weeks
around the May fair days, under varied rules) so that conflicts are frequent;
every plan is verified activity by activity against the rest of the plan,
independently of how the planner built its model.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.planner import first_come_first_served, measure, plan_season, uncoordinated
from analysis.season import make_season
from services.common.contracts import ActivityKind, ActivityProposed, CalendarRules
from services.events.rules import activity_of, violations
from services.events.seed import default_rules

TODAY = date(2027, 5, 17)  # a Monday; the season runs three weeks from here
SATURDAY = date(2027, 5, 22)
FAIR_DAY = date(2027, 5, 29)  # a Saturday and a fair day
DAYS = [TODAY + timedelta(days=n) for n in range(-2, 21)]  # two days already past
RECEIVED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

Plan = dict[UUID, date | None]
SMALL = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def proposals(draw: st.DrawFn, index: int) -> ActivityProposed:
    """A proposal of one or two of four regions, on one to three of the season's days."""
    return ActivityProposed(
        proposal_id=UUID(int=index + 1),
        organizer_id=UUID(int=1000 + draw(st.integers(0, 5))),
        regions=sorted(draw(st.sets(st.sampled_from(["01", "03", "05", "12"]), min_size=1, max_size=2))),
        kind=draw(st.sampled_from(list(ActivityKind))),
        title=f"Activité régionale {index}",
        preferred_dates=draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True)),
        proposed_at=RECEIVED + timedelta(minutes=draw(st.integers(0, 5000))),
        start_time=draw(st.sampled_from([time(9), time(10), time(13), time(18)])),
        duration_minutes=draw(st.sampled_from([60, 120, 240, 480])),
        venue_id=draw(st.sampled_from([None, "maison-regions", "carrefour-hub", "grande-bibliotheque"])),
        sectors=sorted(draw(st.sets(st.sampled_from(["1", "2", "21", "3"]), max_size=2))),
        expected_attendance=draw(st.sampled_from([30, 100, 200, 400])),
    )


@st.composite
def seasons(draw: st.DrawFn) -> tuple[list[ActivityProposed], CalendarRules]:
    """Two to twelve proposals under rules between loose and strict."""
    count = draw(st.integers(2, 12))
    rules = default_rules().model_copy(
        update={
            "max_per_day": draw(st.integers(1, 3)),
            "max_per_slot": draw(st.integers(1, 2)),
            "min_days_same_region": draw(st.sampled_from([0, 3, 7])),
            "min_days_same_sector": draw(st.sampled_from([0, 2])),
        }
    )
    return [draw(proposals(i)) for i in range(count)], rules


def by_id(season: list[ActivityProposed]) -> dict[UUID, ActivityProposed]:
    return {p.proposal_id: p for p in season}


def rule_breaks(plan: Plan, season: list[ActivityProposed], rules: CalendarRules) -> list[str]:
    """Every violation of every held activity against all the others (the independent verifier)."""
    proposals_by_id = by_id(season)
    held = [activity_of(proposals_by_id[pid], day) for pid, day in plan.items() if day is not None]
    return [problem for a in held for problem in violations(a, held, rules, TODAY)]


def fair(plan: Plan, season: list[ActivityProposed], rules: CalendarRules) -> bool:
    """No region holds more prime slots than its share of the season's demand plus one."""
    mentions = Counter(region for p in season for region in set(p.regions))
    total = sum(mentions.values())
    proposals_by_id = by_id(season)
    prime = [
        proposals_by_id[pid]
        for pid, day in plan.items()
        if day is not None and rules.is_prime(day) and proposals_by_id[pid].kind != ActivityKind.WEBINAR
    ]
    return all(
        sum(region in p.regions for p in prime) <= len(prime) * Fraction(n, total) + 1
        for region, n in mentions.items()
    )


def first_choices(plan: Plan, season: list[ActivityProposed]) -> int:
    return sum(plan.get(p.proposal_id) == p.preferred_dates[0] for p in season)


@SMALL
@given(seasons())
def test_a_season_plan_breaks_no_rule_and_shares_prime_days_fairly(
    season_and_rules: tuple[list[ActivityProposed], CalendarRules],
) -> None:
    season, rules = season_and_rules
    plan = plan_season(season, rules, TODAY).assignments

    assert set(plan) == {p.proposal_id for p in season}
    assert all(day is None or day in by_id(season)[pid].preferred_dates for pid, day in plan.items())
    assert rule_breaks(plan, season, rules) == []
    in_montreal = Counter(
        day for pid, day in plan.items() if day and by_id(season)[pid].kind != ActivityKind.WEBINAR
    )
    assert max(in_montreal.values(), default=0) <= rules.max_per_day
    assert fair(plan, season, rules)


@SMALL
@given(seasons())
def test_planning_the_same_season_twice_gives_the_same_plan(
    season_and_rules: tuple[list[ActivityProposed], CalendarRules],
) -> None:
    season, rules = season_and_rules
    first, again = plan_season(season, rules, TODAY), plan_season(list(reversed(season)), rules, TODAY)

    assert first.assignments == again.assignments
    assert (first.objective, first.status) == (again.objective, again.status)


@SMALL
@given(seasons())
def test_the_planner_honors_at_least_as_many_first_choices_as_first_come_first_served(
    season_and_rules: tuple[list[ActivityProposed], CalendarRules],
) -> None:
    season, rules = season_and_rules
    fcfs = first_come_first_served(season, rules, TODAY)
    plan = plan_season(season, rules, TODAY)

    assert plan.status == "OPTIMAL"
    if fair(fcfs, season, rules):  # otherwise first come first served is not a plan the planner may return
        assert first_choices(plan.assignments, season) >= first_choices(fcfs, season)


@SMALL
@given(seasons(), st.integers(0, 11))
def test_replanning_after_a_withdrawal_moves_no_other_activity(
    season_and_rules: tuple[list[ActivityProposed], CalendarRules], which: int
) -> None:
    season, rules = season_and_rules
    plan = plan_season(season, rules, TODAY).assignments
    withdrawn = season[which % len(season)].proposal_id
    previous = {pid: day for pid, day in plan.items() if day is not None and pid != withdrawn}
    rest = [p for p in season if p.proposal_id != withdrawn]

    replanned = plan_season(rest, rules, TODAY, previous=previous).assignments

    assert {pid: replanned[pid] for pid in previous} == previous
    assert rule_breaks(replanned, rest, rules) == []


@SMALL
@given(seasons())
def test_first_come_first_served_never_breaks_a_rule(
    season_and_rules: tuple[list[ActivityProposed], CalendarRules],
) -> None:
    season, rules = season_and_rules
    fcfs = first_come_first_served(season, rules, TODAY)

    assert rule_breaks(fcfs, season, rules) == []
    assert measure(fcfs, season, rules, TODAY).rule_violations == 0


def session(
    index: int, region: str, *days: date, start: time = time(13), minutes: int = 120
) -> ActivityProposed:
    """An online information session of ``region`` (no venue), 13:00 to 15:00 unless told."""
    return ActivityProposed(
        proposal_id=UUID(int=index),
        organizer_id=UUID(int=100 + index),
        regions=[region],
        kind=ActivityKind.INFORMATION_SESSION,
        title=f"Séance d'information {index}",
        preferred_dates=list(days),
        proposed_at=RECEIVED + timedelta(minutes=index),
        start_time=start,
        duration_minutes=minutes,
    )


def test_without_concertation_a_crowded_saturday_is_over_capacity() -> None:
    rules = default_rules()
    hours = [time(9), time(13), time(18), time(9), time(13)]
    crowd = [
        session(i, region, SATURDAY, start=hour)
        for i, (region, hour) in enumerate(zip(["01", "03", "05", "12", "16"], hours, strict=True), start=1)
    ]

    alone = measure(uncoordinated(crowd), crowd, rules, TODAY)
    planned = measure(plan_season(crowd, rules, TODAY).assignments, crowd, rules, TODAY)

    assert (alone.scheduled, alone.days_over_capacity) == (5, 1)
    assert alone.rule_violations > 0
    assert (planned.scheduled, planned.days_over_capacity, planned.rule_violations) == (3, 0, 0)


def test_an_all_day_activity_fits_with_a_morning_and_an_evening_session_that_never_meet() -> None:
    """At most two run at any moment: a morning, an evening and an all-day session make two at a time."""
    rules = default_rules()
    morning = session(1, "01", SATURDAY, start=time(9), minutes=60)
    evening = session(2, "03", SATURDAY, start=time(16), minutes=60)
    all_day = session(3, "05", SATURDAY, start=time(9), minutes=480)
    late = session(4, "07", SATURDAY, start=time(9, 30), minutes=60)  # a third at 9:30: refused

    fcfs = first_come_first_served([morning, evening, all_day, late], rules, TODAY)
    plan = plan_season([morning, evening, all_day, late], rules, TODAY).assignments

    assert fcfs == {
        morning.proposal_id: SATURDAY,
        evening.proposal_id: SATURDAY,
        all_day.proposal_id: SATURDAY,
        late.proposal_id: None,
    }
    assert sum(day is not None for day in plan.values()) == 3


def test_two_sessions_share_a_room_only_if_everyone_fits() -> None:
    """The Maison des régions holds 120: two sessions of 60 at once fit, two of 70 do not."""
    rules = default_rules()

    def at_the_maison(index: int, people: int) -> ActivityProposed:
        return session(index, f"{index:02d}", SATURDAY).model_copy(
            update={"venue_id": "maison-regions", "expected_attendance": people}
        )

    small = [at_the_maison(1, 60), at_the_maison(2, 60)]
    large = [at_the_maison(1, 70), at_the_maison(2, 70)]

    assert all(plan_season(small, rules, TODAY).assignments.values())
    assert list(plan_season(large, rules, TODAY).assignments.values()).count(None) == 1
    assert list(first_come_first_served(large, rules, TODAY).values()).count(None) == 1


def test_the_planner_gives_first_choices_that_first_come_first_served_gives_away() -> None:
    """Estrie asked first for Saturday or the fair day; Laval wants only Saturday: both get their day."""
    rules = default_rules().model_copy(update={"max_per_day": 1})
    estrie = session(1, "05", SATURDAY, FAIR_DAY)
    laval = session(2, "13", FAIR_DAY)
    laval_first = session(3, "13", SATURDAY)

    assert first_come_first_served([estrie, laval_first], rules, TODAY)[laval_first.proposal_id] is None
    plan = plan_season([estrie, laval_first], rules, TODAY).assignments
    assert plan == {estrie.proposal_id: FAIR_DAY, laval_first.proposal_id: SATURDAY}
    assert plan_season([estrie, laval], rules, TODAY).assignments == {
        estrie.proposal_id: SATURDAY,
        laval.proposal_id: FAIR_DAY,
    }


def test_a_synthetic_season_is_reproducible_and_has_no_montreal_organization() -> None:
    season, rules = make_season(seed=3, organizations=12, proposals=80)

    assert season == make_season(seed=3, organizations=12, proposals=80)[0]
    assert len(season) == 80
    assert all("06" not in p.regions for p in season)
    assert len({p.organizer_id for p in season}) <= 12
    assert rules.venues
    assert rules.fair_days
