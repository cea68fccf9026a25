"""events-worker: decides each proposal and each action on it, in one ordered stream
(entry point: ``python -m services.events.worker``).

It reads event-proposals.v1, calendar-commands.v1 and calendar-rules.v1 (one
partition each) in one agent, so decisions are made one at a time and two
proposals can never take the last place of a day. Every changed calendar entry
is published to calendar.v1 (a decision, then the entry it displaced, if any).
"""

from __future__ import annotations

from datetime import datetime

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import (
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    CalendarRules,
    ProposalKey,
)
from services.common.settings import Settings
from services.common.streams import (
    DeadLetters,
    Received,
    create_faust_app,
    handle_stream,
    publish,
    raw_topic,
    run_worker,
)
from services.common.topics import CALENDAR, CALENDAR_COMMANDS, CALENDAR_RULES, EVENT_PROPOSALS

from .calendar_state import TableCalendar
from .commands import apply_command
from .priority import decide_with_priority

SERVICE = "events-worker"
log = structlog.get_logger(__name__)
INPUTS = {spec.name: spec for spec in (EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES)}


def foundation_rules(settings: Settings) -> CalendarRules:
    """The rules in force until the hub publishes some: the daily maximum only."""
    k = settings.max_activities_per_day
    return CalendarRules(max_per_day=k, max_per_slot=k, min_days_same_region=0, min_days_same_sector=0)


def create_app(settings: Settings) -> faust.App:
    """The events worker's faust app."""
    app = create_faust_app("concerto-events-worker", settings)
    clock = settings.build_clock()
    inputs = raw_topic(app, EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES)
    calendar_topic = raw_topic(app, CALENDAR)
    dead_letters = DeadLetters(app, SERVICE)
    calendar = TableCalendar(
        entries=app.Table("calendar-entries", default=None, partitions=1),
        proposals=app.Table("calendar-proposals", default=None, partitions=1),
        by_day=app.Table("bookings-by-day", default=list, partitions=1),
        rules=app.Table("calendar-rules", default=None, partitions=1),
        default_rules=foundation_rules(settings),
    )

    async def emit(record: Received, entries: list[CalendarEntry]) -> None:
        for entry in entries:
            calendar.save(entry)
            meta = new_event(
                "events.ProposalDecided",
                SERVICE,
                record.correlation_id,
                caused_by=f"{record.event_id}/{entry.proposal_id}",
                now=clock.now(),
            )
            await publish(calendar_topic, CALENDAR, ProposalKey(proposal_id=entry.proposal_id), entry, meta)
            log.info(
                "proposal.decided",
                proposal_id=str(entry.proposal_id),
                status=entry.status,
                day=entry.day.isoformat() if entry.day else None,
            )

    # The proposals and commands already decided, by event id: a replay of the inputs (offsets
    # reset, a redelivery after a crash) decides nothing twice, whatever changed since.
    handled = app.Table("handled-events", default=None, partitions=1)

    async def on_record(record: Received) -> None:
        now = clock.now()
        if record.topic != CALENDAR_RULES.name and handled.get(record.event_id) is not None:
            log.info("record.already_decided", topic=record.topic, event_id=record.event_id)
            return
        await decide_record(record, now)
        if record.topic != CALENDAR_RULES.name:
            handled[record.event_id] = now.isoformat()

    async def decide_record(record: Received, now: datetime) -> None:
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
            await emit(record, decide_with_priority(proposal, calendar, calendar.rules(), now))
        else:
            command: CalendarCommand = record.value
            await emit(record, apply_command(command, calendar, calendar.rules(), now))

    @app.agent(inputs, name="decide-proposals")
    async def decide_proposals(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INPUTS, on_record, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
