"""Kafka plumbing on kafka-python: topic creation, the durable publisher, a reachability probe.

The publisher is what the APIs write with: acks=all, idempotence on, and
``publish`` returns only once the broker acknowledged the write, so an API
answers 2xx only for data that is safe. When the broker cannot be reached in
``max_block_ms`` it raises ``KafkaUnavailable`` (the APIs answer 503).
``prepare`` + ``send`` + ``acknowledged`` do the same from a coroutine: several
records leave at once and the event loop waits for their acknowledgements
without holding a thread (kafka-python's futures are settled by its sender thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError
from pydantic import BaseModel

from .clock import Clock, SystemClock
from .cloudevents import EventMeta, new_event
from .codec import check_models, encode
from .logging import current_correlation_id
from .settings import KafkaSettings
from .topics import TopicSpec

log = structlog.get_logger(__name__)

# Pinned so that clients never probe the broker at construction time (a probe
# would fail or hang when Kafka is down; we want a clean 503 on first use).
API_VERSION = (3, 9)


SASL_MECHANISM = "SCRAM-SHA-512"

_credentials_by_bootstrap: dict[str, KafkaSettings] = {}


def register_credentials(settings: KafkaSettings) -> None:
    """Let this process reach ``settings.bootstrap_servers`` with ``settings``'s principal whenever a
    client is given only the address (``client_options``): what the tests and tools do with the
    admin principal of the stack they started. A service process registers nothing."""
    _credentials_by_bootstrap[settings.bootstrap_servers] = settings


def _with_credentials(settings: KafkaSettings | str) -> KafkaSettings:
    if isinstance(settings, str):
        known = _credentials_by_bootstrap.get(settings)
        return known if known is not None else KafkaSettings(bootstrap_servers=settings)
    if settings.username is None and settings.bootstrap_servers in _credentials_by_bootstrap:
        known = _credentials_by_bootstrap[settings.bootstrap_servers]
        credentials = ("username", "password", "password_file", "ca_file")
        return settings.model_copy(update={name: getattr(known, name) for name in credentials})
    return settings


def client_options(settings: KafkaSettings | str) -> dict[str, Any]:
    """kafka-python's connection options for ``settings`` (or a bare bootstrap address): SASL/SCRAM-SHA-512
    over TLS, the broker's certificate checked against ``ca_file`` (docs/security.md)."""
    resolved = _with_credentials(settings)
    if resolved.security_protocol == "PLAINTEXT":
        return {"bootstrap_servers": resolved.bootstrap_servers}
    return {**_sasl_ssl(resolved), "ssl_cafile": resolved.ca_file, "ssl_check_hostname": True}


def _sasl_ssl(resolved: KafkaSettings) -> dict[str, Any]:
    """The options kafka-python and aiokafka name alike for SASL/SCRAM over TLS."""
    return {
        "bootstrap_servers": resolved.bootstrap_servers,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": SASL_MECHANISM,
        "sasl_plain_username": resolved.username,
        "sasl_plain_password": resolved.secret(),
    }


def ssl_context(settings: KafkaSettings | str) -> ssl.SSLContext:
    """A TLS context that trusts the broker's CA (``ca_file``, else the system's), for aiokafka and faust."""
    resolved = _with_credentials(settings)
    return ssl.create_default_context(cafile=resolved.ca_file)


def faust_credentials(settings: KafkaSettings) -> Any:
    """faust's ``broker_credentials`` for ``settings``: SCRAM-SHA-512 over TLS."""
    import faust

    resolved = _with_credentials(settings)
    if resolved.security_protocol == "PLAINTEXT":
        return None
    return faust.SASLCredentials(
        username=resolved.username,
        password=resolved.secret(),
        ssl_context=ssl_context(resolved),
        mechanism=SASL_MECHANISM,
    )


def aiokafka_options(settings: KafkaSettings | str) -> dict[str, Any]:
    """aiokafka's connection options for ``settings`` (bench and tools)."""
    resolved = _with_credentials(settings)
    if resolved.security_protocol == "PLAINTEXT":
        return {"bootstrap_servers": resolved.bootstrap_servers}
    return {**_sasl_ssl(resolved), "ssl_context": ssl_context(resolved)}


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


@dataclass(frozen=True)
class Outgoing:
    """A record checked and encoded, not sent yet (``Publisher.prepare``)."""

    topic: str
    key: bytes | None
    value: bytes | None
    meta: EventMeta


