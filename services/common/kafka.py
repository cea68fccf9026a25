"""Kafka plumbing on kafka-python: topic creation, the durable publisher, a reachability probe.

The publisher is what the APIs write with: acks=all, idempotence on, and
``publish`` returns only once the broker acknowledged the write, so an API
answers 2xx only for data that is safe. When the broker cannot be reached in
``max_block_ms`` it raises ``KafkaUnavailable`` (the APIs answer 503).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from pydantic import BaseModel

from .cloudevents import EventMeta, new_event
from .codec import check_models, encode
from .logging import current_correlation_id
from .settings import KafkaSettings
from .topics import TopicSpec

log = structlog.get_logger(__name__)

# Pinned so that clients never probe the broker at construction time (a probe
# would fail or hang when Kafka is down; we want a clean 503 on first use).
API_VERSION = (3, 9)


class KafkaUnavailable(RuntimeError):
    """The broker did not acknowledge in time; nothing was acknowledged to the caller."""


class RecordTooLarge(ValueError):
    """A record over ``KafkaSettings.max_record_bytes``: consumers would refuse it, so it is not written."""


@dataclass(frozen=True)
class Written:
    """Where a record landed."""

    topic: str
    partition: int
    offset: int
    event_id: str


def ensure_topics(settings: KafkaSettings, specs: Iterable[TopicSpec]) -> list[str]:
    """Create the registry's topics that do not exist yet; return the names created."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers,
        request_timeout_ms=max(settings.request_timeout_ms, 10000),
        bootstrap_timeout_ms=max(settings.request_timeout_ms, 10000),
        client_id="concerto-admin",
    )
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(s.name, s.partitions, settings.replication_factor, topic_configs=s.config)
            for s in specs
            if s.name not in existing
        ]
        created = []
        for topic in missing:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass  # another process created it between our list and create: fine
        if created:
            log.info("kafka.topics_created", topics=created)
        return created
    finally:
        admin.close()


class Publisher:
    """Durable, synchronous writes of registered models (one per API process)."""

    def __init__(self, settings: KafkaSettings, source: str) -> None:
        self._settings = settings
        self._source = source
        self._replacing = threading.Lock()
        self._producer = self._new_producer()

    def _new_producer(self) -> KafkaProducer:
        settings = self._settings
        return KafkaProducer(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=self._source,
            acks="all",
            enable_idempotence=True,
            linger_ms=settings.linger_ms,
            max_block_ms=settings.max_block_ms,
            request_timeout_ms=settings.request_timeout_ms,
            delivery_timeout_ms=self._delivery_timeout_ms,
            api_version=API_VERSION,
        )

    @property
    def _delivery_timeout_ms(self) -> int:
        return self._settings.request_timeout_ms + self._settings.linger_ms + 1000

    def publish(
        self,
        spec: TopicSpec,
        key: BaseModel,
        value: BaseModel | None,
        event_type: str,
        meta: EventMeta | None = None,
    ) -> Written:
        """Write one record and wait for the broker's acknowledgement."""
        check_models(spec, key, value)
        raw_key, raw_value = encode(key), encode(value)
        size = len(raw_key or b"") + len(raw_value or b"")
        limit = self._settings.max_record_bytes
        if size > limit:
            raise RecordTooLarge(f"the {spec.name} record would be {size} bytes; the limit is {limit}")
        meta = meta or new_event(event_type, self._source, current_correlation_id())
        producer = self._producer
        try:
            future = producer.send(spec.name, key=raw_key, value=raw_value, headers=meta.to_headers())
            metadata: Any = future.get(timeout=self._settings.request_timeout_ms / 1000 + 2)
        except KafkaError as exc:
            log.warning("kafka.publish_failed", topic=spec.name, error=type(exc).__name__)
            self._replace(producer)
            raise KafkaUnavailable(f"Kafka did not acknowledge the write to {spec.name}: {exc}") from exc
        return Written(spec.name, metadata.partition, metadata.offset, meta.id)

    def _replace(self, failed: KafkaProducer) -> None:
        """Write with a new producer from now on; the failed one finishes (or expires) what it holds.

        kafka-python 3.0.12's idempotent producer never recovers once a batch it had already
        sent expires — what a broker restart under load does: it drops its producer id and
        never asks for another (``TransactionManager.reset_producer_id`` leaves the READY
        state, and ``init_producer_id`` acts only from UNINITIALIZED), so every later write
        times out and the API would answer 503 until restarted. A new producer asks for a new
        id. Concurrent failures of one producer replace it once.
        """
        with self._replacing:
            if self._producer is not failed:
                return
            self._producer = self._new_producer()
        log.warning("kafka.producer_replaced", source=self._source)
        closing = threading.Thread(
            target=failed.close, kwargs={"timeout": self._delivery_timeout_ms / 1000 + 1}, daemon=True
        )
        closing.start()

    def close(self) -> None:
        """Flush what is buffered and close."""
        self._producer.close(timeout=5)


def kafka_answers(settings: KafkaSettings, timeout_ms: int = 2000) -> bool:
    """Whether the broker answers a metadata request now (for readiness checks)."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.bootstrap_servers,
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
            api_version=API_VERSION,
            client_id="concerto-health",
        )
    except KafkaError:
        return False
    try:
        admin.describe_cluster()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def read_topic(bootstrap: str, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record on ``topic`` now, from the beginning (a fresh consumer, no group)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, api_version=API_VERSION
    )
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout:.0f}s")
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
