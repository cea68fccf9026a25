"""The information that would decide a possible measure, and asking for a human review of an
automated plan. The questions follow the measures'
missing facts, bad answers are named field by field in the person's language, and a good answer
sends a new revision of the whole profile (the rest unchanged) as the person.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from services.common.contracts import Entitlement
from services.web.information import check_information, questions_for, updated_profile
from tests import email_samples as samples
from tests.unit.test_web_pages import _csrf, _follow, _form, _register, world

__all__ = ["world"]  # the fixture, shared with test_web_pages

TODAY = date(2027, 1, 11)


def _measure(status: str, missing: list[str]) -> dict[str, Any]:
    return {
        "measure_code": "youth_exploratory_trip",
        "measure_offer_id": str(uuid.uuid4()),
        "name_fr": "Séjour exploratoire jeunesse (18–35 ans)",
        "name_en": "Youth exploratory trip (18–35)",
        "payee": "person",
        "status": status,
        "missing_facts": missing,
    }


def test_the_questions_are_those_of_the_possible_measures_missing_facts() -> None:
    measures = [
        Entitlement.model_validate(_measure("possible", ["post_secondary_studies", "age"])),
        Entitlement.model_validate(_measure("possible", ["job_offer_in_hand", "receives_social_assistance"])),
        Entitlement.model_validate(_measure("entitled", [])),
    ]
    assert questions_for(measures) == (["age", "studies", "income_support"], True)
    assert questions_for(measures[:1]) == (["age", "studies"], False)
    assert questions_for(measures[2:]) == ([], False)


@pytest.mark.parametrize(
    ("form", "field", "key"),
    [
        ({"age": "12"}, "age", "err_number"),
        ({"age": "vingt"}, "age", "err_number"),
        ({"age": "2²"}, "age", "err_number"),  # a digit to str.isdigit, not to int(): was a 500
        ({"studies": "phd"}, "studies", "err_choose"),
        ({"income_support": "lottery"}, "income_support", "err_choose"),
        ({"arrival_date": "2027-02-30"}, "arrival_date", "err_date"),
        ({"arrival_date": "2027-01-12"}, "arrival_date", "err_future"),
        ({"french_level": "13"}, "french_level", "err_number"),
        ({}, "age", "err_nothing_given"),
    ],
)
def test_a_bad_answer_names_its_field(form: dict[str, str], field: str, key: str) -> None:
    questions = ["age", "studies", "income_support", "arrival_date", "french_level"]
    checked = check_information(form, questions, TODAY)
    assert [(p.field, p.key) for p in checked.problems] == [(field, key)]


def test_digits_of_any_script_are_numbers() -> None:
    checked = check_information({"age": "٢٩", "french_level": "٧"}, ["age", "french_level"], TODAY)
    assert checked.ok, checked.problems
    assert checked.body == {"age": 29, "french_level": 7}


def test_only_what_is_asked_and_answered_changes() -> None:
    checked = check_information(
        {"age": "29", "studies": "bachelor", "french_level": "7"}, ["age", "studies"], TODAY
    )
    assert checked.ok
    assert checked.body == {"age": 29, "studies": "bachelor"}, "french_level was not asked"
    current = {"immigration_status": "permanent_resident", "age": None, "occupations": [{"cnp": "31301"}]}
    assert updated_profile({**current, "person_id": "x", "revision": 2}, checked.body) == {
        "immigration_status": "permanent_resident",
        "occupations": [{"cnp": "31301"}],
        "age": 29,
        "studies": "bachelor",
    }


def _signed_in(client: Any, mail: Any) -> str:
    _register(client, _form())
    _follow(client, mail.last_link())
    return str(client.get("/my-file", follow_redirects=False).headers["location"])


def test_a_person_gives_the_missing_information_and_the_profile_is_sent_again(world: Any) -> None:
    client, mail, matching, _ = world
    matching.entitlements = [_measure("possible", ["age", "post_secondary_studies", "job_offer_in_hand"])]
    file = _signed_in(client, mail)
    assert 'href="/my-file/information"' in client.get(file).text
    page = client.get("/my-file/information")
    assert 'id="age"' in page.text
    assert 'id="studies"' in page.text
    assert 'id="income_support"' not in page.text, "no possible measure needs it"
    assert "offre d&#39;emploi en main" in page.text, "what only the counsellor checks is said"

    wrong = client.post("/my-file/information", data={"age": "12", "csrf_token": _csrf(client)})
    assert wrong.status_code == 400
    assert 'href="#age"' in wrong.text
    assert "Écrivez un nombre de 16 à 100." in wrong.text
    assert matching.profile_updates == []

    sent = client.post(
        "/my-file/information",
        data={"age": "29", "studies": "college", "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Vos aides sont évaluées de nouveau" in client.get(sent.headers["location"]).text
    [update] = matching.profile_updates
    assert update["age"] == 29
    assert update["studies"] == "college"
    assert update["preferred_regions"] == ["05"], "the rest of the profile is sent unchanged"
    assert update["household"]["children_ages"] == [4, 9]


def test_with_nothing_to_ask_the_page_says_so_and_the_file_offers_no_link(world: Any) -> None:
    client, mail, matching, _ = world
    matching.entitlements = [_measure("entitled", [])]
    file = _signed_in(client, mail)
    assert "/my-file/information" not in client.get(file).text
    assert "Il ne manque aucune information" in client.get("/my-file/information").text.replace("&#39;", "'")


def test_the_form_is_for_a_signed_in_person_only(world: Any) -> None:
    client, _, _, _ = world
    assert client.get("/my-file/information").status_code == 401
    assert client.post("/my-file/information", data={"csrf_token": _csrf(client)}).status_code == 401


def test_a_person_asks_a_person_to_review_an_automated_plan(world: Any) -> None:
    client, mail, matching, clock = world
    file = _signed_in(client, mail)
    person = next(iter(matching.interests))
    plan = samples.referral().model_copy(update={"person_id": uuid.UUID(person)}).model_dump(mode="json")
    matching.referrals = [plan]
    page = client.get(file)
    assert "Faire réviser ce plan par une personne" in page.text
    asked = client.post(
        f"{file}/referrals/{plan['referral_id']}/review",
        data={"csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    assert matching.plan_actions == [(plan["referral_id"], "review")]
    matching.referrals = [{**plan, "review_requested_at": clock.now().isoformat()}]
    after = client.get(file).text
    assert "Vous avez demandé une révision le 11 janvier 2027." in after
    assert "Demander une révision" not in after, "asked once"
    reviewed = samples.referral("counsellor").model_copy(update={"person_id": uuid.UUID(person)})
    matching.referrals = [reviewed.model_dump(mode="json")]
    assert "Faire réviser" not in client.get(file).text, "a plan a counsellor made is already a person's"
