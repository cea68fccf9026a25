"""Encoding and decoding of records: the JSON of a registered model, checked both ways."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .topics import TopicSpec


class UnreadableRecord(ValueError):
    """A record that does not parse into its topic's contracts; the reason says why."""


def encode(model: BaseModel | None) -> bytes | None:
    """The record bytes of a key or value (None stays None: a tombstone)."""
    return None if model is None else model.model_dump_json().encode()


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
