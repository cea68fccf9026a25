"""The matching worker's adapters to Kafka: the publisher its handlers write through (faust's
producer) and the cases as last written on cases.v1 (one read at its offset, or all for a round).

The handlers (handlers.py) see only the ``Publisher`` and ``CaseStore`` protocols; the unit tests
give them in-memory ones.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from typing import Any

import faust

from services.common.cloudevents import EventMeta
from services.common.contracts import Case, CaseKey
from services.common.kafka import ensure_topics, read_record, read_topic
from services.common.settings import KafkaSettings
from services.common.streams import publish, raw_topic
from services.common.topics import CASES, TopicSpec

from .domain import case_id_for

LOAD_TIMEOUT_S = 900.0  # reading cases.v1 at start-up, or for a round


class FaustPublisher:
    """Sends registered models on the worker's topics with faust's producer (idempotent, acks=all)."""

    def __init__(self, app: faust.App, kafka: KafkaSettings, specs: Iterable[TopicSpec]) -> None:
        self._app = app
        self._kafka = kafka
        self._topics = {spec.name: raw_topic(app, spec) for spec in specs}
        self._partner_topics: dict[str, Any] = {}

    async def send(self, spec: TopicSpec, key: Any, value: Any, meta: EventMeta) -> asyncio.Future[Any]:
        """Send one record; the delivery future (its partition and offset once acknowledged)."""
        topic = self._topics.get(spec.name) or self._partner_topics.get(spec.name)
        if topic is None:  # a partner's topic, created (compacted, one partition) on first use
            await asyncio.to_thread(ensure_topics, self._kafka, [spec])
            topic = self._partner_topics[spec.name] = raw_topic(self._app, spec)
        return await publish(topic, spec, key, value, meta)

    async def flush(self) -> None:
        """Wait until everything sent so far is acknowledged."""
        await (await self._app.maybe_start_producer()).flush()


class KafkaCases:
    """The cases on cases.v1, as last written."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap

    async def read(self, person_id: uuid.UUID, at: tuple[int, int] | None) -> Case | None:
        """One case: its record read at ``at`` (partition, offset), or all of cases.v1 if not known."""
        if at is not None:
            record = await asyncio.to_thread(read_record, self._bootstrap, CASES.name, *at)
            if record is not None and record.value is not None:
                case: Case = Case.model_validate_json(record.value)
                return case
        key = CaseKey(case_id=case_id_for(person_id)).model_dump_json().encode()
        records = await asyncio.to_thread(read_topic, self._bootstrap, CASES.name, LOAD_TIMEOUT_S)
        latest = next((r for r in reversed(records) if r.key == key), None)
        return None if latest is None or latest.value is None else Case.model_validate_json(latest.value)

    def read_all(self, people: Iterable[uuid.UUID]) -> dict[uuid.UUID, Case]:
        """The cases of ``people``, as last written on cases.v1 (its snapshot; blocking).

        Only those cases are parsed: parsing is most of the cost of reading them.
        """
        wanted = {CaseKey(case_id=case_id_for(person)).model_dump_json().encode() for person in people}
        latest: dict[bytes, bytes | None] = {}
        for record in read_topic(self._bootstrap, CASES.name, LOAD_TIMEOUT_S):
            if record.key in wanted:
                latest[record.key] = record.value
        cases = (Case.model_validate_json(raw) for raw in latest.values() if raw is not None)
        return {case.person_id: case for case in cases}
