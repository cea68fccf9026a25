"""partners-api in process against the real broker: registering, changing, deactivating and finding partners.

Every test registers partners of its own (names and NEQs with a random suffix),
so the tests hold whatever order they run in and whatever else is on the broker.
The reference endpoints, public, are read without a token.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from services.common.contracts import Partner
from services.common.reference import load_reference
from services.common.settings import Settings
from services.partners.api import create_app
from tests.support import bearer, eventually, records_where, unique

pytestmark = pytest.mark.integration

HUB = bearer("hub")
COUNSELLOR = bearer("counsellor")


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[TestClient]:
    """partners-api, without a default token: each request says who is calling."""
    with TestClient(create_app(settings)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "partners-api to be ready")
        yield client


def new_neq() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"


def partner_body(**fields: Any) -> dict[str, Any]:
    return {
        "name": unique("Accueil Abitibi"),
        "kind": "community_organization",
        "regions": ["08"],
        "contact_email": "accueil@example.org",
        **fields,
    }


def register(api: TestClient, **fields: Any) -> dict[str, Any]:
    response = api.post("/partners", json=partner_body(**fields), headers=HUB)
    assert response.status_code == 201, response.text
    partner: dict[str, Any] = response.json()
    return partner


def field_errors(response: Response) -> set[str]:
    return {".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]}


def published_partner(settings: Settings, partner_id: str, **expected: Any) -> Partner:
    """The last record of ``partner_id`` on partners.v1 once it shows ``expected``."""

    def matches(record: Any) -> bool:
        if json.loads(record.key) != {"partner_id": partner_id} or record.value is None:
            return False
        value = json.loads(record.value)
        return all(value.get(name) == wanted for name, wanted in expected.items())

    records = records_where(settings.kafka.bootstrap_servers, "partners.v1", matches)
    return Partner.model_validate_json(records[-1].value)


def names(response: Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {p["name"] for p in response.json()}


def test_the_hub_registers_a_partner_that_reads_back_at_once_and_is_published_in_full(
    api: TestClient, settings: Settings
) -> None:
    neq = new_neq()
    response = api.post(
        "/partners",
        headers=HUB,
        json=partner_body(
            neq=neq,
            mrcs=["860", "890"],  # Rouyn-Noranda, La Vallée-de-l'Or, both in Abitibi-Témiscamingue
            service_languages=["fr", "en", "es"],
            contact_phone="+1 819 555 0100",
        ),
    )
    assert response.status_code == 201, response.text
    partner = response.json()
    assert (partner["neq"], partner["mrcs"], partner["status"]) == (neq, ["860", "890"], "active")
    assert partner["service_languages"] == ["fr", "en", "es"]

    read_back = api.get(f"/partners/{partner['partner_id']}", headers=COUNSELLOR)
    assert read_back.status_code == 200
    assert read_back.json() == partner
    assert published_partner(settings, partner["partner_id"]) == Partner.model_validate(partner)


def test_a_second_registration_with_the_same_neq_is_a_conflict_naming_the_first_partner(
    api: TestClient,
) -> None:
    neq = new_neq()
    first = register(api, neq=neq)
    second = api.post("/partners", json=partner_body(neq=neq, name=unique("Doublon")), headers=HUB)
    assert second.status_code == 409
    assert second.json()["existing"] == first["partner_id"]
    assert neq in second.json()["detail"]


def test_the_hub_cannot_give_a_partner_the_neq_of_another(api: TestClient) -> None:
    first, other = register(api, neq=new_neq()), register(api)
    response = api.patch(f"/partners/{other['partner_id']}", json={"neq": first["neq"]}, headers=HUB)
    assert response.status_code == 409
    assert response.json()["existing"] == first["partner_id"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "charity"}, "body.kind"),
        ({"regions": ["08"], "mrcs": ["880", "460"]}, "body.mrcs.1"),
        ({"regions": ["08"], "mrcs": ["460"]}, "body.mrcs.0"),
        ({"neq": "11400000"}, "body.neq"),
        ({"regions": ["18"]}, "body.regions.0"),
        ({"website": "https://example.org"}, "body.website"),
    ],
    ids=["unknown-kind", "second-mrc-elsewhere", "mrc-of-another-region", "short-neq", "region-18", "typo"],
)
def test_an_invalid_registration_is_refused_naming_the_field(
    api: TestClient, fields: dict[str, Any], field: str
) -> None:
    body = partner_body(**fields)
    response = api.post("/partners", json=body, headers=HUB)
    assert response.status_code == 422, response.text
    assert field in field_errors(response)
    assert names(api.get("/partners", params={"q": body["name"]}, headers=HUB)) == set()


def test_a_partner_updates_its_own_phone_and_the_change_is_published(
    api: TestClient, settings: Settings
) -> None:
    partner = register(api, contact_phone="+1 819 555 0100")
    response = api.patch(
        f"/partners/{partner['partner_id']}",
        json={"contact_phone": "+1 819 555 0199"},
        headers=bearer("partner", partner["partner_id"]),
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["contact_phone"] == "+1 819 555 0199"
    assert changed["name"] == partner["name"]
    assert changed["updated_at"] is not None
    published = published_partner(settings, partner["partner_id"], contact_phone="+1 819 555 0199")
    assert published == Partner.model_validate(changed)


@pytest.mark.parametrize(
    "field", ["name", "kind", "contact_email", "regions", "service_languages", "language"]
)
def test_a_partner_cannot_blank_a_required_field_of_its_record(api: TestClient, field: str) -> None:
    partner = register(api)
    response = api.patch(
        f"/partners/{partner['partner_id']}",
        json={field: None},
        headers=bearer("partner", partner["partner_id"]),
    )
    assert response.status_code == 422, response.text
    assert f"body.{field}" in field_errors(response)
    assert api.get(f"/partners/{partner['partner_id']}", headers=HUB).json() == partner


def test_only_the_partner_itself_or_the_hub_changes_its_record(api: TestClient) -> None:
    partner, another = register(api), register(api)
    path, change = f"/partners/{partner['partner_id']}", {"contact_phone": "+1 819 555 0123"}
    assert api.patch(path, json=change, headers=bearer("partner", another["partner_id"])).status_code == 403
    assert api.patch(path, json=change, headers=COUNSELLOR).status_code == 403
    assert api.patch(path, json=change).status_code == 401
    assert api.get(path, headers=HUB).json() == partner
    assert api.patch(path, json=change, headers=HUB).status_code == 200


def test_a_deactivated_partner_leaves_the_list_unless_asked_but_stays_readable(api: TestClient) -> None:
    partner = register(api)
    response = api.post(f"/partners/{partner['partner_id']}/deactivate", headers=HUB)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "deactivated"

    by_name = {"q": partner["name"]}
    assert names(api.get("/partners", params=by_name, headers=HUB)) == set()
    listed = api.get("/partners", params={**by_name, "include_deactivated": "true"}, headers=HUB)
    assert names(listed) == {partner["name"]}
    assert api.get(f"/partners/{partner['partner_id']}", headers=HUB).json()["status"] == "deactivated"


def test_partners_are_found_by_region_kind_language_table_and_accent_free_name(api: TestClient) -> None:
    tag = uuid.uuid4().hex[:8]
    welcome = register(
        api, name=f"Carrefour d'accueil de Montréal {tag}", regions=["09"], service_languages=["fr", "es"]
    )
    town = register(api, name=f"Municipalité de Sept-Îles {tag}", kind="municipality", regions=["09", "10"])
    mine = register(
        api, name=f"Mine du Nord {tag}", kind="employer", regions=["10"], service_languages=["fr", "en"]
    )
    table = api.post(
        "/tables",
        json={"name": unique("Table Nord-du-Québec"), "region": "10", "members": [town["partner_id"]]},
        headers=HUB,
    )
    assert table.status_code == 201, table.text

    def found(**params: str) -> set[str]:
        return names(api.get("/partners", params={"q": tag, **params}, headers=COUNSELLOR))

    assert found(region="09") == {welcome["name"], town["name"]}
    assert found(region="10") == {town["name"], mine["name"]}
    assert found(kind="employer") == {mine["name"]}
    assert found(language="es") == {welcome["name"]}
    assert found(language="fr") == {welcome["name"], town["name"], mine["name"]}
    assert found(table=table.json()["table_id"]) == {town["name"]}
    assert names(api.get("/partners", params={"q": f"MONTREAL {tag}"}, headers=HUB)) == {welcome["name"]}
    assert names(api.get("/partners", params={"q": f"sept-iles {tag}"}, headers=HUB)) == {town["name"]}
    assert api.get("/partners", params={"table": str(uuid.uuid4())}, headers=HUB).status_code == 404


def test_reference_data_is_public(api: TestClient) -> None:
    reference = load_reference()

    regions = api.get("/reference/regions")
    assert regions.status_code == 200
    assert [r["code"] for r in regions.json()] == [f"{n:02d}" for n in range(1, 18)]

    estrie = api.get("/reference/regions/05/mrcs").json()
    assert {"code": "460", "name": "Brome-Missisquoi", "region": "05"} in estrie
    assert {m["region"] for m in estrie} == {"05"}
    assert api.get("/reference/regions/18/mrcs").status_code == 404

    teer_0 = api.get("/reference/cnp", params={"teer": 0}).json()
    assert teer_0, "the CNP sample has TEER 0 unit groups"
    assert {u["teer"] for u in teer_0} == {0}
    assert {u["code"][1] for u in teer_0} == {"0"}
    assert len(teer_0) == len([u for u in reference.cnp_unit_groups if u.teer == 0])

    levels = api.get("/reference/french-levels").json()
    assert [level["level"] for level in levels] == list(range(1, 13))

    kinds = api.get("/reference/partner-kinds").json()
    assert {k["code"] for k in kinds} == {k.code for k in reference.partner_kinds}
    assert "community_organization" in {k["code"] for k in kinds}
