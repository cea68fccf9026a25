"""The events worker's use cases: the decision on one record of its ordered stream.

``Decisions`` is given a publisher, a clock, the calendar it keeps (entries, proposals, day
index, rules: ``calendar_state.TableCalendar`` in faust tables, a dict-backed one in tests) and
the record of the events already decided. It knows no faust: worker.py wires it.

- Rules (calendar-rules.v1) are kept and apply to every decision from then on.
- A proposal (event-proposals.v1) is decided (with priority: the entry, then the one it
  displaced); a redelivered proposal never undoes later actions on it.
- A command (calendar-commands.v1) is applied (commands.py) and every entry it changed is
  published, in order.

Proposals and commands are decided once per event id: a replay (offsets reset, a redelivery
after a crash) decides nothing twice, whatever changed since.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

import structlog

from services.common.clock import Clock
from services.common.cloudevents import new_event
from services.common.contracts import (
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    CalendarRules,
    ProposalKey,
)
from services.common.streams import Received
from services.common.topics import CALENDAR, CALENDAR_RULES, EVENT_PROPOSALS
from services.common.worker_publisher import RecordPublisher

from .calendar_state import TableCalendar
from .commands import apply_command
from .priority import decide_with_priority

SERVICE = "events-worker"
log = structlog.get_logger(__name__)


class Decisions:
    """The events worker's handler (see the module's docstring)."""

    def __init__(
        self,
        *,
        publisher: RecordPublisher,
        clock: Clock,
        calendar: TableCalendar,
        handled: MutableMapping[str, Any],
    ) -> None:
        self._publisher = publisher
        self._clock = clock
        self._calendar = calendar
        self._handled = handled  # the proposals and commands already decided, by event id

    async def on_record(self, record: Received) -> None:
        """One record of the ordered stream: rules, a proposal or a command."""
        now = self._clock.now()
        if record.topic != CALENDAR_RULES.name and self._handled.get(record.event_id) is not None:
            log.info("record.already_decided", topic=record.topic, event_id=record.event_id)
            return
        await self._decide(record, now)
        if record.topic != CALENDAR_RULES.name:
            self._handled[record.event_id] = now.isoformat()

    async def _decide(self, record: Received, now: datetime) -> None:
        calendar = self._calendar
        if record.topic == CALENDAR_RULES.name:
            rules: CalendarRules = record.value
            calendar.keep_rules(rules)
            log.info("calendar.rules_applied", max_per_day=rules.max_per_day, venues=len(rules.venues))
        elif record.topic == EVENT_PROPOSALS.name:
            incoming: ActivityProposed = record.value
            # A redelivered proposal never undoes later actions on it (endorsement, reschedule).
            proposal = calendar.proposal(incoming.proposal_id) or incoming
            calendar.keep_proposal(proposal)
            # Endorsed first on a full day: the entry, then the one it displaced (priority.py).
            await self._emit(record, decide_with_priority(proposal, calendar, calendar.rules(), now))
        else:
            command: CalendarCommand = record.value
            await self._emit(record, apply_command(command, calendar, calendar.rules(), now))

    async def _emit(self, record: Received, entries: list[CalendarEntry]) -> None:
        for entry in entries:
            self._calendar.save(entry)
            meta = new_event(
                "events.ProposalDecided",
                SERVICE,
                record.correlation_id,
                caused_by=f"{record.event_id}/{entry.proposal_id}",
                now=self._clock.now(),
            )
            await self._publisher.send(CALENDAR, ProposalKey(proposal_id=entry.proposal_id), entry, meta)
            log.info(
                "proposal.decided",
                proposal_id=str(entry.proposal_id),
                status=entry.status,
                day=entry.day.isoformat() if entry.day else None,
            )
