"""Concertation rounds over a whole market, checked by verifiers that know nothing of the algorithm:
capacity, one organization per household per round, no blocking pair, determinism, households as
units, job suggestions within positions; and accept / decline / override on one plan."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import Consents, Offer, Referral
from services.common.errors import Conflict
from services.matching import concertation
from services.matching.concertation import Limits, Market, run_round
from services.matching.stability import blocking_pairs, taking_part
from tests.unit.matching_builders import NOW, case_for, household, intake, job, occupations, partner, person

REGIONS = ["02", "04", "05", "16"]
CNPS = ["31301", "72410", "21231"]
ROUND_1, ROUND_2 = UUID(int=901), UUID(int=902)
LIMITS = Limits(referrals_per_position=1.5)


@st.composite
def markets(draw: st.DrawFn) -> Market:
    """Up to 8 welcoming organizations (0–4 places), a few jobs, up to 25 people of every kind."""
    partners, offers = [], []
    for n in range(draw(st.integers(1, 8))):
        languages = draw(st.sampled_from([("fr",), ("fr", "en")]))
        found = partner(n, draw(st.sampled_from(REGIONS)), languages)
        partners.append(found)
        offers.append(intake(n, found, draw(st.integers(0, 4))))
    for n in range(draw(st.integers(0, 6))):
        offers.append(
            job(100 + n, draw(st.sampled_from(REGIONS)), draw(st.sampled_from(CNPS)), draw(st.integers(1, 3)))
        )
    profiles = {}
    for n in range(draw(st.integers(0, 25))):
        regions = draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=3))
        children = draw(st.lists(st.integers(0, 17), max_size=3))
        profile = person(
            n,
            regions,
            open_to_any_region=draw(st.booleans()),
            language=draw(st.sampled_from(["fr", "fr", "en"])),
            household=household(draw(st.integers(1, 2)), *children),
            occupations=occupations(draw(st.sampled_from(CNPS))),
            french_level=draw(st.integers(1, 12)),
        )
        if draw(st.integers(0, 9)) == 0:  # one in ten does not consent to be referred
            refusing = Consents(contact=True, referral=False, share_contact=False)
            profile = profile.model_copy(update={"consents": refusing})
        profiles[profile.person_id] = profile
    cases = {p: case_for(profile, offers, partners) for p, profile in profiles.items()}
    return Market(profiles, cases, [], offers, {p.partner_id: p for p in partners})


def after_a_first_round(market: Market, seed: int) -> Market:
    """The market once a first round ran and some households accepted or declined."""
    first = run_round(ROUND_1, market, LIMITS, NOW, "hub").referrals
    rng = random.Random(seed)
    acted = [
        rng.choice([r, concertation.accept(r, NOW), concertation.decline(r, "trop loin", NOW)]) for r in first
    ]
    return Market(market.profiles, market.cases, acted, market.offers, market.partners)


def live(referrals: list[Referral]) -> list[Referral]:
    return [r for r in referrals if r.holds_a_place]


def check_round(market: Market) -> list[Referral]:
    outcome = run_round(ROUND_2, market, LIMITS, NOW, "hub")
    new = outcome.referrals
    # Capacity: places held before plus places given now never exceed an organization's capacity.
    everything = Counter(r.welcoming_offer_id for r in live([*market.referrals, *new]))
    for offer in market.offers:
        if offer.intake is not None:
            assert everything[offer.offer_id] <= offer.intake.households_per_month
    # One organization per household per round, nobody who already holds a place, only the consenting.
    assert len({r.case_id for r in new}) == len(new)
    holding = {r.person_id for r in live(list(market.referrals))}
    for referral in new:
        profile = market.profiles[referral.person_id]
        assert referral.person_id not in holding
        assert profile.takes_part_in_rounds
        # The household moves as one unit.
        assert referral.household_size == profile.household.size
        # Never an organization the household already declined.
        assert (referral.person_id, referral.welcoming_offer_id) not in {
            (r.person_id, r.welcoming_offer_id) for r in market.referrals if r.status == "declined"
        }
    # Jobs: never more live suggestions than positions times the factor.
    suggested = Counter(s.offer_id for r in live([*market.referrals, *new]) for s in r.jobs)
    for offer in market.offers:
        if offer.job is not None:
            assert suggested[offer.offer_id] <= int(offer.job.positions * LIMITS.referrals_per_position)
    # No blocking pair, judged on what households and organizations said (never the round's lists).
    placed = {r.person_id: r.welcoming_offer_id for r in new}
    assert blocking_pairs(market, placed, NOW.date()) == []
    assert outcome.result.referred == len(new)
    assert outcome.result.households == len(taking_part(market))
    return new


@settings(max_examples=120, deadline=None)
@given(markets())
def test_a_first_round_respects_capacity_units_consent_and_stability(market: Market) -> None:
    check_round(market)


@settings(max_examples=80, deadline=None)
@given(markets(), st.integers(0, 1000))
def test_a_second_round_counts_the_places_already_held_and_reuses_declined_ones(
    market: Market, seed: int
) -> None:
    check_round(after_a_first_round(market, seed))


@settings(max_examples=60, deadline=None)
@given(markets(), st.randoms(use_true_random=False))
def test_the_same_inputs_give_the_same_referrals_whatever_their_order(
    market: Market, rng: random.Random
) -> None:
    def shuffled(mapping: dict) -> dict:  # type: ignore[type-arg]
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    offers = list(market.offers)
    rng.shuffle(offers)
    reordered = Market(
        shuffled(dict(market.profiles)),
        shuffled(dict(market.cases)),
        [],
        offers,
        shuffled(dict(market.partners)),
    )

    assert run_round(ROUND_2, market, LIMITS, NOW, "hub") == run_round(ROUND_2, reordered, LIMITS, NOW, "hub")


def two_places_one_taken() -> tuple[Market, Referral, Offer]:
    home, other = partner(1, "05"), partner(2, "04")
    offers = [intake(1, home, 1), intake(2, other, 1)]
    people = {p.person_id: p for p in (person(1, ["05", "04"]), person(2, ["04"]))}
    cases = {pid: case_for(p, offers, [home, other]) for pid, p in people.items()}
    market = Market(people, cases, [], offers, {p.partner_id: p for p in (home, other)})
    referrals = run_round(ROUND_1, market, LIMITS, NOW, "hub").referrals
    first = next(r for r in referrals if r.person_id == UUID(int=3))  # person 2, in Mauricie (04)
    return Market(people, cases, referrals, offers, market.partners), first, offers[0]


def test_a_plan_is_accepted_once_and_cannot_be_accepted_after_it_was_declined() -> None:
    _, referral, _ = two_places_one_taken()

    accepted = concertation.accept(referral, NOW)
    declined = concertation.decline(accepted, "emploi trouvé à Montréal", NOW)

    assert (accepted.status, declined.status, declined.decline_reason) == (
        "accepted",
        "declined",
        "emploi trouvé à Montréal",
    )
    with pytest.raises(Conflict, match="only a proposed plan can be accepted"):
        concertation.accept(declined, NOW)


def test_an_override_to_a_full_organization_is_refused_and_to_none_cancels_with_the_reason_kept() -> None:
    market, referral, full = two_places_one_taken()

    with pytest.raises(Conflict, match="no place left"):
        concertation.override(referral, full, "Famille à Sherbrooke", "c-7", market, LIMITS, NOW)
    cancelled = concertation.override(referral, None, "Projet reporté d'un an", "c-7", market, LIMITS, NOW)

    assert cancelled.status == "cancelled"
    assert cancelled.decided_by == "counsellor"
    assert cancelled.override is not None
    assert (cancelled.override.reason, cancelled.override.previous_region) == ("Projet reporté d'un an", "04")


def test_an_override_moves_the_household_to_an_organization_with_room_as_a_human_decision() -> None:
    market, referral, _ = two_places_one_taken()
    roomy = partner(3, "16")
    offer = intake(3, roomy, 2)
    market = Market(
        market.profiles,
        market.cases,
        market.referrals,
        [*market.offers, offer],
        {**market.partners, roomy.partner_id: roomy},
    )

    moved = concertation.override(
        referral, offer, "Frère installé à Granby", "c-7", market, LIMITS, NOW + timedelta(hours=1)
    )

    assert (moved.region, moved.welcoming_partner_id, moved.status) == ("16", roomy.partner_id, "proposed")
    assert moved.referral_id == referral.referral_id
    assert moved.decided_by == "counsellor"
    assert moved.issued_at == referral.issued_at


def test_a_case_opened_before_its_region_had_places_is_placed_once_it_has_some() -> None:
    early = person(1, ["05"])
    anywhere = person(2, [], open_to_any_region=True)
    cases = {p.person_id: case_for(p, [], []) for p in (early, anywhere)}  # no welcomer anywhere yet
    estrie = partner(1, "05")
    later = Market(
        {p.person_id: p for p in (early, anywhere)},
        cases,
        [],
        [intake(1, estrie, 2)],
        {estrie.partner_id: estrie},
    )

    referrals = run_round(ROUND_1, later, LIMITS, NOW, "hub").referrals

    assert sorted((r.person_id.int, r.region) for r in referrals) == [(2, "05"), (3, "05")]
