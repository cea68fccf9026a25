"""The links in notification emails (services/common/page_links.py, services/web/routes_open.py),
with a fixed clock, a kept mailer and the stand-in matching-api of test_web_pages.

A link names a person and a page, is valid 30 days, and never signs anyone in by itself: the
person's own session opens the page at once; anyone else gets a button that emails a sign-in
link to the address on the file, and that link, once used, opens the page.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.common.clock import FixedClock
from services.common.page_links import PageLinkRefused, PageLinks
from services.common.settings import Settings
from tests.unit.test_web_pages import _csrf, _follow, _form, _register, world

__all__ = ["world"]  # the fixture, shared with test_web_pages

PERSON = uuid.UUID("6f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f")


def _links(clock: FixedClock) -> PageLinks:
    """The notifications worker's links, made with the settings the web reads them with."""
    settings = Settings(environment="test")
    return PageLinks(settings.auth.secret.get_secret_value(), clock, "http://127.0.0.1:8004")


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_link_names_its_person_and_page_for_thirty_days() -> None:
    clock = FixedClock()
    links = _links(clock)
    token = links.url(PERSON, "plan").rsplit("/", 1)[1]
    assert links.read(token) == (PERSON, "plan")
    clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert links.read(token) == (PERSON, "plan")
    clock.advance(timedelta(seconds=1))
    with pytest.raises(PageLinkRefused) as expired:
        links.read(token)
    assert expired.value.reason == "expired"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        # signed with another secret
        PageLinks("another secret of at least thirty-two characters", FixedClock(), "http://x")
        .url(PERSON, "file")
        .rsplit("/", 1)[1],
    ],
)
def test_a_forged_link_is_invalid(token: str) -> None:
    with pytest.raises(PageLinkRefused) as refused:
        _links(FixedClock()).read(token)
    assert refused.value.reason == "invalid"


def test_the_persons_own_session_opens_the_plan_at_once(world: Any) -> None:
    client, mail, matching, clock = world
    _register(client, _form())
    _follow(client, mail.last_link())
    person = uuid.UUID(next(iter(matching.interests)))
    opened = client.get(_path(_links(clock).url(person, "plan")), follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/my-file#plan"


def test_signed_out_the_link_emails_a_sign_in_link_that_opens_the_page(world: Any) -> None:
    client, mail, matching, clock = world
    _register(client, _form())
    _follow(client, mail.last_link())
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    person = uuid.UUID(next(iter(matching.interests)))
    path = _path(_links(clock).url(person, "plan"))
    ask = client.get(path)
    assert ask.status_code == 200
    assert "nous envoyons un lien de connexion à l'adresse courriel de votre dossier" in ask.text.replace(
        "&#39;", "'"
    )
    count = len(mail.sent)
    sent = client.post(path, data={"csrf_token": _csrf(client)})
    assert "Nous venons d&#39;envoyer un lien" in sent.text
    assert len(mail.sent) == count + 1
    assert mail.sent[-1]["To"] == "amina@example.ca"
    signed_in = _follow(client, mail.last_link())
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/my-file#plan"
    assert _follow(client, mail.last_link()).status_code == 400, "the sign-in link works once"


def test_a_person_a_counsellor_registered_gets_an_account_on_the_files_address(world: Any) -> None:
    client, mail, matching, clock = world
    matching.interests[str(PERSON)] = {
        "contact": {"name": "Omar Haddad", "email": "omar@example.ca"},
        "language": "en",
    }
    path = _path(_links(clock).url(PERSON, "file"))
    client.post(path, data={"csrf_token": _csrf(client)})
    assert mail.sent[-1]["To"] == "omar@example.ca"
    assert mail.sent[-1]["Subject"] == "Your link to sign in to Concerto"
    signed_in = _follow(client, mail.last_link())
    assert signed_in.headers["location"] == "/my-file"
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    client.post("/sign-in", data={"email": "omar@example.ca", "csrf_token": _csrf(client)})
    assert "/sign-in/" in mail.last_link(), "the address now has an account"


def test_someone_elses_session_does_not_open_the_page_and_the_link_goes_to_the_files_address(
    world: Any,
) -> None:
    client, mail, matching, clock = world
    matching.interests[str(PERSON)] = {
        "contact": {"name": "Omar Haddad", "email": "omar@example.ca"},
        "language": "fr",
    }
    _register(client, _form())  # Amina signs in on this browser
    _follow(client, mail.last_link())
    path = _path(_links(clock).url(PERSON, "plan"))
    ask = client.get(path, follow_redirects=False)
    assert ask.status_code == 200, "Omar's link does not open Amina's session onto a page"
    client.post(path, data={"csrf_token": _csrf(client)})
    assert mail.sent[-1]["To"] == "omar@example.ca"


def test_an_old_a_forged_or_an_erased_persons_link_says_why(world: Any) -> None:
    client, _, matching, clock = world
    matching.interests[str(PERSON)] = {
        "contact": {"name": "Omar", "email": "omar@example.ca"},
        "language": "fr",
    }
    path = _path(_links(clock).url(PERSON, "file"))
    forged = client.get(path[:-3] + "abc")
    assert forged.status_code == 400
    assert "Ce lien n&#39;est pas valide." in forged.text
    del matching.interests[str(PERSON)]
    erased = client.post(path, data={"csrf_token": _csrf(client)})
    assert erased.status_code == 400
    clock.advance(timedelta(days=31))
    old = client.get(path)
    assert old.status_code == 400
    assert "marchent pendant 30 jours" in old.text


def test_asking_for_sign_in_links_from_an_email_is_rate_limited(world: Any) -> None:
    client, mail, matching, clock = world
    matching.interests[str(PERSON)] = {
        "contact": {"name": "Omar", "email": "omar@example.ca"},
        "language": "fr",
    }
    path = _path(_links(clock).url(PERSON, "file"))
    answers = [client.post(path, data={"csrf_token": _csrf(client)}).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert len(mail.sent) == 5
