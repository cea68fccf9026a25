"""The stall watchdog every faust worker runs (issue #6), and the progress its agents report.

Every ``check_interval_s`` it reads, for each partition assigned to this worker's
agents, the broker's end offset and the group's committed offset (with a
kafka-python client of its own: the faust consumer it watches may be the thing
that is stuck), and the last offset ``handle_stream`` handled. services/common/stall.py
decides from that whether records wait without progress.

On a stall it logs ``worker.stalled`` with the consumer's state (offsets and
flags, never a record's content), then, once, tries to restart consumption in
process: resume faust's flow and the partitions' fetching, and seek each stuck
partition to the next offset to handle, which drops whatever aiokafka prefetched
and makes it fetch again. If the worker still makes no progress one stall timeout
later, or a handler overran ``handler_timeout_s`` (nothing in process can unstick
it safely), it logs ``worker.stall_unrecovered`` and exits at once with status
``STALL_EXIT_CODE``, as a ``kill -9`` would: offsets are committed only for
handled records and the handlers are idempotent, so the restarted worker (docker
compose ``restart: unless-stopped``, tools/stack.py's supervision) resumes where
this one left off.

Upstream: faust-streaming/faust #175 and #640 (open: consumers that stop consuming with
records waiting, "Stream stopped processing, or is slow"). Without the watchdog,
tests/integration/test_stall_watchdog.py fails (both tests), and
tests/unit/test_stall_watchdog.py tells each recovery step. ``restart_consumption`` and
``consumer_state`` use faust's and aiokafka's internals: tests/unit/test_upstream_signatures.py
fails if an upgrade changes them.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import structlog
from faust.types import TP
from kafka import KafkaConsumer, TopicPartition

from .settings import KafkaSettings, WatchdogSettings
from .stall import Assessment, Observed, Stall, StreamView, Waiting, assess

log = structlog.get_logger(__name__)

#: Exit status of a worker the watchdog stopped (EX_TEMPFAIL: try again).
STALL_EXIT_CODE = 75

Clock = Callable[[], float]


@dataclass
class StreamProgress:
    """One agent's stream: when it last finished a record, and the records it is handling."""

    topics: frozenset[str]
    last_handled_at: float
    handled: dict[tuple[str, int], tuple[int, int]]
    clock: Clock
    generation: Callable[[], int]
    in_progress: dict[int, float] = field(default_factory=dict)
    _tokens: Iterator[int] = field(default_factory=lambda: iter(range(sys.maxsize)))

    @contextmanager
    def handling(self, topic: str, partition: int, offset: int) -> Iterator[None]:
        """Around one record: busy while inside; on a normal exit, the record counts as handled."""
        token = next(self._tokens)
        self.in_progress[token] = self.clock()
        try:
            yield
        finally:
            del self.in_progress[token]
        self.last_handled_at = self.clock()
        tp = (topic, partition)
        generation = self.generation()
        before = self.handled.get(tp)
        if before is None or before[0] != generation or before[1] < offset:
            self.handled[tp] = (generation, offset)

    def view(self) -> StreamView:
        started = min(self.in_progress.values()) if self.in_progress else None
        return StreamView(last_handled_at=self.last_handled_at, handler_started_at=started)


class Progress:
    """What the agents of one app report to the watchdog through ``handle_stream``."""

    def __init__(self, clock: Clock = time.monotonic, generation: Callable[[], int] = lambda: 0) -> None:
        self._clock = clock
        self.generation = generation
        self._streams: dict[frozenset[str], StreamProgress] = {}
        #: (consumer group generation, last offset handled) by (topic, partition).
        self.handled: dict[tuple[str, int], tuple[int, int]] = {}

    def stream(self, topics: Iterable[str]) -> StreamProgress:
        """The progress of the stream reading ``topics`` (created on its first record)."""
        key = frozenset(topics)
        if key not in self._streams:
            self._streams[key] = StreamProgress(
                key, self._clock(), self.handled, self._clock, self.generation
            )
        return self._streams[key]

    def register(self, topics: Iterable[str]) -> None:
        """Declare a stream before it handles anything, so its partitions are watched from the start."""
        self.stream(topics)

    def next_offsets(self) -> dict[tuple[str, int], int]:
        """The offset after the last one handled in the current generation, by partition."""
        generation = self.generation()
        return {tp: offset + 1 for tp, (gen, offset) in self.handled.items() if gen == generation}

    def views(self) -> dict[str, StreamView]:
        """Each watched topic's stream, as stall.assess reads it."""
        return {topic: s.view() for s in self._streams.values() for topic in s.topics}