@dataclass(frozen=True)
class Pending:
    """A record handed to the producer, its acknowledgement to come (``Publisher.send``)."""

    topic: str
    event_id: str
    future: Any  # kafka-python's FutureRecordMetadata
    producer: Any = None  # the producer it was handed to (replaced if it fails)


class AdminClient(KafkaAdminClient):  # type: ignore[misc]  # kafka-python ships no types
    """kafka-python's admin client, stopped when it fails to start.

    kafka-python 3.0 starts the client's IO thread before it bootstraps, and a
    bootstrap that times out raises from the constructor without stopping that
    thread: it would go on retrying the dead address for the life of the process
    (drawing its backoff from the global ``random``, which Hypothesis then sees
    change under its strategies). Use this class wherever an admin client is made.
    """

    def __init__(self, **configs: Any) -> None:
        try:
            super().__init__(**configs)
        except BaseException:
            self._stop_half_started()
            raise

    def _stop_half_started(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        net = getattr(self, "_net", None)
        if net is not None:
            net.stop()


def ensure_topics(settings: KafkaSettings, specs: Iterable[TopicSpec]) -> list[str]:
    """Create the registry's topics that do not exist yet; return the names created."""
    admin = AdminClient(
        **client_options(settings),
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
            except TopicAuthorizationFailedError:
                # Not this principal's to create (or to see): the stack's provisioning creates the
                # registry's topics with the admin principal (tools/stack.py, docs/security.md).
                log.debug("kafka.topic_not_ours", topic=topic.name)
        if created:
            log.info("kafka.topics_created", topics=created)
        return created
    finally:
        admin.close()


class Publisher:
    """Durable writes of registered models (one per API process), idempotent: the broker gives the
    producer an id and drops a batch it already has when a retry resends it (docs/decisions.md)."""

    def __init__(self, settings: KafkaSettings, source: str, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._settings = settings
        self._source = source
        self._replacing = threading.Lock()
        self._closing: list[threading.Thread] = []  # replaced producers finishing what they hold
        self._producer = self._new_producer()

    def _new_producer(self) -> KafkaProducer:
        settings = self._settings
        return KafkaProducer(
            **client_options(settings),
            client_id=self._source,
            # Explicit: kafka-python then refuses a conflicting setting instead of quietly turning
            # idempotence off (it needs acks=all, retries > 0 and at most 5 requests in flight).
            acks="all",
            enable_idempotence=True,
            max_in_flight_requests_per_connection=5,
            linger_ms=settings.linger_ms,
            max_block_ms=settings.max_block_ms,
            request_timeout_ms=settings.request_timeout_ms,
            delivery_timeout_ms=self._delivery_timeout_ms,
            api_version=API_VERSION,
        )

    @property
    def _delivery_timeout_ms(self) -> int:
        return self._settings.request_timeout_ms + self._settings.linger_ms + 1000

    @property
    def producer_id(self) -> int:
        """The producer id the broker gave this idempotent producer (-1 before its first write)."""
        manager = self._producer._transaction_manager
        return -1 if manager is None else int(manager.producer_id_and_epoch.producer_id)

    def prepare(
        self,
        spec: TopicSpec,
        key: BaseModel,
        value: BaseModel | None,
        event_type: str,
        meta: EventMeta | None = None,
    ) -> Outgoing:
        """Check and encode one record (``RecordTooLarge`` when over the limit); nothing is sent."""
        check_models(spec, key, value)
        raw_key, raw_value = encode(key), encode(value)
        size = len(raw_key or b"") + len(raw_value or b"")
        limit = self._settings.max_record_bytes
        if size > limit:
            raise RecordTooLarge(f"the {spec.name} record would be {size} bytes; the limit is {limit}")
        meta = meta or new_event(event_type, self._source, current_correlation_id(), now=self._clock.now())
        return Outgoing(spec.name, raw_key, raw_value, meta)

    def knows(self, topic: str) -> bool:
        """Whether the producer has the topic's metadata, so ``send`` will not block waiting for it."""
        return self._producer._metadata.partitions_for_topic(topic) is not None

    def send(self, record: Outgoing) -> Pending:
        """Hand a record to the producer; may block up to ``max_block_ms`` when the topic's
        metadata is unknown (see ``knows``)."""
        producer = self._producer
        try:
            future = producer.send(
                record.topic, key=record.key, value=record.value, headers=record.meta.to_headers()
            )
        except KafkaError as exc:
            raise self._unavailable(record.topic, exc, producer) from exc
        return Pending(record.topic, record.meta.id, future, producer)

    def wait(self, pending: Pending) -> Written:
        """Block until the broker acknowledged ``pending``."""
        try:
            metadata: Any = pending.future.get(timeout=self._ack_timeout_s)
        except KafkaError as exc:
            raise self._unavailable(pending.topic, exc, pending.producer) from exc
        return Written(pending.topic, metadata.partition, metadata.offset, pending.event_id)

    async def acknowledged(self, pending: Pending) -> Written:
        """Wait, without blocking the event loop, until the broker acknowledged ``pending``."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[Any] = loop.create_future()

        def settle(result: Any, failed: bool) -> None:
            if not outcome.done():
                (outcome.set_exception if failed else outcome.set_result)(result)

        def from_sender(result: Any, failed: bool) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed (shutdown): nobody waits
                loop.call_soon_threadsafe(settle, result, failed)

        pending.future.add_callback(from_sender, failed=False)
        pending.future.add_errback(from_sender, failed=True)
        try:
            metadata: Any = await asyncio.wait_for(outcome, self._ack_timeout_s)
        except (KafkaError, TimeoutError) as exc:
            raise self._unavailable(pending.topic, exc, pending.producer) from exc
        return Written(pending.topic, metadata.partition, metadata.offset, pending.event_id)

    def publish(
        self,
        spec: TopicSpec,
        key: BaseModel,
        value: BaseModel | None,
        event_type: str,
        meta: EventMeta | None = None,
    ) -> Written:
        """Write one record and wait for the broker's acknowledgement."""
        return self.wait(self.send(self.prepare(spec, key, value, event_type, meta)))

    @property
    def _ack_timeout_s(self) -> float:
        return self._settings.request_timeout_ms / 1000 + 2

    def _unavailable(self, topic: str, exc: Exception, producer: Any) -> KafkaUnavailable:
        log.warning("kafka.publish_failed", topic=topic, error=type(exc).__name__)
        if producer is not None:
            self._replace(producer)
        return KafkaUnavailable(f"Kafka did not acknowledge the write to {topic}: {exc}")

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
        closing = threading.Thread(target=self._close_failed, args=(failed,), daemon=True)
        self._closing.append(closing)
        closing.start()

    def _close_failed(self, failed: KafkaProducer) -> None:
        try:
            failed.close(timeout=self._delivery_timeout_ms / 1000 + 1)
        except KafkaError as exc:  # it could not flush: what it held was already answered 503
            log.warning("kafka.replaced_producer_close_failed", error=type(exc).__name__)
            # kafka-python's close() raises from its flush before it would force the sender
            # closed: fail what the producer still holds (already answered 503), then close.
            with contextlib.suppress(KafkaError):
                failed._accumulator.abort_incomplete_batches()
                failed.close(timeout=0)

    def close(self) -> None:
        """Flush what is buffered and close (and wait for replaced producers to be closed)."""
        self._producer.close(timeout=5)
        for closing in self._closing:
            closing.join(timeout=self._delivery_timeout_ms / 1000 + 2)


def kafka_answers(settings: KafkaSettings, timeout_ms: int = 2000) -> bool:
    """Whether the broker answers a metadata request now (for readiness checks)."""
    try:
        admin = AdminClient(
            **client_options(settings),
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


def read_topic(bootstrap: KafkaSettings | str, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record on ``topic`` now, from the beginning (a fresh consumer, no group)."""
    consumer = KafkaConsumer(
        **client_options(bootstrap), group_id=None, enable_auto_commit=False, api_version=API_VERSION
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


def read_record(
    bootstrap: KafkaSettings | str, topic: str, partition: int, offset: int, timeout: float = 10.0
) -> Any | None:
    """The record at ``offset`` of ``topic``'s ``partition`` (None if compaction removed it)."""
    consumer = KafkaConsumer(
        **client_options(bootstrap), group_id=None, enable_auto_commit=False, api_version=API_VERSION
    )
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in consumer.poll(timeout_ms=200, max_records=1).get(tp, []):
                return record if record.offset == offset else None
        raise TimeoutError(f"could not read {topic}[{partition}]@{offset} in {timeout:.0f}s")
    finally:
        consumer.close()
