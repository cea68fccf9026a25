"""Who may call which route of partners-api and events-api: the authorization matrix, route by route.

Every route the apps declare is tried with no token and with each role; the
role ``partner`` acts for the object's owner, ``other_partner`` for another
partner, ``delegate`` for a table's delegate (not the owner). Each request
carries a valid body, so the answer is about authorization only: 401 without a
token, 403 for a role the matrix does not allow, 2xx for one it does. A route
missing from the matrix fails: a new endpoint has to be placed in it. Refused
tokens, delegations and matching-api: test_authorization_tokens_and_delegations.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from services.common.clock import default_clock
from services.common.settings import Settings
from services.events.api import create_app as events_app
from services.events.seed import default_rules
from services.partners.api import create_app as partners_app
from tests.support import TablesMade, bearer, created, eventually, read_topic, unique, write_decision

pytestmark = pytest.mark.integration

ROLES = ("none", "hub", "counsellor", "partner", "other_partner", "delegate")
SIGNED_IN = frozenset(ROLES) - {"none"}
HUB = bearer("hub")
UNGUARDED = frozenset({"/health", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"})
PUBLIC = ("/reference/", "/feeds/")

PARTNERS_MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/partners"): frozenset({"hub"}),
    ("GET", "/partners"): SIGNED_IN,
    ("GET", "/partners/{partner_id}"): SIGNED_IN,
    ("PATCH", "/partners/{partner_id}"): frozenset({"hub", "partner"}),
    ("POST", "/partners/{partner_id}/deactivate"): frozenset({"hub"}),
    ("POST", "/partners/{partner_id}/stream-credentials"): frozenset({"hub", "partner"}),
    ("POST", "/tables"): frozenset({"hub"}),
    ("GET", "/tables"): SIGNED_IN,
    ("GET", "/tables/{table_id}"): SIGNED_IN,
    ("PUT", "/tables/{table_id}/members"): frozenset({"hub"}),
    ("POST", "/tables/{table_id}/delegations"): frozenset({"hub"}),
    ("POST", "/tables/{table_id}/dissolve"): frozenset({"hub"}),
    ("POST", "/offers"): frozenset({"hub", "partner"}),
    ("GET", "/offers"): SIGNED_IN,
    ("GET", "/offers/{offer_id}"): SIGNED_IN,
    ("PUT", "/offers/{offer_id}"): frozenset({"hub", "partner"}),
    ("POST", "/offers/{offer_id}/withdraw"): frozenset({"hub", "partner"}),
}
EVENTS_MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/proposals"): frozenset({"hub", "partner"}),
    ("GET", "/calendar"): SIGNED_IN,
    ("GET", "/calendar/{proposal_id}"): SIGNED_IN,
    # On a proposal of another region than the delegate's: only the hub endorses it.
    ("POST", "/proposals/{proposal_id}/endorse"): frozenset({"hub"}),
    ("POST", "/proposals/{proposal_id}/withdraw"): frozenset({"hub", "partner"}),
    ("POST", "/proposals/{proposal_id}/reschedule"): frozenset({"hub", "partner"}),
    ("POST", "/proposals/{proposal_id}/accept-joint"): frozenset({"hub", "partner"}),
    ("POST", "/proposals/{proposal_id}/decline-joint"): frozenset({"hub", "partner"}),
    ("GET", "/rules"): SIGNED_IN,
    ("PUT", "/rules"): frozenset({"hub"}),
}
# The status a proposal must have for each action to be possible (else 409, whoever asks).
STATUS_FOR = {
    "endorse": "pending_endorsement",
    "accept-joint": "joint_suggested",
    "decline-joint": "joint_suggested",
}
MATRICES = {"partners": PARTNERS_MATRIX, "events": EVENTS_MATRIX}
FACTORIES: dict[str, Callable[[Settings], FastAPI]] = {"partners": partners_app, "events": events_app}
OFFLINE = Settings(environment="test")  # building an app touches no broker: enough to list its routes


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route of ``app``.

    ``app.routes`` holds each included router as one entry; ``iter_route_contexts``
    walks into them, giving each route with its full path.
    """
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, str(route.path)))
    return found


