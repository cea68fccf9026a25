"""events-worker: decides each proposal, in order, against the daily capacity
(entry point: ``python -m services.events.worker``).

event-proposals.v1 has one partition, so decisions are made one at a time and
two proposals can never take the last place of a day. Bookings live in a faust
table (day → proposal ids) recovered from its changelog after a restart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import ActivityProposed, ProposalKey
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
from services.common.topics import CALENDAR, EVENT_PROPOSALS

from .domain import decide

SERVICE = "events-worker"
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    """The events worker's faust app."""
    app = create_faust_app("concerto-events-worker", settings)
    proposals = raw_topic(app, EVENT_PROPOSALS)
    calendar = raw_topic(app, CALENDAR)
    dead_letters = DeadLetters(app, SERVICE)
    bookings = app.Table("bookings-by-day", default=list, partitions=EVENT_PROPOSALS.partitions)

    def booked_on(day: date) -> frozenset[UUID]:
        return frozenset(UUID(p) for p in bookings[day.isoformat()])

    async def on_proposal(record: Received) -> None:
        proposal: ActivityProposed = record.value
        entry = decide(proposal, booked_on, settings.max_activities_per_day, datetime.now(UTC))
        if entry.day is not None and str(proposal.proposal_id) not in bookings[entry.day.isoformat()]:
            bookings[entry.day.isoformat()] = [*bookings[entry.day.isoformat()], str(proposal.proposal_id)]
        meta = new_event("events.ProposalDecided", SERVICE, record.correlation_id, caused_by=record.event_id)
        await publish(calendar, CALENDAR, ProposalKey(proposal_id=proposal.proposal_id), entry, meta)
        log.info(
            "proposal.decided",
            proposal_id=str(proposal.proposal_id),
            status=entry.status,
            day=entry.day.isoformat() if entry.day else None,
        )

    @app.agent(proposals, name="decide-proposals")
    async def decide_proposals(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, EVENT_PROPOSALS, on_proposal, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
