"""What a worker's handlers write through: the ``RecordPublisher`` protocol, and its faust
implementation (the app's idempotent producer, acks=all).

Handlers see only the protocol, so their unit tests give them an in-memory publisher
(tests/unit/in_memory.py) and no broker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Protocol

import faust

from services.common.cloudevents import EventMeta
from services.common.kafka import ensure_topics
from services.common.settings import KafkaSettings
from services.common.streams import publish, raw_topic
from services.common.topics import TopicSpec


class RecordPublisher(Protocol):
    """Where handlers write: one registered model (or a tombstone) on a topic."""

    async def send(self, spec: TopicSpec, key: Any, value: Any, meta: EventMeta) -> asyncio.Future[Any]: ...
    async def flush(self) -> None: ...


class FaustPublisher:
    """Sends registered models on a worker's topics with faust's producer."""

    def __init__(self, app: faust.App, kafka: KafkaSettings, specs: Iterable[TopicSpec]) -> None:
        self._app = app
        self._kafka = kafka
        self._topics = {spec.name: raw_topic(app, spec) for spec in specs}

    async def send(self, spec: TopicSpec, key: Any, value: Any, meta: EventMeta) -> asyncio.Future[Any]:
        """Send one record; the delivery future (its partition and offset once acknowledged).

        A topic not named at start (a partner's own topic) is created on first use.
        """
        topic = self._topics.get(spec.name)
        if topic is None:
            await asyncio.to_thread(ensure_topics, self._kafka, [spec])
            topic = self._topics[spec.name] = raw_topic(self._app, spec)
        return await publish(topic, spec, key, value, meta)

    async def flush(self) -> None:
        """Wait until everything sent so far is acknowledged."""
        await (await self._app.maybe_start_producer()).flush()
