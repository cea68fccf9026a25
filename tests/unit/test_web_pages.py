"""The web service's pages with a fixed clock, a mailer that keeps what it sends, and a stand-in
for matching-api that checks tokens as the real one does (the browser tests use the real one).

Registration sends nothing to the API before the emailed link is used; a link works once and
for 15 minutes; a form without its CSRF token is refused; another person's file is refused; a
name written as HTML shows as text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.common.auth import Role, verify
from services.common.clock import FixedClock
from services.common.settings import Settings
from services.matching.domain import case_id_for
from services.matching.models import InterestUpdate
from services.web.app import create_app
from services.web.texts import TEXTS

TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "web" / "templates"
XSS = "<script>alert(1)</script>"


class KeptMail:
    """A mailer that keeps every message."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def last_link(self) -> str:
        body = self.sent[-1].get_content()
        found = re.search(r"http://\S+", body)
        assert found, body
        return found.group(0)


class FakeMatching:
    """matching-api's few routes the web uses, with its rule: a person sees only their own case."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings, self.clock = settings, clock
        self.interests: dict[str, dict[str, Any]] = {}
        self.cases: dict[uuid.UUID, uuid.UUID] = {}
        self.withdrawn: set[str] = set()
        self.entitlements: list[dict[str, Any]] = []  # every case's
        self.profile_updates: list[dict[str, Any]] = []
        self.referrals: list[dict[str, Any]] = []  # every person's
        self.plan_actions: list[tuple[str, str]] = []  # (referral id, action)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        principal = verify(self.settings.auth, token, self.clock.now())
        path = request.url.path
        if path.startswith("/people/") and not path.endswith("/referrals"):
            return self._person(request, principal, path.split("/")[2])
        if request.method == "POST" and path == "/interests":
            assert principal.role is Role.HUB
            person = uuid.uuid5(uuid.NAMESPACE_URL, request.headers["idempotency-key"])
            self.interests[str(person)] = httpx.Response(200, content=request.content).json()
            self.cases[case_id_for(person)] = person
            return httpx.Response(202, json={"person_id": str(person), "case_id": str(case_id_for(person))})
        if path == "/counsellors":
            return httpx.Response(200, json=[])
        if path.startswith("/cases/"):
            case_id = uuid.UUID(path.rsplit("/", 1)[1])
            owner = self.cases.get(case_id)
            if owner is None:
                return httpx.Response(404, json={"code": "not_found", "message": "not found"})
            if principal.role is Role.PERSON and principal.subject != str(owner):
                return httpx.Response(403, json={"code": "forbidden", "message": "forbidden"})
            if str(owner) not in self.interests:
                return httpx.Response(404, json={"code": "not_found", "message": "not found"})
            case = _case(case_id, owner, self.clock, str(owner) in self.withdrawn)
            return httpx.Response(200, json={**case, "entitlements": self.entitlements})
        if path.endswith("/referrals"):
            return httpx.Response(200, json=self.referrals)
        if request.method == "POST" and path.startswith("/referrals/"):
            _, _, referral_id, action = path.split("/")
            self.plan_actions.append((referral_id, action))
            return httpx.Response(202, json={"referral_id": referral_id, "action": action})
        return httpx.Response(404, json={})

    def _person(self, request: httpx.Request, principal: Any, person: str) -> httpx.Response:
        """Contact data (read, change), withdrawal and erasure: a person only their own."""
        if principal.role is Role.PERSON and principal.subject != person:
            return httpx.Response(403, json={"code": "forbidden", "message": "forbidden"})
        interest = self.interests.get(person)
        if interest is None:
            return httpx.Response(404, json={"code": "not_found", "message": "not found"})
        action = (request.method, request.url.path.removeprefix(f"/people/{person}"))
        if action == ("DELETE", ""):
            del self.interests[person]
            return httpx.Response(202, json={"person_id": person, "status": "erasing"})
        if action == ("GET", "/contact"):
            return httpx.Response(200, json={**interest["contact"], "language": interest["language"]})
        if person in self.withdrawn and action[0] != "GET":
            return httpx.Response(409, json={"code": "conflict", "message": "withdrew"})
        if action == ("GET", "/interest"):
            return httpx.Response(200, json={k: v for k, v in interest.items() if k != "contact"})
        if action == ("PUT", "/interest"):
            return self._update(interest, httpx.Response(200, content=request.content).json())
        if action == ("POST", "/withdraw"):
            self.withdrawn.add(person)
            return httpx.Response(202, json={"person_id": person})
        if action == ("PUT", "/contact"):
            change = httpx.Response(200, content=request.content).json()
            interest["language"] = change.pop("language")
            interest["contact"] = change
            return httpx.Response(202, json={"person_id": person})
        return httpx.Response(404, json={})

    def _update(self, interest: dict[str, Any], change: dict[str, Any]) -> httpx.Response:
        """A new revision of the profile, checked by the API's own model."""
        try:
            InterestUpdate.model_validate(change)
        except ValidationError as exc:
            return httpx.Response(422, json={"code": "invalid", "message": str(exc.errors()[0]["msg"])})
        self.profile_updates.append(change)
        interest.update(change)
        return httpx.Response(202, json={})


