"""What the season loader talks to and what it tells: the APIs as HTTP clients, and its report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Response(Protocol):
    """What the loader reads of an HTTP answer (httpx's, or a FastAPI TestClient's)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


class Client(Protocol):
    """An HTTP client bound to one API's base URL (``httpx.Client(base_url=…)`` or a TestClient)."""

    def get(self, url: str, *, headers: Mapping[str, str]) -> Response: ...
    def post(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Response: ...
    def put(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Response: ...


@dataclass(frozen=True)
class Apis:
    """The three public APIs the season goes through."""

    partners: Client
    events: Client
    matching: Client


@dataclass(frozen=True)
class Refusal:
    """A request an API refused, or a record skipped because what it needs was refused."""

    step: str
    generated_id: str
    status: int | None  # None: skipped, never sent
    reason: str


@dataclass
class LoadReport:
    """What the loading did: created records by step, the id map, refusals, notes."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    ids: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def reason_of(response: Response) -> str:
    """The API's reason for refusing, in one line (validation errors as ``field: message``)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:300]
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}" for e in detail)
    return str(detail)
