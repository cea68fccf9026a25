"""The season planner's CP-SAT model: one boolean per (proposal, preferred day), the rules as cliques.

Built and solved by ``analysis.planner.plan_season``, whose docstring
states the model in words. Here each hard rule of ``services.events.rules`` is
written as at-most-one constraints over cliques of conflicting candidates
wherever the conflict graph allows it: the model stays small (a 1,000-proposal
season has about 3,000 booleans) and its linear relaxation tight.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from uuid import UUID

from ortools.sat.python import cp_model

from services.common.contracts import ActivityProposed, CalendarRules
from services.events.rules import Activity, activity_of, takes_prime_slot, violations

MAX_RANK = 5
"""A proposal ranks at most five preferred dates."""


@dataclass(frozen=True)
class Candidate:
    """One way to hold a proposal: on one of its preferred days (rank 0 = first choice)."""

    proposal: ActivityProposed
    rank: int
    activity: Activity

    @property
    def day(self) -> date:
        return self.activity.day

    @property
    def interval(self) -> tuple[datetime, datetime]:
        return self.activity.interval


def arrival_order(proposal: ActivityProposed) -> tuple[datetime, str]:
    """The order proposals were received in (ties broken by id): fixed, so solving is reproducible."""
    return proposal.proposed_at, str(proposal.proposal_id)


def candidates(proposals: Iterable[ActivityProposed], rules: CalendarRules, today: date) -> list[Candidate]:
    """Every (proposal, preferred day) that breaks no rule on its own, in arrival then rank order.

    A day in the past, a blackout date, an unknown venue or a venue too small is
    pruned here, before the model; a proposal left with no candidate stays unscheduled.
    """
    return [
        Candidate(proposal, rank, activity)
        for proposal in sorted(proposals, key=arrival_order)
        for rank, day in enumerate(proposal.preferred_dates)
        if not violations(activity := activity_of(proposal, day), [], rules, today)
    ]


def region_shares(proposals: Iterable[ActivityProposed]) -> dict[str, Fraction]:
    """Each region's share of the season's demand: proposals listing it / region mentions overall."""
    mentions: dict[str, int] = defaultdict(int)
    for proposal in proposals:
        for region in set(proposal.regions):
            mentions[region] += 1
    total = sum(mentions.values())
    return {region: Fraction(count, total) for region, count in sorted(mentions.items())}


def _overlap(a: Candidate, b: Candidate) -> bool:
    (a0, a1), (b0, b1) = a.interval, b.interval
    return a0 < b1 and b0 < a1


class SeasonModel:
    """The CP-SAT model of one season: ``x[i]`` is true when candidate ``i`` is held."""

    def __init__(self, cands: Sequence[Candidate], rules: CalendarRules) -> None:
        self.model = cp_model.CpModel()
        self.cands = list(cands)
        self.rules = rules
        self.x = [self.model.new_bool_var(f"x{i}") for i in range(len(self.cands))]
        self.weights = [0] * len(self.cands)
        self.prime_slots: list[cp_model.IntVar] = []
        self.by_day: dict[date, list[int]] = defaultdict(list)
        for i, cand in enumerate(self.cands):
            self.by_day[cand.day].append(i)

    def _at_most_one(self, members: Sequence[int]) -> None:
        if len(members) > 1:
            self.model.add_at_most_one(self.x[i] for i in members)

    def _at_most(self, members: Sequence[int], bound: int) -> None:
        if len(members) > bound:
            if bound == 1:
                self._at_most_one(members)
            else:
                self.model.add(sum(self.x[i] for i in members) <= bound)

    def add_rules(self) -> None:
        """Every hard rule of ``services.events.rules.violations`` for activities that take a place."""
        by_proposal: dict[UUID, list[int]] = defaultdict(list)
        for i, cand in enumerate(self.cands):
            by_proposal[cand.proposal.proposal_id].append(i)
        for members in by_proposal.values():
            self._at_most_one(members)
        for day_idx in self.by_day.values():
            idx = [i for i in day_idx if self.cands[i].activity.takes_a_place]  # webinars take no place
            self._at_most(idx, self.rules.max_per_day)
            self._at_the_same_time(idx)
            self._venues(idx)
        regions = self._grouped(lambda cand, region: region in cand.activity.regions, self._regions())
        self._spacing(regions, self.rules.min_days_same_region)
        sectors = self._grouped(
            lambda cand, code: any(code.startswith(c) for c in cand.activity.sectors), self._widest_codes()
        )
        self._spacing(sectors, self.rules.min_days_same_sector)

    def _at_the_same_time(self, idx: Sequence[int]) -> None:
        """rules.py: at most ``max_per_slot`` running at any moment (the cliques of an interval graph)."""
        for clique in self._running_together(idx):
            self._at_most(clique, self.rules.max_per_slot)

    def _venues(self, idx: Sequence[int]) -> None:
        """rules.py: everyone at a venue at any moment fits in it (a knapsack per moment)."""
        by_venue: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            if (venue_id := self.cands[i].activity.venue_id) is not None:
                by_venue[venue_id].append(i)
        for venue_id, members in by_venue.items():
            venue = self.rules.venue(venue_id)
            if venue is None:  # pruned with its candidates already
                continue
            for clique in self._running_together(members):
                people = [self.cands[i].activity.attendance for i in clique]
                if sum(people) > venue.capacity:
                    self.model.add(
                        sum(n * self.x[i] for n, i in zip(people, clique, strict=True)) <= venue.capacity
                    )

    def _running_together(self, idx: Sequence[int]) -> list[list[int]]:
        """The maximal cliques of an interval graph: at each start, the candidates then running."""
        cliques: list[list[int]] = []
        seen: set[frozenset[int]] = set()
        for start in sorted({self.cands[i].interval[0] for i in idx}):
            clique = [i for i in idx if self.cands[i].interval[0] <= start < self.cands[i].interval[1]]
            if len(clique) > 1 and (key := frozenset(clique)) not in seen:
                seen.add(key)
                cliques.append(clique)
        return cliques

    def _regions(self) -> list[str]:
        return sorted({region for cand in self.cands for region in cand.activity.regions})

    def _widest_codes(self) -> list[str]:
        """CNP codes not a prefix of another code: their cliques contain every other code's."""
        codes = {code for cand in self.cands for code in cand.activity.sectors}
        return sorted(c for c in codes if not any(o != c and o.startswith(c) for o in codes))

    def _grouped(self, member: Callable[[Candidate, str], bool], keys: Iterable[str]) -> dict[str, list[int]]:
        return {key: [i for i, cand in enumerate(self.cands) if member(cand, key)] for key in keys}

    def _spacing(self, groups: Mapping[str, Sequence[int]], min_days: int) -> None:
        """At most one candidate of a group in any ``min_days`` consecutive days (exact: see planner)."""
        if min_days == 0:
            return
        for members in groups.values():
            ordered = sorted(members, key=lambda i: self.cands[i].day)
            days = [self.cands[i].day for i in ordered]
            last_end = 0
            for begin, day in enumerate(days):
                # Windows start at candidates' days: a conflicting pair is in the window of its earlier day.
                end = bisect_left(days, day + timedelta(days=min_days))
                if end - begin > 1 and end > last_end:
                    self._at_most_one(ordered[begin:end])
                    last_end = end

    def add_fairness(self, shares: Mapping[str, Fraction], held: Mapping[str, int]) -> None:
        """W_r <= max(floor(P * share_r) + 1, held_r), with held_r the prime slots kept from a previous plan.

        P is encoded by one boolean per value it can take, and each region's bound
        is the matching step function: its linear relaxation is much tighter than
        ``N * W_r <= n_r * P + N`` (the floor is kept), which CP-SAT could not prove
        optimal in seconds on a 300-proposal season.
        """
        # Prime slots are Montréal's places on prime days: webinars (online) take none.
        prime = [i for i, cand in enumerate(self.cands) if takes_prime_slot(cand.activity, self.rules)]
        days = {self.cands[i].day for i in prime}
        top = min(
            len({self.cands[i].proposal.proposal_id for i in prime}), len(days) * self.rules.max_per_day
        )
        slots = self.prime_slots = [self.model.new_bool_var(f"prime{k}") for k in range(top + 1)]
        self.model.add_exactly_one(slots)
        self.model.add(sum(self.x[i] for i in prime) == sum(k * slots[k] for k in range(top + 1)))
        for region, share in shares.items():
            won = [i for i in prime if region in self.cands[i].activity.regions]
            bounds = [
                max(k * share.numerator // share.denominator + 1, held.get(region, 0)) for k in range(top + 1)
            ]
            if len(won) > min(bounds):
                self.model.add(
                    sum(self.x[i] for i in won) <= sum(b * s for b, s in zip(bounds, slots, strict=True))
                )

    def honor_first_choices(self, previous: Mapping[UUID, date]) -> None:
        """Phase 1, by weights: keep the days ``previous`` gave, then honor the most first choices.

        Ties go to the plan holding more candidates, so that phase 2 does not
        inherit first choices that crowd out other proposals for nothing.
        """
        tie = 1
        first = len(self.cands) * tie + 1
        kept = (first + tie) * len(self.cands) + 1
        self.model.maximize(
            sum(
                (
                    tie
                    + (first if cand.rank == 0 else 0)
                    + (kept if previous.get(cand.proposal.proposal_id) == cand.day else 0)
                )
                * self.x[i]
                for i, cand in enumerate(self.cands)
            )
        )

    def schedule_the_most(self, previous: Mapping[UUID, date]) -> None:
        """Phase 2, lexicographic by weights: keep previous days, first choices, then count, then ranks."""
        most = len(
            {cand.proposal.proposal_id for cand in self.cands}
        )  # webinars take no place: no tighter bound
        rank_tier = MAX_RANK - 1
        scheduled = rank_tier * most + 1
        first = (scheduled + rank_tier) * most + 1
        kept = (first + scheduled + rank_tier) * most + 1
        self.weights = [
            scheduled
            + (rank_tier - cand.rank)
            + (first if cand.rank == 0 else 0)
            + (kept if previous.get(cand.proposal.proposal_id) == cand.day else 0)
            for cand in self.cands
        ]
        self.model.maximize(sum(w * x for w, x in zip(self.weights, self.x, strict=True)))

    def value(self, days: Mapping[UUID, date]) -> int:
        """The objective of phase 2 for a plan."""
        return sum(
            w
            for w, c in zip(self.weights, self.cands, strict=True)
            if days.get(c.proposal.proposal_id) == c.day
        )

    def hold(self, held: Iterable[tuple[UUID, date]]) -> None:
        """Hold these (proposal, day) whatever else happens (what phase 1 decided)."""
        wanted = set(held)
        for i, cand in enumerate(self.cands):
            if (cand.proposal.proposal_id, cand.day) in wanted:
                self.model.add(self.x[i] == 1)

    def hint(self, days: Mapping[UUID, date | None]) -> None:
        """Start the search from a known plan (CP-SAT repairs it if it breaks a constraint)."""
        held = [days.get(cand.proposal.proposal_id) == cand.day for cand in self.cands]
        for x, value in zip(self.x, held, strict=True):
            self.model.add_hint(x, value)
        prime = sum(
            1
            for value, cand in zip(held, self.cands, strict=True)
            if value and takes_prime_slot(cand.activity, self.rules)
        )
        for k, slot in enumerate(self.prime_slots):
            self.model.add_hint(slot, k == prime)
