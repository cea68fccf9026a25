"""What a round reads of cases.v1 (services/matching/snapshot.py): the latest record of each
household taking part, parsed into only what a round uses, validated as the whole case is, and
giving the same referral plans as the whole cases."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from services.common.codec import encode
from services.common.contracts import Case, CaseKey, Entitlement
from services.matching.concertation import Limits, Market, run_round
from services.matching.snapshot import RoundCase, read_cases
from tests.unit.matching_builders import NOW, case_for, intake, partner, person
from tests.unit.test_concertation import markets

ROUND = UUID(int=903)


def record(case: Case) -> tuple[bytes | None, bytes | None]:
    return encode(CaseKey(case_id=case.case_id)), encode(case)


def a_case(n: int = 1, regions: tuple[str, ...] = ("02", "05")) -> Case:
    found = partner(n, "02", ("fr",))
    case = case_for(person(n, list(regions)), [intake(n, found, 2)], [found])
    entitled = Entitlement(
        measure_code="PRIIME",
        measure_offer_id=UUID(int=77),
        name_fr="PRIIME",
        name_en="PRIIME",
        payee="employer",
        status="possible",
        reasons_fr=["Résidence permanente"],
        reasons_en=["Permanent residence"],
        missing_facts=["employer"],
    )
    return case.model_copy(update={"entitlements": [entitled]})


def test_a_case_read_for_a_round_keeps_what_the_round_uses() -> None:
    case = a_case()
    read = read_cases([record(case)], [case.person_id])[case.person_id]
    assert read == RoundCase.of(case)
    assert (read.case_id, read.person_id, read.status, read.counsellor_id) == (
        case.case_id,
        case.person_id,
        case.status,
        case.counsellor_id,
    )
    assert list(read.entitlements) == case.entitlements
    assert [r.region for r in read.regions] == [r.region for r in case.regions]
    assert [list(r.factors) for r in read.regions] == [r.factors for r in case.regions]
    kept = [
        sum(f.points for f in r.factors if f.factor not in ("welcoming", "service_language"))
        for r in case.regions
    ]
    assert [r.kept for r in read.regions] == kept


def test_the_latest_record_of_each_household_taking_part_is_read_and_a_tombstone_erases() -> None:
    first, other, erased = a_case(1), a_case(2), a_case(3)
    updated = first.model_copy(update={"status": "withdrawn"})
    records = [record(first), record(other), record(erased), record(updated), (record(erased)[0], None)]
    read = read_cases(records, [first.person_id, erased.person_id])
    assert set(read) == {first.person_id}  # the other household does not take part: not parsed
    assert read[first.person_id].status == "withdrawn"


def test_a_case_is_validated_as_the_whole_case_is() -> None:
    raw = encode(a_case())
    assert raw is not None
    for wrong in (b'"status":"open"', b'"schema_version":1'):
        bad = raw.replace(wrong, b'"status":"lost"' if b"status" in wrong else b'"schema_version":"1"')
        with pytest.raises(ValidationError):
            Case.model_validate_json(bad)
        with pytest.raises(ValidationError):
            RoundCase.parse(bad)


@settings(max_examples=60, deadline=None)
@given(markets())
def test_a_round_over_the_read_snapshot_gives_the_plans_of_the_whole_cases(market: Market) -> None:
    records = [record(case) for case in market.cases.values() if isinstance(case, Case)]
    read = Market(market.profiles, read_cases(records, market.cases), [], market.offers, market.partners)
    whole = run_round(ROUND, market, Limits(), NOW, "test")
    assert run_round(ROUND, read, Limits(), NOW, "test") == whole
