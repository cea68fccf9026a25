"""Deferred acceptance over the regions' welcoming organizations (pure), with every household's
whole list of choices and no cap.

A household's list is what it said, in its order: its ranked regions by rank, then — when it is
open to any region — every other region with a place (the round orders those by the household's
score there, then region code: the household itself is indifferent among them). Inside a region it
goes first to the organizations that serve its language, then to the others, each group by offer
order (the lowest offer id first). Nothing is cut from that list.

The lists are never built: each household keeps a cursor (region, position) and the region's
order for its language is computed once per round. An organization with no place left this round
is left out of the orders — it would refuse everyone, so skipping it changes no outcome.

Organizations hold the households they fit best, up to their places: fit = the household's score
of the region + 10 when the organization serves its language; equal fits go to the household
numbered first (the round numbers households by case id). This is Gale–Shapley with households
proposing: at most one organization per household, no place given twice, no blocking pair, and
the best stable result for every household, whatever the order households are read in.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

LANGUAGE_BONUS = 10.0


@dataclass(frozen=True)
class Seeker:
    """A household taking part: the regions it accepts in its order (with its score there)."""

    regions: Sequence[tuple[str, float]]
    language: str
    declined: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Organization:
    """A welcoming organization: its region, its places left this round, the languages it serves."""

    region: str
    places: int
    languages: frozenset[str]


def fit(score: float, organization: Organization, language: str) -> float:
    """How well a household with ``score`` in the organization's region fits it."""
    return round(score + (LANGUAGE_BONUS if language in organization.languages else 0.0), 2)


def region_order(organizations: Sequence[Organization], region: str, language: str) -> list[int]:
    """The region's organizations with places, in the order a household speaking ``language``
    goes to them: those serving its language first, then the others; each in offer order."""
    here = [j for j, o in enumerate(organizations) if o.region == region and o.places > 0]
    return sorted(here, key=lambda j: (language not in organizations[j].languages, j))


def place(seekers: Sequence[Seeker], organizations: Sequence[Organization]) -> list[int | None]:
    """Each household's organization (its number in ``organizations``), or None."""
    orders: dict[tuple[str, str], list[int]] = {}
    by_region: dict[str, list[Organization]] = {}
    for o in organizations:
        by_region.setdefault(o.region, []).append(o)

    def order(region: str, language: str) -> list[int]:
        key = (region, language)
        if key not in orders:
            orders[key] = region_order(organizations, region, language) if region in by_region else []
        return orders[key]

    places = [o.places for o in organizations]
    bonus = [
        {lang: LANGUAGE_BONUS if lang in o.languages else 0.0 for lang in ("fr", "en")} for o in organizations
    ]
    held: list[list[tuple[float, int]]] = [[] for _ in organizations]
    region_at = [0] * len(seekers)
    position = [0] * len(seekers)
    free = list(range(len(seekers) - 1, -1, -1))
    while free:
        i = free.pop()
        seeker = seekers[i]
        language, declined, regions = seeker.language, seeker.declined, seeker.regions
        r, p = region_at[i], position[i]
        while r < len(regions):
            region, score = regions[r]
            here = order(region, language)
            while p < len(here):
                j = here[p]
                p += 1
                if j in declined:
                    continue
                entry = (round(score + bonus[j].get(language, 0.0), 2), -i)
                holding = held[j]
                if len(holding) < places[j]:
                    heapq.heappush(holding, entry)
                    break
                if entry > holding[0]:
                    free.append(-heapq.heapreplace(holding, entry)[1])
                    break
            else:
                r, p = r + 1, 0
                continue
            break
        region_at[i], position[i] = r, p
    matched: list[int | None] = [None] * len(seekers)
    for j, holding in enumerate(held):
        for _, minus_i in holding:
            matched[-minus_i] = j
    return matched
