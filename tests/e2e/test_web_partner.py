"""A welcoming partner on the web, in Debian's Chromium on the real stack (real Kafka, real SMTP).

The hub invites two partners from the command line, Estrie's and Mauricie's. A round refers a
household to Estrie's, whose person agreed to share her contact, and she accepts the plan. Estrie's
staff sign in by the emailed link, see the household with its contact, try to record the arrival
without a date (a form message), then record it with the keyboard; the settlement says "arrived".
Mauricie's staff see no household, and Estrie's household's page and form answer them 404,
whatever id they try. axe-core checks each page in both languages, at desktop and phone widths.

A round takes every open case on its broker, so this module has a stack of its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from playwright.sync_api import Browser, Page

from services.common.settings import Settings
from tests.conftest import own_stack
from tests.e2e.web_browser import (
    Audit,
    address,
    chromium,
    link_in,
    mail_to,
    new_page,
    reload_until,
    tab_to,
)
from tests.support import bearer, created, eventually, unique
from tools.stack import MATCHING_API, PROCESSES, ROOT, WEB, Stack

pytestmark = pytest.mark.e2e

ESTRIE, MAURICIE = "05", "04"
STORY = ("partners-api", "matching-api", "matching-worker", "web")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with own_stack("web-partner", [p for p in PROCESSES if p.name in STORY]) as private:
        yield private


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _partner_with_places(stack: Stack, region: str, email: str) -> str:
    partners = stack.config.url(next(p for p in PROCESSES if p.name == "partners-api"))
    partner = {
        "name": unique(f"Service d'accueil {region}"),
        "kind": "community_organization",
        "regions": [region],
        "contact_email": email,
    }
    partner_id = created(
        httpx.post(f"{partners}/partners", json=partner, headers=bearer("hub")), "partner_id"
    )
    places = {
        "kind": "intake_capacity",
        "title": "Accueil",
        "intake": {"region": region, "households_per_month": 5},
    }
    created(httpx.post(f"{partners}/offers", json=places, headers=bearer("partner", partner_id)), "offer_id")
    return partner_id


def _accepted_referral(stack: Stack, name: str) -> tuple[str, str]:
    """A household that wants Estrie, agreed to share its contact, and accepted its plan: (referral, case)."""
    matching = stack.config.url(MATCHING_API)
    counsellor = {"name": "Claire Tremblay", "email": address("claire"), "languages": ["fr"], "max_cases": 50}
    created(httpx.post(f"{matching}/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id")
    interest = {
        "contact": {"name": name, "email": address("nadia")},
        "language": "fr",
        "consents": {"contact": True, "referral": True, "share_contact": True},
        "immigration_status": "permanent_resident",
        "occupations": [{"cnp": "72410", "years": 8}],
        "french_level": 7,
        "preferred_regions": [ESTRIE],
    }
    case_id = created(
        httpx.post(f"{matching}/interests", json=interest, headers=bearer("counsellor")), "case_id"
    )

    def answers(path: str) -> bool:
        return httpx.get(f"{matching}{path}", headers=bearer("hub")).status_code == 200

    eventually(partial(answers, f"/cases/{case_id}"), 90, "case opened")
    round_id = created(httpx.post(f"{matching}/rounds", headers=bearer("hub")), "round_id")
    eventually(partial(answers, f"/rounds/{round_id}"), 90, "round completed")
    person = httpx.get(f"{matching}/cases/{case_id}", headers=bearer("hub")).json()["person_id"]
    [referral] = httpx.get(f"{matching}/people/{person}/referrals", headers=bearer("hub")).json()
    assert referral["region"] == ESTRIE, referral
    accepted = httpx.post(f"{matching}/referrals/{referral['referral_id']}/accept", headers=bearer("hub"))
    assert accepted.status_code == 202, accepted.text
    eventually(partial(answers, f"/cases/{case_id}/settlement"), 90, "settlement begun")
    return str(referral["referral_id"]), case_id


def _invite(stack: Stack, email: str, partner_id: str) -> None:
    """The hub invites a partner's staff from the command line, as an operator would."""
    command = [
        sys.executable,
        "-m",
        "services.web.invite",
        email,
        "--role",
        "partner",
        "--subject",
        partner_id,
    ]
    done = subprocess.run(
        command, cwd=ROOT, env=stack.config.env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def _signed_in(browser: Browser, stack: Stack, email: str) -> Page:
    page = new_page(browser, "fr")
    page.goto(link_in(mail_to(stack.config.mail_dir, email, "Votre accès"), "/sign-in/"))
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url("**/partner/households")
    return page


def _in_english(page: Page, web: str, audit: Audit, name: str) -> None:
    path = page.url.split(web, 1)[1]
    page.goto(f"{web}/language/en?next={path}")
    audit.check(page, f"{name}.en")
    page.goto(f"{web}/language/fr?next={path}")


def test_a_partner_records_an_arrival_and_another_partner_cannot_see_the_household(
    stack: Stack, browser: Browser
) -> None:
    web, audit = stack.config.url(WEB), Audit()
    estrie_email, mauricie_email = address("accueil-estrie"), address("accueil-mauricie")
    estrie = _partner_with_places(stack, ESTRIE, estrie_email)
    mauricie = _partner_with_places(stack, MAURICIE, mauricie_email)
    name = unique("Nadia Benali")
    referral_id, case_id = _accepted_referral(stack, name)
    _invite(stack, estrie_email, estrie)
    _invite(stack, mauricie_email, mauricie)

    page = _signed_in(browser, stack, estrie_email)
    assert name in page.locator("li.household").inner_text(), "she agreed to share her contact"
    audit.check(page, "partner-households.fr")
    _in_english(page, web, audit, "partner-households")
    page.get_by_role("link", name=f"Voir le ménage {referral_id[:8]}").click()
    audit.check(page, "partner-household.fr")
    _in_english(page, web, audit, "partner-household")

    page.get_by_role("button", name="Noter l'arrivée").click()  # no date yet
    page.locator(".error-summary").get_by_role("link", name=re.compile("indiquez une date")).wait_for()
    audit.check(page, "partner-household-error.fr")
    tab_to(page, "on-arrival")  # the field is reached with the keyboard
    page.keyboard.type(Settings().build_clock().today().isoformat())  # the stack's today, AAAA-MM-JJ
    page.keyboard.press("Enter")  # sends the form from the field
    page.get_by_role("status").wait_for()
    reload_until(page, "dd.settlement-status:text('Arrivé dans la région')")

    other = _signed_in(browser, stack, mauricie_email)
    assert "0 ménage(s)" in other.locator("#results").inner_text()
    for tried in (referral_id, str(uuid.uuid4())):
        answer = other.goto(f"{web}/partner/households/{tried}")
        assert answer is not None
        assert answer.status == 404, tried
    csrf = other.locator("input[name=csrf_token]").first.get_attribute("value")
    form: dict[str, str | float | bool] = {
        "csrf_token": csrf or "",
        "milestone": "first_contact",
        "on": "2020-01-01",
    }
    posted = other.request.post(f"{web}/partner/households/{referral_id}/milestones", form=form)
    assert posted.status == 404
    settlement = httpx.get(
        f"{stack.config.url(MATCHING_API)}/cases/{case_id}/settlement", headers=bearer("hub")
    )
    assert [s["action"] for s in settlement.json()["steps"]] == ["arrival"]
    assert len(audit.checks) == 10
