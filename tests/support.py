"""Helpers shared by the integration and end-to-end tests: reading and writing real topics, waiting."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import default_clock
from services.common.cloudevents import header_dict
from services.common.kafka import API_VERSION, client_options
from services.common.kafka import read_topic as read_topic
from tools.stack import ROOT, free_ports
from tools.waiting import eventually as eventually  # re-exported for the tests

TEST_ROOT = Path(os.environ.get("CONCERTO_TEST_VAR") or ROOT / "var")
"""Where the test stacks keep their state: var/test (the session's), var/test-<name> (own stacks).
Two runs at once in one checkout set CONCERTO_TEST_VAR apart (`make sweep --jobs`), else they wipe
each other's brokers."""

PORT_SHIFT = int(os.environ.get("CONCERTO_TEST_PORT_SHIFT") or 0)
"""Added to the first port every test stack looks from: two runs at once set it apart, so they do
not both find the same port free and race to bind it."""


def ports_from(start: int, width: int) -> int:
    """The first free run of ``width`` ports from ``start`` (shifted by CONCERTO_TEST_PORT_SHIFT)."""
    return free_ports(start + PORT_SHIFT, width)


def records_on(bootstrap: str, topic: str) -> int:
    """How many records ``topic`` has ever received (the sum of its partitions' end offsets)."""
    consumer = KafkaConsumer(
        **client_options(bootstrap), group_id=None, enable_auto_commit=False, api_version=API_VERSION
    )
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def field_of(raw: bytes | None, name: str) -> Any:
    """The ``name`` field of a record's JSON key or value; None when it has none or is not a JSON
    object (the poison records other tests write on the shared broker)."""
    try:
        parsed = json.loads(raw) if raw is not None else None
    except ValueError:  # not UTF-8 or not JSON
        return None
    return parsed.get(name) if isinstance(parsed, dict) else None


def records_where(
    bootstrap: str, topic: str, match: Callable[[Any], bool], count: int = 1, timeout: float = 30
) -> list[Any]:
    """Wait until ``topic`` holds at least ``count`` records matching ``match``; return them.

    A record ``match`` cannot read (not JSON, or JSON of another shape: the poison records other
    tests write on the shared broker) does not match, whichever test ran before.
    """

    def matches(record: Any) -> bool:
        try:
            return match(record)
        except (ValueError, TypeError, KeyError, AttributeError):  # ValueError: JSON and UTF-8 errors
            return False

    def found() -> list[Any] | None:
        hits = [r for r in read_topic(bootstrap, topic) if matches(r)]
        return hits if len(hits) >= count else None

    return eventually(found, timeout, f"{count} matching record(s) on {topic}")


def headers_of(record: Any) -> dict[str, str]:
    """A consumed record's headers as a dict."""
    return header_dict(record.headers)


def produce_raw(
    bootstrap: str, topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
) -> None:
    """Write one record as is (for records that a publisher would refuse to write)."""
    producer = KafkaProducer(**client_options(bootstrap), acks="all", api_version=API_VERSION)
    try:
        producer.send(topic, key=key, value=value, headers=headers).get(timeout=10)
    finally:
        producer.close()


def log_events(path: Path) -> list[dict[str, Any]]:
    """The JSON log records (with an ``event``) of a process's log file, oldest first."""
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        start = line.find("{")
        try:
            record = json.loads(line[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "event" in record:
            events.append(record)
    return events


def bearer(role: str, partner_id: object | None = None) -> dict[str, str]:
    """An Authorization header with a token minted with the development secret."""
    token = mint(AuthSettings(), f"test-{role}", Role(role), UUID(str(partner_id)) if partner_id else None)
    return {"Authorization": f"Bearer {token}"}


def unique(name: str) -> str:
    """``name`` with a random suffix, so tests sharing the broker never collide."""
    return f"{name} {uuid.uuid4().hex[:8]}"


def created(response: Any, key: str) -> str:
    """The id ``key`` of what a 2xx response created (fails with the body otherwise)."""
    assert 200 <= response.status_code < 300, response.text
    value: str = response.json()[key]
    return value


def write_decision(bootstrap: str, organizer: str, status: str, regions: list[str], title: str) -> str:
    """A calendar entry of ``status`` written on calendar.v1 as the events worker would; its proposal id."""
    from services.common.contracts import ActivityKind, CalendarEntry, ProposalKey
    from services.common.kafka import Publisher
    from services.common.settings import KafkaSettings
    from services.common.topics import CALENDAR

    entry = CalendarEntry(
        proposal_id=uuid.uuid4(),
        organizer_id=uuid.UUID(organizer),
        regions=regions,
        kind=ActivityKind.INFORMATION_SESSION,
        title=title,
        status=status,
        joint_with=uuid.uuid4() if status == "joint_suggested" else None,
        reason="Written by a test, as the events worker would.",
        decided_at=default_clock().now(),
    )
    publisher = Publisher(KafkaSettings(bootstrap_servers=bootstrap), "events-worker")
    try:
        publisher.publish(
            CALENDAR, ProposalKey(proposal_id=entry.proposal_id), entry, "events.ProposalDecided"
        )
    finally:
        publisher.close()
    return str(entry.proposal_id)


def check_restartable(port: int) -> None:
    """Fail unless a broker on ``port`` can be restarted while clients keep connecting to it.

    A port in the kernel's ephemeral range can be taken, while the broker is down, by a
    client's own connection attempt (TCP self-connect: 127.0.0.1:P to 127.0.0.1:P), and the
    broker then cannot bind it again (seen with 43092).
    """
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low, high = map(int, ranges.read_text().split()) if ranges.exists() else (32768, 60999)
    for p in (port, port + 1):  # the client port and the controller's
        assert not low <= p <= high, (
            f"port {p} is in the ephemeral range {low}-{high}: choose one below {low}"
        )


def delegate_of(partners_api: str, region: str, day: date) -> str | None:
    """A partner delegated to propose ``region``'s activities on ``day``, if any (read from the
    tables as published: a regional table's delegate first, else a sub-regional table's one)."""
    tables = httpx.get(f"{partners_api}/tables", params={"region": region}, headers=bearer("hub")).json()
    active = [t for t in tables if t["status"] == "active"]
    for level in ([t for t in active if not t["mrcs"]], [t for t in active if t["mrcs"]]):
        for table in sorted(level, key=lambda t: t["name"]):
            for delegation in reversed(table["delegations"]):
                end = delegation.get("end")
                if date.fromisoformat(delegation["start"]) <= day and (
                    end is None or date.fromisoformat(end) >= day
                ):
                    found: str = delegation["partner_id"]
                    return found
    return None


class TablesMade:
    """The concertation tables a test creates on the shared broker, to dissolve when it is done.

    A delegated table decides who proposes its region's activities, so a table left behind
    would change another test's world.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []

    def add(self, table_id: str) -> str:
        self.ids.append(table_id)
        return table_id

    def dissolve(self, post: Callable[..., Any]) -> None:
        """Dissolve them through ``post`` to partners-api (a TestClient's ``post``, or
        ``lambda path, **kw: httpx.post(url + path, **kw)``)."""
        for table_id in self.ids:
            response = post(f"/tables/{table_id}/dissolve", headers=bearer("hub"))
            assert response.status_code == 200, response.text
        self.ids.clear()


def organizer_for(partners_api: str, region: str, day: date) -> tuple[str, str]:
    """An organizer of ``region`` and the role it proposes with: the region's delegate if another
    test gave its table one (only the delegate proposes then), else a new partner of the caller's."""
    delegate = delegate_of(partners_api, region, day)
    if delegate is not None:
        return delegate, "delegate"
    body = {
        "name": f"Organisme {region} {uuid.uuid4().hex[:6]}",
        "kind": "community_organization",
        "regions": [region],
        "contact_email": f"org{region}@partenaires.example.org",
    }
    response = httpx.post(f"{partners_api}/partners", json=body, headers=bearer("hub"))
    assert response.status_code == 201, response.text
    return response.json()["partner_id"], "partner"
