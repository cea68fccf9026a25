"""The fast deferred acceptance (``fast_placement.place_fast``) gives exactly the placement of the
simple one (``placement.place``) on random markets: many organizations in a region, organizations
without places, both languages, equal scores, declined organizations, regions with nobody."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching.fast_placement import place_fast
from services.matching.placement import Organization, Seeker, place

REGIONS = ["01", "02", "04", "05"]
LANGUAGES = [frozenset({"fr"}), frozenset({"fr", "en"}), frozenset({"en"}), frozenset()]


@st.composite
def markets(draw: st.DrawFn) -> tuple[list[Seeker], list[Organization]]:
    organizations = [
        Organization(
            region=draw(st.sampled_from(["05", "05", *REGIONS])),
            places=draw(st.integers(0, 3)),
            languages=draw(st.sampled_from(LANGUAGES)),
        )
        for _ in range(draw(st.integers(0, 16)))
    ]
    # Few distinct scores, so that equal fits (broken by the household's number) are common.
    scores = st.sampled_from([-12.0, 0.0, 4.0, 14.5, 14.55, 24.0, 40.0, 45.37])
    seekers = []
    for _ in range(draw(st.integers(0, 40))):
        regions = draw(st.lists(st.sampled_from([*REGIONS, "09"]), unique=True, max_size=5))
        declined = draw(st.sets(st.integers(0, max(len(organizations) - 1, 0)), max_size=3))
        seekers.append(
            Seeker(
                regions=[(region, draw(scores)) for region in regions],
                language=draw(st.sampled_from(["fr", "fr", "en"])),
                declined=frozenset(declined) if organizations else frozenset(),
            )
        )
    return seekers, organizations


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_the_fast_round_places_every_household_as_the_simple_one(
    market: tuple[list[Seeker], list[Organization]],
) -> None:
    seekers, organizations = market
    assert place_fast(seekers, organizations) == place(seekers, organizations)


def test_a_crowded_region_is_filled_by_fit_then_household_number() -> None:
    organizations = [Organization("05", 1, frozenset({"fr"})), Organization("05", 2, frozenset({"fr", "en"}))]
    seekers = [
        Seeker([("05", 10.0)], "fr"),
        Seeker([("05", 20.0)], "en"),
        Seeker([("05", 10.0)], "fr"),
        Seeker([("05", 30.0)], "fr"),
    ]
    assert place_fast(seekers, organizations) == place(seekers, organizations) == [1, 1, None, 0]
