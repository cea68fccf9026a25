"""The queue of cases waiting for a counsellor: oldest first, per language, never a place given twice."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import Counsellor
from services.matching.domain import CaseSummary, assign_waiting, assigned_from_queue, open_case
from services.matching.state import People

from .test_cases import an_interest


def counsellor(n: int, languages: list[str], cap: int = 1) -> Counsellor:
    return Counsellor(
        counsellor_id=UUID(int=n),
        name=f"C{n}",
        email=f"c{n}@hub.example.org",
        languages=languages,
        max_cases=cap,
    )


def waiting(n: int, language: str = "fr", minutes: int | None = None) -> CaseSummary:
    """Person n's case, opened `minutes` (default n) minutes after the first, without a counsellor."""
    interest = an_interest(UUID(int=1000 + n), language=language)
    later = interest.declared_at + timedelta(minutes=n if minutes is None else minutes)
    return CaseSummary.of(open_case(interest.model_copy(update={"declared_at": later})))


def test_a_freed_place_goes_to_the_case_that_waited_longest() -> None:
    first, second, third = waiting(1), waiting(2), waiting(3)
    lea = counsellor(1, ["fr"], cap=1)

    chosen = assign_waiting([third, first, second], [lea], {})

    assert chosen == [(first, lea)]


def test_a_case_nobody_free_can_take_does_not_hold_back_the_cases_behind_it() -> None:
    english, french = waiting(1, "en"), waiting(2, "fr")
    lea = counsellor(1, ["fr"], cap=2)

    assert assign_waiting([english, french], [lea], {}) == [(french, lea)]


def test_a_full_or_inactive_counsellor_takes_no_waiting_case() -> None:
    lea, karim = counsellor(1, ["fr"], cap=1), counsellor(2, ["fr"]).model_copy(update={"active": False})

    assert assign_waiting([waiting(1)], [lea, karim], {lea.counsellor_id: 1}) == []


def test_a_case_taken_from_the_queue_says_when_and_keeps_it_on_update() -> None:
    interest = an_interest()
    case = open_case(interest)
    at = interest.declared_at + timedelta(hours=3)

    taken = assigned_from_queue(case, UUID(int=7), at)
    assert (taken.counsellor_id, taken.counsellor_assigned_at) == (UUID(int=7), at)
    revised = interest.model_copy(update={"revision": 2})
    updated = open_case(revised, previous=CaseSummary.of(taken), counsellor_id=UUID(int=7), now=at)
    assert updated.counsellor_assigned_at == at
    assert open_case(interest, counsellor_id=UUID(int=7)).counsellor_assigned_at is None


def test_the_worker_state_knows_which_cases_wait_and_forgets_them_once_held_or_erased() -> None:
    people = People()
    one, two = waiting(1), waiting(2)
    people.wrote(one)
    people.wrote(two)
    assert {s.person_id for s in people.waiting()} == {one.person_id, two.person_id}
    people.wrote(one.model_copy(update={"counsellor_id": UUID(int=1)}))
    people.erase_case(two.person_id)
    assert people.waiting() == []
    assert people.caseload() == {UUID(int=1): 1}


@given(
    st.lists(st.tuples(st.sampled_from(["fr", "en"]), st.integers(0, 50)), max_size=25),
    st.lists(st.tuples(st.sampled_from([["fr"], ["en"], ["fr", "en"]]), st.integers(1, 4)), max_size=5),
)
def test_the_queue_never_exceeds_a_cap_and_serves_each_language_in_order_of_waiting(
    cases: list[tuple[str, int]], staff: list[tuple[list[str], int]]
) -> None:
    queue = [waiting(i, language, minutes) for i, (language, minutes) in enumerate(cases)]
    counsellors = [counsellor(i + 1, languages, cap) for i, (languages, cap) in enumerate(staff)]

    chosen = assign_waiting(queue, counsellors, {})

    taken = {summary.case_id for summary, _ in chosen}
    assert len(taken) == len(chosen)  # each case once
    for c in counsellors:
        held = [s for s, by in chosen if by.counsellor_id == c.counsellor_id]
        assert len(held) <= c.max_cases
        assert all(s.language in c.languages for s in held)
    # A case left waiting: every counsellor of its language is full, and held only cases that waited longer.
    for left in (s for s in queue if s.case_id not in taken):
        for c in (c for c in counsellors if left.language in c.languages):
            held = [s for s, by in chosen if by.counsellor_id == c.counsellor_id]
            assert len(held) == c.max_cases
            assert all((s.opened_at, str(s.case_id)) < (left.opened_at, str(left.case_id)) for s in held)
