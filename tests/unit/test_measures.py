"""The measures ledger (services/matching/measures.py, lifecycle.MEASURE, measures_summary.py):
each measure a person is entitled to, from identified to paid or refused, the fields each step
may carry, and the hub's regional view with every figure on fewer than 5 people suppressed.

Days are relative to a pinned ``TODAY`` given to the functions, so these pass on any date.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from itertools import product
from typing import Any, Literal, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import (
    Case,
    Entitlement,
    MeasureAction,
    MeasureEntry,
    MeasureLedger,
    MeasureStatus,
)
from services.common.errors import Conflict, Rejected
from services.matching import measures
from services.matching.lifecycle import MEASURE, measure_allows
from services.matching.measures import MeasureChange
from services.matching.measures_summary import MIN_PEOPLE, shown, unclaimed_by_region
from tests.unit.matching_builders import NOW
from tests.unit.test_settlements import accepted_plan

TODAY = NOW.date()
TRIP, ALLOWANCE = "exploratory_trip", "francization_allowance"


def entitlement(code: str, status: Literal["entitled", "possible"] = "entitled") -> Entitlement:
    return Entitlement(
        measure_code=code,
        measure_offer_id=uuid.uuid5(uuid.NAMESPACE_URL, code),
        name_fr=code,
        name_en=code,
        payee="person",
        status=status,
    )


def case_with(*entitlements: Entitlement) -> Case:
    plan = accepted_plan()
    return Case(
        case_id=plan.case_id,
        person_id=plan.person_id,
        status="open",
        language="fr",
        preferred_regions=[plan.region],
        opened_at=NOW,
        entitlements=list(entitlements),
    )


def fresh_ledger() -> MeasureLedger:
    case = case_with(entitlement(TRIP), entitlement(ALLOWANCE), entitlement("priime", "possible"))
    return measures.ledger_of(accepted_plan(), case, None)


def change(action: str, on: date = TODAY, **fields: object) -> MeasureChange:
    return MeasureChange(action=action, on=on, **fields)  # type: ignore[arg-type]


def status_of(ledger: MeasureLedger, code: str) -> str:
    [entry] = [e for e in ledger.entries if e.measure_code == code]
    return entry.status


def test_each_measure_the_person_is_entitled_to_is_identified_on_the_ledger() -> None:
    ledger = fresh_ledger()
    assert [(e.measure_code, e.status, e.handled_by) for e in ledger.entries] == [
        (TRIP, "identified", "counsellor"),
        (ALLOWANCE, "identified", "counsellor"),
    ]  # a measure only possible (facts missing) is not on it
    assert ledger.region == accepted_plan().region


def test_a_measure_goes_from_identified_to_applied_for_granted_and_paid() -> None:
    ledger = fresh_ledger()
    deadline = TODAY + timedelta(days=30)
    ledger = measures.record(
        ledger, TRIP, change("update", handled_by="partner", deadline=deadline), "counsellor", TODAY, NOW
    )
    ledger = measures.record(ledger, TRIP, change("apply", amount_cad=Decimal("900")), "partner", TODAY, NOW)
    ledger = measures.record(ledger, TRIP, change("grant", amount_cad=Decimal("850")), "partner", TODAY, NOW)
    ledger = measures.record(ledger, TRIP, change("pay"), "hub", TODAY, NOW)
    [trip, allowance] = ledger.entries
    assert (trip.status, trip.handled_by, trip.deadline) == ("paid", "partner", deadline)
    assert (trip.expected_amount_cad, trip.granted_amount_cad, trip.paid_amount_cad) == (
        Decimal("900"),
        Decimal("850"),
        Decimal("850"),  # paid what was granted, when no other amount is given
    )
    assert [s.status for s in trip.steps] == ["identified", "applied_for", "granted", "paid"]
    assert allowance.status == "identified"


def test_a_recorded_measure_stays_when_the_person_is_no_longer_entitled_to_it() -> None:
    ledger = measures.record(fresh_ledger(), TRIP, change("apply"), "hub", TODAY, NOW)
    again = measures.ledger_of(accepted_plan(), case_with(entitlement(ALLOWANCE)), ledger)
    assert [(e.measure_code, e.status) for e in again.entries] == [
        (TRIP, "applied_for"),
        (ALLOWANCE, "identified"),
    ]


STATUSES: tuple[MeasureStatus, ...] = get_args(MeasureStatus)
ACTIONS: tuple[MeasureAction, ...] = get_args(MeasureAction)
ALLOWED = {
    ("identified", "update"): "identified",
    ("identified", "apply"): "applied_for",
    ("identified", "refuse"): "refused",
    ("applied_for", "update"): "applied_for",
    ("applied_for", "grant"): "granted",
    ("applied_for", "refuse"): "refused",
    ("granted", "update"): "granted",
    ("granted", "pay"): "paid",
}


def test_the_table_allows_exactly_the_forward_steps() -> None:
    for status, action in product(STATUSES, ACTIONS):
        assert measure_allows(status, action) == ((status, action) in ALLOWED)
        if (status, action) in ALLOWED:
            assert MEASURE[status][action] == ALLOWED[status, action]


PATHS: dict[MeasureStatus, list[tuple[str, dict[str, Any]]]] = {
    "identified": [],
    "applied_for": [("apply", {})],
    "granted": [("apply", {}), ("grant", {})],
    "paid": [("apply", {}), ("grant", {}), ("pay", {})],
    "refused": [("refuse", {"reason": "Hors délai"})],
}


@pytest.mark.parametrize(
    ("status", "action"), [(s, a) for s, a in product(STATUSES, ACTIONS) if (s, a) not in ALLOWED]
)
def test_an_action_the_status_refuses_is_a_conflict_with_its_code(status: MeasureStatus, action: str) -> None:
    ledger = fresh_ledger()
    for done, extra in PATHS[status]:
        ledger = measures.record(ledger, TRIP, change(done, **extra), "hub", TODAY, NOW)
    assert status_of(ledger, TRIP) == status
    fields: dict[str, Any] = {"reason": "Refus"} if action == "refuse" else {}
    with pytest.raises(Conflict) as refused:
        measures.record(ledger, TRIP, change(action, **fields), "hub", TODAY, NOW)
    assert refused.value.message.code == "measure_step"


@pytest.mark.parametrize(
    ("code", "asked", "field", "message"),
    [
        ("priime", change("apply"), "measure_code", "measure_unknown"),  # only possible
        (TRIP, change("apply", on=TODAY + timedelta(days=1)), "on", "date_in_future"),
        (TRIP, change("update", deadline=TODAY - timedelta(days=1)), "deadline", "measure_deadline_past"),
        (TRIP, change("refuse"), "reason", "measure_reason_needed"),
        (TRIP, change("refuse", reason="x", amount_cad=Decimal(1)), "amount_cad", "measure_amount_refused"),
        (TRIP, change("apply", reason="x"), "reason", "measure_reason_only_refused"),
    ],
)
def test_a_wrong_field_is_refused_naming_it(
    code: str, asked: MeasureChange, field: str, message: str
) -> None:
    with pytest.raises(Rejected) as refused:
        measures.record(fresh_ledger(), code, asked, "hub", TODAY, NOW)
    assert (refused.value.field, refused.value.message.code) == (field, message)


def test_a_step_is_not_dated_before_the_measures_last_step() -> None:
    applied = measures.record(fresh_ledger(), TRIP, change("apply"), "hub", TODAY, NOW)
    with pytest.raises(Rejected) as refused:
        measures.record(applied, TRIP, change("grant", on=TODAY - timedelta(days=1)), "hub", TODAY, NOW)
    assert (refused.value.field, refused.value.message.code) == ("on", "measure_date_before_step")


def test_a_deadline_today_is_accepted() -> None:
    ledger = measures.record(fresh_ledger(), TRIP, change("update", deadline=TODAY), "hub", TODAY, NOW)
    assert ledger.entries[0].deadline == TODAY


def someone(region: str, *entries: tuple[str, str, Decimal | None]) -> MeasureLedger:
    """A person's ledger in ``region``: (measure, status, amount expected) per entry."""
    plan = accepted_plan()
    ledger = measures.ledger_of(plan, None, None).model_copy(
        update={"person_id": uuid.uuid4(), "case_id": uuid.uuid4(), "region": region}
    )
    return ledger.model_copy(
        update={
            "entries": [
                MeasureEntry(measure_code=code, status=status, handled_by="hub", expected_amount_cad=amount)
                for code, status, amount in entries
            ]
        }
    )


