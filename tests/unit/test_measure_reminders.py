"""Measure reminders (pure): 14 days before a measure's deadline whoever handles it is reminded,
once; a measure paid or refused, a deadline passed or moved, is reminded of no more (a moved
deadline has its own reminder); a household no longer followed (plan released, case closed) neither.
The clock is a FixedClock moved forward, as a worker's would move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.common.clock import FixedClock
from services.common.contracts import MeasureLedger, Settlement
from services.notifications.measure_reminders import (
    REMIND_BEFORE_DAYS,
    MeasureDue,
    reminder_key,
    reminders_due,
    still_due,
)
from tests.email_samples import measures_ledger, settlement

DEADLINE = date(2027, 3, 15)  # the sample's exploratory trip, handled by the partner


def at(day: date) -> FixedClock:
    """Noon in Montréal on ``day`` (17:00 UTC in winter, 16:00 in summer: the same day either way)."""
    return FixedClock(datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC))


class Worker:
    """What the timer and the agent do together: trigger, then send once (the send ledger)."""

    def __init__(self, settlements: list[Settlement] | None = None) -> None:
        self.ledger: set[str] = set()
        followed = [settlement()] if settlements is None else settlements
        self.settlements = {s.case_id: s for s in followed}

    def check(self, clock: FixedClock, ledgers: list[MeasureLedger]) -> list[tuple[str, str, date]]:
        due = reminders_due(clock.today(), ledgers, self.settlements, lambda key: key in self.ledger)
        self.ledger |= {reminder_key(d.case_id, d.measure_code, d.deadline) for d in due}
        return [(d.measure_code, d.to, d.deadline) for d in due]


def with_entry(ledger: MeasureLedger, **update: object) -> MeasureLedger:
    return ledger.model_copy(update={"entries": [ledger.entries[0].model_copy(update=update)]})


def test_fourteen_days_before_the_deadline_its_handler_is_reminded_once() -> None:
    ledger, worker = measures_ledger(), Worker()
    clock = at(DEADLINE - timedelta(days=REMIND_BEFORE_DAYS + 1))
    assert worker.check(clock, [ledger]) == []

    clock.advance(timedelta(days=1))  # 1 March 2027: 14 days before
    assert worker.check(clock, [ledger]) == [("exploratory_trip", "partner", DEADLINE)]
    assert worker.check(clock, [ledger]) == []  # the next check: sent already
    clock.advance(timedelta(days=14))  # the deadline itself
    assert worker.check(clock, [ledger]) == []


def test_a_worker_down_on_the_day_reminds_when_it_comes_back_before_the_deadline_only() -> None:
    ledger = measures_ledger()
    assert Worker().check(at(DEADLINE), [ledger]) == [("exploratory_trip", "partner", DEADLINE)]
    assert Worker().check(at(DEADLINE + timedelta(days=1)), [ledger]) == []  # passed: nobody


def test_a_moved_deadline_is_reminded_again_and_the_old_one_is_no_longer_due() -> None:
    ledger, worker = measures_ledger(), Worker()
    clock = at(DEADLINE - timedelta(days=3))
    assert len(worker.check(clock, [ledger])) == 1
    later = DEADLINE + timedelta(days=30)
    moved = with_entry(ledger, deadline=later)
    assert worker.check(clock, [moved]) == []  # 33 days ahead: not yet
    clock.advance(timedelta(days=18))  # 15 days before the new deadline
    assert worker.check(clock, [moved]) == []
    clock.advance(timedelta(days=1))
    assert worker.check(clock, [moved]) == [("exploratory_trip", "partner", later)]
    old = MeasureDue(
        case_id=ledger.case_id,
        measure_code="exploratory_trip",
        to="partner",
        deadline=DEADLINE,
        as_of=DEADLINE,
    )
    assert still_due(moved, settlement(), old) is None


def test_a_measure_paid_or_refused_or_without_deadline_is_not_reminded() -> None:
    clock = at(DEADLINE - timedelta(days=1))
    for update in ({"status": "paid"}, {"status": "refused"}, {"deadline": None}):
        assert Worker().check(clock, [with_entry(measures_ledger(), **update)]) == []


def test_the_recipient_is_who_handles_it_and_a_granted_measure_is_still_reminded() -> None:
    clock = at(DEADLINE)
    for handled_by in ("partner", "counsellor", "hub"):
        ledger = with_entry(measures_ledger(), handled_by=handled_by, status="granted")
        assert Worker().check(clock, [ledger]) == [("exploratory_trip", handled_by, DEADLINE)]


def test_a_reminder_read_after_the_measure_was_paid_is_not_sent() -> None:
    ledger = measures_ledger()
    [due] = reminders_due(DEADLINE, [ledger], {ledger.case_id: settlement()}, lambda key: False)
    assert still_due(ledger, settlement(), due) is not None
    assert still_due(with_entry(ledger, status="paid"), settlement(), due) is None
    assert still_due(None, settlement(), due) is None  # erased
    closed = settlement().model_copy(update={"status": "closed"})
    assert still_due(ledger, closed, due) is None
    assert still_due(ledger, None, due) is None  # released


def test_a_household_no_longer_followed_is_not_reminded() -> None:
    clock = at(DEADLINE)
    closed = settlement().model_copy(update={"status": "closed"})
    assert Worker([closed]).check(clock, [measures_ledger()]) == []
    assert Worker([]).check(clock, [measures_ledger()]) == []  # the plan released: no settlement


def test_on_any_day_of_the_year_the_reminder_comes_exactly_14_days_before() -> None:
    day = date(2027, 1, 1)
    while day.year == 2027:
        ledger = with_entry(measures_ledger(), deadline=day)
        first = [
            offset for offset in range(-20, 2) if Worker().check(at(day + timedelta(days=offset)), [ledger])
        ]
        assert first == list(range(-REMIND_BEFORE_DAYS, 1))
        day += timedelta(days=37)
