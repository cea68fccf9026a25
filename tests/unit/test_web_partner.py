"""The web's partner pages with a fixed clock and a stand-in for matching-api that authorizes as the
real one does: a partner sees only the households referred to it, their contact only where the
person agreed, and records milestones with form messages in its language; any other id is a 404."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.common.auth import Principal, Role, verify
from services.common.clock import FixedClock
from services.common.settings import HubSettings, Settings
from services.web.app import create_app
from services.web.invite import open_staff_accounts
from services.web.store import Account
from tests.unit.test_web_pages import KeptMail
from tests.unit.test_web_staff import _csrf, _sign_in

ESTRIE = uuid.UUID("0a0a0a0a-1111-4222-8333-444455556666")  # the welcoming partner signed in
MAURICIE = uuid.UUID("0b0b0b0b-1111-4222-8333-444455556666")  # another partner
SHARED, HIDDEN, OTHERS = (uuid.UUID(f"{n}{n}{n}{n}{n}{n}{n}{n}-1111-4222-8333-444455556666") for n in "123")


def _referral(referral_id: uuid.UUID, partner: uuid.UUID, status: str, when: str) -> dict[str, Any]:
    return {
        "referral_id": str(referral_id),
        "round_id": str(uuid.uuid4()),
        "partner_id": str(partner),
        "region": "05" if partner == ESTRIE else "04",
        "status": status,
        "household": {"adults": 2, "children_ages": [4]},
        "occupations": ["72410"],
        "french_level": 6,
        "language": "fr",
        "contact_shared": referral_id == SHARED,
        "counsellor_id": None,
        "issued_at": when,
        "updated_at": when,
    }


class PartnerMatching:
    """What matching-api answers partners, authorizing as it does; keeps every call with its caller."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings, self.clock = settings, clock
        self.calls: list[tuple[Principal, str, str, bytes]] = []
        self.refusal: httpx.Response | None = None  # what the next milestone gets, when set
        now = clock.now().isoformat()
        self.households = {  # referral id → (case id, partner, the API's detail)
            SHARED: (uuid.uuid4(), ESTRIE, _referral(SHARED, ESTRIE, "accepted", now)),
            HIDDEN: (uuid.uuid4(), ESTRIE, _referral(HIDDEN, ESTRIE, "proposed", now)),
            OTHERS: (uuid.uuid4(), MAURICIE, _referral(OTHERS, MAURICIE, "accepted", now)),
        }

    def case_of(self, referral_id: uuid.UUID) -> uuid.UUID:
        return self.households[referral_id][0]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        principal = verify(self.settings.auth, request.headers["authorization"][7:], self.clock.now())
        self.calls.append((principal, request.method, request.url.path, request.content))
        parts = request.url.path.strip("/").split("/")
        if parts[0] == "partners":
            return self._referrals(principal, uuid.UUID(parts[1]), parts[3:])
        if parts[0] == "cases":
            return self._settlement(principal, uuid.UUID(parts[1]), request)
        return httpx.Response(404, json={"code": "not_found"})

    def _detail(self, referral_id: uuid.UUID) -> dict[str, Any]:
        case_id, _, referral = self.households[referral_id]
        contact = {"name": "<b>Ana</b>", "email": "ana@example.ca", "phone": None}
        return {
            "case_id": str(case_id),
            "referral": referral,
            "contact": contact if referral_id == SHARED else None,
        }

    def _referrals(self, principal: Principal, partner: uuid.UUID, rest: list[str]) -> httpx.Response:
        if not principal.acts_for(partner):
            return httpx.Response(403, json={"code": "forbidden"})
        mine = [r for r, (_, p, _) in self.households.items() if p == partner]
        if not rest:
            return httpx.Response(200, json=[self._detail(r) for r in mine])
        if uuid.UUID(rest[0]) not in mine:
            return httpx.Response(404, json={"code": "not_found"})
        return httpx.Response(200, json=self._detail(uuid.UUID(rest[0])))

    def _settlement(self, principal: Principal, case_id: uuid.UUID, request: httpx.Request) -> httpx.Response:
        found = [
            (r, p) for r, (c, p, d) in self.households.items() if c == case_id and d["status"] == "accepted"
        ]
        if not found:
            return httpx.Response(404, json={"code": "not_found"})
        referral_id, partner = found[0]
        if not principal.acts_for(partner):
            return httpx.Response(403, json={"code": "forbidden"})
        if request.method == "POST":
            refusal, self.refusal = self.refusal, None
            return refusal or httpx.Response(202, json={"case_id": str(case_id), "action": "milestone"})
        settlement = {
            "case_id": str(case_id),
            "person_id": str(uuid.uuid4()),
            "referral_id": str(referral_id),
            "region": "05",
            "welcoming_partner_id": str(partner),
            "status": "contacted",
            "first_contact_on": "2027-01-05",
            "opened_at": (self.clock.now() - timedelta(days=30)).isoformat(),
            "updated_at": self.clock.now().isoformat(),
        }
        return httpx.Response(200, json=settlement)

    def milestones_posted(self) -> list[tuple[Principal, str, bytes]]:
        return [(who, path, body) for who, method, path, body in self.calls if method == "POST"]


