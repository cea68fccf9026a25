"""Placing activities one at a time under the rules: first come first served, and greedy filling.

Every placement is checked with ``services.events.rules.violations`` both
ways: the newcomer against the activities near it, and each activity of its
day against the calendar with the newcomer. ``violations`` is not symmetric:
an activity may overlap at most ``max_per_slot - 1`` others, and everyone at a
venue at once must fit, so a newcomer can pass its own check while pushing an
activity already there over.

First come first served is what the online worker does; ``fill`` completes a
plan (best ranks, then earliest arrivals first) without breaking a rule or the
fairness of prime days, and gives the season planner a starting plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from math import floor
from uuid import UUID

from analysis.planner_model import Candidate, arrival_order
from services.common.contracts import ActivityProposed, CalendarRules
from services.events.rules import Activity, activity_of, takes_prime_slot, violations


class Calendar:
    """The activities placed so far, by day, checked with the rules as each one comes."""

    def __init__(self, rules: CalendarRules, today: date) -> None:
        self.rules = rules
        self.today = today
        # Beyond this many days apart, two activities break no rule together.
        self.reach = max(rules.min_days_same_region, rules.min_days_same_sector, 1)
        self.by_day: dict[date, list[Activity]] = defaultdict(list)

    def near(self, day: date) -> list[Activity]:
        """The activities that could break a rule with one held on ``day``."""
        return [
            a
            for offset in range(1 - self.reach, self.reach)
            for a in self.by_day.get(day + timedelta(offset), [])
        ]

    def breaks(self, activity: Activity) -> list[str]:
        """What ``activity`` breaks next to the calendar (it may already be in it)."""
        return violations(activity, self.near(activity.day), self.rules, self.today)

    def fits(self, activity: Activity) -> bool:
        """Whether ``activity`` can join: it breaks no rule, and no activity of its day then does."""
        near = self.near(activity.day)
        if violations(activity, near, self.rules, self.today):
            return False
        return not any(
            violations(o, [*near, activity], self.rules, self.today) for o in self.by_day[activity.day]
        )

    def add(self, activity: Activity) -> None:
        self.by_day[activity.day].append(activity)


def first_come_first_served(
    proposals: Iterable[ActivityProposed], rules: CalendarRules, today: date
) -> dict[UUID, date | None]:
    """Proposals in arrival order, each on its best preferred date that breaks no rule."""
    calendar = Calendar(rules, today)
    assignments: dict[UUID, date | None] = {}
    for proposal in sorted(proposals, key=arrival_order):
        assignments[proposal.proposal_id] = None
        for day in proposal.preferred_dates:
            if calendar.fits(activity := activity_of(proposal, day)):
                calendar.add(activity)
                assignments[proposal.proposal_id] = day
                break
    return assignments


def uncoordinated(proposals: Iterable[ActivityProposed]) -> dict[UUID, date]:
    """What happens without concertation: every organizer takes its first choice."""
    return {p.proposal_id: p.preferred_dates[0] for p in sorted(proposals, key=arrival_order)}


def fill(
    plan: Mapping[UUID, date],
    cands: Sequence[Candidate],
    rules: CalendarRules,
    today: date,
    shares: Mapping[str, Fraction],
    held: Mapping[str, int],
) -> dict[UUID, date]:
    """``plan`` completed with more candidates, best ranks then earliest arrivals first.

    ``plan`` is kept whole if it breaks no rule and is fair, else what of it
    fits, in arrival order. A prime candidate joins only if its regions stay
    within their fair share (``W_r <= max(floor(P * share_r) + 1, held_r)``, see
    the planner); the other regions' bounds only grow with P.
    """
    calendar = Calendar(rules, today)
    won: dict[str, int] = defaultdict(int)
    placed: dict[UUID, Candidate] = {}

    def bound(region: str, slots: int) -> int:
        return max(floor(slots * shares[region]) + 1, held.get(region, 0))

    def place(cand: Candidate) -> None:
        calendar.add(cand.activity)
        placed[cand.proposal.proposal_id] = cand
        if takes_prime_slot(cand.activity, rules):
            for region in set(cand.activity.regions):
                won[region] += 1

    for cand in cands:
        if plan.get(cand.proposal.proposal_id) == cand.day:
            place(cand)
    slots = sum(1 for c in placed.values() if takes_prime_slot(c.activity, rules))
    if any(calendar.breaks(c.activity) for c in placed.values()) or any(
        w > bound(r, slots) for r, w in won.items()
    ):
        # Not a valid plan (rules changed since?): start afresh, its candidates first.
        calendar, won, placed, slots = Calendar(rules, today), defaultdict(int), {}, 0
    ordered = sorted(
        cands, key=lambda c: (plan.get(c.proposal.proposal_id) != c.day, c.rank, arrival_order(c.proposal))
    )
    for cand in ordered:
        if cand.proposal.proposal_id in placed or not calendar.fits(cand.activity):
            continue
        if takes_prime_slot(cand.activity, rules):
            if any(won[r] + 1 > bound(r, slots + 1) for r in set(cand.activity.regions)):
                continue
            slots += 1
        place(cand)
    return {pid: cand.day for pid, cand in placed.items()}
