"""Intake through matching-api on the real broker: what is refused stores nothing; a person
registers themselves with consent per purpose and sees only their own records; update,
withdrawal and erasure; self-registration is rate-limited."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.clock import default_clock
from services.common.settings import MatchingSettings, Settings
from services.matching.api import create_app as matching_app
from tests.integration.conftest import running
from tests.support import bearer, read_topic, records_on, records_where

CONSENTS = {"contact": True, "referral": True, "share_contact": False}


def body(**changes: Any) -> dict[str, Any]:
    """A complete intake: a nurse with her family, ranked regions, consent given purpose by purpose."""
    intake: dict[str, Any] = {
        "contact": {"name": "Farah Haddad", "email": f"farah.{uuid.uuid4().hex[:6]}@example.net"},
        "consents": CONSENTS,
        "immigration_status": "permanent_resident",
        "arrival_date": "2024-03-11",
        "household": {"adults": 2, "children_ages": [3, 7]},
        "occupations": [{"cnp": "31301", "years": 6}],
        "studies": "bachelor",
        "credential_recognition_in_progress": True,
        "french_level": 7,
        "english_level": "intermediate",
        "preferred_regions": ["05", "04"],
        "driving_licence": True,
        "earliest_move_date": "2027-02-01",
        "language": "fr",
    }
    intake.update(changes)
    return intake


FUTURE = (default_clock().today() + timedelta(days=3)).isoformat()
BAD_INTAKES = [
    (
        {"occupations": [{"cnp": "99999", "years": 2}]},
        "body.occupations.0.cnp",
        "code CNP 2021 inconnu 99999",
    ),
    ({"occupations": [{"cnp": "3130", "years": 2}]}, "body.occupations.0.cnp", "code CNP invalide"),
    ({"preferred_regions": ["05", "18"]}, "body.preferred_regions.1", "code de région inconnu 18"),
    ({"preferred_regions": ["06"]}, "body.preferred_regions.0", "n'est jamais une destination"),
    ({"preferred_regions": ["05", "05"]}, "body.preferred_regions.1", "classée deux fois"),
    ({"french_level": 13}, "body.french_level", "doit être au plus 12"),
    ({"french_level": 0}, "body.french_level", "doit être au moins 1"),
    ({"arrival_date": FUTURE}, "body.arrival_date", "est une date future"),
    ({"consents": None}, "body.consents", ""),
    ({"consents": {"contact": False, "referral": True, "share_contact": True}}, "body.consents.contact", ""),
    ({"consents": {"contact": True, "share_contact": False}}, "body.consents.referral", "champ obligatoire"),
    ({"household": {"adults": 1, "children_ages": [19]}}, "body.household.children_ages.0", ""),
]


def _errors(response: Any) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("change", "field", "reason"), BAD_INTAKES, ids=[b[1] + ":" + str(i) for i, b in enumerate(BAD_INTAKES)]
)
def test_a_bad_intake_is_refused_with_its_field_and_reason_and_nothing_is_stored(
    matching: TestClient, settings: Settings, change: dict[str, Any], field: str, reason: str
) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    before = {topic: records_on(bootstrap, topic) for topic in ("contacts.v1", "interests.v1")}

    response = matching.post(
        "/interests",
        json={k: v for k, v in body(**change).items() if v is not None},
        headers=bearer("counsellor"),
    )

    assert response.status_code == 422, response.text
    errors = _errors(response)
    assert field in errors, errors
    assert reason in errors[field]
    assert {topic: records_on(bootstrap, topic) for topic in before} == before


def test_a_person_registers_themselves_and_reads_only_their_own_records(matching: TestClient) -> None:
    response = matching.post("/self/interests", json=body())
    assert response.status_code == 202, response.text
    mine = response.json()
    me = {"Authorization": f"Bearer {mine['token']}"}
    other = matching.post("/interests", json=body(), headers=bearer("counsellor")).json()

    own = matching.get(f"/people/{mine['person_id']}/interest", headers=me)
    assert own.status_code == 200
    assert own.json()["consents"] == CONSENTS
    assert own.json()["household"] == {"adults": 2, "children_ages": [3, 7]}
    assert "contact" not in own.json()
    assert matching.get(f"/people/{other['person_id']}/interest", headers=me).status_code == 403
    assert (
        matching.get(
            f"/people/{mine['person_id']}/interest", headers=bearer("partner", uuid.uuid4())
        ).status_code
        == 403
    )
    assert matching.get(f"/people/{mine['person_id']}/interest").status_code == 401
    assert matching.post("/rounds", headers=me).status_code == 403
    assert matching.get("/cases", headers=me).status_code == 403


def test_an_update_makes_a_new_revision_and_keeps_the_consents_unless_given(matching: TestClient) -> None:
    staff = bearer("counsellor")
    person = matching.post("/interests", json=body(), headers=staff).json()["person_id"]
    update = {
        k: v
        for k, v in body(french_level=9, preferred_regions=["02"]).items()
        if k not in ("contact", "consents")
    }

    response = matching.put(f"/people/{person}/interest", json=update, headers=staff)

    assert response.status_code == 202, response.text
    assert response.json()["revision"] == 2
    now = matching.get(f"/people/{person}/interest", headers=staff).json()
    assert (now["french_level"], now["preferred_regions"], now["revision"]) == (9, ["02"], 2)
    assert now["consents"] == CONSENTS
    refused = matching.put(
        f"/people/{person}/interest", json={**update, "occupations": [{"cnp": "12345"}]}, headers=staff
    )
    assert refused.status_code == 422
    assert matching.get(f"/people/{person}/interest", headers=staff).json()["revision"] == 2


def test_a_withdrawal_is_recorded_once_and_an_erasure_removes_the_person_everywhere_the_api_reads(
    matching: TestClient, settings: Settings
) -> None:
    staff = bearer("hub")
    person = matching.post("/interests", json=body(), headers=staff).json()["person_id"]

    assert matching.post(f"/people/{person}/withdraw", headers=staff).status_code == 202
    assert matching.post(f"/people/{person}/withdraw", headers=staff).status_code == 409
    assert matching.get(f"/people/{person}/interest", headers=staff).json()["withdrawn_at"] is not None
    assert matching.delete(f"/people/{person}", headers=staff).status_code == 202

    assert matching.get(f"/people/{person}/interest", headers=staff).status_code == 404
    assert matching.delete(f"/people/{person}", headers=staff).status_code == 404
    key = {"person_id": person}
    bootstrap = settings.kafka.bootstrap_servers
    for topic in ("contacts.v1", "interests.v1"):
        *_, last = records_where(bootstrap, topic, lambda r: json.loads(r.key) == key)
        assert last.value is None, f"no tombstone on {topic}"
    [erase] = records_where(
        bootstrap,
        "matching-commands.v1",
        lambda r: (
            r.value is not None
            and json.loads(r.value).get("person_id") == person
            and json.loads(r.value)["action"] == "erase"
        ),
    )
    assert b"Farah" not in erase.value


def test_a_person_changes_their_contact_details_and_language_and_reads_them_unrecorded(
    matching: TestClient, settings: Settings
) -> None:
    mine = matching.post("/self/interests", json=body()).json()
    person, me = mine["person_id"], {"Authorization": f"Bearer {mine['token']}"}
    other = matching.post("/interests", json=body(), headers=bearer("counsellor")).json()["person_id"]
    email = f"farah.new.{uuid.uuid4().hex[:6]}@example.net"
    change = {"name": "Farah H.", "email": email, "phone": "514 555-0199", "language": "en"}

    assert matching.put(f"/people/{other}/contact", json=change, headers=me).status_code == 403
    wrong = matching.put(f"/people/{person}/contact", json={**change, "email": "nope"}, headers=me)
    assert wrong.status_code == 422
    assert "body.email" in _errors(wrong)
    changed = matching.put(f"/people/{person}/contact", json=change, headers=me)
    assert changed.status_code == 202, changed.text
    assert changed.json()["revision"] == 2, "a new language is a new revision of the interest"

    own = matching.get(f"/people/{person}/contact", params={"purpose": "my file"}, headers=me)
    assert own.status_code == 200
    assert (own.json()["email"], own.json()["language"], own.json()["phone"]) == (email, "en", "514 555-0199")
    interest = matching.get(f"/people/{person}/interest", headers=me).json()
    assert (interest["language"], interest["revision"], interest["french_level"]) == ("en", 2, 7)
    same_language = matching.put(f"/people/{person}/contact", json={**change, "name": "Farah"}, headers=me)
    assert same_language.json()["revision"] == 2, "the same language leaves the interest as it was"
    reads = matching.get("/contact-access", params={"person_id": person}, headers=bearer("hub")).json()
    assert reads == [], "a person reading their own contact data is not a staff read"
    bootstrap = settings.kafka.bootstrap_servers
    leaked = [r for r in read_topic(bootstrap, "interests.v1") if email.encode() in (r.value or b"")]
    assert leaked == [], "the contact goes to contacts.v1 only"

    assert matching.post(f"/people/{person}/withdraw", headers=me).status_code == 202
    late = matching.put(f"/people/{person}/contact", json=change, headers=me)
    assert late.status_code == 409


@pytest.fixture(scope="module")
def strict(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"matching": MatchingSettings(self_registration_limit="2/minute")})
    yield from running(matching_app(limited))


def test_self_registration_is_rate_limited_per_address_with_a_retry_after(
    strict: TestClient, settings: Settings
) -> None:
    answers = [strict.post("/self/interests", json=body()) for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert "too many registrations" in answers[2].json()["detail"]
    # Staff intake is not limited.
    assert strict.post("/interests", json=body(), headers=bearer("counsellor")).status_code == 202


def test_a_trade_outside_the_cnp_list_is_taken_as_a_title_for_a_counsellor_to_code(
    matching: TestClient, settings: Settings
) -> None:
    # Issue #23, point 7: a person whose trade is not among data/cnp.json's unit groups could not
    # register at all. Its title in their words is taken; ranking treats it as unknown until coded.
    titled = {"title": "Luthière (fabrication de violons)", "years": 8}
    response = matching.post("/self/interests", json=body(occupations=[titled, {"cnp": "21231", "years": 2}]))
    assert response.status_code == 202, response.text
    key = {"person_id": response.json()["person_id"]}
    [record] = records_where(
        settings.kafka.bootstrap_servers, "interests.v1", lambda r: json.loads(r.key) == key
    )
    interest = json.loads(record.value)
    assert interest["occupations"][0] == {**titled, "cnp": None, "stays_in_field": True}
    assert interest["occupation"] == "21231"  # the main coded one, for version-1 readers
    nameless = matching.post("/self/interests", json=body(occupations=[{"years": 3}]))
    assert nameless.status_code == 422
    assert nameless.json()["field"] == "occupations.0"
    unknown = matching.post("/self/interests", json=body(occupations=[{"cnp": "99999"}]))
    assert unknown.json()["message"].startswith("code CNP 2021 inconnu 99999 : donnez plutôt le titre")