@pytest.fixture
def partner_world(tmp_path: Path) -> Iterator[tuple[TestClient, PartnerMatching, KeptMail]]:
    settings = Settings(environment="test", data_dir=str(tmp_path))
    clock, mail = FixedClock(), KeptMail()
    matching = PartnerMatching(settings, clock)
    app = create_app(settings, clock=clock, mailer=mail, transport=httpx.MockTransport(matching))
    with TestClient(app) as client:
        yield client, matching, mail


def _as_estrie(client: TestClient, mail: KeptMail, language: str = "fr") -> None:
    _sign_in(client, mail, "accueil@estrie.example.org", Account("partner", str(ESTRIE), language))
    client.cookies.set("concerto_lang", language)


def _record(client: TestClient, milestone: str, on: str, referral_id: uuid.UUID = SHARED) -> Any:
    form = {"csrf_token": _csrf(client), "milestone": milestone, "on": on}
    return client.post(f"/partner/households/{referral_id}/milestones", data=form, follow_redirects=False)


def test_the_partner_pages_need_a_partner_account(partner_world: Any) -> None:
    client, _, mail = partner_world
    assert client.get("/partner/households").status_code == 401
    _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(uuid.uuid4()), "fr"))
    assert client.get("/partner/households").status_code == 403
    assert client.get(f"/partner/households/{SHARED}").status_code == 403


def test_a_partner_lands_on_its_households_and_sees_only_those_referred_to_it(partner_world: Any) -> None:
    client, matching, mail = partner_world
    _as_estrie(client, mail)
    page = client.get("/partner/households")
    assert page.status_code == 200
    assert "2 ménage(s)" in page.text
    assert str(SHARED)[:8] in page.text
    assert str(HIDDEN)[:8] in page.text
    assert str(OTHERS)[:8] not in page.text
    assert all(who.partner_id == ESTRIE and who.role is Role.PARTNER for who, *_ in matching.calls)
    assert client.get("/caseload").status_code == 403, "a partner has no caseload"


def test_contact_details_show_only_where_the_person_agreed_and_are_escaped(partner_world: Any) -> None:
    client, _, mail = partner_world
    _as_estrie(client, mail, "en")
    shared = client.get(f"/partner/households/{SHARED}")
    assert "&lt;b&gt;Ana&lt;/b&gt;" in shared.text
    assert "<b>Ana</b>" not in shared.text
    assert "ana@example.ca" in shared.text
    hidden = client.get(f"/partner/households/{HIDDEN}")
    assert "ana@example.ca" not in hidden.text
    assert "did not agree to share their contact details" in hidden.text


def test_each_household_shows_its_settlement_milestones(partner_world: Any) -> None:
    client, _, mail = partner_world
    _as_estrie(client, mail)
    listed = html.unescape(client.get("/partner/households").text)
    assert "Premier contact fait" in listed
    assert "5 janvier 2027" in listed
    proposed = html.unescape(client.get(f"/partner/households/{HIDDEN}").text)
    assert "pas encore accepté son plan" in proposed
    assert 'name="milestone"' not in proposed, "nothing to record before the plan is accepted"


@pytest.mark.parametrize("referral_id", [OTHERS, uuid.uuid4()])
def test_another_partners_household_is_a_page_that_does_not_exist(
    partner_world: Any, referral_id: uuid.UUID
) -> None:
    client, matching, mail = partner_world
    _as_estrie(client, mail)
    seen = client.get(f"/partner/households/{referral_id}")
    assert seen.status_code == 404
    assert "Cette page n'existe pas" in html.unescape(seen.text)
    assert "Mauricie" not in seen.text
    assert _record(client, "arrival", "2027-01-10", referral_id).status_code == 404
    assert matching.milestones_posted() == [], "nothing reached the API"
    assert client.get("/partner/households/not-an-id").status_code == 400


