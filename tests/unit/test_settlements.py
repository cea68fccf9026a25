"""The days of a settlement (services/matching/settlement.py): what a welcoming partner may record.

The steps each status allows are walked in test_lifecycles.py; here, the days: none in the future
but a planned move, none before the plan's acceptance or a milestone already lived, and the region
a household moved on to. Days are relative to the plan's acceptance, so these pass on any date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.common.contracts import Settlement
from services.common.errors import Conflict, Rejected
from services.matching import concertation
from services.matching import settlement as journey
from tests.unit.matching_builders import NOW
from tests.unit.test_concertation import two_places_one_taken

TODAY = NOW.date()


def accepted_plan() -> Settlement:
    _, proposed, _ = two_places_one_taken()
    settlement = journey.open_settlement(concertation.accept(proposed, NOW), NOW)
    assert settlement is not None
    return settlement


def step(settlement: Settlement, milestone: str, on: date, today: date = TODAY) -> Settlement:
    return journey.record(settlement, milestone, on, "partner", today, NOW)  # type: ignore[arg-type]


def test_an_accepted_plan_begins_a_settlement_awaiting_the_first_contact() -> None:
    _, proposed, _ = two_places_one_taken()
    plan = concertation.accept(proposed, NOW)

    settlement = journey.open_settlement(plan, NOW)

    assert settlement is not None
    assert (settlement.status, settlement.region, settlement.welcoming_partner_id) == (
        "awaiting_contact",
        plan.region,
        plan.welcoming_partner_id,
    )
    assert (settlement.case_id, settlement.referral_id, settlement.steps) == (
        plan.case_id,
        plan.referral_id,
        [],
    )


def test_a_household_goes_from_first_contact_to_settled_in_the_region() -> None:
    later = [TODAY + timedelta(days=d) for d in (0, 10, 40, 41, 200)]
    settlement = accepted_plan()
    settlement = step(settlement, "first_contact", later[0], today=later[0])
    settlement = step(settlement, "exploratory_visit", later[1], today=later[1])
    settlement = step(settlement, "move", later[2], today=later[1])  # planned a month ahead
    settlement = step(settlement, "arrival", later[3], today=later[3])

    closed = journey.close(settlement, "settled_in_region", later[4], None, "partner", later[4], NOW)

    assert (closed.status, closed.outcome, closed.closed_on) == ("closed", "settled_in_region", later[4])
    assert (closed.first_contact_on, closed.exploratory_visit_on, closed.move_on, closed.arrived_on) == tuple(
        later[:4]
    )
    assert [s.action for s in closed.steps] == [
        "first_contact",
        "exploratory_visit",
        "move",
        "arrival",
        "close",
    ]


def test_a_milestone_in_the_future_is_refused_naming_the_day() -> None:
    with pytest.raises(Rejected) as refused:
        step(accepted_plan(), "arrival", TODAY + timedelta(days=1))

    assert refused.value.field == "on"
    assert refused.value.message.code == "date_in_future"


def test_a_move_may_be_planned_ahead_but_not_years_ahead() -> None:
    ahead = TODAY + timedelta(days=journey.MOVE_AHEAD_DAYS)

    assert step(accepted_plan(), "move", ahead).move_on == ahead
    with pytest.raises(Rejected) as refused:
        step(accepted_plan(), "move", ahead + timedelta(days=1))
    assert (refused.value.field, refused.value.message.code) == ("on", "move_too_far")


def test_no_day_before_the_plan_was_accepted() -> None:
    with pytest.raises(Rejected) as refused:
        step(accepted_plan(), "first_contact", TODAY - timedelta(days=1))

    assert (refused.value.field, refused.value.message.code) == ("on", "date_before_acceptance")


def test_no_day_before_a_milestone_already_lived() -> None:
    visited = step(
        accepted_plan(), "exploratory_visit", TODAY + timedelta(days=5), today=TODAY + timedelta(days=5)
    )

    with pytest.raises(Rejected) as refused:
        step(visited, "arrival", TODAY + timedelta(days=4), today=TODAY + timedelta(days=9))
    assert (refused.value.field, refused.value.message.code) == ("on", "date_before_milestone")
    with pytest.raises(Rejected):
        journey.close(
            visited, "unreachable", TODAY + timedelta(days=3), None, "hub", TODAY + timedelta(days=9), NOW
        )


def test_a_household_may_arrive_before_its_planned_move_date() -> None:
    moving = step(accepted_plan(), "move", TODAY + timedelta(days=30))

    arrived = step(moving, "arrival", TODAY + timedelta(days=20), today=TODAY + timedelta(days=20))

    assert (arrived.status, arrived.move_on, arrived.arrived_on) == (
        "arrived",
        TODAY + timedelta(days=30),
        TODAY + timedelta(days=20),
    )


def test_milestones_may_be_skipped_forward_but_never_taken_back() -> None:
    arrived = step(accepted_plan(), "arrival", TODAY)  # the partner met the household on its arrival

    assert (arrived.status, arrived.first_contact_on) == ("arrived", None)
    with pytest.raises(Conflict) as refused:
        step(arrived, "first_contact", TODAY)
    assert refused.value.message.code == "settlement_step"


def test_a_move_date_may_be_planned_again() -> None:
    moving = step(accepted_plan(), "move", TODAY + timedelta(days=30))

    again = step(moving, "move", TODAY + timedelta(days=45))

    assert (again.status, again.move_on, [s.on for s in again.steps]) == (
        "moving",
        TODAY + timedelta(days=45),
        [TODAY + timedelta(days=30), TODAY + timedelta(days=45)],
    )


def test_the_region_moved_to_is_another_region_than_montreal_and_the_plans() -> None:
    settlement = accepted_plan()
    elsewhere = "03" if settlement.region != "03" else "04"

    moved = journey.close(settlement, "moved_to_another_region", TODAY, elsewhere, "hub", TODAY, NOW)

    assert moved.moved_to_region == elsewhere
    for wrong in ("06", settlement.region):
        with pytest.raises(Rejected) as refused:
            journey.close(settlement, "moved_to_another_region", TODAY, wrong, "hub", TODAY, NOW)
        assert (refused.value.field, refused.value.message.code) == ("moved_to_region", "region_for_outcome")
    with pytest.raises(Rejected) as refused:
        journey.close(settlement, "left_quebec", TODAY, elsewhere, "hub", TODAY, NOW)
    assert (refused.value.field, refused.value.message.code) == ("moved_to_region", "region_without_move")


def test_an_arrived_household_s_plan_is_lived_and_no_longer_released() -> None:
    _, proposed, _ = two_places_one_taken()
    plan = concertation.accept(proposed, NOW)
    settlement = journey.open_settlement(plan, NOW)
    assert settlement is not None

    journey.check_release(step(settlement, "move", TODAY + timedelta(days=9)), plan)  # not arrived: released
    journey.check_release(None, plan)  # no settlement: nothing to keep
    with pytest.raises(Conflict) as refused:
        journey.check_release(step(settlement, "arrival", TODAY), plan)
    assert refused.value.message.code == "plan_lived"
