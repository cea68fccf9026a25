"""Stability on what people said: rounds over rich markets checked by ``stability`` (which reads the
raw cases, offers and places, never the round's lists), a brute force over every matching of tiny
markets, and mutants (a cap, a rotation, flattened ranks) that these tests must catch."""

from __future__ import annotations

import itertools
import random
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning, NoSuchExample

from services.common.contracts import Case, InterestDeclared
from services.matching import concertation, placement
from services.matching.concertation import Limits, Market, run_round
from services.matching.stability import Judge, Welcome, blocked_households, blocking_pairs
from tests.unit.matching_builders import NOW, case_for, household, intake, job, occupations, partner, person

REGIONS = ["01", "02", "04", "05", "07", "08", "16"]  # seven, so households can rank six or more
CROWDED = "05"  # a region that gets many organizations
CNPS = ["31301", "72410", "21231"]
ROUND_1, ROUND_2 = UUID(int=901), UUID(int=902)
LIMITS = Limits(referrals_per_position=1.5)
TODAY = NOW.date()


@st.composite
def markets(draw: st.DrawFn, max_organizations: int = 14, max_people: int = 30) -> Market:
    """Organizations (many in one region, some with no place), jobs, and households of every kind:
    several sizes, both languages, ranking up to all seven regions, open to any region or not.

    Half the markets are crowded: every region has places, the crowded region six more single
    places, and about as many households as places — where a
    cap, a rotation or reordered low ranks would leave a household blocked. There, every household
    ranks six or seven regions."""
    crowded = max_organizations > 4 and draw(st.booleans())
    partners, offers = [], []
    if crowded:
        spots = [*REGIONS, *[CROWDED] * 6]
    else:
        count = draw(st.integers(1, max_organizations))
        spots = [draw(st.sampled_from([CROWDED, CROWDED, CROWDED, *REGIONS])) for _ in range(count)]
    for n, region in enumerate(spots):
        languages = draw(st.sampled_from([("fr",), ("fr", "en"), ("en",)]))
        found = partner(n, region, languages)
        partners.append(found)
        places = (1 if region == CROWDED else draw(st.integers(1, 3))) if crowded else draw(st.integers(0, 3))
        offers.append(intake(n, found, places))
    for n in range(draw(st.integers(0, 4))):
        offers.append(job(100 + n, draw(st.sampled_from(REGIONS)), draw(st.sampled_from(CNPS))))
    profiles = {}
    people = draw(st.integers(4, max_people)) if crowded else draw(st.integers(0, max_people))
    for n in range(people):
        if crowded:
            regions = list(draw(st.permutations(REGIONS)))[: draw(st.integers(6, len(REGIONS)))]
        else:
            regions = draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=len(REGIONS)))
        children = draw(st.lists(st.integers(0, 17), max_size=4))
        profile = person(
            n,
            regions,
            open_to_any_region=draw(st.booleans()),
            language=draw(st.sampled_from(["fr", "fr", "en"])),
            household=household(draw(st.integers(1, 3)), *children),
            occupations=occupations(draw(st.sampled_from(CNPS)), years=draw(st.integers(0, 12))),
            french_level=draw(st.integers(1, 12)),
        )
        profiles[profile.person_id] = profile
    cases = {p: case_for(profile, offers, partners) for p, profile in profiles.items()}
    return Market(profiles, cases, [], offers, {p.partner_id: p for p in partners})


def after_a_round(market: Market, seed: int) -> Market:
    """The market once a first round ran and households accepted, declined or left it proposed:
    accepted and proposed plans keep their places (some organizations are now full)."""
    first = run_round(ROUND_1, market, LIMITS, NOW, "hub").referrals
    rng = random.Random(seed)
    acted = [
        rng.choice([r, concertation.accept(r, NOW), concertation.decline(r, "trop loin", NOW)]) for r in first
    ]
    return Market(market.profiles, market.cases, acted, market.offers, market.partners)


def placed_by(market: Market, round_id: UUID = ROUND_2) -> dict[UUID, UUID | None]:
    return {
        r.person_id: r.welcoming_offer_id for r in run_round(round_id, market, LIMITS, NOW, "hub").referrals
    }


def assert_no_blocked_household(market: Market) -> None:
    pairs = blocking_pairs(market, placed_by(market), TODAY)
    assert blocked_households(pairs) == 0, pairs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_a_first_round_leaves_no_household_blocked(market: Market) -> None:
    assert_no_blocked_household(market)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.integers(0, 1000))
def test_a_second_round_after_accepts_and_declines_leaves_no_household_blocked(
    market: Market, seed: int
) -> None:
    assert_no_blocked_household(after_a_round(market, seed))


# Brute force: every matching of a tiny market, the stable ones kept, the round must be the best of
# them for every household. Written without the round: the household's strict order is what it said
# (its ranks; unranked regions last, among them by its score then region code — the documented tie
# rule), then within a region the organizations serving its language, then the lowest offer id.


def _household_key(judge: Judge, person: UUID, w: Welcome) -> tuple[int, float, str, bool, int]:
    case = judge.cases[person]
    profile = judge.market.profiles[person]
    ranked = profile.preferred_regions
    rank = ranked.index(w.region) if w.region in ranked else len(ranked)
    tie = 0.0 if w.region in ranked else -judge.region_score(case, w.region)
    serving = (
        profile.language == "fr" if w.partner is None else profile.language in w.partner.service_languages
    )
    return (rank, tie, w.region, not serving, w.offer.offer_id.int)


