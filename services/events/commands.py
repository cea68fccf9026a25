"""Actions on proposals (pure over a ``CalendarStore``): endorse, withdraw, reschedule, accept or
decline a joint activity. Each returns the calendar entries it changed, already saved in order,
so a later decision in the same action sees the earlier ones.

Every action is idempotent: applying it twice leaves the calendar as applying it once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import ActivityProposed, CalendarCommand, CalendarEntry, CalendarRules

from .domain import CalendarView, decide, join, problems, withdrawn
from .lifecycle import allows, entry_allows
from .priority import decide_with_priority

Put = Callable[[CalendarEntry], None]


class CalendarStore(CalendarView, Protocol):
    """A calendar that also keeps proposals and saves entries."""

    def proposal(self, proposal_id: UUID) -> ActivityProposed | None: ...
    def keep_proposal(self, proposal: ActivityProposed) -> None: ...
    def save(self, entry: CalendarEntry) -> None: ...


def apply_command(
    command: CalendarCommand, store: CalendarStore, rules: CalendarRules, now: datetime
) -> list[CalendarEntry]:
    """Apply ``command``; the entries it changed, in order."""
    proposal = store.proposal(command.proposal_id)
    entry = store.entry(command.proposal_id)
    if proposal is None or entry is None:
        raise LookupError(f"no proposal {command.proposal_id} in the calendar")
    changed: list[CalendarEntry] = []

    def put(new: CalendarEntry) -> None:
        store.save(new)
        changed.append(new)

    def redecide(updated: ActivityProposed, change: str = "decided") -> None:
        store.keep_proposal(updated)
        # An endorsed proposal may take a provisional place (priority.py): then two entries change.
        decided, *displaced = decide_with_priority(updated, store, rules, now, keep_place=False)
        put(decided.model_copy(update={"change": change}))
        for entry in displaced:
            put(entry)

    match command.action:
        case "endorse":
            if not proposal.endorsed:
                endorsed = proposal.model_copy(update={"endorsed": True})
                if allows(entry.status, "endorse"):
                    redecide(endorsed, "endorsed")
                else:
                    store.keep_proposal(endorsed)
        case "withdraw":
            if allows(entry.status, "withdraw"):
                _leave(entry, store, put, now)
                put(withdrawn(entry, now))
                _release_members(entry, store, put, rules, now)
        case "reschedule":
            moved = proposal.model_copy(update={"preferred_dates": command.preferred_dates})
            again = moved.preferred_dates != proposal.preferred_dates or entry.status == "not_possible"
            if allows(entry.status, "reschedule") and again:
                _leave(entry, store, put, now)
                redecide(moved, "rescheduled")
                _release_members(entry, store, put, rules, now)
        case "accept_joint":
            if allows(entry.status, "accept_joint") and entry.joint_with is not None:
                host = store.entry(entry.joint_with)
                if (
                    host is not None
                    and _can_host(host)
                    and host.day is not None
                    and not problems(
                        proposal, host.day, store, rules, local_date(now), joint_with=host.proposal_id
                    )
                ):
                    member, host = join(entry, host, now)
                    put(member)
                    put(host)
                else:
                    # The host moved, filled up or was withdrawn meanwhile: the organizer agreed to
                    # share that activity, not to be sent to another one, so the proposal is decided
                    # on its own (docs/calendar.md, "Joint activities"). Later decisions (a
                    # reschedule) may suggest a joint activity again.
                    alone = proposal.model_copy(update={"open_to_joint": False})
                    put(
                        decide(alone, store, rules, now, keep_place=False).model_copy(
                            update={"change": "decided"}
                        )
                    )
        case "decline_joint":
            if proposal.open_to_joint:
                alone = proposal.model_copy(update={"open_to_joint": False})
                if allows(entry.status, "decline_joint"):
                    redecide(alone)
                else:
                    store.keep_proposal(alone)
    return changed


def _can_host(host: CalendarEntry) -> bool:
    return entry_allows(host.status, "host") and host.joint_with is None


def _leave(entry: CalendarEntry, store: CalendarStore, put: Put, now: datetime) -> None:
    """A joint member leaving: its host forgets it."""
    if entry_allows(entry.status, "leave_host") and entry.joint_with is not None:
        host = store.entry(entry.joint_with)
        if host is not None and entry.proposal_id in host.joint_members:
            members = [m for m in host.joint_members if m != entry.proposal_id]
            put(
                host.model_copy(update={"joint_members": members, "decided_at": now, "change": "member_left"})
            )


def _release_members(
    host: CalendarEntry, store: CalendarStore, put: Put, rules: CalendarRules, now: datetime
) -> None:
    """A host that moved or was withdrawn: its members are decided again, on their own."""
    for member_id in host.joint_members:
        member = store.proposal(member_id)
        if member is not None:
            put(decide(member, store, rules, now, keep_place=False))