def test_figures_on_fewer_than_five_people_are_suppressed() -> None:
    assert [shown(n) for n in range(7)] == [None, None, None, None, None, 5, 6]
    assert MIN_PEOPLE == 5
    ledgers = [someone("05", (TRIP, "identified", Decimal(100))) for _ in range(5)]
    ledgers += [
        someone("05", (TRIP, "granted", None), (ALLOWANCE, "identified", Decimal(40))) for _ in range(2)
    ]
    ledgers += [someone("09", (TRIP, "identified", Decimal(100))) for _ in range(4)]
    ledgers += [someone("12", (TRIP, "identified", Decimal(10))) for _ in range(5)]
    ledgers += [someone("12", (TRIP, "paid", None)) for _ in range(5)]
    [estrie, cote_nord, chaudiere] = unclaimed_by_region(ledgers)

    assert (estrie.region, estrie.entitled_people, estrie.unclaimed_people) == ("05", 7, 7)
    assert estrie.unclaimed_amount_cad == Decimal(580)  # 7 people with an amount known
    trip, allowance = estrie.measures  # by code
    assert (trip.measure_code, trip.entitled_people) == (TRIP, 7)
    # 5 have not claimed, so 2 have: the 5 would give the 2 away (and so would their amounts).
    assert (trip.unclaimed_people, trip.people_with_amount, trip.unclaimed_amount_cad) == (None, None, None)
    assert (allowance.entitled_people, allowance.unclaimed_people, allowance.unclaimed_amount_cad) == (
        None,
        None,
        None,
    )  # two people: nothing shown
    assert (cote_nord.entitled_people, cote_nord.unclaimed_people, cote_nord.unclaimed_amount_cad) == (
        None,
        None,
        None,
    )  # four people
    [paid_or_not] = chaudiere.measures
    assert (paid_or_not.entitled_people, paid_or_not.unclaimed_people, paid_or_not.people_with_amount) == (
        10,
        5,
        5,
    )
    assert paid_or_not.unclaimed_amount_cad == Decimal(50)


