"""Poison records for the dead-letter tests: what each kind is, and how it is made from a valid record.

A poison record is written where a valid one would be (same key, same partition),
so that a worker stuck on it would also hold back the valid record written after it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaProducer
from kafka.partitioner.default import murmur2

from services.common.cloudevents import EventMeta
from services.common.kafka import API_VERSION, client_options
from services.common.settings import KafkaSettings

Headers = list[tuple[str, bytes]]
POISON_HEADER = "poison_id"


@dataclass(frozen=True)
class Record:
    """A record as it goes on the wire."""

    key: bytes
    value: bytes | None  # None: a tombstone
    headers: Headers


@dataclass(frozen=True)
class Poison:
    """One kind of poison record: how to make it from a valid record, and the reason it must get."""

    name: str
    reason: str
    make: Callable[[Record], Record]


def _json_with(record: Record, **changes: object) -> bytes:
    return json.dumps({**json.loads(record.value or b"{}"), **changes}).encode()


def _ce_specversion(record: Record, version: bytes) -> Headers:
    return [(k, version if k == "ce_specversion" else v) for k, v in record.headers]


OVERSIZED_BYTES = KafkaSettings().max_record_bytes + 1024
POISONS: tuple[Poison, ...] = (
    Poison("malformed", "invalid value", lambda r: Record(r.key, b"\x00\xff{not json", r.headers)),
    Poison(
        "schema_version_0",
        "wrong version: schema_version",
        lambda r: Record(r.key, _json_with(r, schema_version=0), r.headers),
    ),
    Poison(
        "schema_version_text",
        "wrong version: schema_version",
        lambda r: Record(r.key, _json_with(r, schema_version="2"), r.headers),
    ),
    Poison(
        "ce_specversion_0.3",
        "wrong version: ce_specversion",
        lambda r: Record(r.key, r.value, _ce_specversion(r, b"0.3")),
    ),
    # Valid but for its size: an unknown field (which a reader ignores) makes it too large.
    Poison(
        "oversized",
        "oversized record",
        lambda r: Record(r.key, _json_with(r, padding="x" * OVERSIZED_BYTES), r.headers),
    ),
)


def valid_record(key: bytes, value: bytes, meta: EventMeta) -> Record:
    """The record a service would write."""
    return Record(key, value, meta.to_headers())


def write_in_order(bootstrap: str, topic: str, records: list[tuple[str, Record]]) -> int:
    """Write ``records`` (each with its poison id header) in order on the partition of the first key."""
    producer = KafkaProducer(
        **client_options(bootstrap), acks="all", api_version=API_VERSION, max_request_size=2 * 1024 * 1024
    )
    try:
        # The partition kafka's default partitioner gives the key (as a service's producer would).
        count = len(producer.partitions_for(topic))
        partition: int = (murmur2(records[0][1].key) & 0x7FFFFFFF) % count
        for poison_id, record in records:
            headers = [*record.headers, (POISON_HEADER, poison_id.encode())]
            future = producer.send(
                topic, key=record.key, value=record.value, headers=headers, partition=partition
            )
            future.get(timeout=10)
        return partition
    finally:
        producer.close()
