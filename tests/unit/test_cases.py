"""Opening a person's case at the Montréal hub: one case per person, the same however often it is opened."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from services.common.contracts import ImmigrationStatus, InterestDeclared
from services.matching.domain import case_id_for, open_case

MARIE_EVE = UUID("0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c")
JOSE = UUID("4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8")
DECLARED_AT = datetime(2025, 9, 15, 14, 32, 5, tzinfo=UTC)


def an_interest(
    person_id: UUID = MARIE_EVE, regions: list[str] | None = None, language: str = "fr"
) -> InterestDeclared:
    """A nurse, permanent resident since 2024, interested in Estrie then Mauricie."""
    return InterestDeclared.model_validate(
        {
            "person_id": person_id,
            "immigration_status": ImmigrationStatus.PERMANENT_RESIDENT,
            "arrival_date": date(2024, 9, 3),
            "occupation": "31301",
            "french_level": 7,
            "preferred_regions": ["05", "04"] if regions is None else regions,
            "language": language,
            "declared_at": DECLARED_AT,
        }
    )


def test_a_persons_case_id_is_the_same_every_time() -> None:
    assert case_id_for(MARIE_EVE) == case_id_for(UUID(str(MARIE_EVE)))


def test_two_people_never_share_a_case() -> None:
    assert case_id_for(MARIE_EVE) != case_id_for(JOSE)


def test_a_case_id_is_not_the_person_id() -> None:
    assert case_id_for(MARIE_EVE) != MARIE_EVE


def test_the_case_opened_for_an_interest_has_the_persons_case_id() -> None:
    case = open_case(an_interest())

    assert case.case_id == case_id_for(MARIE_EVE)
    assert case.person_id == MARIE_EVE


def test_opening_the_same_interest_twice_gives_the_same_case() -> None:
    assert open_case(an_interest()) == open_case(an_interest())


def test_a_second_interest_of_the_same_person_opens_the_same_case() -> None:
    first = open_case(an_interest(regions=["05"]))
    second = open_case(an_interest(regions=["16", "05"]))

    assert first.case_id == second.case_id


def test_a_case_is_opened_at_the_time_the_interest_was_declared() -> None:
    case = open_case(an_interest())

    assert case.opened_at == DECLARED_AT


def test_a_new_case_is_open_with_the_persons_language_and_regions_in_order() -> None:
    case = open_case(an_interest(regions=["05", "04", "17"], language="en"))

    assert case.status == "open"
    assert case.language == "en"
    assert case.preferred_regions == ["05", "04", "17"]


def test_a_person_open_to_every_region_gets_a_case_without_preferred_regions() -> None:
    case = open_case(an_interest(regions=[]))

    assert case.preferred_regions == []
