"""The matching worker's adapter to the cases as last written on cases.v1 (one read at its
offset, or all for a round). It writes through services/common/worker_publisher.py.

The handlers (handlers.py) see only the ``CaseStore`` protocol; the unit tests give them an
in-memory one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

from services.common.contracts import Case, CaseKey
from services.common.kafka import read_record, read_topic
from services.common.settings import KafkaSettings
from services.common.topics import CASES

from .domain import case_id_for
from .snapshot import RoundCase, read_cases

LOAD_TIMEOUT_S = 900.0  # reading cases.v1 at start-up, or for a round


class KafkaCases:
    """The cases on cases.v1, as last written."""

    def __init__(self, bootstrap: KafkaSettings | str) -> None:
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

    def read_all(self, people: Iterable[uuid.UUID]) -> dict[uuid.UUID, RoundCase]:
        """The cases of ``people``, as last written on cases.v1 (its snapshot; blocking), as a
        round reads them (``snapshot.read_cases``: only those cases, only the fields a round uses)."""
        records = read_topic(self._bootstrap, CASES.name, LOAD_TIMEOUT_S)
        return read_cases(((record.key, record.value) for record in records), people)
