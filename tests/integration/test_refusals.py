"""How every API refuses a request (issue #23, points 2 and 3), on the real broker.

A body over the size an API reads is refused with 413 before it is parsed, whether it
announces its length or streams it; a body that is not JSON gets 415. A 422 names the
field, a stable code and the reason, and never repeats the input (on matching-api the
input may be a person's contact data). Every 4xx says why in French, or in English when
``Accept-Language`` prefers it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.common.settings import Settings
from tests.support import bearer, read_topic, unique

pytestmark = pytest.mark.integration

HUB = bearer("hub")
COUNSELLOR = bearer("counsellor")
EN = {"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"}
TEN_MB = 10 * 1024 * 1024


def partner(name: str = "Accueil Gaspésie", regions: list[str] | None = None) -> dict[str, object]:
    return {"name": name, "kind": "employer", "regions": regions or ["11"], "contact_email": "a@example.org"}


def test_a_10_mb_name_is_refused_with_413_before_it_is_read_and_nothing_is_echoed(
    partners: TestClient, settings: Settings
) -> None:
    before = len(read_topic(settings.kafka.bootstrap_servers, "partners.v1"))
    response = partners.post("/partners", json=partner("N" * TEN_MB), headers=HUB)
    assert response.status_code == 413, response.text[:300]
    assert len(response.content) < 1000
    assert response.json()["code"] == "body_too_large"
    assert "octets" in response.json()["message"]
    assert len(read_topic(settings.kafka.bootstrap_servers, "partners.v1")) == before


def test_a_streamed_body_over_the_limit_is_refused_with_413(partners: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"N" * 64 * 1024  # 2.5 MB in all, with no Content-Length
        yield b'", "kind": "employer", "regions": ["11"], "contact_email": "a@example.org"}'

    headers = {**HUB, "content-type": "application/json"}
    response = partners.post("/partners", content=chunks(), headers=headers)
    assert response.status_code == 413, response.text[:300]
    assert response.json()["code"] == "body_too_large"


def test_a_body_that_is_not_json_is_refused_with_415(partners: TestClient, events: TestClient) -> None:
    form = partners.post("/partners", data={"name": "Accueil"}, headers=HUB)
    assert form.status_code == 415, form.text
    assert form.json()["code"] == "unsupported_media_type"
    text = events.post("/proposals", content=b"{}", headers={**HUB, "content-type": "text/plain"})
    assert text.status_code == 415, text.text
    assert "application/json" in text.json()["message"]


def test_a_422_names_the_field_and_the_reason_without_repeating_the_input(partners: TestClient) -> None:
    long_name = "Nom " + "x" * 50_000
    response = partners.post("/partners", json=partner(long_name), headers=HUB)
    assert response.status_code == 422
    assert "x" * 100 not in response.text
    assert len(response.content) < 2000
    [error] = response.json()["detail"]
    assert error["field"] == "name"
    assert error["code"] == "too_long"
    assert error["message"] == "trop long : 200 caractères au plus"
    assert "input" not in error
    assert "ctx" not in error


def test_on_matching_api_a_refusal_never_returns_the_contact_data_sent(matching: TestClient) -> None:
    email = f"amina.{uuid.uuid4().hex[:6]}-at-example.net"
    response = matching.post(
        "/interests",
        json={
            "contact": {"name": "Amina Diallo", "email": email, "phone": "+1 514 555 0199"},
            "consents": {"contact": True, "referral": True, "share_contact": False},
            "immigration_status": "permanent_resident",
            "french_level": 7,
            "preferred_regions": ["05"],
            "language": "fr",
        },
        headers=COUNSELLOR,
    )
    assert response.status_code == 422, response.text
    for personal in (email, "Amina", "514 555 0199"):
        assert personal not in response.text
    assert response.json()["field"] == "contact.email"
    assert response.json()["code"] == "bad_email"


def test_an_unknown_region_is_explained_in_french_by_default_and_in_english_when_asked(
    partners: TestClient, events: TestClient
) -> None:
    proposal = {
        "organizer_id": str(uuid.uuid4()),
        "regions": ["99"],
        "kind": "webinar",
        "title": "Webinaire",
        "preferred_dates": ["2039-03-05"],
    }
    french = events.post("/proposals", json=proposal, headers=HUB)
    assert french.status_code == 422
    assert french.headers["content-language"] == "fr"
    assert (french.json()["code"], french.json()["field"]) == ("unknown_region", "regions.0")
    assert french.json()["message"] == "code de région inconnu 99 : utilisez 01 à 17, sauf Montréal (06)"
    english = events.post("/proposals", json=proposal, headers={**HUB, **EN})
    assert english.headers["content-language"] == "en"
    assert english.json()["message"] == "unknown region code 99: use 01–17, Montréal (06) excluded"
    assert english.json()["detail"][0]["msg"] == english.json()["message"]
    assert "0[1-9]" not in english.text
    # A partner may serve Montréal (the hub's own organizations): its regions are not destinations.
    served = partners.post("/partners", json=partner(unique("Accueil"), regions=["99"]), headers=HUB)
    assert served.json()["message"] == "code de région inconnu 99 : utilisez 01 à 17"


def test_every_4xx_has_a_code_and_a_plain_reason_in_the_asked_language(partners: TestClient) -> None:
    unknown = partners.get(f"/partners/{uuid.uuid4()}", headers=HUB)
    assert unknown.status_code == 404
    assert (unknown.json()["code"], unknown.json()["message"]) == (
        "not_found",
        "introuvable (ou pas encore visible)",
    )
    nobody = partners.get("/partners", headers=EN)
    assert nobody.status_code == 401
    assert nobody.json()["code"] == "unauthorized"
    assert nobody.json()["message"].startswith("missing or invalid access token")
    counsellor = partners.post("/partners", json=partner(unique("Accueil")), headers=COUNSELLOR)
    assert counsellor.status_code == 403
    assert counsellor.json()["code"] == "role_forbidden"
    assert counsellor.json()["message"] == "le rôle counsellor ne peut pas faire ceci"
    neq = str(uuid.uuid4().int)[:10]
    body = {**partner(unique("Accueil")), "neq": neq}
    assert partners.post("/partners", json=body, headers=HUB).status_code == 201
    again = partners.post("/partners", json={**body, "name": unique("Accueil")}, headers={**HUB, **EN})
    assert again.status_code == 409
    assert again.json()["code"] == "neq_taken"
    assert again.json()["message"] == f"a partner with NEQ {neq} is already registered"
    assert again.json()["existing"]
