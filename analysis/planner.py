"""The season planner (pure): every proposal of a season placed at once, the most first choices honored.

The online worker decides proposals one at a time, first come first served;
the planner sees a whole season (say 12 weeks) and places its proposals
together with OR-Tools CP-SAT. The model (built in ``planner_model``):

* Candidates: each proposal's ranked preferred dates, and only those. A day
  that breaks a rule on its own (past, blackout date, unknown venue, venue too
  small) is pruned before the model; a proposal may stay unscheduled.
* Variables: ``x[p, d]`` is true when proposal ``p`` is held on day ``d``;
  ``sum_d x[p, d] <= 1``.
* Hard rules, exactly those of ``services.events.rules.violations`` (every
  planned activity takes a place; the planner makes no joint activities):
  at most ``max_per_day`` a day; an activity overlaps at most
  ``max_per_slot - 1`` others of its day (rules.py counts the others that
  overlap it: stricter than "at most ``max_per_slot`` running at any instant",
  which it implies and which is added too, as cliques); an activity and all
  those overlapping it at its venue fit in the venue together (a knapsack per
  candidate, and "at most one" for two that cannot fit together); two
  activities sharing a region are at least ``min_days_same_region`` days apart
  (at most one of the region in any window of that many days: two days closer
  than m share such a window, and vice versa); the same for sectors, with one
  clique per CNP code ``s``: the candidates aiming at ``s`` or at a prefix of
  ``s`` (any two overlap, and an overlapping pair, c a prefix of c', lies in the
  clique of c').
* Fairness of prime days (Saturdays and fair days, ``rules.is_prime``):
  ``share_r = n_r / N`` where ``n_r`` is the number of proposals listing region
  r and ``N`` the sum over proposals of their number of regions (the season's
  demand). With ``P`` the prime slots scheduled and ``W_r`` those held by an
  activity listing r (an activity of two regions counts for both), every
  region has ``W_r <= floor(P * share_r) + 1``: no region gets more than its
  share plus one. When re-planning, a region keeps the prime slots
  ``previous`` gave it even if its bound dropped since (a withdrawal lowers P):
  ``W_r <= max(floor(P * share_r) + 1, held_r)``.
* Objective, lexicographic, in two phases. Phase 1 maximizes, by weights,
  (a) the activities ``previous`` scheduled that keep their day (re-planning
  moves as few as possible), (b) the first choices honored, (c) then, to
  break ties, candidates held. Phase 2 holds what phase 1 chose for (a) and
  (b) and maximizes the same tiers, then proposals scheduled, then better
  ranks: exact given phase 1's first choices, not over every plan with as many
  (one model of all the tiers was not proven in 20 s on 1,000 proposals).
  Each phase starts from a plan that ``greedy.fill`` builds and that breaks no
  rule, so a phase that runs out of budget still returns a valid plan, at least
  as good as that start.
* Deterministic: proposals in arrival order, one worker, seed 0, and each
  phase stops at a budget of CP-SAT's deterministic time (work counted, not
  seconds: ``PHASE_1_WORK * time_limit_s``), so the same season gives the same
  plan on every run, proven or not; ``time_limit_s`` of wall time is only a
  safety net. Status OPTIMAL: both phases proven; FEASIBLE: phase 1 stopped at
  its budget (the usual case beyond a few hundred proposals).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ortools.sat.python import cp_model

from analysis.greedy import Calendar, fill, first_come_first_served, uncoordinated
from analysis.planner_model import Candidate, SeasonModel, arrival_order, candidates, region_shares
from services.common.contracts import ActivityProposed, CalendarRules
from services.events.rules import activity_of, takes_prime_slot

__all__ = [
    "PlanMetrics",
    "SeasonPlan",
    "first_come_first_served",
    "measure",
    "plan_season",
    "uncoordinated",
]

Assignments = Mapping[UUID, date | None]

PHASE_1_WORK = 0.25
"""Deterministic time for phase 1 per second of ``time_limit_s``."""
PHASE_2_WORK = 0.05
"""Deterministic time for phase 2 per second of ``time_limit_s``."""
RESERVE_S = 1.5
"""Wall time kept for phase 2 should phase 1 stop at the clock rather than at its budget."""
FOUND = ("OPTIMAL", "FEASIBLE")


@dataclass(frozen=True)
class SeasonPlan:
    """A season's plan: each proposal's day (None = not scheduled) and how the solver fared."""

    assignments: dict[UUID, date | None]
    objective: int
    status: str
    seconds: float


def plan_season(
    proposals: Sequence[ActivityProposed],
    rules: CalendarRules,
    today: date,
    previous: Mapping[UUID, date] | None = None,
    time_limit_s: float = 10.0,
) -> SeasonPlan:
    """The plan honoring the most first choices under the rules, prime days shared fairly.

    With ``previous`` (an earlier plan, after proposals were added, changed or
    withdrawn), activities keep their day whenever the rules allow.
    """
    began = time.perf_counter()
    before = dict(previous or {})
    cands = candidates(proposals, rules, today)
    shares = region_shares(proposals)
    held: dict[str, int] = defaultdict(int)
    for cand in cands:
        if before.get(cand.proposal.proposal_id) == cand.day and takes_prime_slot(cand.activity, rules):
            for region in set(cand.activity.regions):
                held[region] += 1

    def kept(cand: Candidate) -> bool:
        return before.get(cand.proposal.proposal_id) == cand.day

    # Later choices on ordinary days only take room in phase 1: leaving them out changes nothing but its size.
    core = SeasonModel([c for c in cands if c.rank == 0 or kept(c) or rules.is_prime(c.day)], rules)
    core.add_rules()
    core.add_fairness(shares, held)
    core.honor_first_choices(before)
    greedy = fill(before, core.cands, rules, today, shares, held)
    core.hint(greedy)
    first_status, first_days = _solve(core, PHASE_1_WORK * time_limit_s, time_limit_s - RESERVE_S, began)
    if first_status not in FOUND:
        first_days = greedy

    full = SeasonModel(cands, rules)
    full.add_rules()
    full.add_fairness(shares, held)
    full.hold(
        (c.proposal.proposal_id, c.day)
        for c in core.cands
        if (c.rank == 0 or kept(c)) and first_days.get(c.proposal.proposal_id) == c.day
    )
    full.schedule_the_most(before)
    start = fill(first_days, cands, rules, today, shares, held)
    full.hint(start)
    status, days = _solve(full, PHASE_2_WORK * time_limit_s, time_limit_s, began)
    if status not in FOUND:
        days, status = start, "FEASIBLE"  # the greedy plan breaks no rule either
    if first_status != "OPTIMAL":
        status = "FEASIBLE"
    assignments: dict[UUID, date | None] = {p.proposal_id: None for p in sorted(proposals, key=arrival_order)}
    assignments.update(days)
    return SeasonPlan(
        assignments=assignments,
        objective=full.value(days),
        status=status,
        seconds=time.perf_counter() - began,
    )


def _solve(season: SeasonModel, work: float, until_s: float, began: float) -> tuple[str, dict[UUID, date]]:
    """Solve deterministically: one worker, seed 0, a budget of deterministic time; the clock as a net."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.linearization_level = 2  # the LP of the cliques, kept at every node: faster here
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(0.1, until_s - (time.perf_counter() - began))
    status = solver.solve(season.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver.status_name(status), {}
    chosen = (c for i, c in enumerate(season.cands) if solver.boolean_value(season.x[i]))
    return solver.status_name(status), {c.proposal.proposal_id: c.day for c in chosen}


@dataclass
class PlanMetrics:
    """How a plan serves a season's proposals."""

    scheduled: int
    first_choices: int
    any_preference: int
    days_over_capacity: int
    rule_violations: int
    prime_slots: int
    prime_per_region: dict[str, int]
    fairness_excess: float
    unscheduled: int


def measure(
    assignments: Assignments, proposals: Sequence[ActivityProposed], rules: CalendarRules, today: date
) -> PlanMetrics:
    """Measure a plan with the rules themselves (``violations``), whatever produced it.

    ``fairness_excess`` is the largest ``W_r - P * share_r`` over regions (see
    the module docstring); the planner guarantees at most 1.
    """
    calendar = Calendar(rules, today)
    for proposal in sorted(proposals, key=arrival_order):
        if day := assignments.get(proposal.proposal_id):
            calendar.add(activity_of(proposal, day))
    held = [a for day in sorted(calendar.by_day) for a in calendar.by_day[day]]
    prime = [a for a in held if takes_prime_slot(a, rules)]
    shares = region_shares(proposals)
    per_region = {r: sum(1 for a in prime if r in a.regions) for r in shares}
    excess = max((per_region[r] - len(prime) * share for r, share in shares.items()), default=0)
    firsts = {p.proposal_id: p.preferred_dates[0] for p in proposals}
    wanted = {p.proposal_id: p.preferred_dates for p in proposals}
    return PlanMetrics(
        scheduled=len(held),
        first_choices=sum(1 for a in held if firsts[a.proposal_id] == a.day),
        any_preference=sum(1 for a in held if a.day in wanted[a.proposal_id]),
        days_over_capacity=sum(
            1 for day in calendar.by_day.values() if sum(a.takes_a_place for a in day) > rules.max_per_day
        ),
        rule_violations=sum(1 for a in held if calendar.breaks(a)),
        prime_slots=len(prime),
        prime_per_region={r: n for r, n in per_region.items() if n},
        fairness_excess=float(excess),
        unscheduled=len(proposals) - len(held),
    )
