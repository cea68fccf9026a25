"""Follow-up reminders (pure): on a follow-up's day its welcoming partner is reminded once; more than
30 days late, still unanswered, the hub is told once; an answered follow-up or a closed case is
reminded of no more. The clock is a FixedClock moved forward, as a worker's would move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.common.clock import FixedClock
from services.common.contracts import Settlement
from services.notifications.followup_reminders import FollowUpDue, reminder_key, reminders_due, still_due
from tests.email_samples import settlement

ARRIVED = date(2027, 1, 31)  # the 3-month follow-up is due on 30 April 2027


def at(day: date) -> FixedClock:
    """Noon in Montréal on ``day`` (17:00 UTC in winter, 16:00 in summer: the same day either way)."""
    return FixedClock(datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC))


class Worker:
    """What the timer and the agent do together: trigger, then send once (the send ledger)."""

    def __init__(self) -> None:
        self.ledger: set[str] = set()

    def check(self, clock: FixedClock, settlements: list[Settlement]) -> list[tuple[int, str]]:
        due = reminders_due(clock.today(), settlements, lambda key: key in self.ledger)
        self.ledger |= {reminder_key(d.case_id, d.month, d.to) for d in due}
        return [(d.month, d.to) for d in due]


def test_nothing_is_due_before_the_day_then_the_partner_is_reminded_once_on_the_day() -> None:
    household, worker = settlement(), Worker()
    clock = at(date(2027, 4, 29))
    assert worker.check(clock, [household]) == []

    clock.advance(timedelta(days=1))  # 30 April 2027
    assert worker.check(clock, [household]) == [(3, "partner")]
    assert worker.check(clock, [household]) == []  # the next check: sent already
    clock.advance(timedelta(days=10))
    assert worker.check(clock, [household]) == []


def test_more_than_30_days_late_the_hub_is_told_once() -> None:
    household, worker = settlement(), Worker()
    clock = at(date(2027, 4, 30))
    assert worker.check(clock, [household]) == [(3, "partner")]

    clock.advance(timedelta(days=30))  # 30 May: 30 days late, not more
    assert worker.check(clock, [household]) == []
    clock.advance(timedelta(days=1))
    assert worker.check(clock, [household]) == [(3, "hub")]
    clock.advance(timedelta(days=1))
    assert worker.check(clock, [household]) == []


def test_an_answered_follow_up_is_reminded_of_no_more_and_the_next_one_comes_on_its_day() -> None:
    worker = Worker()
    clock = at(date(2027, 4, 30))
    assert worker.check(clock, [settlement()]) == [(3, "partner")]
    answered = settlement().model_copy(update={"followups_answered": [3]})

    clock.advance(timedelta(days=60))  # the 3-month one answered: no word to the hub
    assert worker.check(clock, [answered]) == []
    clock.instant = at(date(2027, 7, 31)).instant  # the 6-month follow-up's day
    assert worker.check(clock, [answered]) == [(6, "partner")]


def test_a_worker_down_for_months_reminds_of_each_missed_follow_up_once() -> None:
    worker = Worker()
    clock = at(date(2027, 9, 1))  # 6-month day 31 July: 32 days late; 3-month one long overdue
    assert sorted(worker.check(clock, [settlement()])) == [
        (3, "hub"),
        (3, "partner"),
        (6, "hub"),
        (6, "partner"),
    ]
    assert worker.check(clock, [settlement()]) == []


def test_a_household_not_arrived_or_whose_case_is_closed_is_not_reminded_of() -> None:
    worker = Worker()
    clock = at(date(2029, 6, 1))
    moving = settlement().model_copy(update={"status": "moving", "arrived_on": None})
    closed = settlement().model_copy(update={"status": "closed", "outcome": "settled_in_region"})
    assert worker.check(clock, [moving, closed]) == []


def test_a_reminder_answered_before_its_agent_reads_it_is_not_sent() -> None:
    due = FollowUpDue(
        case_id=settlement().case_id, month=3, to="partner", due_on=date(2027, 4, 30), as_of=date(2027, 4, 30)
    )
    assert still_due(settlement(), due)
    assert not still_due(settlement().model_copy(update={"followups_answered": [3]}), due)
    assert not still_due(None, due)  # erased


def test_month_end_and_leap_year_arrivals_are_reminded_on_the_month_s_last_day() -> None:
    leap = settlement().model_copy(update={"arrived_on": date(2027, 11, 30)})  # 3 months: 29 Feb 2028
    worker = Worker()
    assert worker.check(at(date(2028, 2, 28)), [leap]) == []
    assert worker.check(at(date(2028, 2, 29)), [leap]) == [(3, "partner")]
