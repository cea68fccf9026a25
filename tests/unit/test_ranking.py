"""Ranking regions and offers for a person, each score with the factors a person can read."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import Counsellor, Occupation
from services.matching.domain import assign_counsellor
from services.matching.ranking import JobFit, by_region, job_score, rank_regions, suggest_offers
from tests.unit.matching_builders import (
    TODAY,
    household,
    intake,
    job,
    occupations,
    partner,
    person,
    settlement,
)

ESTRIE, MAURICIE, SAGUENAY = "05", "04", "02"


def test_the_persons_own_order_of_regions_comes_first_whatever_the_jobs() -> None:
    sanc, mauricie = partner(1, ESTRIE), partner(2, MAURICIE)
    offers = [intake(1, sanc, 3), intake(2, mauricie, 3), job(3, MAURICIE, "31301", positions=5)]
    nurse = person(1, [ESTRIE, MAURICIE], occupations=occupations("31301"))

    ranked = rank_regions(nurse, by_region(offers, TODAY), {p.partner_id: p for p in (sanc, mauricie)})

    assert [r.region for r in ranked] == [ESTRIE, MAURICIE]
    assert {f.factor for f in ranked[1].factors} >= {"preference", "job_match", "service_language"}
    assert ranked[1].score > ranked[0].score - 40  # the job counts, but the person's choice decides


def test_someone_open_to_any_region_gets_every_reachable_destination_ranked_by_fit() -> None:
    saguenay, estrie, montreal = partner(1, SAGUENAY), partner(2, ESTRIE), partner(3, "06")
    offers = [
        intake(1, saguenay, 2),
        intake(2, estrie, 2),
        intake(3, montreal, 9),
        job(4, SAGUENAY, "72410", french=5),
    ]
    welder = person(1, [], open_to_any_region=True, occupations=occupations("72410"), french_level=6)

    ranked = rank_regions(
        welder, by_region(offers, TODAY), {p.partner_id: p for p in (saguenay, estrie, montreal)}
    )

    assert [r.region for r in ranked] == [SAGUENAY, ESTRIE]  # not Montréal, not where nobody welcomes
    assert [f.factor for f in ranked[0].factors] == ["preference", "job_match", "service_language"]


def test_a_region_without_any_welcoming_place_is_marked_unreachable_and_explained() -> None:
    ranked = rank_regions(person(1, [ESTRIE]), by_region([], TODAY), {})

    [estrie] = ranked
    assert estrie.score < -50
    assert any("No welcoming organization" in f.detail_en for f in estrie.factors)


def test_an_english_speaker_is_told_when_a_region_welcomes_in_french_only() -> None:
    french_only = partner(1, ESTRIE)
    offers = [intake(1, french_only, 2)]

    [estrie] = rank_regions(
        person(1, [ESTRIE], language="en"), by_region(offers, TODAY), {french_only.partner_id: french_only}
    )

    assert ("service_language", -10) in {(f.factor, f.points) for f in estrie.factors}


def test_jobs_are_suggested_by_occupation_and_french_level_with_reasons_in_both_languages() -> None:
    offers = [
        job(1, ESTRIE, "31301", french=7),  # same occupation, French OK
        job(2, ESTRIE, "31302", french=7),  # same minor group
        job(3, ESTRIE, "31301", french=11),  # French far too low: not suggested
        job(4, ESTRIE, "72410"),  # unrelated
    ]
    nurse = person(1, [ESTRIE], occupations=occupations("31301", years=6), french_level=8)

    suggested = suggest_offers(nurse, by_region(offers, TODAY), [ESTRIE])

    assert [s.offer_id for s in suggested] == [offers[0].offer_id, offers[1].offer_id]
    best = suggested[0]
    assert [f.factor for f in best.factors] == ["job_match", "experience", "french"]
    assert "Même profession" in best.factors[0].detail_fr
    assert "Same occupation" in best.factors[0].detail_en


def test_a_job_closing_before_the_person_can_move_is_not_suggested() -> None:
    closing = job(1, ESTRIE, "31301")
    assert closing.job is not None
    closing = closing.model_copy(
        update={"job": closing.job.model_copy(update={"closing_date": TODAY + timedelta(days=10)})}
    )
    later = person(
        1, [ESTRIE], occupations=occupations("31301"), earliest_move_date=TODAY + timedelta(days=30)
    )

    assert suggest_offers(later, by_region([closing], TODAY), [ESTRIE]) == []


def test_childcare_is_suggested_to_a_household_with_young_children_only() -> None:
    offers = [settlement(1, ESTRIE, "childcare"), settlement(2, ESTRIE, "housing_help")]
    family = person(1, [ESTRIE], household=household(2, 3, 8))
    single = person(2, [ESTRIE])

    assert {s.title for s in suggest_offers(family, by_region(offers, TODAY), [ESTRIE])} == {
        "childcare (05)",
        "housing_help (05)",
    }
    assert {s.title for s in suggest_offers(single, by_region(offers, TODAY), [ESTRIE])} == {
        "housing_help (05)"
    }


def counsellor(n: int, languages: list[str], cap: int = 2) -> Counsellor:
    return Counsellor(
        counsellor_id=UUID(int=n),
        name=f"C{n}",
        email=f"c{n}@hub.example.org",
        languages=languages,
        max_cases=cap,
    )


def test_a_case_goes_to_the_counsellor_speaking_the_language_with_the_lowest_caseload_under_the_cap() -> None:
    fr_busy, fr_free, en_only = counsellor(1, ["fr"]), counsellor(2, ["fr", "en"]), counsellor(3, ["en"])
    load = {fr_busy.counsellor_id: 1, fr_free.counsellor_id: 0, en_only.counsellor_id: 0}

    assert assign_counsellor("fr", [fr_busy, fr_free, en_only], load) == fr_free
    assert assign_counsellor("en", [fr_busy, fr_free, en_only], load) in (fr_free, en_only)
    full = {fr_busy.counsellor_id: 2, fr_free.counsellor_id: 2}
    assert assign_counsellor("fr", [fr_busy, fr_free], full) is None
    inactive = fr_free.model_copy(update={"active": False})
    assert assign_counsellor("fr", [inactive], {}) is None


def test_ties_between_counsellors_go_to_the_same_one_every_time() -> None:
    first, second = counsellor(1, ["fr"]), counsellor(2, ["fr"])

    assert (
        assign_counsellor("fr", [second, first], {}) == assign_counsellor("fr", [first, second], {}) == first
    )


def test_an_occupation_given_only_by_its_title_counts_as_unknown_until_a_counsellor_codes_it() -> None:
    from services.common.contracts import Occupation

    titled = Occupation(title="Luthière", years=8)
    coded = Occupation(cnp="21231", years=2)
    assert titled.cnp is None
    with pytest.raises(ValueError, match="CNP code or its title"):
        Occupation(years=3)
    from services.common.contracts import InterestDeclared

    interest = InterestDeclared.model_validate(
        {
            "person_id": "00000000-0000-4000-8000-000000000001",
            "immigration_status": "permanent_resident",
            "language": "fr",
            "declared_at": "2026-12-01T10:00:00Z",
            "occupations": [titled.model_dump(), coded.model_dump()],
        }
    )
    assert interest.cnp_codes == ["21231"]


CODES = ["31301", "31302", "31100", "32101", "72410", "21231"]


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=3),
    years=st.floats(0, 60, allow_nan=False),
    stays=st.booleans(),
    level=st.none() | st.integers(1, 12),
    required=st.none() | st.integers(1, 12),
    cnp=st.sampled_from(CODES),
)
def test_a_jobs_points_alone_are_its_scores_points(
    codes: list[str], years: float, stays: bool, level: int | None, required: int | None, cnp: str
) -> None:
    held = [
        Occupation(cnp=code, years=years if n == 0 else years / 3, stays_in_field=stays)
        for n, code in enumerate(codes)
    ]
    someone = person(1, [ESTRIE], occupations=held, french_level=level)
    offer = job(1, ESTRIE, cnp, french=required)
    fit = JobFit(someone)
    assert fit.points(offer) == fit.score(offer)[0] == job_score(someone, offer)[0]
