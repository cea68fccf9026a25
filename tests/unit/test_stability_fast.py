"""The checker at scale (``stability_fast.blocked_people``) finds exactly the blocked households of
the literal checker (``stability.blocking_pairs``), on placements that block many: random ones
(some over capacity, some in regions a household did not accept), the round's, a capped round's."""

from __future__ import annotations

import random
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching import placement
from services.matching.concertation import Market
from services.matching.stability import Judge, blocking_pairs
from services.matching.stability_fast import blocked_people
from tests.unit.test_stability import TODAY, after_a_round, capped_per_region, markets, placed_by


def literal(market: Market, placed: dict[UUID, UUID | None]) -> set[UUID]:
    return {pair.person_id for pair in blocking_pairs(market, placed, TODAY)}


def random_placement(market: Market, seed: int) -> dict[UUID, UUID | None]:
    judge = Judge(market, TODAY)
    rng = random.Random(seed)
    options = [None, *(w.offer.offer_id for w in judge.welcomers)]
    return {person: rng.choice(options) for person in judge.cases}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.integers(0, 1000), st.booleans())
def test_the_checker_at_scale_finds_the_households_the_literal_checker_finds(
    market: Market, seed: int, second: bool
) -> None:
    if second:
        market = after_a_round(market, seed)  # some organizations full, some households declined
    for placed in (random_placement(market, seed), placed_by(market)):
        assert blocked_people(market, placed, TODAY) == literal(market, placed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.integers(1, 2))
def test_the_checker_at_scale_sees_a_capped_round_as_the_literal_checker_does(
    market: Market, cap: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(placement, "region_order", capped_per_region(cap))
        placed = placed_by(market)
    assert blocked_people(market, placed, TODAY) == literal(market, placed)
