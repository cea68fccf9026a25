"""The uncoordinated baseline (pure): what happens without concertation rounds.

Every welcoming organization pitches, in a random order of arrival, to every
person it could welcome (a region the person would consider), as long as it has
a place left; each person takes the first pitch that reaches them. Compared with
a round on the same market, it shows congestion (pitches per person), people
landing outside the region they wanted, and unstable outcomes (blocking pairs).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from .concertation import UNREACHABLE, Market, Prepared
from .rounds import Household, Welcomer


@dataclass(frozen=True)
class Placement:
    """Who went where, and how many pitches it took."""

    placed: dict[UUID, UUID]  # case id → intake offer id
    pitches: int


def first_come(market: Market, prepared: Prepared, seed: int) -> Placement:
    """Organizations pitch to everyone they fit; the first pitch to reach a person wins."""
    rng = random.Random(seed)
    left = {w.organization_id: w.capacity for w in prepared.welcomers}
    by_region: dict[str, list[UUID]] = {}
    for offer_id, (region, _) in sorted(prepared.offers.items(), key=lambda item: item[0].int):
        by_region.setdefault(region, []).append(offer_id)
    pitches: list[tuple[float, UUID, UUID]] = []
    for case_id, case in sorted(prepared.cases.items(), key=lambda item: item[0].int):
        for scored in case.regions:
            if scored.score > UNREACHABLE:
                pitches.extend((rng.random(), case_id, offer) for offer in by_region.get(scored.region, []))
    pitches.sort()
    placed: dict[UUID, UUID] = {}
    sent = 0
    for _, case_id, offer in pitches:
        if left[offer] <= 0:
            continue  # a full organization stops pitching
        sent += 1
        if case_id not in placed:
            placed[case_id] = offer
            left[offer] -= 1
    return Placement(placed, sent)


def blocking_pairs(
    placed: Mapping[UUID, UUID], households: list[Household], welcomers: list[Welcomer]
) -> int:
    """Households and organizations who would both rather be together than as placed."""
    held: dict[UUID, list[UUID]] = {w.organization_id: [] for w in welcomers}
    for case_id, offer in placed.items():
        held[offer].append(case_id)
    by_id = {w.organization_id: w for w in welcomers}
    found = 0
    for household in households:
        mine = placed.get(household.household_id)
        prefs = list(household.preferences)
        better = prefs[: prefs.index(mine)] if mine in prefs else prefs
        for org in better:
            welcomer = by_id[org]
            if welcomer.capacity == 0 or household.household_id not in welcomer.fit:
                continue
            fit = welcomer.fit[household.household_id]
            if len(held[org]) < welcomer.capacity or any(fit > welcomer.fit[m] for m in held[org]):
                found += 1
                break
    return found


@dataclass(frozen=True)
class Figures:
    """What a placement achieved."""

    participants: int
    placed: int
    first_choice: int
    pitches: int
    blocking: int
    unused: dict[str, int]

    @property
    def placement_rate(self) -> float:
        return self.placed / self.participants if self.participants else 0.0

    @property
    def first_choice_share(self) -> float:
        return self.first_choice / self.participants if self.participants else 0.0

    @property
    def pitches_per_person(self) -> float:
        return self.pitches / self.participants if self.participants else 0.0


def figures(market: Market, prepared: Prepared, placed: Mapping[UUID, UUID], pitches: int) -> Figures:
    """The comparison's figures for one placement of ``prepared``'s households."""
    first = 0
    for case_id, offer in placed.items():
        profile = market.profiles[prepared.cases[case_id].person_id]
        if profile.preferred_regions and prepared.offers[offer][0] == profile.preferred_regions[0]:
            first += 1
    capacity: Counter[str] = Counter()
    for welcomer in prepared.welcomers:
        capacity[prepared.offers[welcomer.organization_id][0]] += welcomer.capacity
    used = Counter(prepared.offers[offer][0] for offer in placed.values())
    return Figures(
        participants=len(prepared.households),
        placed=len(placed),
        first_choice=first,
        pitches=pitches,
        blocking=blocking_pairs(placed, prepared.households, prepared.welcomers),
        unused={region: capacity[region] - used[region] for region in sorted(capacity)},
    )
