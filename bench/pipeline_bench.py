"""Pipeline benchmark (not a test): interests → matching-worker → cases.v1 at saturation, against
the limit of the same broker: a plain aiokafka consume-transform-produce loop doing the same work.

Both read the same kind of records (InterestDeclared JSON) from 4-partition topics and write
the Case JSON to 4-partition topics on the same broker; the plain loop parses with pydantic
and opens the case with the same domain function, in batches, in this process.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from services.common.cloudevents import new_event
from services.common.codec import encode
from services.common.contracts import CaseKey, ImmigrationStatus, InterestDeclared, PersonKey
from services.common.kafka import API_VERSION, ensure_topics
from services.common.settings import KafkaSettings
from services.common.topics import CASES, INTERESTS, TopicSpec
from services.matching.domain import open_case

PLAIN_IN = TopicSpec("bench-interests.v1", PersonKey, InterestDeclared, "bench", 4, False, "bench input")
PLAIN_OUT = TopicSpec("bench-cases.v1", CaseKey, None, "bench", 4, False, "bench output")


def interests(count: int) -> list[InterestDeclared]:
    """``count`` realistic interests (about 300 bytes of JSON each)."""
    now = datetime.now(UTC)
    statuses = list(ImmigrationStatus)
    return [
        InterestDeclared(
            person_id=uuid.uuid4(),
            immigration_status=statuses[n % len(statuses)],
            occupation=["21231", "72410", "31301", "63200"][n % 4],
            french_level=1 + n % 12,
            preferred_regions=[["05", "16"], ["02"], [], ["08", "01", "11"]][n % 4],
            language="fr" if n % 3 else "en",
            declared_at=now,
        )
        for n in range(count)
    ]


def _send_all(bootstrap: str, topic: str, records: list[InterestDeclared]) -> float:
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=65536, api_version=API_VERSION
    )
    started = time.perf_counter()
    for interest in records:
        meta = new_event("matching.InterestDeclared", "bench", None)
        producer.send(
            topic,
            key=encode(PersonKey(person_id=interest.person_id)),
            value=encode(interest),
            headers=meta.to_headers(),
        )
    producer.flush()
    producer.close()
    return started


def pipeline_throughput(bootstrap: str, count: int) -> float:
    """Interests per second from the first send to the last case on cases.v1 (the worker must run)."""
    records = interests(count)
    wanted = {str(r.person_id) for r in records}
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, api_version=API_VERSION)
    partitions = [TopicPartition(CASES.name, p) for p in sorted(consumer.partitions_for_topic(CASES.name))]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for tp in partitions:
        consumer.position(tp)
    seen: set[str] = set()
    last = [0.0]
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            for batch in consumer.poll(timeout_ms=50, max_records=5000).values():
                for record in batch:
                    person = json.loads(record.value)["person_id"]
                    if person in wanted and person not in seen:
                        seen.add(person)
                        last[0] = time.perf_counter()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    started = _send_all(bootstrap, INTERESTS.name, records)
    deadline = time.perf_counter() + 300
    while len(seen) < count and time.perf_counter() < deadline:
        time.sleep(0.05)
    done.set()
    listener.join()
    consumer.close()
    return len(seen) / (last[0] - started)


def plain_loop_throughput(bootstrap: str, count: int) -> float:
    """Interests per second through a plain aiokafka loop doing the worker's work (records preloaded)."""
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), [PLAIN_IN, PLAIN_OUT])
    _send_all(bootstrap, PLAIN_IN.name, interests(count))
    return asyncio.run(_plain_loop(bootstrap, count))


async def _plain_loop(bootstrap: str, count: int) -> float:
    consumer = AIOKafkaConsumer(
        PLAIN_IN.name,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        await consumer.seek_to_beginning()
        handled = 0
        started = 0.0
        while handled < count:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            if batches and not started:
                started = time.perf_counter()
            pending = []
            for records in batches.values():
                for record in records:
                    case = open_case(InterestDeclared.model_validate_json(record.value))
                    pending.append(
                        await producer.send(
                            PLAIN_OUT.name, key=encode(CaseKey(case_id=case.case_id)), value=encode(case)
                        )
                    )
                    handled += 1
            if pending:
                await asyncio.gather(*pending)
                await consumer.commit()
        return handled / (time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()
