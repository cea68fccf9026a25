"""Entitlements (pure): which support measures a person is entitled to, why, and what is missing.

Each measure's rules are data (``SupportMeasure.eligibility`` and
``exclusions``, see data/measures.json). A person's facts come from their
intake; a fact the intake does not hold yet is *missing*: the measure is then
``possible``, and the missing facts are what the counsellor should ask about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.common.clock import local_date
from services.common.contracts import Condition, Entitlement, InterestDeclared, Offer, SupportMeasure

Facts = Mapping[str, Any]
POST_SECONDARY = frozenset({"college", "bachelor", "master", "doctorate"})


def facts_of(interest: InterestDeclared) -> dict[str, Any]:
    """The facts an intake gives about a person (absent facts are simply not there)."""
    facts: dict[str, Any] = {"immigration_status": interest.immigration_status.value}
    if interest.arrival_date is not None:
        facts["months_since_arrival"] = _months_between(
            interest.arrival_date, local_date(interest.declared_at)
        )
    if interest.preferred_regions:
        facts["destination_region"] = interest.preferred_regions[0]
    if interest.french_level is not None:
        facts["french_level"] = interest.french_level
    if interest.age is not None:
        facts["age"] = interest.age
    if interest.studies is not None:
        facts["post_secondary_studies"] = interest.studies in POST_SECONDARY
    if interest.consents is not None:  # an intake of version 2 records the household
        facts["children"] = len(interest.household.children_ages)
    if interest.income_support is not None:
        facts["receives_social_assistance"] = interest.income_support == "social_assistance"
        facts["receives_employment_insurance"] = interest.income_support == "employment_insurance"
    return facts


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


def holds(condition: Condition, facts: Facts) -> bool | None:
    """Whether ``condition`` holds for ``facts``; None when the fact is missing."""
    if condition.fact not in facts:
        return None
    actual, expected = facts[condition.fact], condition.value
    match condition.op:
        case "eq":
            return bool(actual == expected)
        case "ne":
            return bool(actual != expected)
        case "in":
            return actual in expected if isinstance(expected, list) else actual == expected
        case "not_in":
            return actual not in expected if isinstance(expected, list) else actual != expected
        case "lt":
            return bool(actual < expected)
        case "le":
            return bool(actual <= expected)
        case "gt":
            return bool(actual > expected)
        case "ge":
            return bool(actual >= expected)
    raise ValueError(f"unknown operator {condition.op}")  # unreachable: op is a Literal


def evaluate(offer_id: Any, measure: SupportMeasure, facts: Facts) -> Entitlement:
    """The person's entitlement to one measure, with the reasons and the missing facts."""
    met_fr: list[str] = []
    met_en: list[str] = []
    failed_fr: list[str] = []
    failed_en: list[str] = []
    missing: list[str] = []
    region = facts.get("destination_region")
    if measure.regions and region is not None and region not in measure.regions:
        failed_fr.append(f"Offert seulement dans les régions {', '.join(measure.regions)}")
        failed_en.append(f"Offered only in regions {', '.join(measure.regions)}")
    for condition in measure.eligibility:
        result = holds(condition, facts)
        if result is None:
            missing.append(condition.fact)
        elif result:
            met_fr.append(condition.explanation_fr)
            met_en.append(condition.explanation_en)
        else:
            failed_fr.append(f"Condition non remplie : {condition.explanation_fr}")
            failed_en.append(f"Condition not met: {condition.explanation_en}")
    for exclusion in measure.exclusions:
        result = holds(exclusion, facts)
        if result is None:
            missing.append(exclusion.fact)
        elif result:
            failed_fr.append(f"Exclusion : {exclusion.explanation_fr}")
            failed_en.append(f"Excluded: {exclusion.explanation_en}")
    status = "not_entitled" if failed_fr else ("possible" if missing else "entitled")
    return Entitlement(
        measure_code=measure.code,
        measure_offer_id=offer_id,
        name_fr=measure.name_fr,
        name_en=measure.name_en,
        payee=measure.payee,
        status=status,
        reasons_fr=failed_fr or met_fr,
        reasons_en=failed_en or met_en,
        missing_facts=sorted(set(missing)) if status == "possible" else [],
    )


def entitlements(offers: list[Offer], facts: Facts) -> list[Entitlement]:
    """Every active support measure evaluated for ``facts``: entitled first, then possible, then not."""
    order = {"entitled": 0, "possible": 1, "not_entitled": 2}
    found = [
        evaluate(offer.offer_id, offer.measure, facts)
        for offer in offers
        if offer.measure is not None and offer.status == "active"
    ]
    return sorted(found, key=lambda e: (order[e.status], e.measure_code))
