"""events-api against the real broker: bad proposals and actions are refused with the field or the reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.clock import default_clock
from services.common.settings import Settings
from services.events.api import create_app as events_app
from tests.support import TablesMade, bearer, eventually, write_decision

pytestmark = pytest.mark.integration
HUB = bearer("hub")
LATER = (default_clock().today() + timedelta(days=400)).isoformat()


@pytest.fixture(scope="module")
def events(settings: Settings) -> Iterator[TestClient]:
    with TestClient(events_app(settings)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "events-api")
        eventually(lambda: client.get("/rules", headers=HUB).status_code == 200, 30, "the default rules")
        yield client


def _partner(partners: TestClient, region: str) -> str:
    body = {
        "name": f"Organisme {uuid.uuid4().hex[:6]}",
        "kind": "community_organization",
        "regions": [region],
        "contact_email": "org@example.org",
    }
    response = partners.post("/partners", json=body, headers=HUB)
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["partner_id"]
    return partner_id


def _proposal(organizer: str, region: str = "10", **more: Any) -> dict[str, Any]:
    return {
        "organizer_id": organizer,
        "regions": [region],
        "kind": "information_session",
        "title": "Vivre dans le Nord-du-Québec",
        "preferred_dates": [LATER],
        **more,
    }


def _errors(response: Any) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["detail"]}


def _decision(settings: Settings, organizer: str, status: str, regions: list[str]) -> str:
    """A calendar entry of ``status``, written as the events worker would."""
    return write_decision(
        settings.kafka.bootstrap_servers, organizer, status, regions, "Autobus vers Rouyn-Noranda"
    )


def test_a_proposal_for_a_past_day_or_an_unknown_venue_is_refused_naming_the_field(
    partners: TestClient, events: TestClient
) -> None:
    organizer = _partner(partners, "10")
    past = events.post(
        "/proposals", json=_proposal(organizer, preferred_dates=[LATER, "2020-01-04"]), headers=HUB
    )
    assert past.status_code == 422
    # The reason is French unless the client prefers English (Accept-Language), with a stable code.
    assert _errors(past) == {"body.preferred_dates.1": "2020-01-04 est une date passée"}
    assert past.json()["code"] == "date_in_past"
    english = events.post(
        "/proposals",
        json=_proposal(organizer, preferred_dates=[LATER, "2020-01-04"]),
        headers={**HUB, "Accept-Language": "en"},
    )
    assert _errors(english) == {"body.preferred_dates.1": "2020-01-04 is in the past"}
    venue = events.post("/proposals", json=_proposal(organizer, venue_id="stade-olympique"), headers=HUB)
    assert venue.status_code == 422
    assert "body.venue_id" in _errors(venue)
    region = events.post("/proposals", json=_proposal(organizer, region="18"), headers=HUB)
    assert region.status_code == 422
    assert "body.regions.0" in _errors(region)
    short = events.post("/proposals", json=_proposal(organizer, duration_minutes=0), headers=HUB)
    assert "body.duration_minutes" in _errors(short)


def test_a_delegate_proposal_carries_its_tables_endorsement(
    partners: TestClient, events: TestClient, tables_made: TablesMade
) -> None:
    delegate = _partner(partners, "10")
    body = {"name": f"Table du Nord {uuid.uuid4().hex[:4]}", "region": "10", "members": [delegate]}
    table = tables_made.add(partners.post("/tables", json=body, headers=HUB).json()["table_id"])
    since = {"partner_id": delegate, "start": default_clock().today().isoformat()}
    assert partners.post(f"/tables/{table}/delegations", json=since, headers=HUB).status_code == 201
    response = events.post("/proposals", json=_proposal(delegate), headers=bearer("delegate", delegate))
    assert response.status_code == 202, response.text
    assert response.json()["endorsed"] is True


def test_the_region_delegate_endorses_a_proposal_waiting_for_it(
    partners: TestClient, events: TestClient, settings: Settings, tables_made: TablesMade
) -> None:
    delegate, organizer = _partner(partners, "08"), _partner(partners, "08")
    table = partners.post(
        "/tables",
        json={"name": f"Table A-T {uuid.uuid4().hex[:4]}", "region": "08", "members": [delegate]},
        headers=HUB,
    ).json()["table_id"]
    tables_made.add(table)
    since = {"partner_id": delegate, "start": default_clock().today().isoformat()}
    assert partners.post(f"/tables/{table}/delegations", json=since, headers=HUB).status_code == 201
    waiting = _decision(settings, organizer, "pending_endorsement", ["08"])
    eventually(lambda: events.get(f"/calendar/{waiting}", headers=HUB).status_code == 200, 30, "the decision")
    eventually(
        lambda: (
            events.post(f"/proposals/{waiting}/endorse", headers=bearer("delegate", delegate)).status_code
            == 202
        ),
        10,
        "events-api to see the delegation",
    )
    other_region = _decision(settings, organizer, "pending_endorsement", ["09"])
    eventually(
        lambda: events.get(f"/calendar/{other_region}", headers=HUB).status_code == 200, 30, "decision"
    )
    refused = events.post(f"/proposals/{other_region}/endorse", headers=bearer("delegate", delegate))
    assert refused.status_code == 403


def test_an_action_that_does_not_fit_the_decision_is_a_conflict(
    partners: TestClient, events: TestClient, settings: Settings
) -> None:
    organizer = _partner(partners, "10")
    scheduled = _decision(settings, organizer, "scheduled", ["10"])
    eventually(
        lambda: events.get(f"/calendar/{scheduled}", headers=HUB).status_code == 200, 30, "the decision"
    )
    accept = events.post(f"/proposals/{scheduled}/accept-joint", headers=bearer("partner", organizer))
    assert accept.status_code == 409
    assert "scheduled" in accept.json()["detail"]
    endorse = events.post(f"/proposals/{scheduled}/endorse", headers=HUB)
    assert endorse.status_code == 409
    unknown = events.post(f"/proposals/{uuid.uuid4()}/withdraw", headers=HUB)
    assert unknown.status_code == 404
    past = events.post(
        f"/proposals/{scheduled}/reschedule", json={"preferred_dates": ["2020-02-01"]}, headers=HUB
    )
    assert past.status_code == 422