def _case(
    case_id: uuid.UUID, person: uuid.UUID, clock: FixedClock, withdrawn: bool = False
) -> dict[str, Any]:
    return {
        "case_id": str(case_id),
        "person_id": str(person),
        "status": "withdrawn" if withdrawn else "open",
        "language": "fr",
        "preferred_regions": ["05"],
        "opened_at": clock.now().isoformat(),
    }


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, KeptMail, FakeMatching, FixedClock]]:
    settings = Settings(environment="test", data_dir=str(tmp_path))
    clock, mail = FixedClock(), KeptMail()
    matching = FakeMatching(settings, clock)
    app = create_app(settings, clock=clock, mailer=mail, transport=httpx.MockTransport(matching))
    with TestClient(app) as client:
        yield client, mail, matching, clock


def _csrf(client: TestClient, path: str = "/sign-in") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _form(name: str = "Amina Diallo", email: str = "amina@example.ca") -> dict[str, str]:
    return {
        "name": name,
        "email": email,
        "language": "fr",
        "immigration_status": "permanent_resident",
        "occupation": "registered NURSES and registered psychiatric nurses",
        "years": "4",
        "region_1": "05",
        "adults": "1",
        "children": "4, 9",
        "consent_contact": "yes",
    }


def _register(client: TestClient, form: dict[str, str]) -> Any:
    csrf = _csrf(client, "/register")
    review = client.post("/register", data={**form, "csrf_token": csrf})
    assert review.status_code == 200, review.text
    draft = re.search(r'name="draft" value="([^"]+)"', review.text)
    assert draft
    return client.post("/register/send", data={"csrf_token": csrf, "draft": draft.group(1), "send": "yes"})


def _follow(client: TestClient, link: str) -> Any:
    path = link.split("://", 1)[1].split("/", 1)[1]
    return client.post("/" + path, data={"csrf_token": _csrf(client)}, follow_redirects=False)


def test_nothing_reaches_the_api_before_the_address_is_confirmed(world: Any) -> None:
    client, mail, matching, _ = world
    sent = _register(client, _form())
    assert sent.status_code == 200
    assert "Confirmez votre adresse courriel" in sent.text
    assert matching.interests == {}
    assert mail.sent[-1]["To"] == "amina@example.ca"
    confirmed = _follow(client, mail.last_link())
    assert confirmed.status_code == 303
    assert len(matching.interests) == 1
    interest = next(iter(matching.interests.values()))
    assert interest["occupations"] == [{"cnp": "31301", "years": 4}]
    assert interest["consents"] == {"contact": True, "referral": False, "share_contact": False}
    assert interest["household"] == {"adults": 1, "children_ages": [4, 9]}
    file = client.get("/my-file")
    assert file.status_code == 200
    assert "Ouvert" in file.text