def test_recording_an_arrival_goes_to_the_api_as_the_welcoming_partner(partner_world: Any) -> None:
    client, matching, mail = partner_world
    _as_estrie(client, mail)
    answer = _record(client, "arrival", " 2027-01-10 ")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/partner/households/{SHARED}?recorded=arrival"
    [(who, path, body)] = matching.milestones_posted()
    assert who.partner_id == ESTRIE
    assert path == f"/cases/{matching.case_of(SHARED)}/milestones"
    assert body == b'{"milestone":"arrival","on":"2027-01-10"}'
    assert "L'étape est enregistrée" in html.unescape(client.get(answer.headers["location"]).text)


def test_an_unknown_milestone_is_a_page_that_does_not_exist(partner_world: Any) -> None:
    client, matching, mail = partner_world
    _as_estrie(client, mail)
    assert _record(client, "close", "2027-01-10").status_code == 404
    assert matching.milestones_posted() == []


def _refused(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "field": "on", "message": "refusé"})


CASES = [
    (
        "",
        None,
        "Date d'arrivée dans la région : indiquez une date.",
        "Date of arrival in the region: enter a date.",
    ),
    (
        "2027-02-30",
        None,
        "Date d'arrivée dans la région : écrivez une vraie date, au format AAAA-MM-JJ.",
        "Date of arrival in the region: enter a real date, as YYYY-MM-DD.",
    ),
    (
        "2027-03-01",
        _refused(422, "date_in_future"),
        "Date d'arrivée dans la région : la date ne peut pas être dans le futur.",
        "Date of arrival in the region: the date cannot be in the future.",
    ),
    (
        "2026-01-01",
        _refused(422, "date_before_acceptance"),
        "Date d'arrivée dans la région : la date est avant l'acceptation du plan.",
        "Date of arrival in the region: the date is before the plan was accepted.",
    ),
    (
        "2027-01-02",
        _refused(422, "date_before_milestone"),
        "Date d'arrivée dans la région : la date est avant une étape déjà notée.",
        "Date of arrival in the region: the date is before a step already recorded.",
    ),
    (
        "2027-01-10",
        _refused(409, "settlement_step"),
        "Date d'arrivée dans la région : cette étape est déjà passée.",
        "Date of arrival in the region: this step is already past.",
    ),
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("on", "refusal", "french", "english"), CASES)
def test_a_wrong_day_is_a_form_message_naming_the_field_in_the_partners_language(
    partner_world: Any, language: str, on: str, refusal: httpx.Response | None, french: str, english: str
) -> None:
    client, matching, mail = partner_world
    _as_estrie(client, mail, language)
    matching.refusal = refusal
    answer = _record(client, "arrival", on)
    assert answer.status_code == 400
    assert (french if language == "fr" else english) in html.unescape(answer.text)
    assert '<a href="#on-arrival">' in answer.text, "the error summary links to the field"
    assert re.search(r'id="on-arrival"[^>]*aria-invalid="true"', answer.text)
    assert len(matching.milestones_posted()) == (0 if refusal is None else 1)


def test_the_move_date_form_says_it_may_be_planned_ahead(partner_world: Any) -> None:
    client, _, mail = partner_world
    _as_estrie(client, mail, "en")
    page = client.get(f"/partner/households/{SHARED}").text
    for label in ("Date of the first contact", "Date of the exploratory visit", "Planned date of the move"):
        assert label in page
    assert "Up to two years ahead." in page


def test_make_up_opens_an_account_for_each_active_partner_at_its_contact_address(partner_world: Any) -> None:
    client, _, mail = partner_world
    web = client.app.state.web
    partners = [
        {"partner_id": str(ESTRIE), "contact_email": "accueil@estrie.example.org", "language": "en"},
        {"partner_id": str(MAURICIE), "contact_email": "gone@mauricie.example.org", "status": "deactivated"},
    ]
    assert open_staff_accounts(web.store, web.secret, HubSettings(), [], partners) == 2
    client.post("/sign-in", data={"email": "accueil@estrie.example.org", "csrf_token": _csrf(client)})
    assert mail.sent[-1]["Subject"] == "Your link to sign in to Concerto"
    path = "/" + mail.last_link().split("://", 1)[1].split("/", 1)[1]
    landed = client.post(path, data={"csrf_token": _csrf(client)}, follow_redirects=False)
    assert landed.headers["location"] == "/partner/households"
