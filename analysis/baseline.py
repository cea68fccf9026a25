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
from datetime import date

from services.matching.concertation import Market, Prepared
from services.matching.stability import blocked_households, blocking_pairs


@dataclass(frozen=True)
class Placement:
    """Who went where (in the round's numbers: household → organization), and how many pitches it took."""

    placed: dict[int, int]
    pitches: int


def first_come(prepared: Prepared, seed: int) -> Placement:
    """Organizations pitch to everyone they fit; the first pitch to reach a person wins."""
    rng = random.Random(seed)
    left = [o.places for o in prepared.organizations]
    by_region: dict[str, list[int]] = {}
    for j, (region, _) in enumerate(prepared.offers):
        by_region.setdefault(region, []).append(j)
    pitches: list[tuple[float, int, int]] = []
    for i, seeker in enumerate(prepared.seekers):
        for region in sorted(r for r, _ in seeker.regions):  # every region the household accepts
            pitches.extend((rng.random(), i, j) for j in by_region.get(region, []))
    pitches.sort()
    placed: dict[int, int] = {}
    sent = 0
    for _, i, j in pitches:
        if left[j] <= 0:
            continue  # a full organization stops pitching
        sent += 1
        if i not in placed:
            placed[i] = j
            left[j] -= 1
    return Placement(placed, sent)


@dataclass(frozen=True)
class Figures:
    """What a placement achieved."""

    participants: int
    placed: int
    first_choice: int
    pitches: int
    blocking: int
    blocked: int
    unused: dict[str, int]
    by_region: dict[str, tuple[int, int, int]]  # places, placed, placed in their first choice

    @property
    def placement_rate(self) -> float:
        return self.placed / self.participants if self.participants else 0.0

    @property
    def first_choice_share(self) -> float:
        return self.first_choice / self.participants if self.participants else 0.0

    @property
    def pitches_per_person(self) -> float:
        return self.pitches / self.participants if self.participants else 0.0


def figures(
    market: Market, prepared: Prepared, placed: Mapping[int, int], pitches: int, today: date
) -> Figures:
    """The comparison's figures for one placement of ``prepared``'s households; blocking pairs and
    blocked households by the checker of what people said (``stability``), the same for both sides."""
    first = 0
    first_by_region: Counter[str] = Counter()
    for i, j in placed.items():
        profile = market.profiles[prepared.cases[i].person_id]
        region = prepared.offers[j][0]
        if profile.preferred_regions and region == profile.preferred_regions[0]:
            first += 1
            first_by_region[region] += 1
    capacity: Counter[str] = Counter()
    for j, organization in enumerate(prepared.organizations):
        capacity[prepared.offers[j][0]] += organization.places
    used = Counter(prepared.offers[j][0] for j in placed.values())
    by_person = {prepared.cases[i].person_id: prepared.offers[j][1].offer_id for i, j in placed.items()}
    pairs = blocking_pairs(market, by_person, today)
    return Figures(
        participants=len(prepared.seekers),
        placed=len(placed),
        first_choice=first,
        pitches=pitches,
        blocking=len(pairs),
        blocked=blocked_households(pairs),
        unused={region: capacity[region] - used[region] for region in sorted(capacity)},
        by_region={
            region: (capacity[region], used[region], first_by_region[region]) for region in sorted(capacity)
        },
    )
