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
    action = _Action(command, proposal, entry, store, rules, now)
    getattr(action, command.action)()
    return action.changed


class _Action:
    """One command on one proposal: each method is an action, asking the proposal's table
    (lifecycle.py) whether its status allows it, and recording the entries it changes."""

    def __init__(
        self,
        command: CalendarCommand,
        proposal: ActivityProposed,
        entry: CalendarEntry,
        store: CalendarStore,
        rules: CalendarRules,
        now: datetime,
    ) -> None:
        self.command, self.proposal, self.entry = command, proposal, entry
        self.store, self.rules, self.now = store, rules, now
        self.changed: list[CalendarEntry] = []

    def put(self, new: CalendarEntry) -> None:
        self.store.save(new)
        self.changed.append(new)

    def redecide(self, updated: ActivityProposed, change: str = "decided") -> None:
        self.store.keep_proposal(updated)
        # An endorsed proposal may take a provisional place (priority.py): then two entries change.
        decided, *displaced = decide_with_priority(
            updated, self.store, self.rules, self.now, keep_place=False
        )
        self.put(decided.model_copy(update={"change": change}))
        for entry in displaced:
            self.put(entry)

    def endorse(self) -> None:
        if not self.proposal.endorsed:
            endorsed = self.proposal.model_copy(update={"endorsed": True})
            if allows(self.entry.status, "endorse"):
                self.redecide(endorsed, "endorsed")
            else:
                self.store.keep_proposal(endorsed)

    def withdraw(self) -> None:
        entry = self.entry
        if allows(entry.status, "withdraw"):
            _leave(entry, self.store, self.put, self.now)
            self.put(withdrawn(entry, self.now))
            _release_members(entry, self.store, self.put, self.rules, self.now)

    def reschedule(self) -> None:
        entry, proposal = self.entry, self.proposal
        moved = proposal.model_copy(update={"preferred_dates": self.command.preferred_dates})
        again = moved.preferred_dates != proposal.preferred_dates or entry.status == "not_possible"
        if allows(entry.status, "reschedule") and again:
            _leave(entry, self.store, self.put, self.now)
            self.redecide(moved, "rescheduled")
            _release_members(entry, self.store, self.put, self.rules, self.now)

    def accept_joint(self) -> None:
        entry, store = self.entry, self.store
        if not allows(entry.status, "accept_joint") or entry.joint_with is None:
            return
        host = store.entry(entry.joint_with)
        if host is not None and self._fits_with(host):
            member, host = join(entry, host, self.now)
            self.put(member)
            self.put(host)
        else:
            # The host moved, filled up or was withdrawn meanwhile: the organizer agreed to
            # share that activity, not to be sent to another one, so the proposal is decided
            # on its own (docs/calendar.md, "Joint activities"). Later decisions (a
            # reschedule) may suggest a joint activity again.
            alone = self.proposal.model_copy(update={"open_to_joint": False})
            decided = decide(alone, store, self.rules, self.now, keep_place=False)
            self.put(decided.model_copy(update={"change": "decided"}))

    def _fits_with(self, host: CalendarEntry) -> bool:
        return (
            _can_host(host)
            and host.day is not None
            and not problems(
                self.proposal,
                host.day,
                self.store,
                self.rules,
                local_date(self.now),
                joint_with=host.proposal_id,
            )
        )

    def decline_joint(self) -> None:
        if self.proposal.open_to_joint:
            alone = self.proposal.model_copy(update={"open_to_joint": False})
            if allows(self.entry.status, "decline_joint"):
                self.redecide(alone)
            else:
                self.store.keep_proposal(alone)


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
