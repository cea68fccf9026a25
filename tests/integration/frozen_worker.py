"""A faust worker whose consumption freezes on purpose, for tests/integration/test_stall_watchdog.py.

    python -m tests.integration.frozen_worker   (settings from CONCERTO_*, the test's from STALL_TEST_*)

It is built like Concerto's workers (``create_faust_app``, ``handle_stream``,
``run_worker``, so with the stall watchdog) and reads one topic of its own,
STALL_TEST_TOPIC, writing "partition offset" to STALL_TEST_OUT for each record
handled. STALL_TEST_FREEZE says how it freezes, once per STALL_TEST_MARKER file:

- ``pause``: at the record of offset 5, pauses fetching every assigned partition
  through faust's consumer (what faust's flow control does under back-pressure
  or a rebalance), then goes on with what it had already fetched;
- ``hang``: the first record's handler never returns.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import faust
import structlog

from services.common.settings import Settings
from services.common.streams import (
    DeadLetters,
    Received,
    create_faust_app,
    handle_stream,
    raw_topic,
    run_worker,
)
from services.common.topics import TopicSpec

SERVICE = "stall-test-worker"
log = structlog.get_logger(__name__)


def topic_spec(name: str) -> TopicSpec:
    """The test's topic: raw bytes, two partitions."""
    return TopicSpec(name, None, None, "tests", 2, False, "records the stall test's worker handles")


def create_app(
    settings: Settings, app_id: str, spec: TopicSpec, out: Path, freeze: str, marker: Path
) -> faust.App:
    """The worker's app: one agent on ``spec``'s topic."""
    app = create_faust_app(app_id, settings)
    topic = raw_topic(app, spec)
    dead_letters = DeadLetters(app, SERVICE)
    frozen = {"once": marker.exists()}  # a restarted worker does not freeze again

    async def on_record(record: Received) -> None:
        if freeze == "pause" and record.offset >= 5 and not frozen["once"]:
            frozen["once"] = True
            await asyncio.to_thread(marker.touch)
            app.consumer.pause_partitions(app.consumer.assignment())
            log.warning("test.consumption_paused", offset=record.offset)
        if freeze == "hang" and not frozen["once"]:
            frozen["once"] = True
            await asyncio.to_thread(marker.touch)
            log.warning("test.handler_hangs", offset=record.offset)
            await asyncio.Event().wait()
        await asyncio.to_thread(_append, out, f"{record.partition} {record.offset}\n")

    @app.agent(topic, name="stall-test")
    async def handle(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, spec, on_record, dead_letters)

    return app


def _append(path: Path, line: str) -> None:
    with path.open("a") as out:
        out.write(line)


def main() -> None:
    settings = Settings()
    spec = topic_spec(os.environ["STALL_TEST_TOPIC"])
    app = create_app(
        settings,
        os.environ["STALL_TEST_APP"],
        spec,
        Path(os.environ["STALL_TEST_OUT"]),
        os.environ["STALL_TEST_FREEZE"],
        Path(os.environ["STALL_TEST_MARKER"]),
    )
    run_worker(app, settings, SERVICE, internal=[spec])


if __name__ == "__main__":
    main()
