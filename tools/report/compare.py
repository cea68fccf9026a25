"""Side by side on the same season: what coordination did, and what the alternatives would have done.

Calendar: the live calendar (the events worker's decisions, joint activities included)
against first come first served without pooling (``analysis.greedy``) and against no
coordination at all (every organizer takes its first choice), all measured with the same
rules (``analysis.planner.measure``). Inputs: the proposals as the events worker
received them (event-proposals.v1) and the rules in force (events-api).

Routing: the round the matching worker ran against competing regions, where every
welcoming organization pitches to every household it could welcome and the first pitch
wins (``analysis.baseline.first_come``). Inputs: the round's own snapshot rebuilt
from the services (profiles from interests.v1; cases, offers, partners, calendar and earlier
referrals from the APIs), prepared exactly as the worker prepares it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from analysis.baseline import Figures, figures, first_come
from analysis.planner import PlanMetrics, first_come_first_served, measure, uncoordinated
from services.common.settings import MatchingSettings
from services.matching.concertation import Market, prepare

from .collect import Observed


@dataclass(frozen=True)
class CalendarSide:
    """One way of placing the season's proposals, measured."""

    name: str
    metrics: PlanMetrics
    joined: int  # held jointly with another activity, taking no place of their own
    places: Counter[date]  # places taken per day
    endorsed_first: int = 0  # endorsed proposals holding their first choice (priority on contested days)


@dataclass(frozen=True)
class RoutingSides:
    """The round and the uncoordinated baseline on the same households."""

    round: Figures
    competing: Figures
    households: int  # taking part, as rebuilt here (the round says how many it saw)


def calendar_sides(observed: Observed, today: date) -> list[CalendarSide]:
    """Concertation (the live calendar), first come first served, and no coordination."""
    proposals, rules = observed.proposals, observed.rules
    live = {
        e.proposal_id: e.day
        for e in observed.calendar
        if e.status == "scheduled" and e.joint_with is None and e.day is not None
    }
    joined = sum(1 for e in observed.calendar if e.status == "scheduled" and e.joint_with is not None)
    fcfs = first_come_first_served(proposals, rules, today)
    wild = uncoordinated(proposals)
    sides = []
    for name, plan, pooled in (
        ("Concertation (the calendar)", live, joined),
        ("First come, first served", fcfs, 0),
        ("No coordination", wild, 0),
    ):
        days: dict[UUID, date | None] = dict(plan)
        sides.append(
            CalendarSide(
                name=name,
                metrics=measure(days, proposals, rules, today),
                joined=pooled,
                places=Counter(d for d in days.values() if d is not None),
                endorsed_first=sum(
                    1 for p in proposals if p.endorsed and days.get(p.proposal_id) == p.preferred_dates[0]
                ),
            )
        )
    return sides


def routing_sides(observed: Observed, settings: MatchingSettings, today: date, seed: int) -> RoutingSides:
    """The round's placement and the first-pitch-wins baseline, measured the same way."""
    round_id = observed.round.round_id
    market = Market(
        profiles={p.person_id: p for p in observed.profiles},
        cases={c.person_id: c for c in observed.cases},
        referrals=[r for r in observed.referrals if r.round_id != round_id],
        offers=observed.offers,
        partners={p.partner_id: p for p in observed.partners},
        calendar=observed.calendar,
    )
    prepared = prepare(market, today)
    this_round = {r.case_id: r.welcoming_offer_id for r in observed.referrals if r.round_id == round_id}
    numbered = prepared.numbered(this_round)
    placed = {i: j for i, j in numbered.items() if j is not None}
    baseline = first_come(prepared, seed)
    return RoutingSides(
        round=figures(market, prepared, placed, len(placed), today),
        competing=figures(market, prepared, baseline.placed, baseline.pitches, today),
        households=len(prepared.seekers),
    )
