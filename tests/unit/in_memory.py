"""In-memory adapters for the handlers' unit tests: a publisher that keeps what it is sent, the
cases it was sent (as cases.v1 would hold them), and a projection of other services' records."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from services.common.cloudevents import EventMeta
from services.common.codec import check_models
from services.common.contracts import Case
from services.common.topics import CASES, TopicSpec


@dataclass(frozen=True)
class Sent:
    """One record the handlers published."""

    topic: str
    key: Any
    value: Any
    meta: EventMeta


class InMemoryPublisher:
    """Keeps every record in order; each is acknowledged at once, at the next offset of its topic."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._offsets: Counter[str] = Counter()

    async def send(self, spec: TopicSpec, key: Any, value: Any, meta: EventMeta) -> asyncio.Future[Any]:
        check_models(spec, key, value)  # what the real publisher refuses, this one refuses too
        self.sent.append(Sent(spec.name, key, value, meta))
        delivered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        delivered.set_result(SimpleNamespace(partition=0, offset=self._offsets[spec.name]))
        self._offsets[spec.name] += 1
        return delivered

    async def flush(self) -> None:
        """Everything is acknowledged already."""

    def on(self, topic: str) -> list[Sent]:
        """What was sent on ``topic``, in order."""
        return [s for s in self.sent if s.topic == topic]

    def types(self, topic: str) -> list[str]:
        """The event types sent on ``topic``, in order (without the ``quebec.concerto.`` prefix)."""
        return [s.meta.type.removeprefix("quebec.concerto.") for s in self.on(topic)]


class PublishedCases:
    """The cases as the publisher wrote them on cases.v1 (the handlers' ``CaseStore``)."""

    def __init__(self, publisher: InMemoryPublisher) -> None:
        self._publisher = publisher

    def _latest(self) -> dict[uuid.UUID, Case | None]:
        latest: dict[uuid.UUID, Case | None] = {}
        for sent in self._publisher.on(CASES.name):
            latest[sent.key.case_id] = sent.value
        return latest

    async def read(self, person_id: uuid.UUID, at: tuple[int, int] | None) -> Case | None:
        if at is not None:
            value: Case | None = self._publisher.on(CASES.name)[at[1]].value
            return value
        return next((c for c in self._latest().values() if c is not None and c.person_id == person_id), None)

    def read_all(self, people: Iterable[uuid.UUID]) -> dict[uuid.UUID, Case]:
        wanted = set(people)
        return {c.person_id: c for c in self._latest().values() if c is not None and c.person_id in wanted}


class StaticWorld:
    """Other services' records, by topic (what a projection would hold)."""

    def __init__(self, records: dict[str, list[Any]]) -> None:
        self.records = records

    def values(self, spec: TopicSpec) -> list[Any]:
        return list(self.records.get(spec.name, []))

    def catch_up(self, timeout: float) -> bool:
        return True