def guarded_routes(service: str) -> list[tuple[str, str]]:
    app = FACTORIES[service](OFFLINE)
    return [(m, p) for m, p in routes(app) if p not in UNGUARDED and not p.startswith(PUBLIC)]


ROUTE_CASES = [(s, m, p, r) for s in FACTORIES for m, p in guarded_routes(s) for r in ROLES]


@dataclass(frozen=True)
class World:
    """Partners that are not the object's owner: another partner, and a table's delegate."""

    other: str
    delegate: str


def partner_body(region: str) -> dict[str, Any]:
    return {
        "name": unique("Employeur"),
        "kind": "employer",
        "regions": [region],
        "contact_email": "a@example.org",
    }


def register(partners: TestClient, region: str) -> str:
    return created(partners.post("/partners", json=partner_body(region), headers=HUB), "partner_id")


def table_body(owner: str) -> dict[str, Any]:
    return {"name": unique("Table Centre-du-Québec"), "region": "17", "mrcs": ["390"], "members": [owner]}


def job_offer(owner: str) -> dict[str, Any]:
    # In region 03, which the owner serves (register(partners, "03")): a partner acts only there.
    job = {"cnp": "21231", "region": "03", "positions": 2, "hours_per_week": 35, "hourly_wage": "38.00"}
    return {
        "partner_id": owner,
        "kind": "job",
        "title": unique("Analyste"),
        "job": {**job, "start_date": "2031-09-01"},
    }


def body_for(method: str, path: str, owner: str) -> dict[str, Any] | None:
    """A valid body for the request, so that its answer is about authorization only."""
    offer = job_offer(owner)
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/partners"): partner_body("17"),
        ("PATCH", "/partners/{partner_id}"): {"contact_phone": "+1 819 555 0101"},
        ("POST", "/tables"): table_body(owner),
        ("PUT", "/tables/{table_id}/members"): {"members": [owner]},
        ("POST", "/tables/{table_id}/delegations"): {
            "partner_id": owner,
            "start": "2040-01-01",
            "end": "2040-01-31",
        },
        ("POST", "/offers"): offer,
        ("PUT", "/offers/{offer_id}"): {"title": offer["title"], "job": offer["job"]},
        ("POST", "/proposals"): {
            "organizer_id": owner,
            "regions": ["03"],
            "kind": "webinar",
            "title": unique("Webinaire sur la Capitale-Nationale"),
            "preferred_dates": ["2038-03-02"],
        },
        ("POST", "/proposals/{proposal_id}/reschedule"): {"preferred_dates": ["2038-03-09"]},
        ("PUT", "/rules"): default_rules().model_dump(mode="json"),
    }
    return bodies.get((method, path))


@pytest.fixture(scope="module")
def world(partners: TestClient, tables_made: TablesMade) -> World:
    """Another partner, and the delegate of a regional table of the Laurentides (15)."""
    other, delegate = register(partners, "03"), register(partners, "15")
    body = {"name": unique("Table des Laurentides"), "region": "15", "members": [delegate]}
    table = tables_made.add(created(partners.post("/tables", json=body, headers=HUB), "table_id"))
    since = {"partner_id": delegate, "start": default_clock().today().isoformat()}
    created(partners.post(f"/tables/{table}/delegations", json=since, headers=HUB), "table_id")
    return World(other=other, delegate=delegate)


def headers(role: str, owner: str, world: World) -> dict[str, str]:
    """The Authorization header of ``role`` (none for "none")."""
    if role == "none":
        return {}
    bound = {"partner": owner, "other_partner": world.other, "delegate": world.delegate}
    if role in bound:
        return bearer("delegate" if role == "delegate" else "partner", bound[role])
    return bearer(role)


def decided_proposal(events: TestClient, settings: Settings, owner: str, status: str = "not_possible") -> str:
    """The id of a decision on an activity of ``owner``'s, written as the events worker would."""
    proposal_id = write_decision(
        settings.kafka.bootstrap_servers, owner, status, ["03"], "Séance d'information"
    )
    path = f"/calendar/{proposal_id}"
    eventually(
        lambda: events.get(path, headers=HUB).status_code == 200, 30, "events-api to read the decision"
    )
    return proposal_id


