"""Each API, in process, against the real broker: it publishes what it should, and nothing on bad input."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.settings import Settings
from services.events.api import create_app as events_app
from services.matching.api import create_app as matching_app
from services.partners.api import create_app as partners_app
from tests.support import bearer, eventually, headers_of, read_topic, records_where

pytestmark = pytest.mark.integration


def _client(app: FastAPI, role: str) -> Iterator[TestClient]:
    with TestClient(app, headers=bearer(role)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "the API to be ready")
        yield client


@pytest.fixture(scope="module")
def partners(settings: Settings) -> Iterator[TestClient]:
    yield from _client(partners_app(settings), "hub")


@pytest.fixture(scope="module")
def events(settings: Settings) -> Iterator[TestClient]:
    yield from _client(events_app(settings), "hub")


@pytest.fixture(scope="module")
def matching(settings: Settings) -> Iterator[TestClient]:
    yield from _client(matching_app(settings), "counsellor")


def _register(partners: TestClient, name: str = "Accueil Gaspésie", region: str = "11") -> dict[str, Any]:
    response = partners.post(
        "/partners",
        json={
            "name": f"{name} {uuid.uuid4().hex[:6]}",
            "kind": "community_organization",
            "regions": [region],
            "contact_email": "accueil@example.org",
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _field_errors(response: Any) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in response.json()["detail"]}


def test_registering_a_partner_publishes_it_with_cloudevents_headers_and_reads_back_at_once(
    partners: TestClient, settings: Settings
) -> None:
    response = partners.post(
        "/partners",
        headers={"X-Correlation-ID": "corr-partner-1"},
        json={
            "name": "Carrefour jeunesse-emploi de Sherbrooke",
            "kind": "community_organization",
            "regions": ["05", "05", "16"],
            "contact_email": "info@example.org",
            "language": "fr",
        },
    )
    assert response.status_code == 201, response.text
    partner = response.json()
    assert partner["regions"] == ["05", "16"]
    assert response.headers["X-Correlation-ID"] == "corr-partner-1"

    assert partners.get(f"/partners/{partner['partner_id']}").json() == partner
    assert partner in partners.get("/partners", params={"region": "16"}).json()

    [record] = records_where(
        settings.kafka.bootstrap_servers,
        "partners.v1",
        lambda r: json.loads(r.key) == {"partner_id": partner["partner_id"]},
    )
    headers = headers_of(record)
    assert headers["ce_type"] == "quebec.concerto.partners.PartnerRegistered"
    assert headers["ce_source"] == "partners-api"
    assert headers["ce_specversion"] == "1.0"
    assert headers["correlation_id"] == "corr-partner-1"
    assert json.loads(record.value)["name"] == "Carrefour jeunesse-emploi de Sherbrooke"


def test_an_invalid_partner_is_refused_with_the_fields_named_and_nothing_published(
    partners: TestClient, settings: Settings
) -> None:
    before = len(read_topic(settings.kafka.bootstrap_servers, "partners.v1"))
    response = partners.post(
        "/partners",
        json={"name": "X", "kind": "Employer!", "regions": ["22"], "contact_email": "not-an-address"},
    )
    assert response.status_code == 422
    assert {"body.name", "body.kind", "body.regions.0", "body.contact_email"} <= _field_errors(response)
    malformed = partners.post("/partners", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422
    assert len(read_topic(settings.kafka.bootstrap_servers, "partners.v1")) == before


def test_an_unknown_partner_reads_as_404(partners: TestClient) -> None:
    assert partners.get(f"/partners/{uuid.uuid4()}").status_code == 404


def test_proposing_an_activity_publishes_it_on_the_single_partition_proposals_topic(
    partners: TestClient, events: TestClient, settings: Settings
) -> None:
    organizer = _register(partners)
    response = events.post(
        "/proposals",
        json={
            "organizer_id": organizer["partner_id"],
            "regions": ["11"],
            "kind": "information_session",
            "title": "Vivre et travailler en Gaspésie",
            "preferred_dates": ["2031-05-03", "2031-05-10"],
        },
    )
    assert response.status_code == 202, response.text
    proposal_id = response.json()["proposal_id"]
    [record] = records_where(
        settings.kafka.bootstrap_servers,
        "event-proposals.v1",
        lambda r: json.loads(r.key) == {"proposal_id": proposal_id},
    )
    assert record.partition == 0
    value = json.loads(record.value)
    assert value["organizer_id"] == organizer["partner_id"]
    assert value["preferred_dates"] == ["2031-05-03", "2031-05-10"]
    assert headers_of(record)["ce_type"] == "quebec.concerto.events.ActivityProposed"


def test_a_proposal_from_an_unknown_organizer_is_refused_naming_the_field(
    events: TestClient, settings: Settings
) -> None:
    title = f"Activité fantôme {uuid.uuid4().hex[:6]}"
    response = events.post(
        "/proposals",
        json={
            "organizer_id": str(uuid.uuid4()),
            "regions": ["05"],
            "kind": "webinar",
            "title": title,
            "preferred_dates": ["2031-05-03"],
        },
    )
    assert response.status_code == 422
    assert _field_errors(response) == {"body.organizer_id"}
    records = read_topic(settings.kafka.bootstrap_servers, "event-proposals.v1")
    assert not [r for r in records if r.value and title.encode() in r.value]


def test_repeated_preferred_dates_are_refused(events: TestClient) -> None:
    response = events.post(
        "/proposals",
        json={
            "organizer_id": str(uuid.uuid4()),
            "regions": ["05"],
            "kind": "webinar",
            "title": "Deux fois le même jour",
            "preferred_dates": ["2031-05-03", "2031-05-03"],
        },
    )
    assert response.status_code == 422
    assert "body.preferred_dates" in _field_errors(response)


def test_declaring_interest_puts_contact_data_on_contacts_only(
    matching: TestClient, settings: Settings
) -> None:
    email = f"amina.{uuid.uuid4().hex[:6]}@example.net"
    response = matching.post(
        "/interests",
        json={
            "contact": {"name": "Amina Diallo", "email": email, "phone": "+1 514 555 0199"},
            "consents": {"contact": True, "referral": True, "share_contact": False},
            "immigration_status": "permanent_resident",
            "occupations": [{"cnp": "21231", "years": 5}],
            "french_level": 7,
            "preferred_regions": ["05", "02"],
            "language": "fr",
        },
    )
    assert response.status_code == 202, response.text
    person_id = response.json()["person_id"]
    key = {"person_id": person_id}
    bootstrap = settings.kafka.bootstrap_servers

    [contact] = records_where(bootstrap, "contacts.v1", lambda r: json.loads(r.key) == key)
    assert json.loads(contact.value)["email"] == email
    [interest] = records_where(bootstrap, "interests.v1", lambda r: json.loads(r.key) == key)
    assert json.loads(interest.value)["preferred_regions"] == ["05", "02"]
    for topic in ("interests.v1", "partners.v1", "event-proposals.v1"):
        for record in read_topic(bootstrap, topic):
            assert email.encode() not in (record.value or b""), f"personal data leaked to {topic}"
            assert b"Amina" not in (record.value or b""), f"personal data leaked to {topic}"


def test_interest_without_consent_or_with_a_bad_email_is_refused(matching: TestClient) -> None:
    response = matching.post(
        "/interests",
        json={
            "contact": {"name": "Jean Tremblay", "email": "jean-at-example"},
            "consents": {"contact": False, "referral": True},
            "immigration_status": "refugee",
            "french_level": 13,
        },
    )
    assert response.status_code == 422
    assert {
        "body.contact.email",
        "body.consents.contact",
        "body.consents.share_contact",
        "body.immigration_status",
        "body.french_level",
    } <= _field_errors(response)


def test_apis_answer_503_and_record_nothing_when_kafka_is_unreachable() -> None:
    before = _background_threads()  # the module's other APIs, if another test started them
    nowhere = Settings(
        environment="test",
        kafka={"bootstrap_servers": "127.0.0.1:9", "max_block_ms": 800, "request_timeout_ms": 800},
    )
    with (
        TestClient(partners_app(nowhere), headers=bearer("hub")) as partners_down,
        TestClient(matching_app(nowhere), headers=bearer("counsellor")) as matching_down,
    ):
        health = partners_down.get("/health")
        assert health.status_code == 503
        assert health.json()["kafka"] == "unreachable"
        response = partners_down.post(
            "/partners",
            json={
                "name": "Municipalité de Bromont",
                "kind": "municipality",
                "regions": ["16"],
                "contact_email": "immigration@example.org",
            },
        )
        assert response.status_code == 503
        assert "Kafka is unreachable" in response.json()["detail"]
        intake = matching_down.post(
            "/interests",
            json={
                "contact": {"name": "Li Wei", "email": "li.wei@example.net"},
                "consents": {"contact": True, "referral": True, "share_contact": False},
                "immigration_status": "temporary_worker",
            },
        )
        assert intake.status_code == 503
    # Stopped, the APIs leave nothing behind: the background attempt to create the topics ends
    # with its current try (bounded by the bootstrap timeout), and no Kafka client thread is left.
    eventually(
        lambda: not _background_threads() - before,
        20,
        "no Kafka client or start-up thread left by the two APIs",
        lambda: ", ".join(t.name for t in _background_threads() - before),
    )


def _background_threads() -> set[threading.Thread]:
    """Kafka clients' IO threads and the APIs' start-up threads (services/common/http.py)."""
    return {t for t in threading.enumerate() if t.name.startswith("kafka") or t.name.endswith("-prepare")}
