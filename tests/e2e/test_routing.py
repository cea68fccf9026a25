"""Coordinated routing end to end, through the running APIs and workers on the real broker:
intake → case with a counsellor, entitlements and ranked regions → a concertation round →
referral plans → the partner's view (API and its own topic) → decline, a second round,
override, accept → erasure."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer

from services.common.kafka import client_options
from tests.conftest import own_stack
from tests.support import bearer, read_topic, records_where, unique
from tools.mailsink import read_mailbox
from tools.provision import grant_partner
from tools.stack import PROCESSES, ROOT, Stack
from tools.waiting import eventually

pytestmark = pytest.mark.e2e

GASPESIE, COTE_NORD, NORD = "11", "09", "10"  # on this module's own broker: no other test meets it
HUB = bearer("hub")
COUNSELLOR = bearer("counsellor")
PEOPLE = {
    "ana": ("Ana Ribeiro-Test", [GASPESIE, COTE_NORD], "fr", True, False, "31301"),
    "bruno": ("Bruno Kaboré-Test", [GASPESIE], "fr", True, False, "72410"),
    "chen": ("Chen Yiling-Test", [COTE_NORD], "en", True, True, "21231"),
    "dora": ("Dora Ilunga-Test", [NORD], "fr", False, False, "31301"),
}


def consumer_example() -> ModuleType:
    """examples/partner_consumer.py, imported as a partner's IT would run it."""
    spec = importlib.util.spec_from_file_location(
        "partner_consumer", ROOT / "examples" / "partner_consumer.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Apis:
    """The three running APIs."""

    def __init__(self, stack: Stack) -> None:
        url = {p.name: stack.config.url(p) for p in PROCESSES if p.is_api}
        self.mail_dir = stack.config.mail_dir
        self.emails: dict[str, str] = {}
        self.partners = httpx.Client(base_url=url["partners-api"], timeout=30)
        self.matching = httpx.Client(base_url=url["matching-api"], timeout=30)

    def welcomer(self, region: str, places: int, languages: list[str]) -> str:
        body = {
            "name": unique(f"Accueil {region}"),
            "kind": "community_organization",
            "regions": [region],
            "contact_email": f"accueil{region}@partenaires.example.org",
            "service_languages": languages,
        }
        partner = self.partners.post("/partners", json=body, headers=HUB)
        assert partner.status_code == 201, partner.text
        partner_id: str = partner.json()["partner_id"]
        offer = {
            "kind": "intake_capacity",
            "title": f"Accueil des familles ({region})",
            "intake": {"region": region, "households_per_month": places},
        }
        assert (
            self.partners.post("/offers", json=offer, headers=bearer("partner", partner_id)).status_code
            == 201
        )
        return partner_id

    def job(self, partner_id: str, region: str, cnp: str) -> str:
        offer = {
            "kind": "job",
            "title": f"Poste CNP {cnp}",
            "job": {
                "start_date": "2026-01-05",
                "cnp": cnp,
                "region": region,
                "positions": 1,
                "hours_per_week": 37.5,
                "hourly_wage": "31.00",
                "french_level_required": 6,
            },
        }
        created = self.partners.post("/offers", json=offer, headers=bearer("partner", partner_id))
        assert created.status_code == 201, created.text
        offer_id: str = created.json()["offer_id"]
        return offer_id

    def declare(self, key: str) -> dict[str, Any]:
        name, regions, language, referral, share, cnp = PEOPLE[key]
        self.emails[key] = f"{key}.{uuid.uuid4().hex[:6]}@personnes.example.net"
        body = {
            "contact": {"name": name, "email": self.emails[key]},
            "consents": {"contact": True, "referral": referral, "share_contact": share},
            "immigration_status": "permanent_resident",
            "arrival_date": "2025-05-02",
            "household": {"adults": 1, "children_ages": [4] if key == "ana" else []},
            "occupations": [{"cnp": cnp, "years": 8}],
            "french_level": 8 if language == "fr" else 3,
            "preferred_regions": regions,
            "language": language,
        }
        if key == "chen":  # registers herself, and keeps her token
            response = self.matching.post("/self/interests", json=body)
        else:
            response = self.matching.post("/interests", json=body, headers=COUNSELLOR)
        assert response.status_code == 202, response.text
        received: dict[str, Any] = response.json()
        return received

    def get(self, path: str, headers: dict[str, str] = HUB) -> Any:
        response = self.matching.get(path, headers=headers)
        return response.json() if response.status_code == 200 else None

    def round(self) -> dict[str, Any]:
        requested = self.matching.post("/rounds", headers=HUB)
        assert requested.status_code == 202, requested.text
        result: dict[str, Any] = eventually(lambda: self.get(requested.json()["round_url"]), 60, "the round")
        return result

    def plans(self, person_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get(f"/people/{person_id}/referrals") or []
        return found


@pytest.fixture(scope="module")
def everything() -> Iterator[Stack]:
    """Every process on a broker of this module's own: a round takes every open case on its broker."""
    with own_stack("routing") as private:
        yield private


def test_a_season_of_routing_from_intake_to_erasure(everything: Stack) -> None:
    apis = Apis(everything)
    bootstrap = everything.config.bootstrap
    gaspesie = apis.welcomer(GASPESIE, 1, ["fr"])
    cote_nord = apis.welcomer(COTE_NORD, 1, ["fr", "en"])
    nord = apis.welcomer(NORD, 2, ["fr"])
    nursing_job = apis.job(gaspesie, GASPESIE, "31301")
    for name, languages in (("Josée Gagnon-Test", ["fr"]), ("Omar Haddad-Test", ["fr", "en"])):
        counsellor = {
            "name": name,
            "email": f"{uuid.uuid4().hex[:6]}@hub.example.org",
            "languages": languages,
        }
        assert apis.matching.post("/counsellors", json=counsellor, headers=HUB).status_code == 201
    people = {key: apis.declare(key) for key in PEOPLE}
    chen_token = {"Authorization": f"Bearer {people['chen']['token']}"}

    # Each case opens with a counsellor speaking the person's language, entitlements, ranked regions.
    cases = {key: opened(apis, p["case_url"], key) for key, p in people.items()}
    counsellors = {c["counsellor_id"]: c for c in apis.get("/counsellors")}
    for key, case in cases.items():
        assert case["counsellor_id"] in counsellors, key
        assert PEOPLE[key][2] in counsellors[case["counsellor_id"]]["languages"]
        assert any(e["status"] == "entitled" for e in case["entitlements"]), key
        assert case["regions"][0]["region"] == PEOPLE[key][1][0]
    assert any(o["offer_id"] == nursing_job for o in cases["ana"]["offers"])

    # Round 1: Ana (nurse, a job waiting) and Bruno want the one Gaspésie place; Chen goes to Côte-Nord.
    first = apis.round()
    assert first["households"] >= 3
    ana_plan = only(apis.plans(people["ana"]["person_id"]))
    assert (ana_plan["region"], ana_plan["welcoming_partner_id"], ana_plan["status"]) == (
        GASPESIE,
        gaspesie,
        "proposed",
    )
    assert [j["offer_id"] for j in ana_plan["jobs"]] == [nursing_job]
    assert ana_plan["counsellor_id"] == cases["ana"]["counsellor_id"]
    assert ana_plan["preference_rank"] == 1
    assert apis.plans(people["bruno"]["person_id"]) == []
    assert apis.plans(people["dora"]["person_id"]) == []  # no consent to be referred
    chen_plan = only(apis.plans(people["chen"]["person_id"]))
    assert (chen_plan["region"], chen_plan["welcoming_partner_id"]) == (COTE_NORD, cote_nord)

    # Her plan's email speaks to her of her own choice, not of "the person's" (issue #23, point 5).
    def plan_email() -> str | None:
        for message in read_mailbox(apis.mail_dir) if apis.mail_dir.exists() else []:
            if str(message["To"]) == apis.emails["chen"] and "referral plan" in str(message["Subject"]):
                return "\n".join(
                    str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text"
                )
        return None

    chen_email = eventually(plan_email, 60, "Chen's plan email")
    assert "Your choice no. 1" in chen_email
    assert "The person's" not in chen_email

    # Chen sees her own plan and the main factors of the automated decision; not Ana's.
    factors = apis.get(f"/referrals/{chen_plan['referral_id']}/factors", chen_token)
    assert factors["automated"] is True
    assert "review" in factors["notice_en"]
    assert {f["factor"] for f in factors["factors"]} >= {"preference", "welcoming"}
    assert apis.matching.get(f"/referrals/{ana_plan['referral_id']}", headers=chen_token).status_code == 403

    # Each partner sees only the households referred to it, contact data only where the person agreed.
    as_gaspesie, as_cote_nord = bearer("partner", gaspesie), bearer("partner", cote_nord)
    [seen] = apis.get(f"/partners/{gaspesie}/referrals", as_gaspesie)
    assert seen["referral"]["referral_id"] == ana_plan["referral_id"]
    assert seen["contact"] is None
    assert seen["referral"]["household"] == {"adults": 1, "children_ages": [4]}
    [chen_seen] = apis.get(f"/partners/{cote_nord}/referrals", as_cote_nord)
    assert chen_seen["contact"]["name"] == PEOPLE["chen"][0]
    assert apis.matching.get(f"/partners/{gaspesie}/referrals", headers=as_cote_nord).status_code == 403
    guessed = apis.matching.get(
        f"/partners/{cote_nord}/referrals/{ana_plan['referral_id']}", headers=as_cote_nord
    )
    assert guessed.status_code == 404
    # The partner's IT connects with its own credentials: READ on its topic and group, nothing else.
    password = uuid.uuid4().hex + uuid.uuid4().hex
    grant_partner(everything.config.kafka_settings(), gaspesie, password)
    ca_file = str(everything.config.ca_file)
    streamed = list(
        consumer_example().households(bootstrap, gaspesie, idle_ms=3000, password=password, ca_file=ca_file)
    )
    assert [h["referral_id"] for h in streamed] == [ana_plan["referral_id"]]
    assert not {"name", "email", "phone"} & set(streamed[0])

    # Ana declines: her place returns to the pool; round 2 gives it to Bruno, and never Ana again.
    declined = apis.matching.post(
        f"/referrals/{ana_plan['referral_id']}/decline", json={"reason": "Trop loin"}, headers=COUNSELLOR
    )
    assert declined.status_code == 202, declined.text
    eventually(
        lambda: apis.get(f"/referrals/{ana_plan['referral_id']}")["status"] == "declined", 30, "the decline"
    )
    assert (
        apis.matching.post(f"/referrals/{ana_plan['referral_id']}/accept", headers=COUNSELLOR).status_code
        == 409
    )
    apis.round()
    bruno_plan = only(apis.plans(people["bruno"]["person_id"]))
    assert (bruno_plan["region"], bruno_plan["welcoming_partner_id"]) == (GASPESIE, gaspesie)
    assert [p["status"] for p in apis.plans(people["ana"]["person_id"])] == ["declined"]

    # A counsellor reviews Bruno's plan: to Nord-du-Québec, with a reason; Gaspésie no longer sees him.
    nord_offer = next(
        o["offer_id"] for o in apis.partners.get("/offers", params={"partner_id": nord}, headers=HUB).json()
    )
    override = {"welcoming_offer_id": nord_offer, "reason": "Sa sœur habite Chibougamau"}
    assert (
        apis.matching.post(
            f"/referrals/{bruno_plan['referral_id']}/override", json=override, headers=COUNSELLOR
        ).status_code
        == 202
    )
    reviewed = eventually(
        lambda: (
            (r := apis.get(f"/referrals/{bruno_plan['referral_id']}"))
            and r["decided_by"] == "counsellor"
            and r
        ),
        30,
        "the override",
    )
    assert (reviewed["region"], reviewed["welcoming_partner_id"]) == (NORD, nord)
    assert reviewed["override"]["reason"] == "Sa sœur habite Chibougamau"
    assert apis.get(f"/partners/{gaspesie}/referrals", as_gaspesie) == [
        seen
        | {
            "referral": seen["referral"]
            | {
                "status": "declined",
                "updated_at": apis.get(f"/referrals/{ana_plan['referral_id']}")["updated_at"],
            }
        }
    ]

    # Chen accepts, then asks to be erased: every read model and topic forgets her.
    assert (
        apis.matching.post(f"/referrals/{chen_plan['referral_id']}/accept", headers=chen_token).status_code
        == 202
    )
    eventually(
        lambda: apis.get(f"/referrals/{chen_plan['referral_id']}")["status"] == "accepted",
        30,
        "the acceptance",
    )
    assert (
        apis.matching.delete(f"/people/{people['chen']['person_id']}", headers=chen_token).status_code == 202
    )
    eventually(lambda: apis.get(people["chen"]["case_url"]) is None, 30, "the case erased")
    eventually(lambda: apis.get(f"/referrals/{chen_plan['referral_id']}") is None, 30, "the plan erased")
    assert apis.get(f"/partners/{cote_nord}/referrals", as_cote_nord) == []
    chen_key = {"referral_id": chen_plan["referral_id"]}
    for topic in ("referrals.v1", f"partner-referrals.{cote_nord}.v1"):
        *_, last = records_where(bootstrap, topic, lambda r: json.loads(r.key) == chen_key)
        assert last.value is None, topic

    # No name or address of these people on any topic but contacts.v1.
    secrets = [p[0].encode() for p in PEOPLE.values()] + [b"personnes.example.net"]
    for topic in topics(bootstrap):
        if topic == "contacts.v1":
            continue
        for record in read_topic(bootstrap, topic):
            for secret in secrets:
                assert secret not in (record.value or b""), f"{secret!r} on {topic}"


def opened(apis: Apis, case_url: str, who: str) -> dict[str, Any]:
    """The case at ``case_url`` once the matching worker has opened it."""
    case: dict[str, Any] = eventually(lambda: apis.get(case_url), 60, f"{who}'s case")
    return case


def only(plans: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(plans) == 1, plans
    return plans[0]


def topics(bootstrap: str) -> list[str]:
    consumer = KafkaConsumer(**client_options(bootstrap))
    try:
        return sorted(t for t in consumer.topics() if not t.startswith("__"))
    finally:
        consumer.close()