def url_for(
    path: str, owner: str, partners: TestClient, events: TestClient, settings: Settings, made: TablesMade
) -> str:
    """``path`` with its parameters naming objects of ``owner``'s, made for this request."""
    url = path.replace("{partner_id}", owner)
    if "{table_id}" in url:
        table = made.add(created(partners.post("/tables", json=table_body(owner), headers=HUB), "table_id"))
        url = url.replace("{table_id}", table)
    if "{offer_id}" in url:
        offer = created(partners.post("/offers", json=job_offer(owner), headers=HUB), "offer_id")
        url = url.replace("{offer_id}", offer)
    if "{proposal_id}" in url:
        status = STATUS_FOR.get(url.rsplit("/", 1)[-1], "not_possible")
        url = url.replace("{proposal_id}", decided_proposal(events, settings, owner, status))
    return url


@pytest.mark.parametrize(
    ("service", "method", "path", "role"), ROUTE_CASES, ids=[f"{s}:{m} {p}:{r}" for s, m, p, r in ROUTE_CASES]
)
def test_every_route_answers_each_role_as_the_matrix_says(
    service: str,
    method: str,
    path: str,
    role: str,
    partners: TestClient,
    events: TestClient,
    world: World,
    settings: Settings,
    tables_made: TablesMade,
) -> None:
    allowed = MATRICES[service].get((method, path))
    if allowed is None:
        pytest.fail(
            f"{method} {path} of {service}-api is not in the authorization matrix: add it with its roles"
        )
    owner = register(partners, "03")
    url = url_for(path, owner, partners, events, settings, tables_made)
    body = body_for(method, path, owner)
    client = partners if service == "partners" else events
    response = client.request(method, url, json=body, headers=headers(role, owner, world))

    if role == "none":
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"
    elif role in allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("service", sorted(MATRICES))
def test_the_matrix_names_only_routes_that_exist(service: str) -> None:
    assert set(MATRICES[service]) <= set(guarded_routes(service))


PUBLIC_ROUTES = [p for m, p in routes(partners_app(OFFLINE)) if p.startswith(PUBLIC) and m == "GET"]
FEEDS = [p for m, p in routes(events_app(OFFLINE)) if p.startswith(PUBLIC) and m == "GET"]


@pytest.mark.parametrize("path", PUBLIC_ROUTES)
def test_reference_data_is_read_without_a_token(path: str, partners: TestClient) -> None:
    response = partners.get(path.replace("{code}", "05"))
    assert response.status_code == 200, response.text
    assert response.json()


@pytest.mark.parametrize("path", FEEDS)
def test_calendar_feeds_are_read_without_a_token(path: str, events: TestClient, partners: TestClient) -> None:
    owner = register(partners, "05")  # an unknown partner's feed is a 404 (test_feeds.py)
    eventually(lambda: events.get(f"/feeds/partners/{owner}.ics").status_code == 200, 30, "the partner")
    response = events.get(path.replace("{region}", "05").replace("{partner_id}", owner))
    assert response.status_code == 200, response.text
    assert response.text.startswith("BEGIN:VCALENDAR")


# Region scope: a partner acts only for the regions it serves, and Montréal is never a
# destination. Every write whose body names a region is tried for a region the owner serves
# ("served", 03), one it does not ("other", 13: Laval, whose tables delegate no one, so no
# delegation protects it) and Montréal (06), by each role the matrix allows.
SERVED, OTHER, MONTREAL = "03", "13", "06"


def _offer_in(region: str) -> dict[str, Any]:
    job = {"cnp": "21231", "region": region, "positions": 1, "hours_per_week": 35, "hourly_wage": "30.00"}
    return {"title": unique("Analyste"), "job": {**job, "start_date": "2031-09-01"}}


def _proposal_in(owner: str, region: str) -> dict[str, Any]:
    return {**(body_for("POST", "/proposals", owner) or {}), "regions": [region]}


