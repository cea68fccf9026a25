"""Who may call which route of matching-api: the authorization matrix, route by route, with the
objects a real round produced (the workers run).

Roles: none, hub, counsellor, ``partner`` (the welcoming partner the household was referred
to), ``other_partner``, ``delegate`` (a table's delegate, not that partner), ``person`` (the
person the record is about, with a person token) and ``other_person``. Each request names real
objects and carries a valid body, so its answer is about authorization only: 401 without a
token, 403 for a role the matrix does not allow, 2xx for one it does. A route missing from the
matrix fails. Self-registration is public and rate-limited (tests/integration/test_intake.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import default_clock
from services.common.settings import ClockSettings, Settings
from services.matching.api import create_app as matching_app
from services.matching.domain import case_id_for
from tests.conftest import own_stack, settings_of
from tests.integration.test_authorization import routes
from tests.support import bearer, created, eventually, unique
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.integration

ROLES = ("none", "hub", "counsellor", "partner", "other_partner", "delegate", "person", "other_person")
STAFF = frozenset({"hub", "counsellor"})
SELF = STAFF | {"person"}
REGION = "12"  # Chaudière-Appalaches, on this module's own broker
PUBLIC = frozenset(
    {"/health", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc", "/self/interests"}
)

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/interests"): STAFF,
    ("GET", "/people/{person_id}/interest"): SELF,
    ("PUT", "/people/{person_id}/interest"): SELF,
    ("POST", "/people/{person_id}/withdraw"): SELF,
    ("DELETE", "/people/{person_id}"): SELF,
    ("GET", "/cases/{case_id}"): SELF,
    ("GET", "/cases"): STAFF,
    ("POST", "/counsellors"): frozenset({"hub"}),
    ("PUT", "/counsellors/{counsellor_id}"): frozenset({"hub"}),
    ("GET", "/counsellors"): STAFF,
    ("GET", "/queue"): STAFF,
    ("POST", "/rounds"): frozenset({"hub"}),
    ("GET", "/rounds/{round_id}"): STAFF,
    ("GET", "/rounds"): STAFF,
    ("GET", "/referrals"): STAFF,
    ("GET", "/people/{person_id}/referrals"): SELF,
    ("GET", "/referrals/{referral_id}"): SELF,
    ("GET", "/referrals/{referral_id}/factors"): SELF,
    ("POST", "/referrals/{referral_id}/accept"): SELF,
    ("POST", "/referrals/{referral_id}/decline"): SELF,
    ("POST", "/referrals/{referral_id}/review"): SELF,
    ("POST", "/referrals/{referral_id}/override"): STAFF,
    ("GET", "/partners/{partner_id}/referrals"): frozenset({"hub", "partner"}),
    ("GET", "/partners/{partner_id}/referrals/{referral_id}"): frozenset({"hub", "partner"}),
    ("GET", "/people/{person_id}/contact"): SELF,  # staff reads recorded; the person's own not
    ("PUT", "/people/{person_id}/contact"): SELF,
    ("GET", "/contacts/search"): STAFF,
    ("GET", "/contact-access"): frozenset({"hub"}),
    ("GET", "/cases/{case_id}/settlement"): SELF | {"partner"},
    ("POST", "/cases/{case_id}/milestones"): frozenset({"hub", "partner"}),
    ("POST", "/cases/{case_id}/close"): frozenset({"hub", "partner"}),
    # Follow-ups' answers are personal data: the hub, the counsellors, the welcoming partner and the
    # person read them; the hub, the welcoming partner and the person answer.
    ("GET", "/cases/{case_id}/followups"): SELF | {"partner"},
    ("POST", "/cases/{case_id}/followups/{month}"): frozenset({"hub", "partner", "person"}),
    # The measures ledger: read as the settlement; recorded by the hub, the welcoming partner and the
    # counsellor holding the case (not this module's counsellor token: test-counsellor holds none).
    ("GET", "/cases/{case_id}/measures"): SELF | {"partner"},
    ("POST", "/cases/{case_id}/measures/{measure_code}"): frozenset({"hub", "partner"}),
    ("GET", "/measures/unclaimed"): frozenset({"hub"}),
}
# Routes about a settlement: their plan was accepted (the world keeps a pool of those).
SETTLED = {
    "/cases/{case_id}/settlement",
    "/cases/{case_id}/milestones",
    "/cases/{case_id}/close",
    "/cases/{case_id}/measures",
    "/cases/{case_id}/measures/{measure_code}",
}
MEASURE = "exploratory_trip"  # every household of this module is entitled to it (a destination region)
# Routes about follow-ups: the household arrived (another pool). A follow-up is answered from two weeks
# before its day, so the answering route is called on a matching-api whose clock is LATER_DAYS ahead.
ANSWER = "/cases/{case_id}/followups/{month}"
ARRIVED = {"/cases/{case_id}/followups", ANSWER}
LATER_DAYS = 100
# The query a route needs besides its path.
QUERIES = {"/people/{person_id}/contact": "?purpose=test", "/contacts/search": "?q=Personne&purpose=test"}
# Routes that change the object they name: each allowed call gets a fresh one.
CHANGING = {"PUT", "DELETE"} | {"accept", "decline", "override", "withdraw", "milestones", "close", "{month}"}
GUARDED = [(m, p) for m, p in routes(matching_app(Settings(environment="test"))) if p not in PUBLIC]
CASES = [(m, p, r) for m, p in GUARDED for r in ROLES]
INTAKE = {
    "contact": {"name": "Personne Test", "email": "test@personnes.example.net"},
    "consents": {"contact": True, "referral": True, "share_contact": True},
    "immigration_status": "permanent_resident",
    "occupations": [{"cnp": "72410", "years": 10}],
    "french_level": 9,
    "preferred_regions": [REGION],
}


@dataclass
class Plan:
    """A referral and the person it is for."""

    referral_id: str
    person_id: str
    case_id: str


@dataclass
class World:
    """Objects of a real round in region 12, with pools of fresh plans for changing routes: plans
    proposed, and plans accepted (their settlement begun)."""

    welcomer: str
    other: str
    delegate: str
    counsellor: str
    round_id: str
    offer_id: str
    plans: list[Plan] = field(default_factory=list)
    settled: list[Plan] = field(default_factory=list)
    arrived: list[Plan] = field(default_factory=list)

    def pool(self, path: str) -> list[Plan]:
        if path in ARRIVED:
            return self.arrived
        return self.settled if path in SETTLED else self.plans

    def fresh(self, path: str) -> Plan:
        return self.pool(path).pop()

    def any(self, path: str) -> Plan:
        return self.pool(path)[0]


def person_token(person_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(AuthSettings(), person_id, Role.PERSON)}"}


@pytest.fixture(scope="module")
def workers() -> Iterator[Stack]:
    """This module's own broker and workers: its round must meet no other test's households."""
    with own_stack("authorization-matching", [p for p in PROCESSES if not p.is_api]) as private:
        yield private


@pytest.fixture(scope="module")
def settings(workers: Stack) -> Settings:
    """The in-process APIs of this module talk to its own broker."""
    return settings_of(workers)


@pytest.fixture(scope="module")
def world(partners: TestClient, matching: TestClient, workers: Stack) -> World:
    def partner(kind: str) -> str:
        body = {
            "name": unique("Organisme"),
            "kind": kind,
            "regions": [REGION],
            "contact_email": "o@example.org",
        }
        return created(partners.post("/partners", json=body, headers=bearer("hub")), "partner_id")

    def intake(title: str, places: int) -> str:
        body = {
            "kind": "intake_capacity",
            "title": title,
            "intake": {"region": REGION, "households_per_month": places},
        }
        return created(partners.post("/offers", json=body, headers=bearer("partner", welcomer)), "offer_id")

    welcomer, other, delegate = partner("community_organization"), partner("employer"), partner("employer")
    table = {"name": unique("Table de Chaudière-Appalaches"), "region": REGION, "members": [delegate]}
    table_id = created(partners.post("/tables", json=table, headers=bearer("hub")), "table_id")
    since = {"partner_id": delegate, "start": default_clock().today().isoformat()}
    created(partners.post(f"/tables/{table_id}/delegations", json=since, headers=bearer("hub")), "table_id")
    intake("Accueil", 60)
    spare_id = intake("Accueil (2)", 30)
    counsellor = {"name": "Conseillère Test", "email": "c@hub.example.org", "languages": ["fr", "en"]}
    counsellor_id = created(
        matching.post("/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id"
    )
    people = [
        created(matching.post("/interests", json=INTAKE, headers=bearer("counsellor")), "person_id")
        for _ in range(33)
    ]
    cases = {p: _opened(matching, p) for p in people}
    round_id = created(matching.post("/rounds", headers=bearer("hub")), "round_id")

    def done() -> bool:
        return matching.get(f"/rounds/{round_id}", headers=bearer("hub")).status_code == 200

    eventually(done, 60, "the round")
    plans = []
    for person in people:
        [plan] = matching.get(f"/people/{person}/referrals", headers=bearer("hub")).json()
        assert plan["welcoming_partner_id"] == welcomer, "another household took region 12's places"
        plans.append(Plan(plan["referral_id"], person, cases[person]))
    settled = [_settled(matching, plan) for plan in plans[-9:]]
    arrived = [_arrived(matching, plan) for plan in settled[:4]]
    return World(
        welcomer, other, delegate, counsellor_id, round_id, spare_id, plans[:-9], settled[4:], arrived
    )


def _settled(matching: TestClient, plan: Plan) -> Plan:
    """``plan`` accepted, once its settlement has begun."""
    accepted = matching.post(f"/referrals/{plan.referral_id}/accept", headers=bearer("hub"))
    assert accepted.status_code == 202, accepted.text

    def begun() -> bool:
        return matching.get(f"/cases/{plan.case_id}/settlement", headers=bearer("hub")).status_code == 200

    eventually(begun, 60, "the settlement to begin")
    return plan


def _arrived(matching: TestClient, plan: Plan) -> Plan:
    """``plan``'s household arrived today, once its settlement says so."""
    arrival = {"milestone": "arrival", "on": default_clock().today().isoformat()}
    answer = matching.post(f"/cases/{plan.case_id}/milestones", json=arrival, headers=bearer("hub"))
    assert answer.status_code == 202, answer.text

    def arrived() -> bool:
        settlement = matching.get(f"/cases/{plan.case_id}/settlement", headers=bearer("hub")).json()
        return bool(settlement["status"] == "arrived")

    eventually(arrived, 60, "the arrival")
    return plan


