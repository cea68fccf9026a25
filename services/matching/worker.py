"""matching-worker: opens a case for each declared interest, with the person's entitlements
(entry point: ``python -m services.matching.worker``).

The support measures come from offers.v1 (published by partners-api), which the
worker follows in its own projection.
"""

from __future__ import annotations

import asyncio

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import CaseKey, InterestDeclared, Offer
from services.common.projection import Projection
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
from services.common.topics import CASES, INTERESTS, OFFERS

from .domain import open_case
from .entitlements import entitlements, facts_of

SERVICE = "matching-worker"
CATALOGUE_WAIT_S = 30.0
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    """The matching worker's faust app."""
    app = create_faust_app("concerto-matching-worker", settings)
    interests = raw_topic(app, INTERESTS)
    cases = raw_topic(app, CASES)
    dead_letters = DeadLetters(app, SERVICE)
    catalogue = Projection(settings.kafka, [OFFERS], SERVICE)

    async def on_interest(record: Received) -> None:
        interest: InterestDeclared = record.value
        if not catalogue.ready:
            await asyncio.to_thread(catalogue.wait_ready, CATALOGUE_WAIT_S)
        offers: list[Offer] = catalogue.values(OFFERS)
        case = open_case(interest, entitlements(offers, facts_of(interest)))
        meta = new_event("matching.CaseOpened", SERVICE, record.correlation_id, caused_by=record.event_id)
        await publish(cases, CASES, CaseKey(case_id=case.case_id), case, meta)
        log.info(
            "case.opened",
            case_id=str(case.case_id),
            person_id=str(case.person_id),
            entitled=sum(e.status == "entitled" for e in case.entitlements),
            possible=sum(e.status == "possible" for e in case.entitlements),
        )

    @app.task  # type: ignore[untyped-decorator]
    async def follow_catalogue() -> None:
        catalogue.start()

    @app.agent(interests, name="open-cases")
    async def open_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INTERESTS, on_interest, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
