"""The scheduled concertation round runs exactly once per period, on the real broker, with two
matching-worker processes in one consumer group and a round every 5 seconds.

Both processes ask for each period's round (``round.requested`` in both logs); the concertation
agent runs it once (one RoundCompleted per round id on rounds.v1, one ``round.completed`` across
both logs), and no period is skipped while the two run.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from services.common.clock import default_clock
from services.common.topics import ROUNDS
from services.matching.handlers import next_period_start, scheduled_round_id
from tests.conftest import own_stack
from tests.support import eventually, log_events, read_topic
from tools.stack import PROCESSES, Process, Stack

INTERVAL_S = 5.0
SESSION_WORKER = next(p for p in PROCESSES if p.name == "matching-worker")
TWO = [Process(f"matching-worker-{n}", SESSION_WORKER.module) for n in ("a", "b")]


@pytest.fixture(scope="module")
def two_workers() -> Iterator[Stack]:
    """Two matching workers (one group) with a 5-second schedule, on a broker of this module's own:
    a round takes every open case on its broker, and no other test's cases must meet these rounds."""
    with own_stack("scheduled-rounds", []) as stack:
        env = {**stack.config.env(), "CONCERTO_MATCHING__ROUND_INTERVAL_S": str(INTERVAL_S)}
        for process in TWO:
            stack.start(process.name, [sys.executable, "-m", process.module], env)
        for process in TWO:
            stack.wait_ready(process)
        yield stack


def _events(stack: Stack, event: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for process in TWO:
        for record in log_events(stack.log_path(process.name)):
            if record.get("event") == event:
                found[str(record["round_id"])] += 1
    return found


def test_the_scheduled_round_runs_once_per_period_with_two_workers(two_workers: Stack) -> None:
    clock = default_clock()  # the same shifted clock as the processes (the suite pins it)
    first = next_period_start(INTERVAL_S, clock.timestamp())
    time.sleep(max(first - clock.timestamp(), 0) + 4 * INTERVAL_S)
    last = next_period_start(INTERVAL_S, clock.timestamp()) - INTERVAL_S  # the current period's start
    # Periods that began while both ran, leaving the latest one a period to finish its round.
    periods = [first + k * INTERVAL_S for k in range(int((last - first) / INTERVAL_S))]
    expected = {str(scheduled_round_id(INTERVAL_S, start)) for start in periods}
    assert len(expected) >= 3

    bootstrap = two_workers.config.bootstrap

    def seen() -> tuple[Counter[str], Counter[str], Counter[str]]:
        results = Counter(
            json.loads(r.value)["round_id"]
            for r in read_topic(bootstrap, ROUNDS.name)
            if r.value is not None and json.loads(r.value)["requested_by"] == "schedule"
        )
        return _events(two_workers, "round.requested"), results, _events(two_workers, "round.completed")

    def all_done() -> bool:
        requested, results, completed = seen()
        return all(requested[r] >= 2 and results[r] >= 1 and completed[r] >= 1 for r in expected)

    # A loaded machine may finish the latest period's round late: wait for it, then count.
    eventually(all_done, 60, "each period's round asked twice and done", state=lambda: str(seen()))
    time.sleep(INTERVAL_S)  # a second run of a round, if any, would show by now
    requested, results, completed = seen()
    for round_id in expected:
        assert requested[round_id] == 2, (round_id, requested)  # both processes asked
        assert results[round_id] == 1, (round_id, results)  # one result on rounds.v1
        assert completed[round_id] == 1, (round_id, completed)  # one round run, in one process