@pytest.fixture(scope="module")
def later(settings: Settings, world: World) -> Iterator[TestClient]:
    """matching-api with its clock LATER_DAYS ahead, when the 3-month follow-ups are open."""
    offset = default_clock().offset + timedelta(days=LATER_DAYS)
    ahead = settings.model_copy(update={"clock": ClockSettings(offset_s=offset.total_seconds())})
    with TestClient(matching_app(ahead)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "the API to be ready")
        yield client


def _opened(matching: TestClient, person: str) -> str:
    """The id of the person's case, once the matching worker has opened it."""
    case_id = str(case_id_for(uuid.UUID(person)))

    def opened() -> bool:
        return matching.get(f"/cases/{case_id}", headers=bearer("hub")).status_code == 200

    eventually(opened, 60, "the case to open")
    return case_id


def headers(role: str, world: World, plan: Plan, days: int = 0) -> dict[str, str]:
    """``role``'s token, minted ``days`` days after now (for the API whose clock is that far ahead)."""
    if role == "none":
        return {}
    bound = {"partner": world.welcomer, "other_partner": world.other, "delegate": world.delegate}
    subject = {"person": plan.person_id, "other_person": str(uuid.uuid4())}.get(role, f"test-{role}")
    kind = {"other_partner": "partner", "other_person": "person"}.get(role, role)
    partner_id = uuid.UUID(bound[role]) if role in bound else None
    now = default_clock().now() + timedelta(days=days)
    return {"Authorization": f"Bearer {mint(AuthSettings(), subject, Role(kind), partner_id, now=now)}"}


