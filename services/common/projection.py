"""A read model rebuilt from compacted topics, kept current by a background consumer.

The APIs serve reads from a ``Projection``: on start it reads its topics from
the beginning (tombstones delete), then follows them. After a write, an API
calls ``wait_for`` (or, from a coroutine, awaits ``reached``) so the client can
read what it just wrote; ``catch_up`` waits until everything written before the
call is visible.

Topics named ``lazy`` keep each value as the record's bytes (envelope and key
checked) and parse it on each read: matching-api follows every case the worker
writes (≈3.3 KB of JSON, ~13 KiB as pydantic objects) but reads few of them, and
its projection thread no longer competes for the GIL with the requests. A value
that does not parse then reads as absent, and the log says why.

kafka-python's consumer is not thread-safe, so only the projection's own thread
touches it; other threads talk to it through barriers.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from .cloudevents import header_dict
from .codec import UnreadableRecord, check_envelope, decode_key, decode_value
from .kafka import API_VERSION, Written, client_options
from .settings import KafkaSettings
from .topics import TopicSpec

log = structlog.get_logger(__name__)


@dataclass
class _Barrier:
    """Waits until the consumer's positions reach the end offsets seen when it was placed."""

    done: threading.Event = field(default_factory=threading.Event)
    targets: dict[TopicPartition, int] | None = None


@dataclass
class _Watch:
    """A coroutine waiting until the consumer's position passes ``offset`` on ``tp``."""

    tp: TopicPartition
    offset: int
    loop: asyncio.AbstractEventLoop
    reached: asyncio.Future[None]


class _Unparsed:
    """A lazy topic's value: the record's bytes, parsed on each read and never kept parsed, so
    the projection's memory stays near the topic's size however much is read."""

    __slots__ = ("raw", "spec")

    def __init__(self, spec: TopicSpec, raw: bytes) -> None:
        self.spec = spec
        self.raw = raw

    def value(self) -> Any | None:
        """The parsed value (None if it does not parse)."""
        try:
            return decode_value(self.spec, self.raw)
        except UnreadableRecord as exc:
            log.warning("projection.unreadable_value", topic=self.spec.name, reason=str(exc))
            return None


def _parsed(stored: Any) -> Any | None:
    return stored.value() if isinstance(stored, _Unparsed) else stored


