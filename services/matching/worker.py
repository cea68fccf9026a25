"""matching-worker: opens and updates cases, and runs concertation rounds
(entry point: ``python -m services.matching.worker``).

The wiring only: the work on each record is in handlers.py (``Matching``), the
Kafka adapters in adapters.py. Two agents:

- ``open-cases`` (interests.v1): cases opened, updated, withdrawn or erased, and the
  queue of cases waiting for a counsellor (also moved by a timer, which sees a
  counsellor added or given room).
- ``concertation`` (matching-commands.v1, one partition, in order): rounds,
  accept / decline / override / withdraw / erase on referral plans, and the
  milestones and closes of settlements (settlements.v1).

Offers, partners, counsellors and the calendar come from a projection. Of
cases and interests the worker keeps only summaries and record bytes
(state.People, loaded at start); a round reads cases.v1 when it runs. Referral
plans, settlements, and the commands and rounds done, are kept in faust tables.
"""

from __future__ import annotations

import asyncio
import time

import faust
import structlog

from services.common.projection import Projection
from services.common.settings import Settings
from services.common.streams import (
    DeadLetters,
    Received,
    create_faust_app,
    handle_stream,
    raw_topic,
    run_worker,
)
from services.common.topics import (
    CALENDAR,
    CASES,
    COUNSELLORS,
    FOLLOWUPS,
    INTERESTS,
    MATCHING_COMMANDS,
    OFFERS,
    PARTNERS,
    REFERRALS,
    ROUNDS,
    SETTLEMENTS,
)
from services.common.worker_publisher import FaustPublisher

from . import concertation
from .adapters import LOAD_TIMEOUT_S, KafkaCases
from .case_handlers import SERVICE
from .handlers import Matching
from .state import People, ReferralBook, SettlementBook

READY_WAIT_S = 30.0
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    """The matching worker's faust app."""
    # Cases are ~13 KiB: 5 ms of linger puts several in one produce request (a socket write each).
    app = create_faust_app("concerto-matching-worker", settings, producer_linger_s=0.005)
    world = Projection(settings.kafka, [OFFERS, PARTNERS, COUNSELLORS, CALENDAR], SERVICE)
    people = People()
    loaded = asyncio.Event()
    matching = Matching(
        publisher=FaustPublisher(
            app, settings.kafka, (CASES, REFERRALS, ROUNDS, SETTLEMENTS, FOLLOWUPS, MATCHING_COMMANDS)
        ),
        clock=settings.build_clock(),
        world=world,
        cases=KafkaCases(settings.kafka),
        people=people,
        book=ReferralBook(app.Table("referral-book", default=None, partitions=MATCHING_COMMANDS.partitions)),
        # Settlements by case id: decided in order with the plans' actions (milestones, closes).
        settlements=SettlementBook(
            app.Table("settlement-book", default=None, partitions=MATCHING_COMMANDS.partitions)
        ),
        # Commands decided (by command id) and rounds run (by round id): a replay decides nothing twice.
        done=app.Table("commands-done", default=None, partitions=MATCHING_COMMANDS.partitions),
        limits=concertation.Limits(
            referrals_per_position=settings.matching.referrals_per_position,
            jobs=settings.matching.jobs_per_plan,
            settlement=settings.matching.settlement_per_plan,
            activities=settings.matching.activities_per_plan,
        ),
    )
    interests = raw_topic(app, INTERESTS)
    commands = raw_topic(app, MATCHING_COMMANDS)
    dead_letters = DeadLetters(app, SERVICE)

    async def ready() -> None:
        if not world.ready and not await asyncio.to_thread(world.wait_ready, READY_WAIT_S):
            raise TimeoutError("the matching worker's projection did not load in time")
        await loaded.wait()

    async def on_interest(record: Received) -> None:
        await ready()
        await matching.on_interest(record)

    async def on_command(record: Received) -> None:
        await ready()
        await matching.on_command(record)

    @app.task  # type: ignore[untyped-decorator]
    async def follow_world() -> None:
        world.start()
        started = time.perf_counter()
        await asyncio.to_thread(people.load, settings.kafka, LOAD_TIMEOUT_S)
        log.info("state.ready", people=len(people), seconds=round(time.perf_counter() - started, 1))
        loaded.set()

    # A counsellor added, given room or made active is seen here (their record is on
    # counsellors.v1, which the projection follows): the queue moves within a check.
    @app.timer(interval=settings.matching.queue_check_s)  # type: ignore[untyped-decorator]
    async def queue_check() -> None:
        if loaded.is_set() and world.ready:
            await matching.check_queue()

    interval = settings.matching.round_interval_s
    if interval > 0:
        # Every matching-worker process runs this loop; none is a leader (faust's leader election
        # is off: ``topic_disable_leader``). At each period's start each one asks for the round of
        # that period, keyed by its id (``scheduled_round_id``); the concertation agent reads
        # matching-commands.v1 (one partition) in order and runs a round id once ("done" table),
        # so N processes, or one restarted, give one round per period.
        @app.task  # type: ignore[untyped-decorator]
        async def scheduled_rounds() -> None:
            await ready()
            await matching.ask_for_rounds(interval, lambda: bool(app.should_stop))

    @app.agent(interests, name="open-cases")
    async def open_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INTERESTS, on_interest, dead_letters)

    @app.agent(commands, name="concertation")
    async def concert(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, MATCHING_COMMANDS, on_command, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