def body_for(method: str, path: str, world: World) -> dict[str, Any] | None:
    profile = {k: v for k, v in INTAKE.items() if k not in ("contact", "consents")}
    today = default_clock().today().isoformat()
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/interests"): INTAKE,
        ("PUT", "/people/{person_id}/interest"): profile,
        ("PUT", "/people/{person_id}/contact"): {
            "name": "Personne Test",
            "email": "test@personnes.example.net",
            "language": "en",
        },
        ("POST", "/counsellors"): {"name": "Nouvelle", "email": "n@hub.example.org", "languages": ["fr"]},
        ("PUT", "/counsellors/{counsellor_id}"): {
            "name": "Conseillère Test",
            "email": "c@hub.example.org",
            "languages": ["fr", "en"],
        },
        ("POST", "/referrals/{referral_id}/decline"): {"reason": "test"},
        ("POST", "/referrals/{referral_id}/override"): {
            "welcoming_offer_id": world.offer_id,
            "reason": "Révision",
        },
        ("POST", "/cases/{case_id}/milestones"): {"milestone": "first_contact", "on": today},
        ("POST", "/cases/{case_id}/close"): {"outcome": "unreachable", "on": today},
        ("POST", "/cases/{case_id}/measures/{measure_code}"): {"action": "update", "handled_by": "hub"},
        ("POST", ANSWER): {
            "in_region": "yes",
            "work": "looking",
            "housing": "temporary",
            "children_at_school": "no_school_age_children",
            "french_courses": "attending",
        },
    }
    return bodies.get((method, path))


@pytest.mark.parametrize(("method", "path", "role"), CASES, ids=[f"{m} {p}:{r}" for m, p, r in CASES])
def test_every_matching_route_answers_each_role_as_the_matrix_says(
    method: str, path: str, role: str, matching: TestClient, world: World, later: TestClient
) -> None:
    allowed = MATRIX.get((method, path))
    if allowed is None:
        pytest.fail(
            f"{method} {path} of matching-api is not in the authorization matrix: add it with its roles"
        )
    changes = method in CHANGING or path.rsplit("/", 1)[-1] in CHANGING
    plan = world.fresh(path) if changes and role in allowed else world.any(path)
    url = (
        path.replace("{person_id}", plan.person_id)
        .replace("{case_id}", plan.case_id)
        .replace("{referral_id}", plan.referral_id)
        .replace("{partner_id}", world.welcomer)
        .replace("{counsellor_id}", world.counsellor)
        .replace("{round_id}", world.round_id)
        .replace("{month}", "3")
        .replace("{measure_code}", MEASURE)
    ) + QUERIES.get(path, "")
    client, days = (later, LATER_DAYS) if path == ANSWER else (matching, 0)
    response = client.request(
        method, url, json=body_for(method, path, world), headers=headers(role, world, plan, days)
    )

    if role == "none":
        assert response.status_code == 401, response.text
    elif role in allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text


def test_the_matrix_names_every_route_and_only_those() -> None:
    assert set(MATRIX) == set(GUARDED)
