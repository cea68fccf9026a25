"""What a person does from "My file", with a fixed clock, a kept mailer and the stand-in
matching-api: change their details and language (a new address only once its link is used),
withdraw after a page that says what it does, have their data erased after ticking a box. Bad
input is a message in the person's language naming the field; the contact data never reaches
the logs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_web_pages import _csrf, _follow, _form, _register, world

__all__ = ["world"]  # the fixture, shared with test_web_pages


def _signed_in(client: Any, mail: Any, email: str = "amina@example.ca") -> str:
    _register(client, _form(email=email))
    _follow(client, mail.last_link())
    return str(client.get("/my-file", follow_redirects=False).headers["location"])


def _details(**changes: str) -> dict[str, str]:
    return {"name": "Amina Diallo", "email": "amina@example.ca", "phone": "", "language": "fr", **changes}


def test_a_person_changes_their_phone_and_language_and_the_emails_follow(
    world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client, mail, matching, _ = world
    file = _signed_in(client, mail)
    page = client.get("/my-file/details")
    assert page.status_code == 200
    assert 'value="amina@example.ca"' in page.text
    changed = client.post(
        "/my-file/details",
        data={**_details(phone="514 555-0199", language="en"), "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    after = client.get(changed.headers["location"])
    assert "Your contact details are saved." in after.text, "the site now speaks the chosen language"
    assert after.url.path == file
    person = next(iter(matching.interests.values()))
    assert person["language"] == "en"
    assert person["contact"]["phone"] == "514 555-0199"
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    client.post("/sign-in", data={"email": "amina@example.ca", "csrf_token": _csrf(client)})
    assert mail.sent[-1]["Subject"] == "Your link to sign in to Concerto"
    logged = capsys.readouterr().out
    assert "514 555-0199" not in logged
    assert "amina@example.ca" not in logged


def test_bad_details_are_named_field_by_field_in_the_persons_language(world: Any) -> None:
    client, mail, matching, _ = world
    _signed_in(client, mail)
    wrong = client.post(
        "/my-file/details",
        data={**_details(name="", email="amina-at-example", phone="call me"), "csrf_token": _csrf(client)},
    )
    assert wrong.status_code == 400
    for field, message in (
        ("name", "Écrivez votre réponse."),
        ("email", "Écrivez une adresse courriel comme nom@exemple.ca."),
        ("phone", "Écrivez un numéro de téléphone"),
    ):
        assert f'href="#{field}"' in wrong.text
        assert message in wrong.text
    assert next(iter(matching.interests.values()))["contact"]["name"] == "Amina Diallo"


def test_a_new_address_changes_nothing_until_its_link_is_used_once(world: Any) -> None:
    client, mail, matching, _ = world
    _signed_in(client, mail)
    sent = client.post(
        "/my-file/details", data={**_details(email="amina.new@example.ca"), "csrf_token": _csrf(client)}
    )
    assert "Confirmez votre nouvelle adresse" in sent.text
    assert mail.sent[-1]["To"] == "amina.new@example.ca"
    person = next(iter(matching.interests.values()))
    assert person["contact"]["email"] == "amina@example.ca"
    link = mail.last_link()
    assert "/my-file/email/" in link
    assert _follow(client, link).status_code == 303
    assert person["contact"]["email"] == "amina.new@example.ca"
    assert _follow(client, link).status_code == 400, "the link works once"
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    count = len(mail.sent)
    client.post("/sign-in", data={"email": "amina@example.ca", "csrf_token": _csrf(client)})
    assert len(mail.sent) == count, "the old address no longer signs in"
    client.post("/sign-in", data={"email": "amina.new@example.ca", "csrf_token": _csrf(client)})
    assert mail.sent[-1]["To"] == "amina.new@example.ca"


def test_links_to_a_new_address_are_rate_limited_like_registrations(world: Any) -> None:
    client, mail, _, _ = world
    _signed_in(client, mail)
    count = len(mail.sent)
    new = {**_details(email="amina.new@example.ca")}
    answers = [client.post("/my-file/details", data={**new, "csrf_token": _csrf(client)}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429], "3 an hour for one address"
    assert "Trop de demandes" in answers[3].text
    assert len(mail.sent) == count + 3


def test_withdrawing_asks_first_then_closes_the_file(world: Any) -> None:
    client, mail, matching, _ = world
    file = _signed_in(client, mail)
    assert "/my-file/withdraw" in client.get(file).text
    ask = client.get("/my-file/withdraw")
    assert "Retirer mon inscription ?" in ask.text
    assert "votre plan d&#39;orientation est annulé" in ask.text
    assert matching.withdrawn == set()
    assert client.post("/my-file/withdraw", data={}).status_code == 403, "no CSRF token, no withdrawal"
    done = client.post("/my-file/withdraw", data={"csrf_token": _csrf(client)})
    assert "Votre inscription est retirée." in done.text
    assert '<dd id="case-status">Retiré</dd>' in done.text
    assert len(matching.withdrawn) == 1
    assert "/my-file/details" not in done.text, "a withdrawn file's details no longer change"
    late = client.post("/my-file/details", data={**_details(), "csrf_token": _csrf(client)})
    assert late.status_code == 409
    again = client.post("/my-file/withdraw", data={"csrf_token": _csrf(client)})
    assert again.status_code == 409


def test_erasure_needs_the_box_ticked_then_the_file_and_the_account_are_gone(world: Any) -> None:
    client, mail, matching, _ = world
    client.get("/language/en?next=/")
    file = _signed_in(client, mail)
    unticked = client.post("/my-file/erase", data={"csrf_token": _csrf(client)})
    assert unticked.status_code == 400
    assert 'href="#understood"' in unticked.text
    assert "Tick this box to erase your data." in unticked.text
    assert len(matching.interests) == 1
    erased = client.post("/my-file/erase", data={"csrf_token": _csrf(client), "understood": "yes"})
    assert erased.status_code == 200
    assert "Your data is erased" in erased.text
    assert "Sign out" not in erased.text
    assert matching.interests == {}
    assert client.get("/my-file", follow_redirects=False).headers["location"] == "/sign-in"
    assert client.get(file).status_code == 401
    count = len(mail.sent)
    client.post("/sign-in", data={"email": "amina@example.ca", "csrf_token": _csrf(client)})
    assert len(mail.sent) == count, "an erased person has no account left"


@pytest.mark.parametrize("path", ["/my-file/details", "/my-file/withdraw", "/my-file/erase"])
def test_the_pages_of_my_file_need_a_signed_in_person(world: Any, path: str) -> None:
    client, _, _, _ = world
    assert client.get(path).status_code == 401
    assert client.post(path, data={"csrf_token": _csrf(client)}).status_code == 401
