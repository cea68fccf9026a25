"""Concertation rounds: deferred acceptance, checked by a verifier that knows nothing of the algorithm."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.rounds import Household, Key, Welcomer, deferred_acceptance

ORGS = [UUID(int=1000 + n) for n in range(6)]


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[Household[UUID]], list[Welcomer[UUID]]]:
    """Up to 30 households, up to 6 organizations with capacities 0–5 and partial fits."""
    people = [UUID(int=n + 1) for n in range(draw(st.integers(0, 30)))]
    orgs = ORGS[: draw(st.integers(1, len(ORGS)))]
    households = [
        Household(person, draw(st.lists(st.sampled_from(orgs), unique=True, max_size=len(orgs))))
        for person in people
    ]
    welcomers = []
    for org in orgs:
        fit = {
            p: float(draw(st.integers(0, 10))) for p in people if draw(st.booleans()) or draw(st.booleans())
        }
        welcomers.append(Welcomer(org, draw(st.integers(0, 5)), fit))
    return households, welcomers


def blocking_pairs(
    match: Mapping[Key, Key | None], households: list[Household[Key]], welcomers: list[Welcomer[Key]]
) -> list[tuple[Key, Key]]:
    """Household h and organization o who would both rather be together than as matched."""
    held = {w.organization_id: [h for h, o in match.items() if o == w.organization_id] for w in welcomers}
    found = []
    for household in households:
        mine = match[household.household_id]
        better = (
            household.preferences[: household.preferences.index(mine)]
            if mine is not None
            else household.preferences
        )
        for org in better:
            welcomer = next((w for w in welcomers if w.organization_id == org), None)
            if welcomer is None or household.household_id not in welcomer.fit or welcomer.capacity == 0:
                continue
            members = held[org]
            if len(members) < welcomer.capacity or any(
                welcomer.ranks(household.household_id) < welcomer.ranks(m) for m in members
            ):
                found.append((household.household_id, org))
    return found


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_a_round_never_exceeds_a_capacity_and_gives_each_household_at_most_one_organization(
    case: tuple[list[Household[UUID]], list[Welcomer[UUID]]],
) -> None:
    households, welcomers = case
    match = deferred_acceptance(households, welcomers)
    assert set(match) == {h.household_id for h in households}
    taken = Counter(o for o in match.values() if o is not None)
    for welcomer in welcomers:
        assert taken[welcomer.organization_id] <= welcomer.capacity
    for household in households:
        org = match[household.household_id]
        if org is not None:
            assert org in household.preferences
            assert household.household_id in next(w for w in welcomers if w.organization_id == org).fit


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_a_round_leaves_no_blocking_pair(case: tuple[list[Household[UUID]], list[Welcomer[UUID]]]) -> None:
    households, welcomers = case
    assert blocking_pairs(deferred_acceptance(households, welcomers), households, welcomers) == []


@settings(max_examples=200, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_the_same_round_gives_the_same_referrals_whatever_the_order(
    case: tuple[list[Household[UUID]], list[Welcomer[UUID]]], shuffler: random.Random
) -> None:
    households, welcomers = case
    first = deferred_acceptance(households, welcomers)
    shuffled_households, shuffled_welcomers = list(households), list(welcomers)
    shuffler.shuffle(shuffled_households)
    shuffler.shuffle(shuffled_welcomers)
    assert deferred_acceptance(shuffled_households, shuffled_welcomers) == first


def test_the_best_fitting_households_get_the_last_places_of_a_popular_region() -> None:
    estrie, saguenay = ORGS[0], ORGS[1]
    a, b, c = UUID(int=1), UUID(int=2), UUID(int=3)
    households = [Household(a, [estrie, saguenay]), Household(b, [estrie]), Household(c, [estrie, saguenay])]
    welcomers = [
        Welcomer(estrie, capacity=1, fit={a: 3.0, b: 9.0, c: 5.0}),
        Welcomer(saguenay, capacity=1, fit={a: 8.0, c: 1.0}),
    ]
    assert deferred_acceptance(households, welcomers) == {a: saguenay, b: estrie, c: None}


def test_a_household_is_never_sent_where_it_did_not_ask_or_is_not_accepted() -> None:
    only = UUID(int=7)
    households = [Household(only, [ORGS[0]])]
    welcomers = [Welcomer(ORGS[0], capacity=5, fit={}), Welcomer(ORGS[1], capacity=5, fit={only: 10.0})]
    assert deferred_acceptance(households, welcomers) == {only: None}
