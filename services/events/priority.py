"""Priority on a contested day (pure): endorsed activities first, within a decision window.

The network's principle (DOMAIN.md): the organizations a concertation table endorses or
delegates structure its region's recruitment in Montréal. Deciding first come, first served
in stream order let small unendorsed sessions take every place of a Saturday minutes before
the tables' kiosks arrived. So:

- an activity scheduled without its table's endorsement holds its place **provisionally**
  for ``CalendarRules.priority_window_hours`` (48 by default; ``CalendarEntry.provisional_until``,
  which its organizer's email states);
- an endorsed proposal (a table's delegate's, or endorsed by the hub or the delegate) that
  cannot have one of its preferred days, or only a later one, takes the place of a
  provisional activity of the best preferred day where giving up that one place makes the
  day possible for it;
- when several provisional activities of that day would do, the one that gives up its place
  is that of the regions already holding the most prime-day places within ``SEASON_DAYS``
  (fairness across regions, as the season planner shares prime slots), then the most recently
  scheduled, then the highest id;
- the displaced activity is decided again at once, like any proposal (its other preferred
  dates, a joint activity, or the nearest alternatives), and says which day it gave up.

Endorsed activities never displace one another, a joint host with members, or a place held
past its window (then it is first come, first served). Everything happens in the events
worker's single ordered stream: a decision and the displacement it causes are one step.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import ActivityProposed, CalendarEntry, CalendarRules
from services.common.messages import say

from .domain import CalendarView, decide, language_of, problems, reason_fields

SEASON_DAYS = 90


class PriorityStore(CalendarView, Protocol):
    """What deciding with priority needs: the calendar, the proposals, and saving an entry."""

    def proposal(self, proposal_id: UUID) -> ActivityProposed | None: ...
    def save(self, entry: CalendarEntry) -> None: ...


class _Without:
    """The calendar as if one activity did not hold its place."""

    def __init__(self, calendar: CalendarView, excluded: UUID) -> None:
        self._calendar = calendar
        self._excluded = excluded

    def entry(self, proposal_id: UUID) -> CalendarEntry | None:
        return self._calendar.entry(proposal_id)

    def scheduled_between(self, first: date, last: date) -> list[CalendarEntry]:
        return [e for e in self._calendar.scheduled_between(first, last) if e.proposal_id != self._excluded]


def decide_with_priority(
    proposal: ActivityProposed,
    store: PriorityStore,
    rules: CalendarRules,
    now: datetime,
    keep_place: bool = True,
) -> list[CalendarEntry]:
    """The decision on ``proposal`` (first), then the entry of the activity it displaced, if any.

    Both are saved in ``store`` in that order, so the displaced activity is decided again on the
    calendar that already holds its successor.
    """
    decided = decide(proposal, store, rules, now, keep_place)
    redelivered = keep_place and store.entry(proposal.proposal_id) is not None
    if redelivered or not proposal.endorsed or rules.priority_window_hours == 0:
        return [decided]
    if decided.day == proposal.preferred_dates[0] and decided.status in ("scheduled", "joint_suggested"):
        return [decided]  # its first choice (alone, or as one pavilion with an activity of that day)
    rank = decided.preference_rank if decided.status == "scheduled" and decided.preference_rank else None
    better = proposal.preferred_dates[: rank - 1] if rank else proposal.preferred_dates
    today = local_date(now)
    for day in better:
        victim = _to_displace(proposal, day, store, rules, now, today)
        if victim is None:
            continue
        taken = decide(proposal, _Without(store, victim.proposal_id), rules, now, keep_place=False)
        if taken.status != "scheduled" or taken.day != day:
            continue
        taken = taken.model_copy(
            update=reason_fields(say("decision_priority_taken", reason=taken.reason), language_of(proposal))
        )
        store.save(taken)
        held = store.proposal(victim.proposal_id)
        assert held is not None  # _to_displace checked it
        again = decide(held, store, rules, now, keep_place=False)
        displaced = again.model_copy(
            update={
                "displaced_from": day,
                "displaced_by": proposal.proposal_id,
                **reason_fields(
                    say("decision_priority_displaced", day=day, title=proposal.title, reason=again.reason),
                    language_of(held),
                ),
            }
        )
        store.save(displaced)
        return [taken, displaced]
    return [decided]


def _to_displace(
    proposal: ActivityProposed,
    day: date,
    store: PriorityStore,
    rules: CalendarRules,
    now: datetime,
    today: date,
) -> CalendarEntry | None:
    """The provisional activity of ``day`` whose place would make the day possible for ``proposal``."""
    candidates = []
    for entry in store.scheduled_between(day, day):
        if (
            entry.proposal_id == proposal.proposal_id
            or entry.joint_with is not None
            or entry.joint_members
            or entry.provisional_until is None
            or now >= entry.provisional_until
        ):
            continue
        held = store.proposal(entry.proposal_id)
        if held is None or held.endorsed:
            continue
        if problems(proposal, day, _Without(store, entry.proposal_id), rules, today):
            continue
        candidates.append(entry)
    if not candidates:
        return None
    reach = timedelta(days=SEASON_DAYS)
    prime = [
        e
        for e in store.scheduled_between(day - reach, day + reach)
        if e.day is not None and rules.is_prime(e.day) and e.joint_with is None
    ]

    def prime_places(entry: CalendarEntry) -> int:
        return sum(1 for e in prime if set(e.regions) & set(entry.regions))

    return max(candidates, key=lambda e: (prime_places(e), e.provisional_until, str(e.proposal_id)))
