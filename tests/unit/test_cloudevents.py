"""CloudEvents metadata in Kafka headers: what an event is, where it comes from, and what caused it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.common.clock import default_clock
from services.common.cloudevents import SPEC_VERSION, TYPE_PREFIX, EventMeta, header_dict, new_event

DECIDED_AT = datetime(2025, 9, 20, 10, 15, 2, 345678, tzinfo=UTC)
PROPOSAL_EVENT_ID = "7c1e4f8a-2b3d-4e5f-9a6b-0c1d2e3f4a5b"
CORRELATION_ID = "req-3f9a1c2e"


def a_decision(
    correlation_id: str | None = CORRELATION_ID, caused_by: str | None = PROPOSAL_EVENT_ID
) -> EventMeta:
    return new_event(
        "events.ProposalDecided", "events-worker", correlation_id, caused_by=caused_by, now=DECIDED_AT
    )


def test_an_event_carries_the_cloudevents_headers() -> None:
    headers = header_dict(a_decision().to_headers())

    assert headers["ce_specversion"] == SPEC_VERSION == "1.0"
    assert headers["ce_type"] == "quebec.concerto.events.ProposalDecided"
    assert headers["ce_source"] == "events-worker"
    assert headers["content-type"] == "application/json"
    assert UUID(headers["ce_id"])


def test_an_event_type_is_prefixed_with_the_platforms_namespace() -> None:
    meta = new_event("matching.CaseOpened", "matching-worker", None)

    assert meta.type == TYPE_PREFIX + "matching.CaseOpened"
    assert meta.type.startswith("quebec.concerto.")


def test_an_event_time_is_iso_8601_and_round_trips() -> None:
    headers = header_dict(a_decision().to_headers())

    assert headers["ce_time"] == "2025-09-20T10:15:02.345678+00:00"
    assert datetime.fromisoformat(headers["ce_time"]) == DECIDED_AT


def test_an_event_without_a_given_time_is_stamped_now_in_utc() -> None:
    before = default_clock().now()
    meta = new_event("partners.PartnerRegistered", "partners-api", None)
    after = default_clock().now()

    assert meta.time.tzinfo is not None
    assert meta.time.utcoffset() == timedelta(0)
    assert before <= meta.time <= after


def test_the_correlation_id_travels_with_the_event() -> None:
    headers = header_dict(a_decision(correlation_id=CORRELATION_ID).to_headers())

    assert headers["correlation_id"] == CORRELATION_ID


def test_an_event_without_a_correlation_id_has_no_correlation_header() -> None:
    headers = a_decision(correlation_id=None).to_headers()

    assert "correlation_id" not in [name for name, _ in headers]


def test_every_header_value_is_bytes() -> None:
    for name, value in a_decision().to_headers():
        assert isinstance(name, str)
        assert isinstance(value, bytes)


def test_reprocessing_a_cause_gives_the_same_event_id() -> None:
    assert a_decision().id == a_decision().id


def test_the_same_cause_gives_different_ids_to_different_kinds_of_event() -> None:
    decided = new_event("events.ProposalDecided", "events-worker", None, caused_by=PROPOSAL_EVENT_ID)
    emailed = new_event("notifications.EmailSent", "events-worker", None, caused_by=PROPOSAL_EVENT_ID)

    assert decided.id != emailed.id


def test_different_causes_give_different_event_ids() -> None:
    other_cause = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    assert a_decision(caused_by=PROPOSAL_EVENT_ID).id != a_decision(caused_by=other_cause).id


def test_a_caused_event_id_depends_on_neither_time_source_nor_correlation() -> None:
    first = new_event("events.ProposalDecided", "events-worker", "req-1", caused_by=PROPOSAL_EVENT_ID)
    later = new_event(
        "events.ProposalDecided",
        "events-worker-2",
        "req-2",
        caused_by=PROPOSAL_EVENT_ID,
        now=DECIDED_AT + timedelta(hours=1),
    )

    assert first.id == later.id


def test_an_event_without_a_cause_gets_a_fresh_id_each_time() -> None:
    ids = {new_event("partners.PartnerRegistered", "partners-api", None).id for _ in range(5)}

    assert len(ids) == 5
    assert all(UUID(event_id) for event_id in ids)


@pytest.mark.parametrize(
    "headers",
    [
        [("ce_type", b"quebec.concerto.events.ProposalDecided"), ("correlation_id", b"req-3f9a1c2e")],
        (("ce_type", b"quebec.concerto.events.ProposalDecided"), ("correlation_id", b"req-3f9a1c2e")),
        {"ce_type": b"quebec.concerto.events.ProposalDecided", "correlation_id": b"req-3f9a1c2e"},
    ],
    ids=["list", "tuple", "mapping"],
)
def test_headers_are_read_from_pairs_or_a_mapping(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes],
) -> None:
    assert header_dict(headers) == {
        "ce_type": "quebec.concerto.events.ProposalDecided",
        "correlation_id": "req-3f9a1c2e",
    }


def test_a_record_without_headers_has_none() -> None:
    assert header_dict(None) == {}
    assert header_dict([]) == {}


def test_accented_header_values_are_decoded_as_utf_8() -> None:
    assert header_dict([("dlq_reason", "région inconnue".encode())]) == {"dlq_reason": "région inconnue"}


def test_undecodable_header_bytes_are_replaced_not_raised() -> None:
    headers = header_dict([("ce_source", b"events-\xff\xfeworker"), ("ce_id", b"\xc3")])

    assert headers["ce_source"] == "events-\ufffd\ufffdworker"
    assert headers["ce_id"] == "\ufffd"


def test_headers_written_by_an_event_read_back_whole() -> None:
    meta = a_decision()

    headers = header_dict(meta.to_headers())

    assert headers == {
        "ce_specversion": "1.0",
        "ce_id": meta.id,
        "ce_type": meta.type,
        "ce_source": meta.source,
        "ce_time": meta.time.isoformat(),
        "content-type": "application/json",
        "correlation_id": CORRELATION_ID,
    }
