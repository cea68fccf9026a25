"""After a round, in Debian's Chromium on the real stack: people answer their referral plan from
the link in its email, and no email asks anyone to reply.

- Amina registered on the web in French and gives the information her possible measures miss
  (age, studies). Still signed in, the plan email's link opens the plan on her file at once,
  and she accepts it.
- Samuel was registered by a counsellor, in English, and has never used the web: the link in his
  case-opened email asks to email him a sign-in link, which opens his file; after the round, the
  plan email's link, in a browser with no session, leads through a new sign-in link to the plan;
  he asks for a person to review it (his counsellor is emailed, Law 25), then declines it.

A round takes every open case on its broker, so this module has a stack of its own (the events
service is not part of this story). axe-core checks each new page in its language.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from functools import partial
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import own_stack
from tests.e2e.web_browser import (
    Audit,
    address,
    chromium,
    link_in,
    mail_to,
    new_page,
    register_in_french,
    reload_until,
)
from tests.support import bearer, created, eventually, unique
from tools.mailsink import read_mailbox
from tools.stack import MATCHING_API, PROCESSES, WEB, Stack

pytestmark = pytest.mark.e2e

ESTRIE = "05"  # Amina's first choice (register_in_french), and Samuel's only one
STORY = ("partners-api", "matching-api", "matching-worker", "notifications-worker", "web")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with own_stack("web-plan", [p for p in PROCESSES if p.name in STORY]) as private:
        yield private


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _api(stack: Stack, name: str) -> str:
    return stack.config.url(next(p for p in PROCESSES if p.name == name))


def _welcoming_partner_and_counsellor(stack: Stack) -> str:
    """A welcoming partner with places in Estrie, and a counsellor; the counsellor's address."""
    partners = _api(stack, "partners-api")
    partner = {
        "name": unique("Service d'accueil de l'Estrie"),
        "kind": "community_organization",
        "regions": [ESTRIE],
        "contact_email": "accueil@estrie.example.org",
    }
    partner_id = created(
        httpx.post(f"{partners}/partners", json=partner, headers=bearer("hub")), "partner_id"
    )
    places = {
        "kind": "intake_capacity",
        "title": "Accueil",
        "intake": {"region": ESTRIE, "households_per_month": 10},
    }
    created(httpx.post(f"{partners}/offers", json=places, headers=bearer("partner", partner_id)), "offer_id")
    counsellor = {
        "name": "Claire Tremblay",
        "email": address("claire"),
        "languages": ["fr", "en"],
        "max_cases": 50,
    }
    matching = stack.config.url(MATCHING_API)
    created(httpx.post(f"{matching}/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id")
    return str(counsellor["email"])


def _registered_by_a_counsellor(stack: Stack, email: str) -> str:
    interest = {
        "contact": {"name": "Samuel Okafor", "email": email},
        "language": "en",
        "consents": {"contact": True, "referral": True, "share_contact": False},
        "immigration_status": "permanent_resident",
        "occupations": [{"cnp": "72410", "years": 8}],
        "french_level": 6,
        "preferred_regions": [ESTRIE],
    }
    answer = httpx.post(
        f"{stack.config.url(MATCHING_API)}/interests", json=interest, headers=bearer("counsellor")
    )
    return created(answer, "case_id")


def _round(stack: Stack, case_ids: list[str]) -> None:
    """Once both cases are open, the hub runs a round and waits for it to complete."""
    matching = stack.config.url(MATCHING_API)

    def found(path: str) -> bool:
        return httpx.get(f"{matching}{path}", headers=bearer("hub")).status_code == 200

    for case_id in case_ids:
        eventually(partial(found, f"/cases/{case_id}"), 90, f"case {case_id} opened")
    round_id = created(httpx.post(f"{matching}/rounds", headers=bearer("hub")), "round_id")
    eventually(partial(found, f"/rounds/{round_id}"), 90, f"round {round_id} completed")


def _page_link(message: EmailMessage) -> str:
    """The email's link to its page; and the email asks for no reply, in either language."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    said = body.get_content().lower()
    assert "reply" not in said, said
    assert "répondre à ce courriel" not in said, said
    return link_in(message, "/open/")


def _sign_in_from(page: Page, mail_dir: Path, email: str, subject: str, button: str) -> None:
    """Use the newest sign-in link emailed to ``email``."""
    page.goto(link_in(mail_to(mail_dir, email, subject), "/sign-in/"))
    page.get_by_role("button", name=button).click()


def test_people_answer_their_plan_from_the_link_in_its_email(stack: Stack, browser: Browser) -> None:
    web, mail_dir, audit = stack.config.url(WEB), stack.config.mail_dir, Audit()
    claire = _welcoming_partner_and_counsellor(stack)

    amina_email, samuel_email = address("amina"), address("samuel")
    amina = new_page(browser, "fr")
    register_in_french(amina, web, "Amina Diallo", amina_email, None)
    amina.goto(link_in(mail_to(mail_dir, amina_email, "Confirmez votre inscription"), "/register/confirm/"))
    amina.get_by_role("button", name="Confirmer et envoyer").click()
    amina.wait_for_url("**/file/**")
    reload_until(amina, "#counsellor")
    amina_case = amina.url.rsplit("/", 1)[1].split("#")[0]
    _gives_the_missing_information(stack, amina, audit, amina_case)

    samuel_case = _registered_by_a_counsellor(stack, samuel_email)
    samuel = new_page(browser, "en")
    samuel.goto(_page_link(mail_to(mail_dir, samuel_email, "Your Concerto file is open")))
    audit.check(samuel, "open.en")
    samuel.get_by_role("button", name="Send me the link").click()
    samuel.get_by_role("heading", name="Check your email").wait_for()
    _sign_in_from(samuel, mail_dir, samuel_email, "sign in", "Sign in")
    samuel.wait_for_url(f"**/file/{samuel_case}")
    samuel.context.clear_cookies()  # he closes the browser: the next link finds no session

    _round(stack, [amina_case, samuel_case])

    amina.goto(_page_link(mail_to(mail_dir, amina_email, "Votre plan d'orientation")))
    amina.wait_for_url(f"**/file/{amina_case}#plan")
    assert "Estrie" in amina.locator("#plan ~ section.plan").first.inner_text()
    audit.check(amina, "file-plan.fr")
    amina.get_by_role("button", name="J'accepte ce plan").click()
    reload_until(amina, "section.plan strong:text('Accepté')")

    samuel.goto(_page_link(mail_to(mail_dir, samuel_email, "Your referral plan")))
    before = _sign_in_links(mail_dir, samuel_email)
    samuel.get_by_role("button", name="Send me the link").click()
    eventually(lambda: _sign_in_links(mail_dir, samuel_email) > before, 30, "a second sign-in link")
    _sign_in_from(samuel, mail_dir, samuel_email, "sign in", "Sign in")
    samuel.wait_for_url(f"**/file/{samuel_case}#plan")
    audit.check(samuel, "file-plan.en")
    samuel.get_by_role("button", name="Ask for a review").click()
    reload_until(samuel, "p.review-asked")
    asked = mail_to(mail_dir, claire, "Révision demandée")  # Claire counsels in French first
    link_in(asked, f"/staff/cases/{samuel_case}")  # the staff page of his file
    samuel.fill("#reason-1", "We found a home in Laval.")
    samuel.get_by_role("button", name="I decline this plan").click()
    reload_until(samuel, "section.plan strong:text('Declined')")

    matching = stack.config.url(MATCHING_API)
    statuses = {
        person: [
            r["status"]
            for r in httpx.get(f"{matching}/people/{person}/referrals", headers=bearer("hub")).json()
        ]
        for person in (_person_of(stack, amina_case), _person_of(stack, samuel_case))
    }
    assert sorted(statuses.values()) == [["accepted"], ["declined"]], statuses
    assert len(audit.checks) == 8


def _gives_the_missing_information(stack: Stack, page: Page, audit: Audit, case_id: str) -> None:
    """From her file, Amina gives her age and studies; matching-api takes the new revision."""
    page.get_by_role("link", name="Donner l'information qui manque").click()
    page.get_by_role("heading", name="L'information qui manque").wait_for()
    audit.check(page, "information.fr")
    page.fill("#age", "29")
    page.select_option("#studies", label="Baccalauréat")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos aides sont évaluées de nouveau").wait_for()
    person = _person_of(stack, case_id)
    url = f"{stack.config.url(MATCHING_API)}/people/{person}/interest"

    def revised() -> bool:
        interest = httpx.get(url, headers=bearer("hub")).json()
        return bool(interest["age"] == 29 and interest["studies"] == "bachelor" and interest["revision"] == 2)

    eventually(revised, 30, "the profile's second revision")


def _sign_in_links(mail_dir: Path, email: str) -> int:
    """How many sign-in links ``email`` was sent."""
    return sum(1 for m in read_mailbox(mail_dir) if email in str(m["To"]) and "sign in" in str(m["Subject"]))


def _person_of(stack: Stack, case_id: str) -> str:
    answer = httpx.get(f"{stack.config.url(MATCHING_API)}/cases/{case_id}", headers=bearer("hub"))
    assert answer.status_code == 200, answer.text
    return str(uuid.UUID(answer.json()["person_id"]))
