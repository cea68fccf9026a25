"""What the stall watchdog does once it sees a stall (services/common/watchdog.py), with a fake consumer.

The real broker and faust consumer are in tests/integration/test_stall_watchdog.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faust.types import TP

from services.common.settings import WatchdogSettings
from services.common.watchdog import STALL_EXIT_CODE, Progress, Watchdog

CASES = "cases.v1"
SETTINGS = WatchdogSettings(check_interval_s=1, stall_timeout_s=30, handler_timeout_s=900)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeConsumer:
    """What the watchdog uses of faust's consumer; records what was done to it."""

    tps: set[TP]
    flow_active: bool = True
    _buffered_partitions: set[TP] = field(default_factory=set)
    resumed: set[TP] = field(default_factory=set)
    seeks: dict[TP, int] = field(default_factory=dict)

    def assignment(self) -> set[TP]:
        return self.tps

    def resume_flow(self) -> None:
        self.flow_active = True

    def resume_partitions(self, tps: set[TP]) -> None:
        self.resumed |= tps

    async def seek_wait(self, offsets: dict[TP, int]) -> None:
        self.seeks.update(offsets)


class FakeFlow:
    def is_active(self) -> bool:
        return True


@dataclass
class FakeApp:
    consumer: FakeConsumer
    rebalancing: bool = False
    flow_control: Any = field(default_factory=FakeFlow)


class FakeOffsets:
    """The broker: end offset and committed offset by partition."""

    def __init__(self, offsets: dict[tuple[str, int], tuple[int, int]]) -> None:
        self.offsets = offsets

    def read(self, tps: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int]]:
        return {tp: self.offsets[tp] for tp in tps}

    def close(self) -> None:
        pass


def _watchdog(end: int, committed: int) -> tuple[Watchdog, FakeApp, FakeClock, Progress, list[int]]:
    clock = FakeClock()
    progress = Progress(clock)
    progress.register([CASES])
    app = FakeApp(FakeConsumer({TP(CASES, 0), TP("changelog", 0)}))
    exits: list[int] = []
    dog = Watchdog(app, progress, SETTINGS, FakeOffsets({(CASES, 0): (end, committed)}), clock, exits.append)
    return dog, app, clock, progress, exits


async def test_records_left_waiting_are_refetched_in_process_and_the_worker_goes_on() -> None:
    dog, app, clock, progress, exits = _watchdog(end=100, committed=40)
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s
    await dog.check()
    assert dog.stalls_detected == 1
    assert app.consumer.seeks == {TP(CASES, 0): 40}
    assert app.consumer.resumed == {TP(CASES, 0)}
    with progress.stream([CASES]).handling(CASES, 0, 40):
        clock.now += 1
    await dog.check()
    assert dog.recoveries == 1
    assert exits == []


async def test_a_worker_the_recovery_does_not_unstick_exits_with_the_stall_status() -> None:
    dog, _, clock, _, exits = _watchdog(end=100, committed=40)
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s - 1
    await dog.check()
    assert exits == []
    clock.now += 1
    await dog.check()
    assert exits == [STALL_EXIT_CODE]
    assert dog.recoveries == 0


async def test_a_handler_past_its_limit_exits_at_once_without_trying_in_process() -> None:
    dog, app, clock, progress, exits = _watchdog(end=100, committed=40)
    with progress.stream([CASES]).handling(CASES, 0, 40):
        await dog.check()
        clock.now += SETTINGS.handler_timeout_s
        await dog.check()
    assert exits == [STALL_EXIT_CODE]
    assert app.consumer.seeks == {}


async def test_an_idle_worker_and_a_long_round_are_left_alone() -> None:
    dog, _, clock, _, exits = _watchdog(end=40, committed=40)
    for _ in range(10):
        clock.now += SETTINGS.stall_timeout_s
        await dog.check()
    busy, _, busy_clock, busy_progress, busy_exits = _watchdog(end=41, committed=40)
    with busy_progress.stream([CASES]).handling(CASES, 0, 40):
        for _ in range(4):  # a two-minute round
            busy_clock.now += 30
            await busy.check()
    assert (dog.stalls_detected, busy.stalls_detected) == (0, 0)
    assert exits == busy_exits == []


async def test_no_check_during_a_rebalance_and_the_clock_restarts_after_it() -> None:
    dog, app, clock, _, exits = _watchdog(end=100, committed=40)
    await dog.check()
    app.rebalancing = True
    clock.now += SETTINGS.stall_timeout_s
    assert await dog.check() is None
    app.rebalancing = False
    await dog.check()
    assert dog.stalls_detected == 0
    assert exits == []


async def test_records_the_group_committed_without_their_being_handled_are_fetched_again() -> None:
    # faust acks (so commits) the records its streams skip around a rebalance: the group's
    # offset is at the end, but the last record handled in this generation is 59.
    dog, app, clock, progress, _ = _watchdog(end=100, committed=100)
    with progress.stream([CASES]).handling(CASES, 0, 59):
        pass
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s
    await dog.check()
    assert app.consumer.seeks == {TP(CASES, 0): 60}


async def test_offsets_handled_in_an_earlier_generation_do_not_count() -> None:
    dog, _, clock, progress, _ = _watchdog(end=100, committed=100)
    with progress.stream([CASES]).handling(CASES, 0, 59):
        pass
    progress.generation = lambda: 2
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s
    await dog.check()
    assert dog.stalls_detected == 0


async def test_the_next_offset_is_past_the_last_handled_record_when_the_commit_lags() -> None:
    dog, app, clock, progress, _ = _watchdog(end=100, committed=40)
    with progress.stream([CASES]).handling(CASES, 0, 59):
        pass
    await dog.check()
    clock.now += SETTINGS.stall_timeout_s
    await dog.check()
    assert app.consumer.seeks == {TP(CASES, 0): 60}
