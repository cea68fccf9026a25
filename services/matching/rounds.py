"""Concertation rounds (pure): capacity-aware deferred acceptance between households and
regional welcoming organizations.

Households propose to organizations in their order of preference; each
organization holds, up to its intake capacity, the households it fits best and
releases the others, who propose to their next choice. The result (Gale–Shapley,
households proposing) gives each household at most one organization, never
exceeds a capacity, and leaves no blocking pair: no household and organization who
would both rather be matched together. It is the best stable result for every
household, and it does not depend on the order households are read in.

A household is one unit (everyone who must move together); capacities count
households. An organization only considers the households it has a score for.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from uuid import UUID

Key = TypeVar("Key", UUID, int)
"""Ids of households and organizations: UUIDs, or ints a caller maps them to (much faster to hash)."""


@dataclass(frozen=True)
class Household(Generic[Key]):
    """A household taking part in a round, and the organizations it would go to, best first."""

    household_id: Key
    preferences: Sequence[Key]


@dataclass(frozen=True)
class Welcomer(Generic[Key]):
    """A regional welcoming organization: its capacity this round and how well each household fits."""

    organization_id: Key
    capacity: int
    fit: Mapping[Key, float] = field(default_factory=dict)

    def ranks(self, household: Key) -> tuple[float, Key]:
        """Sort key: the best fit first, ties broken by the lowest id (deterministic)."""
        return (-self.fit[household], household)


def deferred_acceptance(
    households: Iterable[Household[Key]], welcomers: Iterable[Welcomer[Key]]
) -> dict[Key, Key | None]:
    """Each household's organization this round (None: not matched)."""
    by_id = {w.organization_id: w for w in welcomers}
    ordered = sorted(households, key=lambda h: h.household_id)
    # A household's place in id order breaks ties: the lowest id wins, as ``Welcomer.ranks`` says.
    position = {h.household_id: i for i, h in enumerate(ordered)}
    lists = {h.household_id: [o for o in h.preferences if o in by_id] for h in ordered}
    next_choice = dict.fromkeys(lists, 0)
    # Each organization holds a min-heap of (fit, -position): the household it likes least is on top.
    held: dict[Key, list[tuple[float, int, Key]]] = {o: [] for o in by_id}
    free = deque(h.household_id for h in ordered)
    while free:
        household = free.popleft()
        choices = lists[household]
        if next_choice[household] >= len(choices):
            continue  # every choice said no: unmatched this round
        organization = choices[next_choice[household]]
        next_choice[household] += 1
        welcomer = by_id[organization]
        fit = welcomer.fit.get(household)
        if fit is None or welcomer.capacity <= 0:
            free.append(household)
            continue
        entry = (fit, -position[household], household)
        holding = held[organization]
        if len(holding) < welcomer.capacity:
            heapq.heappush(holding, entry)
        elif entry[:2] > holding[0][:2]:
            free.append(heapq.heapreplace(holding, entry)[2])
        else:
            free.append(household)
    matched: dict[Key, Key | None] = dict.fromkeys(lists)
    for organization, members in held.items():
        for _, _, member in members:
            matched[member] = organization
    return matched
