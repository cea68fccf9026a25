"""The limit of the same broker: plain consume-transform-produce loops, without faust.

Each loop reads interests preloaded on a 4-partition topic and, for each one, does
the matching worker's work (pydantic parse, the entitlements over the same measure
catalogue, ``open_case``, CloudEvents headers derived from the cause, the case's
JSON), writes it to a 4-partition topic with acks=all and idempotence on, and
commits the batch's offsets once its writes are acknowledged. What they leave out
is exactly what the worker adds: faust's plumbing and the worker's log line.

Two clients: aiokafka (what faust runs on) and confluent-kafka (librdkafka, C).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.common.cloudevents import header_dict, new_event
from services.common.codec import encode
from services.common.contracts import CaseKey, InterestDeclared, Offer
from services.common.kafka import aiokafka_options, ensure_topics
from services.common.settings import KafkaSettings
from services.common.topics import TopicSpec
from services.matching.domain import build_case

from .workload import Record

LIMIT_IN = TopicSpec("bench-interests.v1", None, None, "bench", 4, False, "plain loops' input")
LIMIT_OUT = TopicSpec("bench-cases.v1", None, None, "bench", 4, False, "plain loops' output")
BATCH = 500


def transform(value: bytes | None, headers: Any, offers: list[Offer]) -> tuple[bytes, bytes, Any]:
    """The matching worker's work on one interest: the case's key, value and headers."""
    interest = InterestDeclared.model_validate_json(value or b"")
    case = build_case(interest, offers, {})  # the worker's whole work on one interest
    cause = header_dict(headers)
    meta = new_event(
        "matching.CaseOpened", "bench", cause.get("correlation_id"), caused_by=cause.get("ce_id")
    )
    return encode(CaseKey(case_id=case.case_id)) or b"", encode(case) or b"", meta.to_headers()


def preload(bootstrap: str, records: Sequence[Record]) -> None:
    """Write ``records`` to the plain loops' input topic."""
    from confluent_kafka import Producer

    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), [LIMIT_IN, LIMIT_OUT])
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for record in records:
        producer.produce(LIMIT_IN.name, key=record.key, value=record.value, headers=record.rd_headers)
        producer.poll(0)
    producer.flush(30)


def aiokafka_loop(bootstrap: str, count: int, offers: list[Offer]) -> float:
    """Interests per second through a plain aiokafka loop (a new consumer group reads from the start)."""
    return asyncio.run(_aiokafka_loop(bootstrap, count, offers))


async def _aiokafka_loop(bootstrap: str, count: int, offers: list[Offer]) -> float:
    consumer = AIOKafkaConsumer(
        LIMIT_IN.name,
        **aiokafka_options(bootstrap),
        group_id=f"bench-aiokafka-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=BATCH,
    )
    producer = AIOKafkaProducer(
        **aiokafka_options(bootstrap), acks="all", enable_idempotence=True, linger_ms=5, max_batch_size=262144
    )
    await consumer.start()
    await producer.start()
    try:
        handled, started = 0, 0.0
        while handled < count:
            batches = await consumer.getmany(timeout_ms=200, max_records=BATCH)
            if batches and not started:
                started = time.perf_counter()
            pending = []
            for records in batches.values():
                for record in records:
                    key, value, headers = transform(record.value, list(record.headers), offers)
                    pending.append(await producer.send(LIMIT_OUT.name, key=key, value=value, headers=headers))
            handled += len(pending)
            if pending:
                await asyncio.gather(*pending)
                await consumer.commit()
        return handled / (time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()


def confluent_loop(bootstrap: str, count: int, offers: list[Offer]) -> float:
    """Interests per second through a plain confluent-kafka (librdkafka) loop."""
    from confluent_kafka import Consumer, Producer

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-confluent-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    producer = Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5}
    )
    consumer.subscribe([LIMIT_IN.name])
    try:
        handled, started = 0, 0.0
        while handled < count:
            messages = consumer.consume(BATCH, timeout=0.2)
            if messages and not started:
                started = time.perf_counter()
            for message in messages:
                if message.error():
                    continue
                key, value, headers = transform(message.value(), message.headers() or [], offers)
                producer.produce(LIMIT_OUT.name, key=key, value=value, headers=headers)
                producer.poll(0)
                handled += 1
            if messages:
                producer.flush(30)
                consumer.commit(asynchronous=False)
        return handled / (time.perf_counter() - started)
    finally:
        consumer.close()
