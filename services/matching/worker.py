"""matching-worker: opens a case for each declared interest
(entry point: ``python -m services.matching.worker``)."""

from __future__ import annotations

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import CaseKey, InterestDeclared
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
from services.common.topics import CASES, INTERESTS

from .domain import open_case

SERVICE = "matching-worker"
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    """The matching worker's faust app."""
    app = create_faust_app("concerto-matching-worker", settings)
    interests = raw_topic(app, INTERESTS)
    cases = raw_topic(app, CASES)
    dead_letters = DeadLetters(app, SERVICE)

    async def on_interest(record: Received) -> None:
        interest: InterestDeclared = record.value
        case = open_case(interest)
        meta = new_event("matching.CaseOpened", SERVICE, record.correlation_id, caused_by=record.event_id)
        await publish(cases, CASES, CaseKey(case_id=case.case_id), case, meta)
        log.info("case.opened", case_id=str(case.case_id), person_id=str(case.person_id))

    @app.agent(interests, name="open-cases")
    async def open_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INTERESTS, on_interest, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
