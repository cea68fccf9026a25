"""CloudEvents Kafka binding (binary mode): event metadata in record headers.

The value is the JSON of the model; ``ce_*`` headers say what it is, and
``correlation_id`` ties it to the request that caused it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .clock import default_clock

SPEC_VERSION = "1.0"
TYPE_PREFIX = "quebec.concerto."

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class EventMeta:
    """The metadata of one event, as carried in its headers."""

    id: str
    type: str
    source: str
    time: datetime
    correlation_id: str | None = None

    def to_headers(self) -> Headers:
        """Kafka headers for this event."""
        headers: Headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("content-type", b"application/json"),
        ]
        if self.correlation_id:
            headers.append(("correlation_id", self.correlation_id.encode()))
        return headers


def new_event(
    event_type: str,
    source: str,
    correlation_id: str | None,
    *,
    caused_by: str | None = None,
    now: datetime | None = None,
) -> EventMeta:
    """Metadata for a new event.

    An event caused by another (``caused_by``, the cause's ce_id) gets an id
    derived from its cause and type, so reprocessing the cause yields the same
    id and downstream consumers can deduplicate on it.
    """
    event_id = (
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{caused_by}/{event_type}")) if caused_by else str(uuid.uuid4())
    )
    return EventMeta(
        id=event_id,
        type=TYPE_PREFIX + event_type,
        source=source,
        time=now or default_clock().now(),
        correlation_id=correlation_id,
    )


def header_dict(headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None) -> dict[str, str]:
    """Headers as a str → str dict (undecodable bytes are replaced, never raised)."""
    if headers is None:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k: _text(v) for k, v in items}


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)