class Projection:
    """Latest value per key of one or more compacted topics, in memory."""

    def __init__(
        self,
        settings: KafkaSettings,
        specs: Sequence[TopicSpec],
        name: str,
        lazy: Sequence[TopicSpec] = (),
    ) -> None:
        self._settings = settings
        self._specs = {s.name: s for s in specs}
        self._lazy = {s.name for s in lazy}
        self._name = name
        self._state: dict[str, dict[Any, Any]] = {s.name: {} for s in specs}
        self._positions: dict[TopicPartition, int] = {}
        self._changed = threading.Condition()
        self._watches: list[_Watch] = []  # guarded by _changed
        self._barriers: queue.Queue[_Barrier] = queue.Queue()
        self._pending: list[_Barrier] = []
        self._stop = threading.Event()
        self._initial = _Barrier()
        self._barriers.put(self._initial)
        self._thread = threading.Thread(target=self._run, name=f"projection-{name}", daemon=True)

    # -- reads (any thread) ------------------------------------------------

    def get(self, spec: TopicSpec, key: Any) -> Any | None:
        """The current value for ``key`` in ``spec``'s topic, or None."""
        return _parsed(self._state[spec.name].get(key))

    def get_fresh(self, spec: TopicSpec, key: Any, timeout: float) -> Any | None:
        """Like ``get``, but when the key is unknown, first catch up with the topic (bounded).

        For reads of another service's entity that may have been written an
        instant ago (a partner registered just before its first proposal).
        """
        return self.lookup(spec, key, timeout)[0]

    def lookup(self, spec: TopicSpec, key: Any, timeout: float) -> tuple[Any | None, bool]:
        """``get_fresh``, and whether the answer is current: False when the value is unknown and
        the projection could not catch up in time (the broker is away), so "absent" is not known."""
        found = self.get(spec, key)
        if found is not None:
            return found, True
        if not self.catch_up(timeout):
            return None, False
        return self.get(spec, key), True

    def values(self, spec: TopicSpec) -> list[Any]:
        """Every current value of ``spec``'s topic."""
        values = (_parsed(v) for v in list(self._state[spec.name].values()))
        return [v for v in values if v is not None]

    @property
    def stopped(self) -> bool:
        """Whether ``stop`` was called."""
        return self._stop.is_set()

    @property
    def ready(self) -> bool:
        """Whether the initial rebuild from the beginning of the topics is done."""
        return self._initial.done.is_set()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the initial rebuild is done; False on timeout."""
        return self._initial.done.wait(timeout)

    def wait_for(self, written: Written, timeout: float) -> bool:
        """Wait until the record ``written`` is applied; False on timeout."""
        tp = TopicPartition(written.topic, written.partition)
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._positions.get(tp, -1) <= written.offset:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    async def reached(self, written: Written, within_s: float) -> bool:
        """``wait_for`` for a coroutine: no thread is held while the consumer catches up."""
        tp = TopicPartition(written.topic, written.partition)
        loop = asyncio.get_running_loop()
        with self._changed:
            if self._positions.get(tp, -1) > written.offset:
                return True
            watch = _Watch(tp, written.offset, loop, loop.create_future())
            self._watches.append(watch)
        try:
            await asyncio.wait_for(watch.reached, within_s)
        except TimeoutError:
            return False
        return True

    def catch_up(self, timeout: float) -> bool:
        """Wait until everything on the topics now is applied; False on timeout."""
        barrier = _Barrier()
        self._barriers.put(barrier)
        return barrier.done.wait(timeout)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Start following the topics in the background (retries until Kafka answers)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the background consumer."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    # -- the consumer thread ----------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            consumer = None
            try:
                consumer = self._connect()
                self._follow(consumer)
            except KafkaError as exc:
                log.warning("projection.kafka_error", projection=self._name, error=repr(exc))
                self._stop.wait(1.0)
            finally:
                if consumer is not None:
                    consumer.close()

    def _connect(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            **client_options(self._settings),
            client_id=f"projection-{self._name}",
            group_id=None,
            enable_auto_commit=False,
            api_version=API_VERSION,
            request_timeout_ms=max(self._settings.request_timeout_ms, 5000) + 1000,
            fetch_max_wait_ms=100,
        )
        partitions: list[TopicPartition] = []
        while not self._stop.is_set():
            partitions = []
            for name in self._specs:
                ids = consumer.partitions_for_topic(name)
                if not ids:
                    break
                partitions.extend(TopicPartition(name, p) for p in sorted(ids))
            else:
                break
            self._stop.wait(0.5)  # topics not created yet
        consumer.assign(partitions)
        start = {tp: self._positions.get(tp, 0) for tp in partitions}
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        log.info("projection.following", projection=self._name, partitions=len(partitions))
        return consumer

    def _follow(self, consumer: KafkaConsumer) -> None:
        assigned = list(consumer.assignment())
        while not self._stop.is_set():
            batches = consumer.poll(timeout_ms=100, max_records=2000)
            for records in batches.values():
                for record in records:
                    self._apply(record)
            with self._changed:
                for tp in assigned:
                    self._positions[tp] = consumer.position(tp)
                self._changed.notify_all()
                self._settle_watches()
            self._release_barriers(consumer, assigned)

    def _settle_watches(self) -> None:
        """Wake the coroutines whose record is now applied (called holding ``_changed``)."""
        waiting = []
        for watch in self._watches:
            if watch.reached.done():  # timed out and cancelled
                continue
            if self._positions.get(watch.tp, -1) > watch.offset:
                with contextlib.suppress(RuntimeError):  # its loop closed
                    watch.loop.call_soon_threadsafe(_settle, watch.reached)
            else:
                waiting.append(watch)
        self._watches = waiting

    def _apply(self, record: Any) -> None:
        spec = self._specs[record.topic]
        try:
            check_envelope(
                spec, record.key, record.value, header_dict(record.headers), self._settings.max_record_bytes
            )
            key = decode_key(spec, record.key)
            if spec.name in self._lazy and record.value is not None:
                value: Any = _Unparsed(spec, record.value)
            else:
                value = decode_value(spec, record.value)
        except UnreadableRecord as exc:
            # Skipped, not dead-lettered: a projection is a read model of a topic
            # that its consuming workers already dead-letter.
            log.warning(
                "projection.unreadable_record", topic=record.topic, offset=record.offset, reason=str(exc)
            )
            return
        table = self._state[spec.name]
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value

    def _release_barriers(self, consumer: KafkaConsumer, assigned: list[TopicPartition]) -> None:
        while True:
            try:
                barrier = self._barriers.get_nowait()
            except queue.Empty:
                break
            barrier.targets = consumer.end_offsets(assigned)
            self._pending.append(barrier)
        for barrier in list(self._pending):
            targets = barrier.targets or {}
            if all(self._positions.get(tp, 0) >= end for tp, end in targets.items()):
                barrier.done.set()
                self._pending.remove(barrier)


def _settle(reached: asyncio.Future[None]) -> None:
    if not reached.done():
        reached.set_result(None)
