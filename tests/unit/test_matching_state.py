"""The matching worker's slim state: case summaries, caseloads and replayed interest records."""

from __future__ import annotations

from uuid import UUID

from services.common.codec import encode
from services.common.contracts import Consents
from services.matching.domain import CaseSummary, open_case
from services.matching.state import People

from .test_cases import JOSE, MARIE_EVE, an_interest

LEA = UUID("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")
KARIM = UUID("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")


def a_summary(person: UUID, counsellor: UUID | None, *, withdrawn: bool = False) -> CaseSummary:
    interest = an_interest(person)
    if withdrawn:
        interest = interest.model_copy(update={"withdrawn_at": interest.declared_at, "revision": 2})
    return CaseSummary.of(open_case(interest, counsellor_id=counsellor))


def test_a_summary_keeps_what_an_update_of_the_case_needs() -> None:
    case = open_case(an_interest(), counsellor_id=LEA)
    summary = CaseSummary.model_validate_json(encode(case) or b"")
    assert summary == CaseSummary.of(case)
    again = open_case(an_interest(), previous=summary, counsellor_id=LEA)
    assert again == case  # the same revision from a summary gives the same case


def test_caseloads_count_open_cases_only_and_follow_updates_and_erasures() -> None:
    people = People()
    people.wrote(a_summary(MARIE_EVE, LEA))
    people.wrote(a_summary(JOSE, LEA))
    assert people.caseload() == {LEA: 2}
    people.wrote(a_summary(JOSE, LEA, withdrawn=True))  # a withdrawn case frees its place
    assert people.caseload() == {LEA: 1}
    people.wrote(a_summary(MARIE_EVE, KARIM))  # moved to another counsellor
    assert people.caseload() == {KARIM: 1}
    people.erase_case(MARIE_EVE)
    assert people.caseload() == {}
    assert people.summary(MARIE_EVE) is None
    assert people.summary(JOSE) is not None


def test_a_replayed_interest_record_that_a_later_one_supersedes_is_recognised() -> None:
    people = People()
    first, erased = (0, 10), (0, 42)
    people.read_interest(MARIE_EVE, encode(an_interest()), first)
    people.read_interest(MARIE_EVE, None, erased)  # erasure: a tombstone
    assert people.profile(MARIE_EVE) is None
    assert people.superseded(MARIE_EVE, first)  # replaying revision 1 must not reopen the case
    assert not people.superseded(MARIE_EVE, erased)
    assert not people.superseded(MARIE_EVE, (0, 43))  # a new declaration after the erasure
    assert not people.superseded(JOSE, first)  # someone never seen


def test_profiles_are_kept_as_bytes_and_decoded_on_demand() -> None:
    people = People()
    people.read_interest(MARIE_EVE, encode(an_interest()), (0, 1))
    assert people.profile(MARIE_EVE) == an_interest()
    assert people.profile(JOSE) is None


def test_only_open_cases_of_people_who_agreed_to_referral_take_part_in_rounds() -> None:
    people = People()
    refused = an_interest(LEA).model_copy(
        update={"consents": Consents(contact=True, referral=False, share_contact=False)}
    )
    for person, interest in ((MARIE_EVE, an_interest()), (JOSE, an_interest(JOSE)), (LEA, refused)):
        people.read_interest(person, encode(interest), (0, 1))
        people.wrote(CaseSummary.of(open_case(interest)))
    people.wrote(a_summary(JOSE, None, withdrawn=True))
    assert people.taking_part() == [MARIE_EVE]
