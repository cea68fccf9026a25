"""Entitlements computed from the default support-measure catalogue (data/measures.json)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from services.common.contracts import Entitlement, ImmigrationStatus, InterestDeclared, Offer
from services.matching.domain import open_case
from services.matching.entitlements import entitlements, evaluate, facts_of
from services.partners.catalogue import catalogue_offers, default_measures

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def _by_code(facts: dict[str, Any]) -> dict[str, Entitlement]:
    return {e.measure_code: e for e in entitlements(catalogue_offers(NOW), facts)}


def test_a_temporary_worker_is_no_longer_entitled_to_public_employment_services() -> None:
    found = _by_code({"immigration_status": "temporary_worker"})["public_employment_services"]
    assert found.status == "not_entitled"
    assert "2025-02-01" in found.reasons_en[0]


def test_a_permanent_resident_is_entitled_to_public_employment_services_with_no_missing_fact() -> None:
    found = _by_code({"immigration_status": "permanent_resident"})["public_employment_services"]
    assert (found.status, found.missing_facts) == ("entitled", [])


def test_an_asylum_seeker_gets_no_francization_allowance() -> None:
    facts = {"immigration_status": "asylum_seeker", "french_course_full_time": True, "children": 2}
    found = _by_code(facts)
    assert found["francization_participation_allowance"].status == "not_entitled"
    assert found["francization_childcare_allowance"].status == "not_entitled"


def test_social_assistance_excludes_the_participation_allowance_but_not_childcare() -> None:
    facts = {
        "immigration_status": "permanent_resident",
        "french_course_full_time": True,
        "children": 1,
        "receives_social_assistance": True,
        "receives_employment_insurance": False,
    }
    found = _by_code(facts)
    assert found["francization_participation_allowance"].status == "not_entitled"
    assert found["francization_participation_allowance"].reasons_fr == ["Exclusion : Reçoit l'aide sociale"]
    assert found["francization_childcare_allowance"].status == "entitled"


def test_missing_facts_make_a_measure_possible_and_say_what_to_ask() -> None:
    found = _by_code({"immigration_status": "permanent_resident"})["francization_participation_allowance"]
    assert found.status == "possible"
    assert found.missing_facts == [
        "french_course_full_time",
        "receives_employment_insurance",
        "receives_social_assistance",
    ]


def test_the_youth_exploratory_trip_is_for_ages_18_to_35_with_post_secondary_studies() -> None:
    young = _by_code({"age": 29, "post_secondary_studies": True})["exploratory_trip_youth"]
    older = _by_code({"age": 41, "post_secondary_studies": True})["exploratory_trip_youth"]
    assert young.status == "entitled"
    assert older.status == "not_entitled"
    assert older.reasons_en == ["Condition not met: Aged 35 or under"]


def test_priime_is_paid_to_the_employer_only_with_a_services_quebec_letter() -> None:
    facts = {
        "job_offer_in_hand": True,
        "job_hours_per_week": 35,
        "significant_north_american_experience_in_field": False,
    }
    without_letter = _by_code({**facts, "services_quebec_eligibility_letter": False})["priime_wage_subsidy"]
    with_letter = _by_code({**facts, "services_quebec_eligibility_letter": True})["priime_wage_subsidy"]
    assert without_letter.status == "not_entitled"
    assert (with_letter.status, with_letter.payee) == ("entitled", "employer")


def test_a_measure_limited_to_some_regions_is_not_offered_elsewhere() -> None:
    measure = default_measures()[0].model_copy(update={"regions": ["08"]})
    found = evaluate(uuid.uuid4(), measure, {"immigration_status": "citizen", "destination_region": "05"})
    assert found.status == "not_entitled"
    assert "08" in found.reasons_en[0]


def test_withdrawn_measures_are_not_evaluated() -> None:
    offers = catalogue_offers(NOW)
    withdrawn = [offers[0].model_copy(update={"status": "withdrawn"}), *offers[1:]]
    codes = {e.measure_code for e in entitlements(withdrawn, {})}
    assert offers[0].measure is not None
    assert offers[0].measure.code not in codes
    assert len(codes) == len(offers) - 1


def test_the_intake_gives_status_months_since_arrival_first_region_and_french_level() -> None:
    interest = InterestDeclared(
        person_id=uuid.uuid4(),
        immigration_status=ImmigrationStatus.PROTECTED_PERSON,
        arrival_date=date(2025, 5, 20),
        french_level=6,
        preferred_regions=["02", "05"],
        language="fr",
        declared_at=NOW,
    )
    assert facts_of(interest) == {
        "immigration_status": "protected_person",
        "months_since_arrival": 18,
        "destination_region": "02",
        "french_level": 6,
    }


def test_a_case_lists_entitled_measures_first() -> None:
    interest = InterestDeclared(
        person_id=uuid.uuid4(),
        immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
        preferred_regions=["05"],
        language="en",
        declared_at=NOW,
    )
    offers: list[Offer] = catalogue_offers(NOW)
    case = open_case(interest, entitlements(offers, facts_of(interest)))
    statuses = [e.status for e in case.entitlements]
    assert statuses == sorted(statuses, key=["entitled", "possible", "not_entitled"].index)
    assert {e.measure_code for e in case.entitlements if e.status == "entitled"} == {
        "exploratory_trip",
        "public_employment_services",
    }
