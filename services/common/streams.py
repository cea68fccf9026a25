"""faust plumbing shared by the workers: the app factory, raw topics, parsing at the
consume boundary, dead-lettering, and publishing registered models.

A worker's agent hands each record to ``handle_stream`` with a handler: the
record is checked (size, CloudEvents version: ``codec.check_envelope``) and
parsed with the topic's pydantic models (faust.Record does not validate), the
correlation id from its headers is bound in the logs, and a record that is
refused or whose handler fails goes to deadletter.v1 with the reason, while
the stream goes on with the next record. Each record's handling is reported to
the app's ``Progress``, which the stall watchdog (watchdog.py) reads; every
worker's app runs that watchdog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
import structlog
from kafka.errors import KafkaError
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from .cloudevents import EventMeta, header_dict
from .codec import UnreadableRecord, check_envelope, check_models, decode_key, decode_value, encode
from .kafka import ensure_topics, faust_credentials
from .logging import CORRELATION_ID, configure_logging
from .settings import KafkaSettings, Settings
from .topics import DEADLETTER, REGISTRY, TopicSpec
from .transport import ConcertoTransport
from .watchdog import BrokerOffsets, Progress, Watchdog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Received:
    """A record parsed with its topic's contracts."""

    key: Any
    value: Any
    headers: dict[str, str]
    topic: str
    partition: int
    offset: int
    raw_value: bytes | None = None  # the value's bytes as read, for state kept undecoded

    @property
    def event_id(self) -> str:
        """The record's ce_id (or its coordinates when a foreign producer set none)."""
        return self.headers.get("ce_id") or f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def correlation_id(self) -> str | None:
        """The correlation id of the request that caused this record, if any."""
        return self.headers.get(CORRELATION_ID)


Handler = Callable[[Received], Awaitable[None]]


class ConcertoApp(faust.App):
    """faust's App, knowing the largest record its consumers read (``KafkaSettings.max_record_bytes``)
    and the progress its agents make (read by the stall watchdog), on a transport whose
    producers are idempotent and whose consumers never acknowledge a record a stream skipped
    (services/common/transport.py). faust has no setting for the transport class, so its
    ``_new_transport`` and ``_new_producer_transport`` are overridden (checked on upgrade by
    tests/unit/test_upstream_signatures.py)."""

    def __init__(self, app_id: str, *, max_record_bytes: int, **options: Any) -> None:
        super().__init__(app_id, **options)
        self.max_record_bytes = max_record_bytes
        self.progress = Progress(generation=lambda: self.consumer_generation_id)
        self.watchdog: Watchdog | None = None

    def _new_transport(self) -> Any:
        return ConcertoTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> Any:
        return ConcertoTransport(self.conf.broker_producer, self)


def create_faust_app(app_id: str, settings: Settings, *, producer_linger_s: float = 0.001) -> faust.App:
    """A faust app with Concerto's settings (explicit, see STACK.md's pitfalls).

    ``producer_linger_s``: how long a write waits for others to share its request. 1 ms by
    default (calendar decisions: latency first); a worker writing large records at high
    rates (matching) batches more, for fewer, larger requests (docs/performance.md).
    """
    brokers = ";".join(f"kafka://{hp}" for hp in settings.kafka.bootstrap_servers.split(","))
    datadir = Path(settings.data_dir).resolve() / "faust" / app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = ConcertoApp(
        app_id,
        max_record_bytes=settings.kafka.max_record_bytes,
        broker=brokers,
        broker_credentials=faust_credentials(settings.kafka),
        store="memory://",
        datadir=str(datadir),
        topic_partitions=settings.worker_partitions_hint,
        topic_replication_factor=settings.kafka.replication_factor,
        topic_disable_leader=True,
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        producer_acks=-1,
        producer_linger=producer_linger_s,
        # A case with its entitlements is ~3 KiB: let a busy worker's writes leave in large batches.
        producer_max_batch_size=512 * 1024,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
    )
    if settings.watchdog.enabled:
        watchdog = Watchdog(app, app.progress, settings.watchdog, BrokerOffsets(settings.kafka, app_id))
        app.watchdog = watchdog
        app.task(watchdog.run)
    return app


def raw_topic(app: faust.App, spec: TopicSpec, *more: TopicSpec) -> Any:
    """A faust topic (or several, read by one agent in order) of raw bytes: parsing is ours, with pydantic."""
    return app.topic(
        spec.name,
        *(m.name for m in more),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=spec.partitions,
    )


