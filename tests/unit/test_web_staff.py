"""The web's staff pages with a fixed clock and a stand-in for matching-api: who may open them,
and that the override and the contact read go to the API as the signed-in counsellor."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.common.auth import Role, verify
from services.common.clock import FixedClock
from services.common.settings import Settings
from services.web.app import create_app
from services.web.links import account_key
from services.web.store import Account
from tests.unit.test_web_pages import KeptMail

COUNSELLOR = uuid.UUID("0c0c0c0c-1111-4222-8333-444455556666")
PERSON = uuid.UUID("0d0d0d0d-1111-4222-8333-444455556666")
CASE = uuid.UUID("0e0e0e0e-1111-4222-8333-444455556666")
REFERRAL = uuid.UUID("0f0f0f0f-1111-4222-8333-444455556666")


class StaffMatching:
    """What matching-api answers a counsellor; it keeps every call with its caller."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings, self.clock = settings, clock
        self.calls: list[tuple[str, str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        principal = verify(self.settings.auth, request.headers["authorization"][7:], self.clock.now())
        path = request.url.path
        self.calls.append((principal.subject, request.method, str(request.url), request.content))
        if principal.role is Role.PERSON:
            return httpx.Response(403, json={"code": "forbidden", "message": "forbidden"})
        if path == "/cases":
            return httpx.Response(200, json=[self._case()])
        if path == f"/cases/{CASE}":
            return httpx.Response(200, json=self._case())
        if path == f"/people/{PERSON}/contact":
            contact = {
                "person_id": str(PERSON),
                "name": "<b>Ana</b>",
                "email": "ana@example.ca",
                "language": "fr",
            }
            return httpx.Response(200, json=contact)
        if path == "/contacts/search":
            return httpx.Response(200, json=[{"person_id": str(PERSON), "case_id": str(CASE), "name": "Ana"}])
        if path.endswith("/referrals"):
            return httpx.Response(200, json=[self._referral()])
        if path.endswith("/override"):
            return httpx.Response(202, json={"referral_id": str(REFERRAL), "action": "override"})
        return httpx.Response(404, json={})

    def _case(self) -> dict[str, Any]:
        return {
            "case_id": str(CASE),
            "person_id": str(PERSON),
            "status": "open",
            "language": "fr",
            "preferred_regions": ["05"],
            "opened_at": self.clock.now().isoformat(),
            "counsellor_id": str(COUNSELLOR),
        }

    def _referral(self) -> dict[str, Any]:
        return {
            "referral_id": str(REFERRAL),
            "round_id": str(uuid.uuid4()),
            "case_id": str(CASE),
            "person_id": str(PERSON),
            "household_size": 1,
            "region": "05",
            "welcoming_partner_id": None,
            "welcoming_offer_id": None,
            "preference_rank": 1,
            "counsellor_id": str(COUNSELLOR),
            "status": "proposed",
            "decided_by": "round",
            "issued_at": self.clock.now().isoformat(),
            "updated_at": self.clock.now().isoformat(),
        }


@pytest.fixture
def staff_world(tmp_path: Path) -> Iterator[tuple[TestClient, StaffMatching, KeptMail]]:
    settings = Settings(environment="test", data_dir=str(tmp_path))
    clock, mail = FixedClock(), KeptMail()
    matching = StaffMatching(settings, clock)
    app = create_app(settings, clock=clock, mailer=mail, transport=httpx.MockTransport(matching))
    with TestClient(app) as client:
        yield client, matching, mail


def _sign_in(client: TestClient, mail: KeptMail, email: str, account: Account) -> None:
    web = client.app.state.web  # type: ignore[attr-defined]
    web.store.save_account(account_key(web.secret, email), account)
    csrf = _csrf(client)
    client.post("/sign-in", data={"email": email, "csrf_token": csrf})
    path = "/" + mail.last_link().split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, data={"csrf_token": csrf}, follow_redirects=False).status_code == 303


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)
    assert found
    return found.group(1)


def test_staff_pages_need_a_staff_account(staff_world: Any) -> None:
    client, _, mail = staff_world
    assert client.get("/caseload").status_code == 401
    assert client.get(f"/staff/cases/{CASE}").status_code == 401
    _sign_in(client, mail, "ana@example.ca", Account("person", str(PERSON), "fr"))
    for path in ("/caseload", f"/staff/cases/{CASE}", "/staff"):
        assert client.get(path).status_code == 403, path


def test_only_the_hub_invites_staff(staff_world: Any) -> None:
    client, _, mail = staff_world
    _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(COUNSELLOR), "fr"))
    assert client.get("/staff").status_code == 403
    refused = client.post(f"/staff/invite/{COUNSELLOR}", data={"csrf_token": _csrf(client)})
    assert refused.status_code == 403


def test_the_caseload_shows_names_only_for_what_a_search_found(staff_world: Any) -> None:
    client, matching, mail = staff_world
    _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(COUNSELLOR), "fr"))
    listed = client.get("/caseload")
    assert listed.status_code == 200
    assert "Ana" not in listed.text
    assert not any("/contacts/search" in url for _, _, url, _ in matching.calls)
    assert f"counsellor_id={COUNSELLOR}" in next(url for _, _, url, _ in matching.calls if "/cases?" in url)
    found = client.get("/caseload?q=Ana")
    assert "Ana" in found.text
    search = next(url for _, _, url, _ in matching.calls if "/contacts/search" in url)
    assert "purpose=web%3A+caseload+search" in search


def test_the_case_page_reads_the_contact_for_the_case_page_and_escapes_it(staff_world: Any) -> None:
    client, matching, mail = staff_world
    _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(COUNSELLOR), "fr"))
    page = client.get(f"/staff/cases/{CASE}")
    assert page.status_code == 200
    assert "&lt;b&gt;Ana&lt;/b&gt;" in page.text
    assert "<b>Ana</b>" not in page.text
    read = next((who, url) for who, _, url, _ in matching.calls if url.endswith("purpose=web%3A+case+page"))
    assert read[0] == str(COUNSELLOR)


def test_an_override_needs_a_reason_and_goes_to_the_api_as_the_counsellor(staff_world: Any) -> None:
    client, matching, mail = staff_world
    _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(COUNSELLOR), "fr"))
    path = f"/staff/cases/{CASE}/referrals/{REFERRAL}/override"
    short = client.post(path, data={"csrf_token": _csrf(client), "reason": "no"}, follow_redirects=False)
    assert short.headers["location"].endswith("?problem=reason")
    assert not any(url.endswith("/override") for _, _, url, _ in matching.calls)
    done = client.post(
        path, data={"csrf_token": _csrf(client), "reason": "Sa famille est à Québec"}, follow_redirects=False
    )
    assert done.headers["location"].endswith("?recorded=1")
    who, _, _, body = next(c for c in matching.calls if c[2].endswith("/override"))
    assert who == str(COUNSELLOR)
    assert b'"welcoming_offer_id":null' in body
    assert "Sa famille est" in body.decode()
