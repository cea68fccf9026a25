"""Encoding and decoding of records: the JSON of a registered model, checked both ways.

A consumer refuses (``UnreadableRecord``, the reason says which) a record that is:

- oversized: key and value together over ``KafkaSettings.max_record_bytes``
  (256 KiB by default, a quarter of the broker's 1 MiB message limit);
- of a wrong version: a ``ce_specversion`` header other than CloudEvents 1.0 (a
  record without the header, from a foreign producer, is read), or a
  ``schema_version`` that is not an integer ≥ 1. A higher ``schema_version`` is
  read: versions only add optional fields (base.py);
- malformed: not the JSON of the topic's key or value model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .cloudevents import SPEC_VERSION
from .topics import TopicSpec


class UnreadableRecord(ValueError):
    """A record that does not parse into its topic's contracts; the reason says why."""


def encode(model: BaseModel | None) -> bytes | None:
    """The record bytes of a key or value (None stays None: a tombstone)."""
    return None if model is None else model.model_dump_json().encode()


def check_envelope(
    spec: TopicSpec, key: bytes | None, value: bytes | None, headers: Mapping[str, str], max_bytes: int
) -> None:
    """Refuse a record before parsing it: oversized, or of a CloudEvents version this code does not read."""
    size = len(key or b"") + len(value or b"")
    if size > max_bytes:
        raise UnreadableRecord(f"{spec.name}: oversized record: {size} bytes, the limit is {max_bytes}")
    version = headers.get("ce_specversion")
    if version is not None and version != SPEC_VERSION:
        raise UnreadableRecord(
            f"{spec.name}: wrong version: ce_specversion {version[:20]!r}, this consumer reads {SPEC_VERSION}"
        )


def decode_key(spec: TopicSpec, raw: bytes | None) -> Any:
    """Parse a record key with the topic's key model."""
    return _decode(spec, spec.key_model, raw, "key")


def decode_value(spec: TopicSpec, raw: bytes | None) -> Any:
    """Parse a record value with the topic's value model; None is a tombstone."""
    if raw is None:
        return None
    return _decode(spec, spec.value_model, raw, "value")


def _decode(spec: TopicSpec, model: type[BaseModel] | None, raw: bytes | None, part: str) -> Any:
    if model is None:
        return raw
    if raw is None:
        raise UnreadableRecord(f"{spec.name}: {part} is missing")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(err["loc"] == ("schema_version",) for err in exc.errors()):
            raise UnreadableRecord(
                f"{spec.name}: wrong version: schema_version is not an integer ≥ 1"
            ) from exc
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or part}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise UnreadableRecord(f"{spec.name}: invalid {part}: {problems}") from exc


def check_models(spec: TopicSpec, key: BaseModel, value: BaseModel | None) -> None:
    """Refuse to write a key or value that is not the topic's registered model."""
    if spec.key_model is not None and not isinstance(key, spec.key_model):
        raise TypeError(f"{spec.name} keys are {spec.key_model.__name__}, not {type(key).__name__}")
    if value is not None and spec.value_model is not None and not isinstance(value, spec.value_model):
        raise TypeError(f"{spec.name} values are {spec.value_model.__name__}, not {type(value).__name__}")
