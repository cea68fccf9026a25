"""The stall watchdog on the real broker: a worker whose consumption freezes is seen and set going again.

The worker (tests/integration/frozen_worker.py) runs as its own process in the
test stack, which supervises it as it does Concerto's workers. The watchdog runs
with the test settings (tests/conftest.py: checks every 2 s, a stall after 15 s).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaProducer

from services.common.kafka import API_VERSION, client_options
from services.common.principals import ADMIN
from services.common.watchdog import STALL_EXIT_CODE
from tests.support import eventually, log_events
from tools.stack import Process, Stack

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Frozen:
    """One frozen worker's process and files."""

    name: str
    topic: str
    out: Path
    log: Path

    def handled(self) -> set[int]:
        if not self.out.exists():
            return set()
        return {int(line.split()[1]) for line in self.out.read_text().splitlines() if line.startswith("0 ")}

    def events(self) -> list[str]:
        return [e["event"] for e in log_events(self.log)]


def _produce(bootstrap: str, topic: str, offsets: range) -> None:
    producer = KafkaProducer(**client_options(bootstrap), acks="all", api_version=API_VERSION)
    for n in offsets:
        producer.send(topic, key=b"k", value=f"record {n}".encode(), partition=0)
    producer.flush()
    producer.close()


@pytest.fixture
def frozen(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Frozen]:
    """The frozen worker, freezing as the test's parameter says; stopped at the end."""
    freeze = str(request.param)
    run = uuid.uuid4().hex[:8]
    name = f"stall-test-{freeze}-{run}"
    work = stack.config.var / "stall-test" / run
    work.mkdir(parents=True)
    env = {
        **stack.config.env(),
        **stack.config.kafka_env(ADMIN),  # a test's own worker, on a topic of its own
        "STALL_TEST_TOPIC": f"stall-test-{run}.v1",
        "STALL_TEST_APP": f"concerto-stall-test-{run}",
        "STALL_TEST_OUT": str(work / "handled.txt"),
        "STALL_TEST_FREEZE": freeze,
        "STALL_TEST_MARKER": str(work / "frozen"),
        "CONCERTO_WATCHDOG__HANDLER_TIMEOUT_S": "10",
    }
    stack.start(name, [sys.executable, "-m", "tests.integration.frozen_worker"], env, supervise=True)
    try:
        stack.wait_ready(Process(name, "tests.integration.frozen_worker"), timeout=120)
        yield Frozen(name, env["STALL_TEST_TOPIC"], work / "handled.txt", stack.log_path(name))
    finally:
        stack.stop(name)


@pytest.mark.parametrize("frozen", ["pause"], indirect=True)
def test_a_worker_whose_partitions_were_paused_is_seen_stalled_and_recovers_in_process(
    stack: Stack, frozen: Frozen
) -> None:
    _produce(stack.config.bootstrap, frozen.topic, range(10))
    eventually(lambda: frozen.handled() >= set(range(10)), 60, "the first ten records")
    assert "test.consumption_paused" in frozen.events()
    # Written after the pause: they wait, unfetched, until the watchdog resumes the partition.
    _produce(stack.config.bootstrap, frozen.topic, range(10, 20))
    eventually(lambda: frozen.handled() >= set(range(20)), 90, "the ten records written after the pause")
    # The watchdog says it recovered at its next check after the progress.
    eventually(lambda: "worker.stall_recovered" in frozen.events(), 30, "the recovery to be logged")
    events = frozen.events()
    assert events.index("worker.stalled") < events.index("worker.stall_recovered")
    assert "worker.stall_unrecovered" not in events
    assert stack.restarts.get(frozen.name, 0) == 0


@pytest.mark.parametrize("frozen", ["hang"], indirect=True)
def test_a_worker_whose_handler_hangs_exits_and_its_restart_handles_the_waiting_records(
    stack: Stack, frozen: Frozen
) -> None:
    _produce(stack.config.bootstrap, frozen.topic, range(10))
    eventually(lambda: frozen.handled() >= set(range(10)), 120, "every record, after the restart")
    events = frozen.events()
    assert events.index("test.handler_hangs") < events.index("worker.stall_unrecovered")
    assert stack.restarts[frozen.name] == 1
    supervised = [json.loads(line) for line in (stack.log_dir / "supervisor.log").read_text().splitlines()]
    assert {"process": frozen.name, "exit_status": STALL_EXIT_CODE} in [
        {"process": s["process"], "exit_status": s["exit_status"]} for s in supervised
    ]
