"""The coordinated Montréal calendar: at most K regional activities a day, best preferred date first.

``decide`` is tested against a fake calendar (a dict from day to the proposals
already booked on it); no Kafka, no faust table.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid5

from services.common.contracts import ActivityKind, ActivityProposed, CalendarEntry
from services.events.domain import ALTERNATIVES, SEARCH_DAYS, BookedOn, decide, nearest_days_with_room

K = 3
NOW = datetime(2025, 9, 20, 10, 15, tzinfo=UTC)
ESTRIE = UUID("6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e")
SESSION = UUID("c4a1f0e2-93b7-4d58-a6e1-2f3b4c5d6e7f")
SATURDAY = date(2025, 10, 18)
NEXT_SATURDAY = date(2025, 10, 25)
SATURDAY_AFTER = date(2025, 11, 1)

Bookings = dict[date, set[UUID]]


def other_activities(day: date, count: int) -> set[UUID]:
    """``count`` activities of other regions already booked on ``day``."""
    return {uuid5(ESTRIE, f"{day.isoformat()}#{n}") for n in range(count)}


def full(*days: date, k: int = K) -> Bookings:
    """A calendar in which every one of ``days`` already has its ``k`` activities."""
    return {day: other_activities(day, k) for day in days}


def calendar(bookings: Bookings) -> BookedOn:
    """The fake ``booked_on`` of a calendar."""

    def booked_on(day: date) -> frozenset[UUID]:
        return frozenset(bookings.get(day, set()))

    return booked_on


def a_proposal(*preferred: date, proposal_id: UUID = SESSION) -> ActivityProposed:
    """An Estrie information session in Montréal wanted on ``preferred`` dates, best first."""
    return ActivityProposed(
        proposal_id=proposal_id,
        organizer_id=ESTRIE,
        regions=["05"],
        kind=ActivityKind.INFORMATION_SESSION,
        title="Séance d'information : vivre et travailler en Estrie",
        preferred_dates=list(preferred),
        proposed_at=NOW,
    )


def decide_on(proposal: ActivityProposed, bookings: Bookings, k: int = K) -> CalendarEntry:
    return decide(proposal, calendar(bookings), k, NOW)


def test_a_free_first_choice_is_scheduled_as_first_choice() -> None:
    entry = decide_on(a_proposal(SATURDAY, NEXT_SATURDAY), {})

    assert entry.status == "scheduled"
    assert entry.day == SATURDAY
    assert entry.preference_rank == 1
    assert entry.alternatives == []
    assert "first choice" in entry.reason
    assert "1 of 3" in entry.reason


def test_a_first_choice_with_room_left_is_scheduled_there() -> None:
    entry = decide_on(a_proposal(SATURDAY), {SATURDAY: other_activities(SATURDAY, K - 1)})

    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", SATURDAY, 1)
    assert "3 of 3" in entry.reason


def test_a_full_first_choice_moves_the_activity_to_the_second_choice() -> None:
    entry = decide_on(a_proposal(SATURDAY, NEXT_SATURDAY), full(SATURDAY))

    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", NEXT_SATURDAY, 2)
    assert "#2" in entry.reason
    assert "1 of 3" in entry.reason


def test_a_fourth_activity_on_a_full_saturday_is_not_possible() -> None:
    entry = decide_on(a_proposal(SATURDAY), full(SATURDAY))

    assert entry.status == "not_possible"
    assert entry.day is None
    assert entry.preference_rank is None
    assert "3" in entry.reason


def test_when_every_preferred_date_is_full_the_three_nearest_days_with_room_are_offered() -> None:
    sunday, monday, tuesday = (SATURDAY + timedelta(days=n) for n in (1, 2, 3))
    bookings = full(SATURDAY, sunday, tuesday, NEXT_SATURDAY) | {monday: other_activities(monday, K - 1)}
    proposal = a_proposal(SATURDAY, tuesday, NEXT_SATURDAY)

    entry = decide_on(proposal, bookings)

    assert entry.status == "not_possible"
    assert entry.alternatives == [monday, SATURDAY + timedelta(days=4), SATURDAY + timedelta(days=5)]


def test_offered_alternatives_are_after_the_first_choice_not_full_not_preferred_and_nearest_first() -> None:
    preferred = [SATURDAY, SATURDAY + timedelta(days=2), SATURDAY + timedelta(days=5)]
    crowded = [SATURDAY - timedelta(days=1), SATURDAY + timedelta(days=1), SATURDAY + timedelta(days=3)]
    bookings = full(*preferred, *crowded)

    entry = decide_on(a_proposal(*preferred), bookings)

    assert entry.status == "not_possible"
    assert 0 < len(entry.alternatives) <= ALTERNATIVES
    assert entry.alternatives == sorted(entry.alternatives)
    for day in entry.alternatives:
        assert day > SATURDAY
        assert day not in preferred
        assert len(bookings.get(day, set())) < K
    assert entry.alternatives == [
        SATURDAY + timedelta(days=4),
        SATURDAY + timedelta(days=6),
        SATURDAY + timedelta(days=7),
    ]


def test_no_alternative_is_offered_when_the_whole_next_month_is_full() -> None:
    month = [SATURDAY + timedelta(days=n) for n in range(SEARCH_DAYS + 1)]

    entry = decide_on(a_proposal(SATURDAY), full(*month))

    assert entry.status == "not_possible"
    assert entry.alternatives == []


def test_fewer_alternatives_are_offered_when_the_search_window_has_little_room() -> None:
    month = [SATURDAY + timedelta(days=n) for n in range(SEARCH_DAYS)]

    days = nearest_days_with_room([SATURDAY], calendar(full(*month)), K)

    assert days == [SATURDAY + timedelta(days=SEARCH_DAYS)]


def test_nearest_days_with_room_honours_the_count_asked() -> None:
    days = nearest_days_with_room([SATURDAY], calendar({}), K, count=5)

    assert days == [SATURDAY + timedelta(days=n) for n in range(1, 6)]


def test_a_redelivered_proposal_keeps_its_place_on_a_day_that_is_now_full() -> None:
    proposal = a_proposal(SATURDAY, NEXT_SATURDAY)
    bookings = {SATURDAY: other_activities(SATURDAY, K - 1) | {proposal.proposal_id}}

    entry = decide_on(proposal, bookings)

    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", SATURDAY, 1)
    assert "3 of 3" in entry.reason


def test_a_redelivered_proposal_is_not_counted_twice_on_its_day() -> None:
    proposal = a_proposal(SATURDAY)
    bookings = {SATURDAY: other_activities(SATURDAY, 1) | {proposal.proposal_id}}

    entry = decide_on(proposal, bookings)

    assert entry.day == SATURDAY
    assert "2 of 3" in entry.reason


def test_a_redelivered_proposal_on_its_second_choice_gets_the_same_decision_again() -> None:
    proposal = a_proposal(SATURDAY, NEXT_SATURDAY)
    already = other_activities(NEXT_SATURDAY, K - 1) | {proposal.proposal_id}
    bookings = full(SATURDAY) | {NEXT_SATURDAY: already}

    first = decide_on(proposal, bookings)
    again = decide_on(proposal, bookings)

    assert first == again
    assert (again.day, again.preference_rank) == (NEXT_SATURDAY, 2)


def test_a_proposal_booked_on_its_second_choice_stays_there_when_its_first_choice_gains_room() -> None:
    # The daily maximum was raised from 3 to 4 between two deliveries of the same proposal (a restart
    # with new settings): the proposal is already booked on its second choice and must stay there,
    # otherwise the worker books it on its first choice too and it takes two places.
    proposal = a_proposal(SATURDAY, NEXT_SATURDAY)
    bookings = full(SATURDAY) | {NEXT_SATURDAY: {proposal.proposal_id}}

    entry = decide_on(proposal, bookings, k=4)

    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", NEXT_SATURDAY, 2)


def test_with_one_activity_a_day_any_booking_fills_the_day() -> None:
    bookings = full(SATURDAY, k=1)

    entry = decide_on(a_proposal(SATURDAY, NEXT_SATURDAY), bookings, k=1)

    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", NEXT_SATURDAY, 2)
    assert "1 of 1" in entry.reason


def test_with_one_activity_a_day_the_nearest_free_days_are_offered() -> None:
    sunday = SATURDAY + timedelta(days=1)
    bookings = full(SATURDAY, sunday, k=1)

    entry = decide_on(a_proposal(SATURDAY), bookings, k=1)

    assert entry.status == "not_possible"
    assert entry.alternatives == [SATURDAY + timedelta(days=n) for n in (2, 3, 4)]
    assert re.search(r"\b1\b", entry.reason), entry.reason
    assert "maximum" in entry.reason


def test_a_not_possible_reason_names_the_daily_maximum() -> None:
    preferred = (SATURDAY, NEXT_SATURDAY, SATURDAY_AFTER)

    entry = decide_on(a_proposal(*preferred), full(*preferred))

    assert entry.status == "not_possible"
    assert "3 regional activities" in entry.reason
    assert "maximum" in entry.reason


def test_the_decision_carries_the_proposal_and_the_decision_time() -> None:
    proposal = a_proposal(SATURDAY)

    entry = decide_on(proposal, {})

    assert entry.proposal_id == proposal.proposal_id
    assert entry.organizer_id == proposal.organizer_id
    assert entry.regions == proposal.regions
    assert entry.kind == proposal.kind
    assert entry.title == proposal.title
    assert entry.decided_at == NOW
