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


class _Round:
    """One round's state: each organization's held households (a min-heap of keys), each order's
    tree, and where each household stands in its list (region, position in that region's order)."""

    def __init__(self, seekers: Sequence[Seeker], organizations: Sequence[Organization]) -> None:
        self.seekers, self.organizations = seekers, organizations
        self.span = len(seekers) + 1  # key = fit in hundredths × span + (span - 1 - i): higher is better
        self.orders: dict[tuple[str, str], _Order | None] = {}
        self.regions = {o.region for o in organizations}
        self.positions: list[list[tuple[_Order, int]]] = [[] for _ in organizations]
        self.places = [o.places for o in organizations]
        self.held: list[list[int]] = [[] for _ in organizations]
        self.region_at = [0] * len(seekers)
        self.position = [0] * len(seekers)
        # A score's fit in hundredths, without and with the language bonus (scores repeat).
        self.cents: dict[float, tuple[int, int]] = {}

    def order(self, region: str, language: str) -> _Order | None:
        """The (region, language) order, built the first time it is asked for."""
        key = (region, language)
        if key not in self.orders:
            found = None
            if region in self.regions:
                # placement.region_order, looked up at each round: what the mutant tests replace.
                orgs = placement.region_order(self.organizations, region, language)
                found = _Order(orgs, [language in self.organizations[j].languages for j in orgs])
                for p, j in enumerate(orgs):
                    self.positions[j].append((found, p))
                    if len(self.held[j]) >= self.places[j]:  # already full: its threshold now
                        found.set(p, self.held[j][0])
            self.orders[key] = found
        return self.orders[key]

    @staticmethod
    def first_taker(
        here: _Order, p: int, keys: tuple[int, int], declined: frozenset[int]
    ) -> tuple[int, int, int]:
        """(organization, the household's key there, next position) of the first organization at
        or after ``p`` that would hold the household and that it did not decline; -1 if none."""
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
                    return here.orgs[q], key, p
        return -1, -1, p

    def hold(self, j: int, key: int) -> int | None:
        """Organization ``j`` holds the household of ``key``; the household it lets go, if any."""
        holding = self.held[j]
        out = None
        if len(holding) < self.places[j]:
            heapq.heappush(holding, key)
        else:
            out = self.span - 1 - heapq.heapreplace(holding, key) % self.span
        if len(holding) >= self.places[j]:
            for where, at in self.positions[j]:
                where.set(at, holding[0])
        return out

    def propose(self, i: int) -> int | None:
        """Household ``i`` proposes from where it stands until held or out of choices; the
        household its place displaced, if any."""
        seeker = self.seekers[i]
        regions, language = seeker.regions, seeker.language
        span, tail = self.span, self.span - 1 - i
        r, p = self.region_at[i], self.position[i]
        out = None
        while r < len(regions):
            region, score = regions[r]
            here = self.orders.get((region, language)) or self.order(region, language)
            cents = self.cents.get(score) or self._cents_of(score)
            best = cents[1] * span + tail
            # The root holds the lowest threshold of the whole order: at or above the better of
            # the household's keys, no organization of the region would hold it.
            if here is not None and (p or here.tree[1] < best):
                j, key, p = self.first_taker(here, p, (cents[0] * span + tail, best), seeker.declined)
                if j >= 0:
                    out = self.hold(j, key)
                    break
            r, p = r + 1, 0
        self.region_at[i], self.position[i] = r, p
        return out

    def _cents_of(self, score: float) -> tuple[int, int]:
        found = self.cents[score] = (_cents(round(score, 2)), _cents(round(score + LANGUAGE_BONUS, 2)))
        return found

    def score_at(self, i: int) -> float:
        """Household ``i``'s score for the region it stands at."""
        return self.seekers[i].regions[self.region_at[i]][1]

    def matched(self) -> list[int | None]:
        matched: list[int | None] = [None] * (self.span - 1)
        for j, holding in enumerate(self.held):
            for entry in holding:
                matched[self.span - 1 - entry % self.span] = j
        return matched


def place_fast(seekers: Sequence[Seeker], organizations: Sequence[Organization]) -> list[int | None]:
    """Each household's organization (its number in ``organizations``), or None: the result of
    ``placement.place``, computed without walking through refusals."""
    market = _Round(seekers, organizations)
    # Any order of proposals gives the same result (the household-optimal stable matching is
    # unique); the households that fit their first region best go first, so fewer are displaced.
    # The free households wait in two queues: the first proposals, sorted once, and the displaced
    # ones (a heap); the next to propose is the better of the two heads: one heap's order.
    first = sorted((-s.regions[0][1] if s.regions else 0.0, i) for i, s in enumerate(seekers))
    displaced: list[tuple[float, int]] = []
    at = 0
    while at < len(first) or displaced:
        if displaced and (at == len(first) or displaced[0] < first[at]):
            i = heapq.heappop(displaced)[1]
        else:
            i = first[at][1]
            at += 1
        out = market.propose(i)
        if out is not None:
            heapq.heappush(displaced, (-market.score_at(out), out))
    return market.matched()
