"""partners-api in process against the real broker: concertation tables, delegations and offers.

Tables stay on the shared broker and a table's delegate decides who proposes the
region's activities in Montréal, so every table made here is dissolved when the module ends
(``TablesMade``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from services.common.clock import default_clock
from services.common.contracts import ConcertationTable, Offer
from services.common.settings import Settings
from services.partners.api import create_app
from tests.support import TablesMade, bearer, eventually, records_where, unique

pytestmark = pytest.mark.integration

HUB = bearer("hub")
TODAY = default_clock().today()
MADE = TablesMade()


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[TestClient]:
    """partners-api, without a default token: each request says who is calling."""
    with TestClient(create_app(settings)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "partners-api to be ready")
        yield client
        MADE.dissolve(client.post)


def register(api: TestClient, region: str = "12", kind: str = "community_organization") -> str:
    body = {"name": unique("Partenaire"), "kind": kind, "regions": [region], "contact_email": "a@example.org"}
    response = api.post("/partners", json=body, headers=HUB)
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["partner_id"]
    return partner_id


def field_errors(response: Response) -> set[str]:
    return {".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]}


def last_record(settings: Settings, topic: str, key: dict[str, str]) -> Any:
    records = records_where(
        settings.kafka.bootstrap_servers, topic, lambda r: json.loads(r.key) == key and r.value is not None
    )
    return records[-1]


def delegate(api: TestClient, table_id: str, partner_id: str, start: date) -> Response:
    body = {"partner_id": partner_id, "start": start.isoformat()}
    return api.post(f"/tables/{table_id}/delegations", json=body, headers=HUB)


def new_table(api: TestClient, region: str, members: list[str], mrcs: list[str] | None = None) -> str:
    body = {"name": unique("Table de concertation"), "region": region, "mrcs": mrcs or [], "members": members}
    response = api.post("/tables", json=body, headers=HUB)
    assert response.status_code == 201, response.text
    return MADE.add(response.json()["table_id"])


# -- concertation tables --------------------------------------------------------


def test_the_hub_creates_a_sub_regional_table_that_is_published(api: TestClient, settings: Settings) -> None:
    members = [register(api, "08"), register(api, "08")]
    body = {"name": unique("Table MRC d'Abitibi"), "region": "08", "mrcs": ["880", "870"], "members": members}
    response = api.post("/tables", json=body, headers=HUB)
    assert response.status_code == 201, response.text
    table = response.json()
    MADE.add(table["table_id"])
    assert (table["mrcs"], table["members"], table["delegations"]) == (["880", "870"], members, [])

    assert api.get(f"/tables/{table['table_id']}", headers=bearer("counsellor")).json() == table
    assert table in api.get("/tables", params={"region": "08"}, headers=HUB).json()
    record = last_record(settings, "tables.v1", {"table_id": table["table_id"]})
    assert ConcertationTable.model_validate_json(record.value) == ConcertationTable.model_validate(table)


def test_a_table_of_one_region_cannot_cover_an_mrc_of_another(api: TestClient) -> None:
    body = {"name": unique("Table mal placée"), "region": "08", "mrcs": ["880", "460"]}
    response = api.post("/tables", json=body, headers=HUB)
    assert response.status_code == 422
    assert field_errors(response) == {"body.mrcs.1"}


def test_only_a_member_of_the_table_can_be_its_delegate(api: TestClient) -> None:
    table_id = new_table(api, "08", [register(api, "08")])
    response = delegate(api, table_id, register(api, "08"), TODAY)
    assert response.status_code == 422
    assert field_errors(response) == {"body.partner_id"}
    assert api.get(f"/tables/{table_id}", headers=HUB).json()["delegations"] == []


def test_a_new_delegation_ends_the_running_one_the_day_before_and_keeps_the_history(
    api: TestClient, settings: Settings
) -> None:
    first, second = register(api, "08"), register(api, "08")
    table_id = new_table(api, "08", [first, second], mrcs=["890"])
    first_start, second_start = TODAY - timedelta(days=60), TODAY - timedelta(days=10)

    response = delegate(api, table_id, first, first_start)
    assert response.status_code == 201, response.text
    assert response.json()["delegations"] == [
        {"partner_id": first, "start": first_start.isoformat(), "end": None}
    ]
    response = delegate(api, table_id, second, second_start)
    assert response.status_code == 201, response.text

    history = [
        {
            "partner_id": first,
            "start": first_start.isoformat(),
            "end": (second_start - timedelta(1)).isoformat(),
        },
        {"partner_id": second, "start": second_start.isoformat(), "end": None},
    ]
    table = api.get(f"/tables/{table_id}", headers=HUB).json()
    assert table["delegations"] == history
    published = ConcertationTable.model_validate_json(
        last_record(settings, "tables.v1", {"table_id": table_id}).value
    )
    assert published == ConcertationTable.model_validate(table)
    assert published.delegate_on(TODAY) == uuid.UUID(second)
    assert published.delegate_on(second_start - timedelta(1)) == uuid.UUID(first)


def test_a_deactivated_delegate_stops_delegating_that_day_and_a_later_delegation_is_dropped(
    api: TestClient, settings: Settings
) -> None:
    leaving, other = register(api, "08"), register(api, "08")
    table_id = new_table(api, "08", [leaving, other], mrcs=["860"])
    assert delegate(api, table_id, leaving, TODAY - timedelta(days=30)).status_code == 201
    later_table = new_table(api, "08", [leaving, other], mrcs=["850"])
    assert delegate(api, later_table, leaving, TODAY + timedelta(days=30)).status_code == 201

    response = api.post(f"/partners/{leaving}/deactivate", headers=HUB)
    assert response.status_code == 200, response.text

    table = api.get(f"/tables/{table_id}", headers=HUB).json()
    assert table["delegations"] == [
        {"partner_id": leaving, "start": (TODAY - timedelta(days=30)).isoformat(), "end": TODAY.isoformat()}
    ]
    assert api.get(f"/tables/{later_table}", headers=HUB).json()["delegations"] == []
    published = ConcertationTable.model_validate_json(
        last_record(settings, "tables.v1", {"table_id": table_id}).value
    )
    assert published.delegate_on(TODAY + timedelta(days=1)) is None


def test_a_deactivated_partner_cannot_be_delegated(api: TestClient) -> None:
    member, other = register(api, "08"), register(api, "08")
    table_id = new_table(api, "08", [member, other], mrcs=["870"])
    assert api.post(f"/partners/{member}/deactivate", headers=HUB).status_code == 200
    response = delegate(api, table_id, member, TODAY)
    assert response.status_code == 422
    assert field_errors(response) == {"body.partner_id"}
    assert api.get(f"/tables/{table_id}", headers=HUB).json()["delegations"] == []


def test_a_dissolved_table_ends_its_delegation_that_day_and_takes_no_member_or_delegate(
    api: TestClient, settings: Settings
) -> None:
    delegate_id, other = register(api, "08"), register(api, "08")
    table_id = new_table(api, "08", [delegate_id, other], mrcs=["880"])
    since = TODAY - timedelta(days=20)
    assert delegate(api, table_id, delegate_id, since).status_code == 201

    response = api.post(f"/tables/{table_id}/dissolve", headers=HUB)
    assert response.status_code == 200, response.text
    ended = [{"partner_id": delegate_id, "start": since.isoformat(), "end": TODAY.isoformat()}]
    assert (response.json()["status"], response.json()["delegations"]) == ("dissolved", ended)
    published = ConcertationTable.model_validate_json(
        last_record(settings, "tables.v1", {"table_id": table_id}).value
    )
    assert (published.status, published.delegate_on(TODAY + timedelta(days=1))) == ("dissolved", None)

    refused = [
        delegate(api, table_id, other, TODAY),
        api.put(f"/tables/{table_id}/members", json={"members": [other]}, headers=HUB),
    ]
    assert [r.status_code for r in refused] == [409, 409]
    assert all(r.json()["existing"] == f"/tables/{table_id}" for r in refused)
    again = api.post(f"/tables/{table_id}/dissolve", headers=HUB)
    assert (again.status_code, again.json()) == (200, response.json())
    assert api.post(f"/tables/{table_id}/dissolve", headers=bearer("partner", delegate_id)).status_code == 403


def test_the_current_delegate_cannot_be_removed_from_the_members(api: TestClient) -> None:
    delegate_id, other = register(api, "12"), register(api, "12")
    table_id = new_table(api, "12", [delegate_id, other])
    assert delegate(api, table_id, delegate_id, TODAY).status_code == 201

    response = api.put(f"/tables/{table_id}/members", json={"members": [other]}, headers=HUB)
    assert response.status_code == 422
    assert field_errors(response) == {"body.members"}
    assert api.get(f"/tables/{table_id}", headers=HUB).json()["members"] == [delegate_id, other]


def test_a_delegate_starting_later_cannot_be_removed_from_the_members_either(api: TestClient) -> None:
    # The table would name as its running delegate (no end) an organization that is not a member.
    delegate_id, other = register(api, "12"), register(api, "12")
    table_id = new_table(api, "12", [delegate_id, other])
    assert delegate(api, table_id, delegate_id, TODAY + timedelta(days=30)).status_code == 201

    response = api.put(f"/tables/{table_id}/members", json={"members": [other]}, headers=HUB)
    assert response.status_code == 422, response.text
    assert field_errors(response) == {"body.members"}
    assert api.get(f"/tables/{table_id}", headers=HUB).json()["members"] == [delegate_id, other]


# -- offers ----------------------------------------------------------------------


def job(**changes: Any) -> dict[str, Any]:
    return {
        "cnp": "21231",
        "region": "12",
        "mrc": "251",
        "positions": 2,
        "hours_per_week": 37.5,
        "hourly_wage": "41.50",
        "french_level_required": 7,
        "start_date": "2031-09-01",
        "closing_date": "2031-10-31",
        **changes,
    }


def settlement(**changes: Any) -> dict[str, Any]:
    return {"category": "housing_help", "region": "12", "capacity": 4, "start_date": "2031-06-01", **changes}


def job_offer(**fields: Any) -> dict[str, Any]:
    return {"kind": "job", "title": unique("Développeuse logiciel à Lévis"), "job": job(), **fields}


def test_a_partner_publishes_a_job_offer_for_itself(api: TestClient, settings: Settings) -> None:
    employer = register(api, kind="employer")
    response = api.post("/offers", json=job_offer(), headers=bearer("partner", employer))
    assert response.status_code == 201, response.text
    offer = response.json()
    assert (offer["partner_id"], offer["kind"], offer["status"]) == (employer, "job", "active")
    details = offer["job"]
    assert (details["cnp"], details["positions"], details["french_level_required"]) == ("21231", 2, 7)
    assert (details["start_date"], details["closing_date"]) == ("2031-09-01", "2031-10-31")
    assert api.get(f"/offers/{offer['offer_id']}", headers=bearer("counsellor")).json() == offer
    record = last_record(settings, "offers.v1", {"offer_id": offer["offer_id"]})
    assert Offer.model_validate_json(record.value) == Offer.model_validate(offer)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (job_offer(job=job(cnp="2x231")), "body.job.cnp"),
        (job_offer(job=job(cnp="26999")), "body.job.cnp"),
        (job_offer(job=job(french_level_required=13)), "body.job.french_level_required"),
        (job_offer(job=job(start_date="2031-09-01", closing_date="2031-08-31")), "body.job"),
        (job_offer(job=job(mrc="460")), "body.job.mrc"),
        (
            {"kind": "settlement", "title": "Logement", "settlement": settlement(capacity=-1)},
            "body.settlement.capacity",
        ),
        ({"kind": "job", "title": "Logement", "settlement": settlement()}, "body.settlement"),
        ({"kind": "job", "title": "Sans détails"}, "body.job"),
    ],
    ids=[
        "cnp-not-5-digits",
        "cnp-teer-6",
        "french-level-13",
        "closes-before-it-starts",
        "mrc-of-another-region",
        "negative-capacity",
        "job-with-settlement-details",
        "job-without-details",
    ],
)
def test_an_invalid_offer_is_refused_naming_the_field(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    partner = register(api, kind="employer")
    response = api.post("/offers", json=body, headers=bearer("partner", partner))
    assert response.status_code == 422, response.text
    assert field in field_errors(response)
    assert api.get("/offers", params={"partner_id": partner}, headers=HUB).json() == []


def test_only_the_publisher_or_the_hub_changes_or_withdraws_an_offer(api: TestClient) -> None:
    publisher, another = register(api, kind="employer"), register(api, kind="employer")
    offer = api.post("/offers", json=job_offer(), headers=bearer("partner", publisher)).json()
    path, revision = f"/offers/{offer['offer_id']}", {"title": "Développeur logiciel senior", "job": job()}

    intruder = bearer("partner", another)
    assert api.put(path, json=revision, headers=intruder).status_code == 403
    assert api.post(f"{path}/withdraw", headers=intruder).status_code == 403
    assert api.get(path, headers=HUB).json() == offer

    revised = api.put(path, json=revision, headers=HUB)
    assert revised.status_code == 200, revised.text
    assert revised.json()["title"] == "Développeur logiciel senior"
    withdrawn = api.post(f"{path}/withdraw", headers=HUB)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"

    mine = {"partner_id": publisher}
    assert api.get("/offers", params=mine, headers=HUB).json() == []
    listed = api.get("/offers", params={**mine, "include_withdrawn": "true"}, headers=HUB).json()
    assert [(o["offer_id"], o["status"]) for o in listed] == [(offer["offer_id"], "withdrawn")]


def test_the_hub_names_the_partner_it_publishes_for(api: TestClient) -> None:
    nameless = api.post("/offers", json=job_offer(), headers=HUB)
    assert nameless.status_code == 422
    assert field_errors(nameless) == {"body.partner_id"}

    employer = register(api, kind="employer")
    named = api.post("/offers", json=job_offer(partner_id=employer), headers=HUB)
    assert named.status_code == 201, named.text
    assert named.json()["partner_id"] == employer


def test_a_partner_publishes_for_itself_only(api: TestClient) -> None:
    employer, another = register(api, kind="employer"), register(api, kind="employer")
    response = api.post("/offers", json=job_offer(partner_id=another), headers=bearer("partner", employer))
    assert response.status_code == 403
    assert api.get("/offers", params={"partner_id": another}, headers=HUB).json() == []
