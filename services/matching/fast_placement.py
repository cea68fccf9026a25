"""Deferred acceptance that skips the proposals an organization would refuse, and lets the best
fitting households propose first (pure): the placement of ``placement.place``, faster.

Same result, two reasons. (1) In ``placement.place`` a household walks its list one organization
at a time; a full organization refuses it unless the household fits better than the weakest one it
holds. A refusal changes no state but the household's cursor, so jumping straight to the first
organization of its list that would hold it changes nothing. (2) With strict preferences on both
sides (households: their lists; organizations: fit, then the lower household number), deferred
acceptance with households proposing ends in the household-optimal stable matching whatever order
the free households propose in (Gale–Shapley; McVitie–Wilson). Here the free household with the
highest score for the region it is at proposes next (a heap): few households are displaced, which
is most of the simple version's work. tests/unit/test_fast_placement.py compares both by
hypothesis on random markets.

The jump: every (region, language) order keeps a min-tree of its organizations' thresholds — the
key of the weakest household held when full, and -inf while a place is free. Keys are integers,
higher is better: fit in hundredths (fits are rounded to 0.01), then the lower household number,
the same order as ``placement``'s (fit, -i) pairs. An organization's threshold only rises during a
round, and "the first organization at or after the cursor whose threshold is below my key" is a
descent of the tree: O(log n) instead of one step per refusing organization. In an order the
organizations serving the household's language come first (+10 of fit), then the others: one
search per part, each with its key.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from . import placement
from .placement import LANGUAGE_BONUS, Organization, Seeker

FREE = -(1 << 62)  # the threshold of an organization with a place left: it takes anyone
NONE = 1 << 62  # padding: no organization there


class _Order:
    """A (region, language) order of organizations with a min-tree of their thresholds."""

    __slots__ = ("orgs", "runs", "size", "tree")

    def __init__(self, orgs: list[int], serving: list[bool]) -> None:
        self.orgs = orgs
        # Runs of positions alike (serving the language or not): (end, serves).
        self.runs = [
            (p + 1, s) for p, s in enumerate(serving) if p + 1 == len(serving) or serving[p + 1] != s
        ]
        size = 1
        while size < max(len(orgs), 1):
            size *= 2
        self.size = size
        self.tree = [NONE] * (2 * size)
        for p in range(len(orgs)):
            self.tree[size + p] = FREE
        for i in range(size - 1, 0, -1):
            self.tree[i] = min(self.tree[2 * i], self.tree[2 * i + 1])

    def set(self, p: int, threshold: int) -> None:
        tree = self.tree
        i = p + self.size
        tree[i] = threshold
        i >>= 1
        while i:
            low = min(tree[2 * i], tree[2 * i + 1])
            if tree[i] == low:
                break
            tree[i] = low
            i >>= 1

    def first_below(self, p: int, key: int) -> int:
        """The first position at or after ``p`` whose threshold is below ``key``; -1 if none."""
        tree, size = self.tree, self.size
        if p >= size:
            return -1
        i = p + size
        while True:
            if tree[i] < key:
                while i < size:
                    i = 2 * i if tree[2 * i] < key else 2 * i + 1
                return i - size
            while i & 1:
                i >>= 1
            if not i:
                return -1
            i += 1


def _cents(value: float) -> int:
    return round(value * 100)


def place_fast(seekers: Sequence[Seeker], organizations: Sequence[Organization]) -> list[int | None]:
    """Each household's organization (its number in ``organizations``), or None: the result of
    ``placement.place``, computed without walking through refusals."""
    n = len(seekers)
    span = n + 1  # key = fit in hundredths × span + (span - 1 - i): higher is better
    orders: dict[tuple[str, str], _Order | None] = {}
    regions = {o.region for o in organizations}
    positions: list[list[tuple[_Order, int]]] = [[] for _ in organizations]
    places = [o.places for o in organizations]
    held: list[list[int]] = [[] for _ in organizations]

    def order(region: str, language: str) -> _Order | None:
        key = (region, language)
        if key not in orders:
            found = None
            if region in regions:
                # placement.region_order, looked up at each round: what the mutant tests replace.
                orgs = placement.region_order(organizations, region, language)
                found = _Order(orgs, [language in organizations[j].languages for j in orgs])
                for p, j in enumerate(orgs):
                    positions[j].append((found, p))
                    if len(held[j]) >= places[j]:  # already full: its threshold now
                        found.set(p, held[j][0])
            orders[key] = found
        return orders[key]

    region_at = [0] * n
    position = [0] * n
    # Any order of proposals gives the same result (the household-optimal stable matching is
    # unique); the households that fit their first region best go first, so fewer are displaced.
    free = [(-s.regions[0][1] if s.regions else 0.0, i) for i, s in enumerate(seekers)]
    heapq.heapify(free)
    while free:
        i = heapq.heappop(free)[1]
        seeker = seekers[i]
        language, declined, regions_of = seeker.language, seeker.declined, seeker.regions
        tail = span - 1 - i
        r, p = region_at[i], position[i]
        while r < len(regions_of):
            region, score = regions_of[r]
            here = order(region, language)
            if here is None:
                r, p = r + 1, 0
                continue
            keys = (
                _cents(round(score, 2)) * span + tail,
                _cents(round(score + LANGUAGE_BONUS, 2)) * span + tail,
            )
            found = key = -1
            for end, serves in here.runs:
                if p >= end:
                    continue
                key = keys[serves]
                while p < end:
                    q = here.first_below(p, key)
                    if q < 0 or q >= end:
                        p = end
                        break
                    p = q + 1
                    if here.orgs[q] not in declined:
                        found = here.orgs[q]
                        break
                if found >= 0:
                    break
            if found < 0:
                r, p = r + 1, 0
                continue
            j = found
            entry = key
            holding = held[j]
            if len(holding) < places[j]:
                heapq.heappush(holding, entry)
            else:
                out = heapq.heapreplace(holding, entry)
                out = span - 1 - out % span
                again = seekers[out].regions[region_at[out]][1]
                heapq.heappush(free, (-again, out))
            if len(holding) >= places[j]:
                for where, at in positions[j]:
                    where.set(at, holding[0])
            break
        region_at[i], position[i] = r, p
    matched: list[int | None] = [None] * n
    for j, holding in enumerate(held):
        for entry in holding:
            matched[span - 1 - entry % span] = j
    return matched