class DeadLetters:
    """Sends unreadable or unhandled records to deadletter.v1 with the reason in headers."""

    def __init__(self, app: faust.App, consumer: str) -> None:
        self._topic = raw_topic(app, DEADLETTER)
        self._consumer = consumer
        # The consumer's limit: records over it are dead-lettered unread (handle_stream).
        self.max_record_bytes: int = getattr(app, "max_record_bytes", KafkaSettings().max_record_bytes)

    async def send(self, message: Any, reason: str) -> None:
        """Dead-letter ``message`` (a faust Message) because of ``reason``."""
        headers = list(header_dict(message.headers).items())
        extra = {
            "dlq_reason": reason[:2000],
            "dlq_topic": message.topic,
            "dlq_partition": str(message.partition),
            "dlq_offset": str(message.offset),
            "dlq_consumer": self._consumer,
        }
        out = [(k, v.encode()) for k, v in headers if k not in extra]
        out += [(k, v.encode()) for k, v in extra.items()]
        await self._topic.send(key=message.key, value=message.value, headers=out)
        log.warning("record.dead_lettered", topic=message.topic, offset=message.offset, reason=reason[:300])


async def handle_stream(
    stream: Any, spec: TopicSpec | Mapping[str, TopicSpec], handler: Handler, dead_letters: DeadLetters
) -> None:
    """Parse each record of ``stream`` (one topic, or several by name) and hand it to ``handler``.

    What is refused (oversized, wrong version, malformed), or whose handler fails, is
    dead-lettered; the stream goes on.
    """
    specs = spec if isinstance(spec, Mapping) else {spec.name: spec}
    progress: Progress = getattr(stream.app, "progress", None) or Progress()
    watched = progress.stream(specs)
    async for event in stream.events():
        message = event.message
        with watched.handling(message.topic, message.partition, message.offset):
            await _handle_one(message, specs, handler, dead_letters)


async def _handle_one(
    message: Any, specs: Mapping[str, TopicSpec], handler: Handler, dead_letters: DeadLetters
) -> None:
    """One record: parse it, hand it over, dead-letter it if refused or if the handler fails."""
    headers = header_dict(message.headers)
    try:
        spec = specs[message.topic]
        check_envelope(spec, message.key, message.value, headers, dead_letters.max_record_bytes)
        received = Received(
            key=decode_key(spec, message.key),
            value=decode_value(spec, message.value),
            headers=headers,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            raw_value=message.value,
        )
    except UnreadableRecord as exc:
        await dead_letters.send(message, str(exc))
        return
    with structlog.contextvars.bound_contextvars(
        correlation_id=received.correlation_id, event_id=received.event_id
    ):
        try:
            await handler(received)
        except Exception as exc:
            log.exception("record.handler_failed", topic=message.topic, offset=message.offset)
            await dead_letters.send(message, f"handler failed: {type(exc).__name__}: {exc}")


async def publish(
    topic: Any, spec: TopicSpec, key: BaseModel, value: BaseModel | None, meta: EventMeta
) -> asyncio.Future[Any]:
    """Send a registered model (or a tombstone) on a faust topic; faust flushes before committing offsets.

    Straight to the app's producer: ``topic.send`` adds faust's channel layer (futures,
    callbacks, sensors) for nothing we use, a few per cent of the matching worker's
    time at saturation (docs/performance.md). Returns the delivery future (the record's
    metadata once the broker acknowledges it), for a caller that wants the offset.
    """
    check_models(spec, key, value)
    producer = await topic.app.maybe_start_producer()
    name = topic.get_topic_name()
    delivered: asyncio.Future[Any] = await producer.send(
        name, encode(key), encode(value), None, None, meta.to_headers()
    )
    return delivered


class _Worker(faust.Worker):
    """faust's worker with Concerto's logging instead of its spinner and root DEBUG level."""

    def __init__(self, app: faust.App, settings: Settings, service: str) -> None:
        self._logging = (settings, service)
        super().__init__(app, loglevel=settings.log_level, redirect_stdouts=False, quiet=True)

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        settings, service = self._logging
        configure_logging(service, settings.log_format, settings.log_level)


def changelog_topics(app: faust.App, service: str) -> list[TopicSpec]:
    """The changelog topics of the app's tables, as faust would name them.

    Created before the worker starts: when faust creates them itself on a fresh
    broker, its first partition assignment can miss them and every table write
    then fails with PartitionsMismatch.
    """
    return [
        TopicSpec(
            name=table.changelog_topic.get_topic_name(),
            key_model=None,
            value_model=None,
            writer=service,
            partitions=table.partitions,
            compacted=True,
            description=f"faust changelog of table {table.name}",
        )
        for table in app.tables.values()
    ]


def run_worker(app: faust.App, settings: Settings, service: str, internal: Sequence[TopicSpec] = ()) -> None:
    """Create the registry's topics, the tables' changelogs and the worker's ``internal`` topics
    (its own, outside the registry), then run the worker until stopped."""
    configure_logging(service, settings.log_format, settings.log_level)
    # The broker may start after the worker (compose, `make up`): wait for it, within bounds.
    for attempt in Retrying(
        wait=wait_exponential(multiplier=0.5, max=5),
        stop=stop_after_delay(120),
        retry=retry_if_exception_type(KafkaError),
        reraise=True,
    ):
        with attempt:
            ensure_topics(settings.kafka, [*REGISTRY, *changelog_topics(app, service), *internal])
    log.info("worker.starting", bootstrap=settings.kafka.bootstrap_servers)
    _Worker(app, settings, service).execute_from_commandline()
