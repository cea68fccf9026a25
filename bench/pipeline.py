"""Pipeline cases: interests on interests.v1 → the running matching worker → cases on cases.v1.

The measuring clients are confluent-kafka (librdkafka, C) so that they take as
little as possible of the two cores the worker and the broker need: a producer
writes pre-encoded interests, at full speed or at a fixed rate, and a listener
thread reads cases.v1 from its current end and notes when each interest's case
arrives. Latency is from just before the produce call to the case's arrival at
the listener: two Kafka hops, the worker's fetch, handling and write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from confluent_kafka import Consumer, Producer, TopicPartition

from services.common.topics import CASES, INTERESTS

from .harness import percentile
from .workload import Record

WAIT_S = 120.0


class CaseListener:
    """Reads cases.v1 from its end in a thread; notes when the case of each awaited interest arrives."""

    def __init__(self, bootstrap: str, awaited: Sequence[Record]) -> None:
        self._index = {record.case_key: n for n, record in enumerate(awaited)}
        self.arrived: list[float | None] = [None] * len(awaited)
        self.seen = 0
        self._consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": "bench-listener", "enable.auto.commit": False}
        )
        partitions = self._consumer.list_topics(CASES.name, timeout=10).topics[CASES.name].partitions
        ends = [
            TopicPartition(
                CASES.name, p, self._consumer.get_watermark_offsets(TopicPartition(CASES.name, p))[1]
            )
            for p in sorted(partitions)
        ]
        self._consumer.assign(ends)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="case-listener", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._done.is_set():
            messages = self._consumer.consume(2000, timeout=0.02)
            now = time.perf_counter()
            for message in messages:
                n = self._index.get(message.key() or b"")
                if n is not None and self.arrived[n] is None:
                    self.arrived[n] = now
                    self.seen += 1

    def wait_all(self, timeout: float = WAIT_S) -> bool:
        """Wait until every awaited case arrived (or ``timeout``); stop listening."""
        deadline = time.perf_counter() + timeout
        while self.seen < len(self.arrived) and time.perf_counter() < deadline:
            time.sleep(0.02)
        self._done.set()
        self._thread.join()
        self._consumer.close()
        return self.seen == len(self.arrived)


def _producer(bootstrap: str, linger_ms: float) -> Producer:
    return Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": linger_ms}
    )


@dataclass
class Throughput:
    """A full-speed run: interests per second from the first send to the last case."""

    sent: int
    handled: int
    per_s: float


def saturation(bootstrap: str, records: Sequence[Record]) -> Throughput:
    """Send ``records`` as fast as the producer can; the pipeline's throughput."""
    listener = CaseListener(bootstrap, records)
    producer = _producer(bootstrap, linger_ms=5)
    started = time.perf_counter()
    for record in records:
        producer.produce(INTERESTS.name, key=record.key, value=record.value, headers=record.rd_headers)
        producer.poll(0)
    producer.flush(60)
    listener.wait_all()
    arrived = [t for t in listener.arrived if t is not None]
    last = max(arrived) if arrived else time.perf_counter()
    return Throughput(len(records), len(arrived), len(arrived) / (last - started))


@dataclass
class Latency:
    """A fixed-rate run: latency percentiles from the produce to the case's arrival (ms)."""

    rate: float
    achieved_rate: float
    sent: int
    handled: int
    p50: float
    p99: float
    p999: float
    max: float


def fixed_rate(bootstrap: str, records: Sequence[Record], rate: float) -> Latency:
    """Send ``records`` at ``rate`` per second (linger 0: each is sent at once); their latencies."""
    listener = CaseListener(bootstrap, records)
    producer = _producer(bootstrap, linger_ms=0)
    sent_at = [0.0] * len(records)
    started = time.perf_counter()
    for n, record in enumerate(records):
        pause = started + n / rate - time.perf_counter()
        if pause > 0.0005:
            time.sleep(pause)
        sent_at[n] = time.perf_counter()
        producer.produce(INTERESTS.name, key=record.key, value=record.value, headers=record.rd_headers)
        producer.poll(0)
    achieved = len(records) / (time.perf_counter() - started)
    producer.flush(60)
    listener.wait_all()
    latencies = [(a - s) * 1000 for a, s in zip(listener.arrived, sent_at, strict=True) if a is not None]
    if not latencies:
        latencies = [float("nan")]
    return Latency(
        rate=rate,
        achieved_rate=achieved,
        sent=len(records),
        handled=listener.seen,
        p50=percentile(latencies, 0.50),
        p99=percentile(latencies, 0.99),
        p999=percentile(latencies, 0.999),
        max=max(latencies),
    )