class BrokerOffsets:
    """End, committed and first offsets of a group's partitions, read with a client of our own."""

    def __init__(self, settings: KafkaSettings, group_id: str) -> None:
        self._settings = settings
        self._group_id = group_id
        self._client: KafkaConsumer | None = None

    def read(self, tps: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int]]:
        """(end offset, next offset to consume per the group) by partition. Blocking: run in a thread."""
        from .kafka import API_VERSION, client_options

        if self._client is None:
            self._client = KafkaConsumer(
                **client_options(self._settings),
                group_id=self._group_id,
                enable_auto_commit=False,
                api_version=API_VERSION,
                request_timeout_ms=max(self._settings.request_timeout_ms, 10000),
                client_id=f"{self._group_id}-watchdog",
            )
        parts = [TopicPartition(t, p) for t, p in tps]
        ends = self._client.end_offsets(parts)
        firsts = self._client.beginning_offsets(parts)
        out = {}
        for part in parts:
            committed = self._client.committed(part)
            start = committed if committed is not None else firsts[part]
            out[(part.topic, part.partition)] = (ends[part], start)
        return out

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def exit_now(code: int) -> None:
    """Leave at once, like ``kill -9``: a stalled consumer may never finish a graceful stop."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class Watchdog:
    """Periodic stall check of one faust app; see the module docstring."""

    def __init__(
        self,
        app: Any,
        progress: Progress,
        settings: WatchdogSettings,
        offsets: Any,
        clock: Clock = time.monotonic,
        exit: Callable[[int], None] = exit_now,
    ) -> None:
        self.app = app
        self.progress = progress
        self.settings = settings
        self.offsets = offsets
        self.clock = clock
        self.exit = exit
        self.waiting: dict[tuple[str, int], Waiting] = {}
        self.recovering_since: float | None = None
        self.stalls_detected = 0
        self.recoveries = 0

    async def run(self) -> None:
        """Check forever; a failed check is logged and never stops the worker."""
        try:
            while True:
                await asyncio.sleep(self.settings.check_interval_s)
                try:
                    await self.check()
                except Exception:
                    log.exception("watchdog.check_failed")
        finally:
            await asyncio.to_thread(self.offsets.close)

    async def check(self) -> Assessment | None:
        """One check: observe, assess, and act on what it found."""
        app = self.app
        if app.rebalancing or app.consumer is None:
            self.waiting.clear()  # a rebalance restarts every partition's clock
            return None
        streams = self.progress.views()
        tps = sorted((tp.topic, tp.partition) for tp in app.consumer.assignment() if tp.topic in streams)
        if not tps:
            self.waiting.clear()
            return None
        timeout = self.settings.stall_timeout_s
        offsets = await asyncio.wait_for(asyncio.to_thread(self.offsets.read, tps), timeout)
        # Within a generation this worker alone handles its partitions: past the first record,
        # the next offset is the one after the last handled, even where the group committed
        # further (faust acks, so commits, the records its streams skip around a rebalance).
        handled = self.progress.next_offsets()
        observed = [
            Observed(t, p, end, handled.get((t, p), committed))
            for (t, p), (end, committed) in offsets.items()
        ]
        now = self.clock()
        found = assess(observed, self.waiting, streams, now, timeout, self.settings.handler_timeout_s)
        self.waiting = found.waiting
        await self._act(found.stalls, now)
        return found

    async def _act(self, stalls: list[Stall], now: float) -> None:
        if self.recovering_since is not None:
            if not stalls:
                self.recoveries += 1
                log.warning("worker.stall_recovered", recoveries=self.recoveries)
                self.recovering_since = None
            elif now - self.recovering_since >= self.settings.stall_timeout_s:
                self._give_up(stalls, "no progress after the in-process recovery")
            return
        if not stalls:
            return
        self.stalls_detected += 1
        log.error(
            "worker.stalled",
            stalls=[vars(s) for s in stalls],
            detected=self.stalls_detected,
            consumer=consumer_state(self.app, {(s.topic, s.partition) for s in stalls}),
        )
        overrun = any(s.reason == "handler_overrun" for s in stalls)
        if overrun or not self.settings.recover_in_process:
            self._give_up(stalls, "a handler overran" if overrun else "in-process recovery is off")
            return
        self.recovering_since = now
        try:
            await asyncio.wait_for(restart_consumption(self.app, stalls), self.settings.stall_timeout_s)
        except Exception as exc:
            log.exception("worker.stall_recovery_failed")
            self._give_up(stalls, f"recovery failed: {type(exc).__name__}")

    def _give_up(self, stalls: list[Stall], why: str) -> None:
        log.critical(
            "worker.stall_unrecovered",
            why=why,
            exit_status=STALL_EXIT_CODE,
            stalls=[vars(s) for s in stalls],
            consumer=consumer_state(self.app, {(s.topic, s.partition) for s in stalls}),
        )
        self.exit(STALL_EXIT_CODE)


async def restart_consumption(app: Any, stalls: list[Stall]) -> None:
    """Undo what can keep faust from consuming the stuck partitions, then refetch them."""
    consumer = app.consumer
    tps = {TP(s.topic, s.partition) for s in stalls}
    if not app.rebalancing:
        if not consumer.flow_active:
            consumer.resume_flow()
        if not app.flow_control.is_active():
            app.flow_control.resume()
    consumer.resume_partitions(tps)
    consumer._buffered_partitions.difference_update(tps)
    # seek_wait also resets faust's read offset, so the refetched records are not dropped.
    await consumer.seek_wait({TP(s.topic, s.partition): s.next_offset for s in stalls})
    log.warning("worker.stall_recovery_tried", partitions=sorted(f"{t}/{p}" for t, p in tps))


def consumer_state(app: Any, stuck: set[tuple[str, int]]) -> dict[str, Any]:
    """faust's and aiokafka's view of the consumer, for the log: flags, offsets, sizes; no record content.

    Read from the main thread while aiokafka runs in faust's consumer thread:
    good enough for a diagnosis, and each item is read on its own so that one
    failing read does not hide the others.
    """
    state: dict[str, Any] = {}
    consumer = app.consumer

    def put(name: str, read: Callable[[], Any]) -> None:
        try:
            state[name] = read()
        except Exception as exc:
            state[name] = f"unreadable: {type(exc).__name__}"

    def names(tps: Iterable[Any]) -> list[str]:
        return sorted(f"{tp.topic}/{tp.partition}" for tp in tps)

    put("generation", lambda: app.consumer_generation_id)
    put("rebalancing", lambda: app.rebalancing)
    put("in_recovery", lambda: app.in_recovery)
    put("flow_active", lambda: consumer.flow_active)
    put("flow_control_active", lambda: app.flow_control.is_active())
    put("assigned", lambda: len(consumer.assignment()))
    put("faust_active", lambda: names(consumer._active_partitions or ()))
    put("faust_paused", lambda: names(consumer._paused_partitions))
    put("faust_buffered", lambda: names(consumer._buffered_partitions))
    put("unacked", lambda: len(consumer.unacked))
    put("producer_buffer", lambda: app.producer.buffer.size)
    put("queues", lambda: _queues(app))
    aio: Any = getattr(getattr(consumer, "_thread", None), "_consumer", None)
    fetcher: Any = getattr(aio, "_fetcher", None)
    put("fetch_task_done", lambda: fetcher._fetch_task.done())
    put("fetch_in_flight", lambda: sorted(fetcher._in_flight))
    put("fetch_pending_tasks", lambda: len(fetcher._pending_tasks))
    put("fetch_buffered", lambda: names(fetcher._records))
    put("reassignment_in_progress", lambda: aio._subscription.reassignment_in_progress)
    for topic, partition in sorted(stuck):
        put(f"{topic}/{partition}", partial(_partition, consumer, aio, TP(topic, partition)))
    return state


def _partition(consumer: Any, aio: Any, tp: TP) -> dict[str, Any]:
    out: dict[str, Any] = {
        "faust_committed": consumer._committed_offset.get(tp),
        "faust_read": consumer._read_offset.get(tp),
        "faust_acked": len(consumer._acked.get(tp, ())),
        "faust_gaps": len(consumer._gap.get(tp, ())),
    }
    assignment = aio._subscription.subscription.assignment
    state = assignment.state_value(tp) if assignment else None
    if state is not None:
        out["aiokafka_paused"] = state.paused
        out["aiokafka_has_position"] = state.has_valid_position
        out["aiokafka_position"] = state.position if state.has_valid_position else None
        out["aiokafka_highwater"] = state.highwater
    return out


def _queues(app: Any) -> dict[str, int]:
    """Records waiting in the buffer of each topic the conductor feeds (an agent's input)."""
    return {",".join(sorted(chan.topics)): chan.queue.qsize() for chan in app.topics}
