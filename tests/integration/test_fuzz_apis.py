"""Schemathesis against each API's OpenAPI, in process, on the real broker: no 5xx, nothing undocumented.

One case per API (partners, events, matching): every operation of its OpenAPI
document gets cases the schema allows and cases it refuses, each sent with a valid
token of a role drawn among hub, counsellor, partner, delegate and person, and
naming, half the time, objects that exist (seeded here). Every answer must be below
500, of a documented status, and match the documented body schema; a valid token is
never refused. Bounded and deterministic (derandomized hypothesis, fixed example
counts). The figures go to var/test/fuzz-<api>.json; docs/reliability.md has them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, timedelta

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

from services.common.clock import default_clock
from services.common.contracts import Case, CaseKey
from services.common.kafka import Publisher
from services.common.settings import Settings
from services.common.topics import CASES
from services.matching.domain import case_id_for
from tests.integration.fuzzing import Figures, app_of, fuzz_operation, operations_of, tokens
from tests.support import bearer, created, eventually, unique, write_decision
from tools.stack import Stack

pytestmark = pytest.mark.integration

APIS = ("partners", "events", "matching")
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}
HUB = bearer("hub")


@pytest.fixture(scope="module")
def known(partners: TestClient, settings: Settings) -> Iterator[dict[str, str]]:
    """Objects the fuzzed requests may name: a partner, its table and offer, a decision, a case.

    The case is written here, not by the matching worker, which never sees it waiting: it is
    removed at the end, so no other test finds a case in the queue that nobody can take."""
    body = {
        "name": unique("Carrefour fuzz"),
        "kind": "employer",
        "regions": ["05"],
        "contact_email": "f@x.org",
    }
    partner = created(partners.post("/partners", json=body, headers=HUB), "partner_id")
    table = {"name": unique("Table de l'Estrie"), "region": "05", "members": [partner]}
    job = {"cnp": "21231", "region": "05", "positions": 1, "hours_per_week": 35, "hourly_wage": "30.00"}
    job["start_date"] = "2031-09-01"
    offer = {"partner_id": partner, "kind": "job", "title": unique("Analyste"), "job": job}
    bootstrap = settings.kafka.bootstrap_servers
    person = uuid.uuid4()
    case = Case(
        case_id=case_id_for(person),
        person_id=person,
        status="open",
        language="fr",
        preferred_regions=["05"],
        opened_at=default_clock().now(),
    )
    with closing(Publisher(settings.kafka, "tests")) as publisher:
        publisher.publish(CASES, CaseKey(case_id=case.case_id), case, "matching.CaseOpened")
    yield {
        "partner_id": partner,
        "table_id": created(partners.post("/tables", json=table, headers=HUB), "table_id"),
        "offer_id": created(partners.post("/offers", json=offer, headers=HUB), "offer_id"),
        "proposal_id": write_decision(bootstrap, partner, "pending_endorsement", ["05"], "Séance fuzz"),
        "case_id": str(case.case_id),
        "person_id": str(person),
        "code": "05",
        "region": "05",
    }
    with closing(Publisher(settings.kafka, "tests")) as publisher:
        publisher.publish(CASES, CaseKey(case_id=case.case_id), None, "matching.CaseErased")


@contextmanager
def rules_kept(client: TestClient) -> Iterator[None]:
    """The calendar rules in force before fuzzing are in force again after (PUT /rules is fuzzed too)."""
    if "/rules" not in app_of(client).openapi()["paths"]:
        yield
        return

    def rules_in_force() -> dict[str, object] | None:
        response = client.get("/rules", headers=HUB)
        return response.json() if response.status_code == 200 else None

    before = eventually(rules_in_force, 30, "the rules in force")
    try:
        yield
    finally:
        restored = client.put("/rules", json=before, headers=HUB)
        assert restored.status_code == 200, restored.text


@pytest.mark.parametrize("api", APIS)
def test_every_operation_answers_without_5xx_and_as_documented(
    api: str, request: pytest.FixtureRequest, known: dict[str, str], stack: Stack
) -> None:
    client: TestClient = request.getfixturevalue(api)
    headers = tokens(uuid.UUID(known["partner_id"]), uuid.UUID(known["person_id"]))
    operations = operations_of(schemathesis.openapi.from_dict(app_of(client).openapi()))
    figures = Figures()
    with rules_kept(client):
        for operation in operations:
            figures.operations += 1
            for mode, examples in EXAMPLES.items():
                fuzz_operation(client, operation, mode, examples, headers, known, figures)

    report = stack.config.var / f"fuzz-{api}-api.json"
    report.write_text(json.dumps(figures.as_dict(), indent=2))
    unexercised = [op.label for op in operations if figures.by_operation[f"positive {op.label}"] == 0]
    assert not unexercised, f"operations never called: {unexercised}"
    assert not [s for s in figures.statuses if s >= 500], figures.as_dict()


def test_the_feed_of_a_malformed_region_is_refused_not_a_server_error(events: TestClient) -> None:
    # Found by this fuzzing: a newline in the region went into the feed's name, and icalendar raised (500).
    assert events.get("/feeds/regions/%0A.ics").status_code == 422
    assert events.get("/feeds/regions/99.ics").status_code == 422
    assert events.get("/feeds/regions/05.ics").status_code == 200


def test_a_write_too_large_for_its_consumers_is_refused_and_changes_nothing(events: TestClient) -> None:
    # 30,000 blackout dates make a rules record of about 400 KB: over the 256 KiB consumers read.
    before = eventually(lambda: (r := events.get("/rules", headers=HUB)).status_code == 200 and r.json(), 30)
    days = [(date(2031, 1, 1) + timedelta(days=n)).isoformat() for n in range(30_000)]
    response = events.put("/rules", json={**before, "blackout_dates": days}, headers=HUB)
    assert response.status_code == 413, response.text
    assert "Nothing was recorded" in response.json()["detail"]
    assert events.get("/rules", headers=HUB).json() == before


def test_a_start_time_with_a_utc_offset_is_refused_not_accepted_then_dead_lettered(
    events: TestClient, partners: TestClient
) -> None:
    # Found with this fuzzing (which sends offsets): "10:30+01:00" was accepted (202), then the worker
    # could not compare it with the day's local times (TypeError) and dead-lettered the proposal.
    # Gaspésie (11): no test delegates its tables (a delegate would be the only organizer allowed).
    organizer = {
        "name": unique("Carrefour"),
        "kind": "employer",
        "regions": ["11"],
        "contact_email": "c@x.org",
    }
    body = {
        "organizer_id": created(partners.post("/partners", json=organizer, headers=HUB), "partner_id"),
        "regions": ["11"],
        "kind": "webinar",
        "title": unique("Webinaire sur la Gaspésie"),
        "preferred_dates": ["2039-03-05"],
        "start_time": "10:30:00+01:00",
    }
    response = events.post("/proposals", json=body, headers=HUB)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "start_time"]
    local = events.post("/proposals", json={**body, "start_time": "10:30"}, headers=HUB)
    assert local.status_code == 202, local.text