def stable_matchings(judge: Judge) -> list[dict[UUID, Welcome | None]]:
    people = sorted(judge.cases, key=lambda p: judge.cases[p].case_id.int)
    options = [[None, *(w for w in judge.welcomers if judge.acceptable(judge.cases[p], w))] for p in people]
    found = []
    for choice in itertools.product(*options):
        match = dict(zip(people, choice, strict=True))
        held = Counter(w.offer.offer_id for w in choice if w is not None)
        if any(held[w.offer.offer_id] > w.places for w in judge.welcomers):
            continue
        if not any(_blocks(judge, match, p, w) for p in people for w in judge.welcomers):
            found.append(match)
    return found


def _blocks(judge: Judge, match: dict[UUID, Welcome | None], person: UUID, w: Welcome) -> bool:
    case, own = judge.cases[person], match[person]
    if w is own or not judge.acceptable(case, w):
        return False
    if own is not None and _household_key(judge, person, w) >= _household_key(judge, person, own):
        return False
    members = [judge.cases[p] for p, o in match.items() if o is w]
    return len(members) < w.places or any(judge.takes_over(w, case, m) for m in members)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(max_organizations=4, max_people=5), st.integers(0, 1000), st.booleans())
def test_on_tiny_markets_the_round_is_the_best_stable_result_for_every_household(
    market: Market, seed: int, second: bool
) -> None:
    if second:
        market = after_a_round(market, seed)
    judge = Judge(market, TODAY)
    stable = stable_matchings(judge)
    assert stable, "a stable matching always exists"
    by_offer = {w.offer.offer_id: w for w in judge.welcomers}
    placed = {p: by_offer[o] for p, o in placed_by(market).items() if o is not None}
    round_match = {p: placed.get(p) for p in judge.cases}
    assert round_match in stable
    for someone in judge.cases:
        got = round_match[someone]
        for other in stable:
            theirs = other[someone]
            if theirs is not None:
                assert got is not None
                assert _household_key(judge, someone, got) <= _household_key(judge, someone, theirs)


# Mutants: a cap reintroduced must be caught.


def capped_per_region(cap: int) -> Callable[[Sequence[placement.Organization], str, str], list[int]]:
    original = placement.region_order

    def region_order(
        organizations: Sequence[placement.Organization], region: str, language: str
    ) -> list[int]:
        return original(organizations, region, language)[:cap]

    return region_order


def estrie_then_mauricie() -> Market:
    """Two Estrie organizations with one place each, one Mauricie organization; three households
    ranking Estrie first and Mauricie second."""
    first, second, mauricie = partner(1, "05"), partner(2, "05"), partner(3, "04")
    offers = [intake(1, first, 1), intake(2, second, 1), intake(3, mauricie, 3)]
    people = [person(n, ["05", "04"]) for n in range(3)]
    partners = [first, second, mauricie]
    cases = {p.person_id: case_for(p, offers, partners) for p in people}
    return Market({p.person_id: p for p in people}, cases, [], offers, {p.partner_id: p for p in partners})


def test_the_round_fills_every_place_of_the_first_choice_region_before_the_second() -> None:
    market = estrie_then_mauricie()
    regions = Counter(
        next(o.intake.region for o in market.offers if o.offer_id == offer and o.intake)
        for offer in placed_by(market).values()
    )
    assert regions == {"05": 2, "04": 1}
    assert_no_blocked_household(market)


def test_a_cap_per_region_is_caught_by_the_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(placement, "region_order", capped_per_region(1))
    market = estrie_then_mauricie()
    pairs = blocking_pairs(market, placed_by(market), TODAY)
    assert blocked_households(pairs) == 2  # both sent to Mauricie while an Estrie place stays free


def blocked(market: Market) -> int:
    return blocked_households(blocking_pairs(market, placed_by(market), TODAY))


def the_markets_find_a_blocked_household() -> bool:
    """Whether this file's market strategy finds a market where some household is blocked."""
    search = settings(
        max_examples=400,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # the first market found is enough; shrinking it is slow
        suppress_health_check=list(HealthCheck),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypothesisWarning)  # the found market's repr is long
            find(markets(), lambda m: blocked(m) > 0, settings=search, random=random.Random(16))
    except NoSuchExample:
        return False
    return True


def test_without_a_mutant_the_search_finds_nothing() -> None:
    assert not the_markets_find_a_blocked_household()


def test_a_cap_of_four_per_region_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(placement, "region_order", capped_per_region(4))
    assert the_markets_find_a_blocked_household()


def test_a_cap_on_regions_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    original = concertation._WelcomeNow.rescore

    def at_most_four(
        self: concertation._WelcomeNow, case: Case, profile: InterestDeclared
    ) -> list[tuple[str, float]]:
        return original(self, case, profile)[:4]

    monkeypatch.setattr(concertation._WelcomeNow, "rescore", at_most_four)
    assert the_markets_find_a_blocked_household()


def test_low_ranks_reordered_by_score_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    original = concertation._WelcomeNow.rescore

    def flattened(
        self: concertation._WelcomeNow, case: Case, profile: InterestDeclared
    ) -> list[tuple[str, float]]:
        # The old order: preference points (40, 32, 24, 16, then 8 for every rank from the fifth,
        # 4 unranked), then score — ranks five and lower reordered by score.
        ranked = profile.preferred_regions

        def points(region: str) -> int:
            return max(40 - 8 * ranked.index(region), 8) if region in ranked else 4

        return sorted(original(self, case, profile), key=lambda item: (-points(item[0]), -item[1], item[0]))

    monkeypatch.setattr(concertation._WelcomeNow, "rescore", flattened)
    assert the_markets_find_a_blocked_household()