REGION_BODIES: dict[tuple[str, str], Callable[[str, str], dict[str, Any]]] = {
    ("POST", "/offers"): lambda owner, region: {"partner_id": owner, "kind": "job", **_offer_in(region)},
    ("PUT", "/offers/{offer_id}"): lambda owner, region: _offer_in(region),
    ("PATCH", "/partners/{partner_id}"): lambda owner, region: {"regions": [SERVED, region]},
    ("POST", "/proposals"): _proposal_in,
}
# What each allowed role gets, by region: the hub naming the partner is told which field is
# wrong (422); the partner itself may not act there (403). A partner's own regions are the
# hub's to widen, but Montréal is a region a partner (the hub's own organizations) may serve.
SCOPE_EXPECTED: dict[tuple[str, str], dict[str, dict[str, int]]] = {
    ("PATCH", "/partners/{partner_id}"): {
        "hub": {SERVED: 200, OTHER: 200, MONTREAL: 200},
        "partner": {SERVED: 200, OTHER: 403, MONTREAL: 403},
    },
}
DESTINATION_EXPECTED = {
    "hub": {SERVED: 2, OTHER: 422, MONTREAL: 422},
    "partner": {SERVED: 2, OTHER: 403, MONTREAL: 422},
}
SCOPE_CASES = [
    (s, m, p, role, region)
    for s in FACTORIES
    for m, p in guarded_routes(s)
    if (m, p) in REGION_BODIES
    for role in sorted(MATRICES[s][(m, p)])
    for region in (SERVED, OTHER, MONTREAL)
]


def _names_a_region(schema: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            return name not in seen and _names_a_region(components[name], components, seen | {name})
        if {"region", "regions"} & set(schema.get("properties", {})):
            return True
        return any(_names_a_region(v, components, seen) for v in schema.values())
    if isinstance(schema, list):
        return any(_names_a_region(v, components, seen) for v in schema)
    return False


@pytest.mark.parametrize("service", sorted(FACTORIES))
def test_every_write_naming_a_region_is_in_the_region_scope_matrix(service: str) -> None:
    document = FACTORIES[service](OFFLINE).openapi()
    components = document.get("components", {}).get("schemas", {})
    hub_only = {(m, p) for (m, p), roles in MATRICES[service].items() if roles == {"hub"}}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            key = (method.upper(), path)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if key in hub_only or not _names_a_region(body.get("schema"), components):
                continue  # the hub alone acts there: no partner to scope
            assert key in REGION_BODIES, f"{method.upper()} {path} names a region: add it to REGION_BODIES"


@pytest.mark.parametrize(
    ("service", "method", "path", "role", "region"),
    SCOPE_CASES,
    ids=[f"{s}:{m} {p}:{r}:region {g}" for s, m, p, r, g in SCOPE_CASES],
)
def test_a_partner_acts_only_for_the_regions_it_serves_and_never_for_montreal(
    service: str,
    method: str,
    path: str,
    role: str,
    region: str,
    partners: TestClient,
    events: TestClient,
    world: World,
    settings: Settings,
    tables_made: TablesMade,
) -> None:
    owner = register(partners, SERVED)
    url = url_for(path, owner, partners, events, settings, tables_made)
    body = REGION_BODIES[(method, path)](owner, region)
    client = partners if service == "partners" else events
    response = client.request(method, url, json=body, headers=headers(role, owner, world))

    expected = SCOPE_EXPECTED.get((method, path), DESTINATION_EXPECTED)[role][region]
    if expected == 2:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == expected, response.text
    if expected in (403, 422):
        answer = response.json()
        assert answer["code"] in {"region_not_served", "montreal_not_destination"}, answer


def test_the_cases_found_probing_a_partner_of_nord_du_quebec_acts_only_there(
    partners: TestClient, events: TestClient, settings: Settings
) -> None:
    # Issue #23, point 1, as reported: a partner of region 10 proposed for Montréal (scheduled, in
    # the 06 feed) and for Laval (13), and published an intake capacity in Gaspésie (11).
    owner = register(partners, "10")
    as_owner = bearer("partner", owner)
    before = len(read_topic(settings.kafka.bootstrap_servers, "event-proposals.v1"))
    for region, status in (("06", 422), ("13", 403)):
        response = events.post("/proposals", json=_proposal_in(owner, region), headers=as_owner)
        assert response.status_code == status, response.text
    intake = {"region": "11", "households_per_month": 4}
    body = {"kind": "intake_capacity", "title": unique("Accueil en Gaspésie"), "intake": intake}
    offer = partners.post("/offers", json=body, headers=as_owner)
    assert offer.status_code == 403, offer.text
    assert offer.json()["code"] == "region_not_served"
    assert len(read_topic(settings.kafka.bootstrap_servers, "event-proposals.v1")) == before
