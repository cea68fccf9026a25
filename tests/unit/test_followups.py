"""Follow-ups at 3, 6, 12 and 24 months (pure): the schedule from the arrival day, month ends and
leap years included, and who may answer which follow-up when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import FollowUpAnswers, Settlement
from services.common.errors import Conflict, Rejected
from services.common.followup_schedule import add_months, due_days, opens_on, overdue
from services.matching import followups
from tests.unit.matching_builders import NOW
from tests.unit.test_settlements import accepted_plan, step

ANSWERS = FollowUpAnswers(
    in_region="yes", work="in_field", housing="permanent", children_at_school="all_at_school",
    french_courses="attending",
)  # fmt: skip


def arrived(on: date) -> Settlement:
    return accepted_plan().model_copy(update={"status": "arrived", "arrived_on": on})


@pytest.mark.parametrize(
    ("arrived_on", "months", "due"),
    [
        (date(2027, 1, 31), 3, date(2027, 4, 30)),  # April has 30 days
        (date(2027, 1, 31), 6, date(2027, 7, 31)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # into a leap February
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # an ordinary February
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day, a year later
        (date(2028, 2, 29), 24, date(2030, 2, 28)),
        (date(2027, 10, 15), 3, date(2028, 1, 15)),  # into the next year
        (date(2027, 12, 31), 6, date(2028, 6, 30)),
    ],
)
def test_a_follow_up_is_due_the_same_day_months_later_or_the_month_s_last_day(
    arrived_on: date, months: int, due: date
) -> None:
    assert add_months(arrived_on, months) == due


def test_the_four_follow_ups_of_a_household_arrived_on_31_january_2027() -> None:
    assert due_days(date(2027, 1, 31)) == {
        3: date(2027, 4, 30),
        6: date(2027, 7, 31),
        12: date(2028, 1, 31),
        24: date(2029, 1, 31),
    }


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.sampled_from([3, 6, 12, 24]))
def test_months_later_is_in_the_right_month_never_past_the_day_and_never_skips_one(
    day: date, months: int
) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    assert later.day == day.day or (later + timedelta(days=1)).month != later.month  # else the last day


def test_overdue_is_more_than_30_days_past_the_day() -> None:
    due = date(2027, 4, 30)
    assert not overdue(due, due + timedelta(days=30))
    assert overdue(due, due + timedelta(days=31))


def test_a_follow_up_opens_two_weeks_before_its_day_and_is_answered_once() -> None:
    settlement = arrived(date(2027, 1, 31))
    due = date(2027, 4, 30)
    with pytest.raises(Rejected) as early:
        followups.answer(settlement, None, 3, ANSWERS, "partner", opens_on(due) - timedelta(days=1), NOW)
    assert (early.value.field, early.value.message.code) == ("month", "followup_not_due")

    first = followups.answer(settlement, None, 3, ANSWERS, "partner", opens_on(due), NOW)
    assert [(d.month, d.due_on, d.answered_on, d.by_role) for d in first.answered] == [
        (3, due, opens_on(due), "partner")
    ]
    assert (first.case_id, first.person_id, first.arrived_on) == (
        settlement.case_id,
        settlement.person_id,
        date(2027, 1, 31),
    )
    with pytest.raises(Conflict) as again:
        followups.answer(settlement, first, 3, ANSWERS, "person", due, NOW)
    assert again.value.message.code == "followup_answered"


def test_four_follow_ups_answered_are_kept_in_the_order_of_their_months() -> None:
    settlement = arrived(date(2027, 1, 31))
    current = None
    for month, role in ((6, "person"), (3, "partner"), (24, "hub"), (12, "delegate")):
        day = due_days(date(2027, 1, 31))[month]  # type: ignore[index]
        current = followups.answer(settlement, current, month, ANSWERS, role, day, NOW)  # type: ignore[arg-type]
    assert current is not None
    assert [d.month for d in current.answered] == [3, 6, 12, 24]


def test_no_follow_up_before_the_arrival_is_recorded() -> None:
    contacted = step(accepted_plan(), "first_contact", NOW.date())
    with pytest.raises(Conflict) as refused:
        followups.answer(contacted, None, 3, ANSWERS, "partner", NOW.date() + timedelta(days=400), NOW)
    assert refused.value.message.code == "followup_before_arrival"


def test_a_closed_case_is_no_longer_followed_up() -> None:
    closed = arrived(date(2027, 1, 31)).model_copy(update={"status": "closed", "outcome": "left_quebec"})
    with pytest.raises(Conflict) as refused:
        followups.answer(closed, None, 3, ANSWERS, "partner", date(2027, 4, 30), NOW)
    assert refused.value.message.code == "settlement_step"
