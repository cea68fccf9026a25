"""The comparison of a concertation round with uncoordinated recruiting, and the round schedule."""

from __future__ import annotations

from analysis.season import Size
from services.matching.handlers import scheduled_round_id
from tools.routing_compare import compare, markdown, over_seeds

SMALL = Size(people=300, organizations=20, jobs=80, seed=3)


def test_the_round_is_stable_and_sends_at_most_one_plan_where_competing_regions_congest() -> None:
    round_, baseline = compare(SMALL)

    assert round_.participants == baseline.participants == 300
    assert round_.blocking == 0
    assert round_.blocked == 0
    assert baseline.blocked > 0
    assert baseline.blocking > 0
    assert round_.pitches_per_person <= 1 < baseline.pitches_per_person
    assert round_.first_choice > baseline.first_choice
    capacity = sum(round_.unused.values()) + round_.placed
    assert capacity == sum(baseline.unused.values()) + baseline.placed  # the same places on both sides


def test_the_comparison_is_the_same_for_the_same_seed_and_reads_as_a_table() -> None:
    assert compare(SMALL) == compare(SMALL)
    table = markdown(SMALL, *compare(SMALL), over_seeds(SMALL, 2))
    assert "| Blocking pairs (would both rather be together) | 0 |" in table
    assert "| Blocked households (in at least one blocking pair) | 0 |" in table


def test_workers_asking_for_the_scheduled_round_of_one_period_ask_for_one_round() -> None:
    week = 7 * 24 * 3600.0
    monday = 1_796_400_000.0 - 1_796_400_000.0 % week

    assert scheduled_round_id(week, monday + 10) == scheduled_round_id(week, monday + week - 1)
    assert scheduled_round_id(week, monday + week) != scheduled_round_id(week, monday)