def test_claimed_measures_are_not_counted_as_unclaimed() -> None:
    ledgers = [
        someone("05", (TRIP, status, Decimal(10)))
        for status in ("applied_for", "granted", "paid", "refused", "identified", "identified")
    ]
    [estrie] = unclaimed_by_region(ledgers)
    assert (estrie.entitled_people, estrie.unclaimed_people, estrie.unclaimed_amount_cad) == (6, None, None)


ORDER = {"identified": 0, "applied_for": 1, "granted": 2, "paid": 3, "refused": 3}


@given(st.lists(st.sampled_from(ACTIONS), max_size=8))
def test_any_sequence_of_actions_only_moves_a_measure_forward(actions: list[MeasureAction]) -> None:
    ledger = fresh_ledger()
    for action in actions:
        before = status_of(ledger, TRIP)
        fields: dict[str, Any] = {"reason": "Refus"} if action == "refuse" else {}
        try:
            ledger = measures.record(ledger, TRIP, change(action, **fields), "hub", TODAY, NOW)
        except Conflict:
            assert not measure_allows(before, action)  # type: ignore[arg-type]
            continue
        after = status_of(ledger, TRIP)
        assert ORDER[after] >= ORDER[before]
        assert after == ALLOWED[before, action]
    assert status_of(ledger, ALLOWANCE) == "identified"  # the other measure is untouched


people = st.lists(
    st.tuples(
        st.sampled_from(["05", "09"]),
        st.sampled_from([TRIP, ALLOWANCE]),
        st.sampled_from(STATUSES),
        st.none() | st.integers(0, 5000).map(Decimal),
    ),
    max_size=30,
)


@given(people)
def test_no_figure_shown_rests_on_fewer_than_five_people(
    rows: list[tuple[str, str, str, Decimal | None]],
) -> None:
    ledgers = [someone(region, (code, status, amount)) for region, code, status, amount in rows]
    for region in unclaimed_by_region(ledgers):
        mine = [row for row in rows if row[0] == region.region]
        waiting = [row for row in mine if row[2] == "identified"]
        with_amount = [row for row in waiting if row[3] is not None]
        # Each row is a different person: the verifier counts rows.
        claimed = len(mine) - len(waiting)
        hidden = len(waiting) < MIN_PEOPLE or 0 < claimed < MIN_PEOPLE
        assert region.entitled_people == (len(mine) if len(mine) >= MIN_PEOPLE else None)
        assert region.unclaimed_people == (None if hidden else len(waiting))
        expected = sum((row[3] for row in with_amount if row[3] is not None), Decimal(0))
        shown_amount = not hidden and len(with_amount) >= MIN_PEOPLE
        assert region.unclaimed_amount_cad == (expected if shown_amount else None)
        for measure in region.measures:
            figures = [measure.entitled_people, measure.unclaimed_people, measure.people_with_amount]
            assert all(figure is None or figure >= MIN_PEOPLE for figure in figures)
            assert measure.unclaimed_amount_cad is None or measure.people_with_amount is not None
            if measure.unclaimed_people is None:
                assert (measure.people_with_amount, measure.unclaimed_amount_cad) == (None, None)
            if measure.entitled_people is not None and measure.unclaimed_people is not None:
                claimed = measure.entitled_people - measure.unclaimed_people
                assert claimed == 0 or claimed >= MIN_PEOPLE
