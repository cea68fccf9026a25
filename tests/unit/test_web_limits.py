"""Rate limits on sign-in and registration, with a fixed clock: per address and per client, a
page in the person's language with 429 and when to try again, and room again once the window
has passed.

``limits`` reads ``time.time`` itself and takes no clock, so the fixture hands its memory
storage (and the web's throttle) the fixed clock's time instead (services/web/throttle.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import limits.storage.memory
import pytest
from fastapi.testclient import TestClient

import services.web.throttle
from services.common.clock import FixedClock
from services.common.settings import Settings, WebSettings
from services.web.app import create_app
from services.web.throttle import Rules, Throttle
from tests.unit.test_web_pages import FakeMatching, KeptMail, _csrf, _form, _register


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock()
    pinned = SimpleNamespace(time=fixed.timestamp)
    monkeypatch.setattr(limits.storage.memory, "time", pinned)
    monkeypatch.setattr(services.web.throttle, "time", pinned)
    return fixed


@pytest.fixture
def world(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[TestClient, KeptMail, FakeMatching]]:
    web = WebSettings(
        signin_limit_per_address="3/15 minutes",
        signin_limit_per_client="5/15 minutes",
        register_limit_per_address="2/hour",
        register_limit_per_client="4/hour",
    )
    settings = Settings(environment="test", data_dir=str(tmp_path), web=web)
    mail = KeptMail()
    matching = FakeMatching(settings, clock)
    app = create_app(settings, clock=clock, mailer=mail, transport=httpx.MockTransport(matching))
    with TestClient(app) as client:
        yield client, mail, matching


def _sign_in(client: TestClient, email: str) -> Any:
    return client.post("/sign-in", data={"email": email, "csrf_token": _csrf(client)})


def test_the_fourth_sign_in_link_for_one_address_waits_until_the_window_passes(
    world: Any, clock: FixedClock
) -> None:
    client, _, _ = world
    for _ in range(3):
        assert _sign_in(client, "amina@example.ca").status_code == 200
    clock.advance(timedelta(minutes=5, seconds=30))
    refused = _sign_in(client, "AMINA@example.ca ")  # the same address, written otherwise
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(9 * 60 + 31)
    assert "Trop de demandes" in refused.text
    assert "Réessayez dans 10 minutes." in refused.text
    assert "amina" not in refused.text.lower(), "the page does not repeat the address"
    assert _sign_in(client, "samuel@example.ca").status_code == 200, "another address is not held back"
    clock.advance(timedelta(seconds=9 * 60 + 29))
    assert _sign_in(client, "amina@example.ca").status_code == 429, "a second early is still too early"
    clock.advance(timedelta(seconds=2))
    assert _sign_in(client, "amina@example.ca").status_code == 200


def test_one_client_asking_for_many_addresses_is_held_back_in_english_too(
    world: Any, clock: FixedClock
) -> None:
    client, _, _ = world
    client.get("/language/en?next=/sign-in")
    for n in range(5):
        assert _sign_in(client, f"person{n}@example.ca").status_code == 200
    clock.advance(timedelta(minutes=14, seconds=30))
    refused = _sign_in(client, "someone.else@example.ca")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "31"
    assert "Too many requests" in refused.text
    assert "Try again in 1 minute." in refused.text
    clock.advance(timedelta(seconds=31))
    assert _sign_in(client, "someone.else@example.ca").status_code == 200


def test_an_unknown_address_counts_like_a_known_one(world: Any) -> None:
    """A refusal must not tell who has an account: every attempt counts."""
    client, mail, _ = world
    for _ in range(3):
        _sign_in(client, "nobody@example.ca")
    assert _sign_in(client, "nobody@example.ca").status_code == 429
    assert mail.sent == []


def test_registrations_for_one_address_are_limited_and_nothing_is_sent_past_the_limit(
    world: Any, clock: FixedClock
) -> None:
    client, mail, matching = world
    assert _register(client, _form()).status_code == 200
    assert _register(client, _form()).status_code == 200
    clock.advance(timedelta(minutes=30, seconds=10))
    refused = _register(client, _form())
    assert refused.status_code == 429
    assert "Réessayez dans 30 minutes." in refused.text
    assert len(mail.sent) == 2
    assert matching.interests == {}
    assert _register(client, _form(email="autre@example.ca")).status_code == 200
    clock.advance(timedelta(minutes=30))
    assert _register(client, _form()).status_code == 200


def test_a_bad_address_is_a_form_message_not_a_count(world: Any) -> None:
    client, _, _ = world
    for _ in range(6):
        wrong = _sign_in(client, "not-an-address")
        assert wrong.status_code == 400
    assert _sign_in(client, "amina@example.ca").status_code == 200


def test_the_throttle_counts_the_client_before_the_address(clock: FixedClock) -> None:
    throttle = Throttle("signin", Rules(per_address="2/minute", per_client="1/minute"))
    assert throttle.hit("10.0.0.1", "key-a") is None
    assert throttle.hit("10.0.0.1", "key-b") == 61
    # The refused client did not use up key-b's allowance: another client still may.
    assert throttle.hit("10.0.0.2", "key-b") is None
    assert throttle.hit("10.0.0.3", "key-b") is None
    assert throttle.hit("10.0.0.4", "key-b") == 61