def test_a_confirmation_link_works_once(world: Any) -> None:
    client, mail, matching, _ = world
    _register(client, _form())
    link = mail.last_link()
    assert _follow(client, link).status_code == 303
    again = _follow(client, link)
    assert again.status_code == 400
    assert "déjà servi" in again.text
    assert len(matching.interests) == 1


def test_a_link_opened_after_fifteen_minutes_is_refused(world: Any) -> None:
    client, mail, matching, clock = world
    _register(client, _form())
    clock.advance(timedelta(minutes=15))
    link = mail.last_link()
    assert client.get(link.split("8004", 1)[1]).status_code == 400
    late = _follow(client, link)
    assert late.status_code == 400
    assert "expiré" in late.text
    assert matching.interests == {}


def test_a_sign_in_link_works_once_then_the_session_ends_at_sign_out(world: Any) -> None:
    client, mail, _, _ = world
    _register(client, _form())
    _follow(client, mail.last_link())
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    assert client.get("/my-file", follow_redirects=False).headers["location"] == "/sign-in"
    unknown = client.post("/sign-in", data={"email": "nobody@example.ca", "csrf_token": _csrf(client)})
    assert unknown.status_code == 200
    count = len(mail.sent)
    client.post("/sign-in", data={"email": "AMINA@example.ca", "csrf_token": _csrf(client)})
    assert len(mail.sent) == count + 1, "an address with an account gets its link; an unknown one gets none"
    link = mail.last_link()
    assert _follow(client, link).status_code == 303
    assert client.get("/my-file").status_code == 200
    assert _follow(client, link).status_code == 400


def test_a_form_posted_without_its_csrf_token_is_refused(world: Any) -> None:
    client, mail, matching, _ = world
    _csrf(client)
    for path, data in (("/register", _form()), ("/sign-in", {"email": "amina@example.ca"})):
        refused = client.post(path, data=data)
        assert refused.status_code == 403
        forged = client.post(path, data={**data, "csrf_token": "0" * 64})
        assert forged.status_code == 403
    assert mail.sent == []
    assert matching.interests == {}


def test_another_persons_file_is_refused(world: Any) -> None:
    client, mail, _, _ = world
    _register(client, _form(email="first@example.ca"))
    _follow(client, mail.last_link())
    first_file = client.get("/my-file", follow_redirects=False).headers["location"]
    client.cookies.clear()
    _register(client, _form(email="second@example.ca"))
    _follow(client, mail.last_link())
    assert client.get(first_file).status_code == 403


def test_a_name_written_as_html_shows_as_text(world: Any) -> None:
    client, mail, _, _ = world
    csrf = _csrf(client, "/register")
    review = client.post("/register", data={**_form(name=XSS), "csrf_token": csrf})
    assert XSS not in review.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review.text
    _register(client, _form(name=XSS))
    message = mail.sent[-1]
    assert message.get_content_type() == "text/plain"
    assert XSS in message.get_content()


def test_the_form_says_what_to_correct_in_the_chosen_language(world: Any) -> None:
    client, _, _, _ = world
    client.get("/language/en?next=/register")
    csrf = _csrf(client, "/register")
    form = {**_form(), "email": "not-an-address", "region_2": "05", "arrival_date": "2099-01-01"}
    del form["consent_contact"]
    refused = client.post("/register", data={**form, "csrf_token": csrf})
    assert refused.status_code == 400
    for message in (
        "Enter an email address",
        "Choose each region only once",
        "cannot be in the future",
        "Tick",
    ):
        assert message in refused.text
    assert 'href="#email"' in refused.text


def test_the_language_switch_stays_on_this_site() -> None:
    from services.web.pages import safe_next

    assert safe_next("/register?x=1") == "/register?x=1"
    for outside in ("//evil.example", "https://evil.example", "\\\\evil", "", None):
        assert safe_next(outside) == "/"


def test_every_text_the_templates_name_is_in_the_catalogue() -> None:
    named = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(
            re.findall(r"""\bt\(\s*["']([a-z_]+)["']\s*[,)]""", template.read_text(encoding="utf-8"))
        )
    assert named, "no t('…') found: the pattern is wrong"
    assert named <= set(TEXTS), named - set(TEXTS)
