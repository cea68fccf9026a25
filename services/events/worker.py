"""events-worker: decides each proposal and each action on it, in one ordered stream
(entry point: ``python -m services.events.worker``).

The wiring only: the decision on each record is in handlers.py (``Decisions``). It reads
event-proposals.v1, calendar-commands.v1 and calendar-rules.v1 (one partition each) in one
agent, so decisions are made one at a time and two proposals can never take the last place of
a day. Every changed calendar entry is published to calendar.v1 (a decision, then the entry it
displaced, if any). Its state lives in faust tables recovered from their changelogs.
"""

from __future__ import annotations

import faust

from services.common.contracts import CalendarRules
from services.common.settings import Settings
from services.common.streams import DeadLetters, create_faust_app, handle_stream, raw_topic, run_worker
from services.common.topics import CALENDAR, CALENDAR_COMMANDS, CALENDAR_RULES, EVENT_PROPOSALS
from services.common.worker_publisher import FaustPublisher

from .calendar_state import TableCalendar
from .handlers import SERVICE, Decisions

INPUTS = {spec.name: spec for spec in (EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES)}


def foundation_rules(settings: Settings) -> CalendarRules:
    """The rules in force until the hub publishes some: the daily maximum only."""
    k = settings.max_activities_per_day
    return CalendarRules(max_per_day=k, max_per_slot=k, min_days_same_region=0, min_days_same_sector=0)


def create_app(settings: Settings) -> faust.App:
    """The events worker's faust app."""
    app = create_faust_app("concerto-events-worker", settings)
    inputs = raw_topic(app, EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES)
    dead_letters = DeadLetters(app, SERVICE)
    decisions = Decisions(
        publisher=FaustPublisher(app, settings.kafka, [CALENDAR]),
        clock=settings.build_clock(),
        calendar=TableCalendar(
            entries=app.Table("calendar-entries", default=None, partitions=1),
            proposals=app.Table("calendar-proposals", default=None, partitions=1),
            by_day=app.Table("bookings-by-day", default=list, partitions=1),
            rules=app.Table("calendar-rules", default=None, partitions=1),
            default_rules=foundation_rules(settings),
        ),
        # The proposals and commands already decided, by event id: a replay of the inputs (offsets
        # reset, a redelivery after a crash) decides nothing twice, whatever changed since.
        handled=app.Table("handled-events", default=None, partitions=1),
    )

    @app.agent(inputs, name="decide-proposals")
    async def decide_proposals(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INPUTS, decisions.on_record, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
