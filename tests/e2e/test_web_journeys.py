"""The web on the real stack, in Debian's Chromium: people register in French and in English,
confirm their address from the email the SMTP sink received, and see their case open with
its counsellor; axe-core finds nothing at WCAG 2.1 AA on any page, at desktop and phone widths,
in both languages; the English journey is done with the keyboard alone.

Security on the real stack: a link works once; a person cannot open another person's file by
changing its address (matching-api refuses the token the web minted for them); a form posted
without its CSRF token is refused; a name written as HTML shows as text on the pages and in the
emails. Screenshots of every page go to var/test/artifacts/web/.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.web_browser import (
    Audit,
    address,
    chromium,
    link_in,
    mail_to,
    new_page,
    register_in_french,
    reload_until,
    tab_to,
    tab_to_button,
)
from tests.support import bearer
from tools.stack import MATCHING_API, ROOT, WEB, Stack

pytestmark = pytest.mark.e2e

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def web(everything: Stack) -> str:
    """The web's address, with a counsellor counselling in both languages on the stack."""
    counsellor = {
        "name": "Claire Tremblay",
        "email": f"claire.{uuid.uuid4().hex[:8]}@carrefour.example.org",
        "languages": ["fr", "en"],
        "max_cases": 1000,
    }
    answer = httpx.post(
        everything.config.url(MATCHING_API) + "/counsellors",
        json=counsellor,
        headers=bearer("hub"),
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return everything.config.url(WEB)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture(scope="module")
def audit() -> Audit:
    return Audit()


def _in_both(page: Page, web: str, audit: Audit, name: str) -> None:
    """Check this page, then the same page in the other language, and come back to the first."""
    lang = (page.locator("html").get_attribute("lang") or "fr")[:2]
    other = "en" if lang == "fr" else "fr"
    here = quote(page.url.removeprefix(web), safe="")
    audit.check(page, f"{name}.{lang}")
    page.goto(f"{web}/language/{other}?next={here}")
    audit.check(page, f"{name}.{other}")
    page.goto(f"{web}/language/{lang}?next={here}")


def _confirm(page: Page, link: str, button: str) -> None:
    page.goto(link)
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/file/**")


def test_a_french_speaking_person_registers_confirms_and_sees_the_case_open(
    web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    page = new_page(browser, "fr")
    email = address("amina")
    register_in_french(page, web, "Amina Diallo", email, audit)
    message = mail_to(mail_dir, email, "Confirmez votre inscription")
    link = link_in(message, "/register/confirm/")
    page.goto(link)
    audit.check(page, "confirm.fr")
    page.get_by_role("button", name="Confirmer et envoyer").click()
    page.wait_for_url("**/file/**")
    reload_until(page, "#counsellor")
    assert page.locator("#case-status").inner_text() == "Ouvert"
    assert page.locator("#counsellor").inner_text().strip()
    audit.check(page, "file.fr")
    # The link worked once.
    page.goto(link)
    assert "déjà servi" in page.locator("main").inner_text()
    audit.check(page, "link-used.fr")


def test_an_english_speaking_person_does_it_all_with_the_keyboard(
    web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    page = new_page(browser, "fr")  # a browser that asks for French: the person switches to English
    email = address("samuel")
    page.goto(web + "/")
    tab_to_button(page, "English")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Live and work in a region of Québec").wait_for()
    audit.check(page, "home.en")
    tab_to_button(page, "Register")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Register").wait_for()
    audit.check(page, "register.en")
    tab_to_button(page, "Continue")  # empty: every problem listed, in English
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Correct these answers").wait_for()
    audit.check(page, "register-errors.en")
    for element, typed in (("name", "Samuel Okafor"), ("email", email)):
        tab_to(page, element)
        page.keyboard.type(typed)
    tab_to(page, "language-en")  # the language of the page is chosen already
    assert page.is_checked("#language-en")
    tab_to(page, "immigration_status")
    page.keyboard.type("Perm")
    assert page.input_value("#immigration_status") == "permanent_resident"
    tab_to(page, "occupation")
    page.keyboard.type("Licensed practical nurses")
    tab_to(page, "region_1")
    page.keyboard.type("Laurentides")
    assert page.input_value("#region_1") == "15"
    for box in ("consent_contact", "consent_referral", "consent_share"):
        tab_to(page, box)
        page.keyboard.press("Space")
    tab_to_button(page, "Continue")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your answers").wait_for()
    audit.check(page, "review.en")
    tab_to_button(page, "Send")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    audit.check(page, "check-email.en")
    message = mail_to(mail_dir, email, "Confirm your registration")
    confirmation = link_in(message, "/register/confirm/")
    page.goto(confirmation)
    audit.check(page, "confirm.en")
    tab_to_button(page, "Confirm and send")
    page.keyboard.press("Enter")
    page.wait_for_url("**/file/**")
    reload_until(page, "#counsellor")
    assert page.locator("#case-status").inner_text() == "Open"
    audit.check(page, "file.en")
    page.goto(confirmation)
    assert "This link was already used" in page.locator("main").inner_text()
    audit.check(page, "link-used.en")
    page.go_back()
    # Sign out, then back in by an emailed link, all by keyboard.
    tab_to_button(page, "Sign out")
    page.keyboard.press("Enter")
    page.wait_for_url(web + "/")
    page.goto(web + "/sign-in")
    audit.check(page, "sign-in.en")
    tab_to(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    audit.check(page, "sign-in-sent.en")
    signin = mail_to(mail_dir, email, "Your link to sign in")
    page.goto(link_in(signin, "/sign-in/"))
    audit.check(page, "sign-in-link.en")
    tab_to_button(page, "Sign in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/file/**")
    assert page.locator("h1").inner_text() == "My file"


def test_a_person_cannot_open_another_persons_file(
    web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    first, second = new_page(browser, "fr"), new_page(browser, "fr")
    files = []
    for page, label in ((first, "premiere"), (second, "seconde")):
        email = address(label)
        register_in_french(page, web, f"Personne {label}", email, None)
        _confirm(
            page, link_in(mail_to(mail_dir, email, "Confirmez"), "/register/confirm/"), "Confirmer et envoyer"
        )
        reload_until(page, "#case-status")
        files.append(page.url)
    second.goto(files[0])
    assert "Vous n'avez pas accès à cette page." in second.locator("main").inner_text()
    _in_both(second, web, audit, "forbidden")
    first.goto(files[0])
    assert first.locator("#case-status").count() == 1


def test_a_form_without_its_csrf_token_is_refused(web: str) -> None:
    with httpx.Client(base_url=web, timeout=30) as client:
        client.get("/sign-in")
        refused = client.post("/sign-in", data={"email": "someone@exemple.ca"})
        assert refused.status_code == 403
        assert "Le formulaire a expiré" in refused.text


def test_a_name_written_as_html_is_text_on_the_pages_and_in_the_emails(
    web: str, browser: Browser, mail_dir: Path
) -> None:
    page = new_page(browser, "fr")  # a script that ran would open a dialog: the page fails the test
    email = address("script")
    register_in_french(page, web, XSS, email, None)
    message = mail_to(mail_dir, email, "Confirmez votre inscription")
    assert XSS in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert message.get_body(preferencelist=("html",)) is None
    _confirm(page, link_in(message, "/register/confirm/"), "Confirmer et envoyer")
    opened = mail_to(mail_dir, email, "dossier", timeout=90)
    html = opened.get_body(preferencelist=("html",))
    assert html is not None
    assert XSS not in html.get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.get_content()
    page.goto(web + "/register")
    assert page.locator("script").count() == 0


def test_a_counsellor_invited_by_the_hub_finds_the_person_and_reading_the_contact_is_logged(
    everything: Stack, web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    person = new_page(browser, "fr")
    email, name = address("fatou"), f"Fatou Ndiaye {uuid.uuid4().hex[:6]}"
    register_in_french(person, web, name, email, None)
    _confirm(
        person, link_in(mail_to(mail_dir, email, "Confirmez"), "/register/confirm/"), "Confirmer et envoyer"
    )
    reload_until(person, "#counsellor")
    counsellor_email = person.locator("#counsellor a").inner_text()
    person_id = person.url.rsplit("/", 1)[1]

    # The first hub account comes from the command line, as an operator would make it.
    hub_email = address("coordination")
    invited = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.web.invite",
            hub_email,
            "--role",
            "hub",
            "--subject",
            "coordination",
        ],
        cwd=ROOT,
        env=everything.config.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert invited.returncode == 0, invited.stderr
    hub = new_page(browser, "fr")
    _confirm_staff(hub, link_in(mail_to(mail_dir, hub_email, "Votre accès"), "/sign-in/"), audit)
    _in_both(hub, web, audit, "caseload.hub")
    hub.get_by_role("link", name="Équipe et accès").click()
    _in_both(hub, web, audit, "staff")
    row = hub.locator("ul.cards > li", has_text=counsellor_email)
    row.get_by_role("button").click()
    hub.get_by_role("status").wait_for()

    counsellor = new_page(browser, "fr")
    _confirm_staff(counsellor, link_in(mail_to(mail_dir, counsellor_email, "Votre accès"), "/sign-in/"))
    audit.check(counsellor, "caseload.fr")
    counsellor.fill("#q", name)
    counsellor.get_by_role("button", name="Appliquer").click()
    counsellor.get_by_role("link", name=name).click()
    contact = counsellor.locator("#contact")
    assert email in contact.inner_text()
    _in_both(counsellor, web, audit, "staff-case")  # a second read of the contact, recorded too
    counsellor.goto(web + "/language/en?next=/caseload")
    audit.check(counsellor, "caseload.en")

    # Both reads (the search that found the person, the case page) are on contact-access.v1.
    reads = httpx.get(
        everything.config.url(MATCHING_API) + "/contact-access",
        params={"by_subject": _subject_of(everything, counsellor_email)},
        headers=bearer("hub"),
        timeout=30,
    ).json()
    purposes = {r["purpose"] for r in reads if r["person_id"] == _person_of(everything, person_id)}
    assert purposes == {"web: caseload search", "web: case page"}
    hub.reload()
    assert "web: case page" in hub.locator("#access-log + .scroll").inner_text()
    _in_both(hub, web, audit, "staff-log")


def _confirm_staff(page: Page, link: str, audit: Audit | None = None) -> None:
    page.goto(link)
    if audit:
        audit.check(page, "sign-in-link.fr")
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url("**/caseload")


def _subject_of(stack: Stack, counsellor_email: str) -> str:
    counsellors = httpx.get(
        stack.config.url(MATCHING_API) + "/counsellors", headers=bearer("hub"), timeout=30
    ).json()
    return str(next(c["counsellor_id"] for c in counsellors if c["email"] == counsellor_email))


def _person_of(stack: Stack, case_id: str) -> str:
    case = httpx.get(stack.config.url(MATCHING_API) + f"/cases/{case_id}", headers=bearer("hub"), timeout=30)
    return str(case.json()["person_id"])


def test_a_person_changes_address_and_language_withdraws_then_has_the_data_erased(
    everything: Stack, web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    page = new_page(browser, "fr")
    email = address("nadia")
    register_in_french(page, web, "Nadia Benali", email, None)
    _confirm(
        page, link_in(mail_to(mail_dir, email, "Confirmez"), "/register/confirm/"), "Confirmer et envoyer"
    )
    reload_until(page, "#counsellor")
    person_id = _person_of(everything, page.url.rsplit("/", 1)[1])

    page.get_by_role("link", name="Changer mes coordonnées ou ma langue").click()
    page.get_by_role("heading", name="Mes coordonnées et ma langue").wait_for()
    _in_both(page, web, audit, "details")
    page.fill("#phone", "appelez-moi")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Écrivez un numéro de téléphone" in page.locator("#phone-error").inner_text()
    assert page.locator(".error-summary a[href='#phone']").is_visible()
    audit.check(page, "details-errors.fr")
    new_email = address("nadia.nouvelle")
    page.fill("#phone", "514 555-0123")
    page.fill("#email", new_email)
    page.check("#language-en")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Confirmez votre nouvelle adresse").wait_for()
    audit.check(page, "new-email-sent.fr")
    assert _contact_of(everything, person_id)["email"] == email, "nothing changes before the link is used"
    message = mail_to(mail_dir, new_email, "Confirm your new address")  # in the language chosen
    page.goto(link_in(message, "/my-file/email/"))
    _in_both(page, web, audit, "new-email-link")  # the page does not use the link: its button does
    page.get_by_role("button", name="Confirmer ma nouvelle adresse").click()
    page.wait_for_url("**/file/**")
    assert page.get_by_role("status").inner_text() == "Your contact details are saved."
    contact = _contact_of(everything, person_id)
    assert (contact["email"], contact["phone"], contact["language"]) == (new_email, "514 555-0123", "en")
    audit.check(page, "file-saved.en")
    page.get_by_role("link", name="Change my contact details or language").click()
    page.fill("#name", "")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#name-error").inner_text() == "Enter your answer."
    audit.check(page, "details-errors.en")
    page.get_by_role("link", name="Back to my file").click()

    page.get_by_role("link", name="Withdraw my registration").click()
    _in_both(page, web, audit, "withdraw")
    page.get_by_role("button", name="Yes, withdraw my registration").click()
    page.wait_for_url("**/file/**")
    assert page.get_by_role("status").inner_text() == "Your registration is withdrawn. Your file is closed."
    reload_until(page, "#case-status:has-text('Withdrawn')")
    assert page.get_by_role("link", name="Withdraw my registration").count() == 0

    page.get_by_role("link", name="Erase my data").click()
    _in_both(page, web, audit, "erase")
    page.get_by_role("button", name="Erase my data").click()
    assert page.locator("#understood-error").inner_text() == "Tick this box to erase your data."
    audit.check(page, "erase-errors.en")
    page.goto(web + "/language/fr?next=/my-file/erase")
    page.get_by_role("button", name="Effacer mes données").click()
    assert page.locator("#understood-error").inner_text() == "Cochez cette case pour effacer vos données."
    audit.check(page, "erase-errors.fr")
    page.goto(web + "/language/en?next=/my-file/erase")
    page.check("#understood")
    page.get_by_role("button", name="Erase my data").click()
    page.get_by_role("heading", name="Your data is erased").wait_for()
    audit.check(page, "erased.en")
    assert _status_of(everything, f"/people/{person_id}/interest") == 404
    page.goto(web + "/my-file")
    page.wait_for_url("**/sign-in")


def _contact_of(stack: Stack, person_id: str) -> dict[str, str]:
    answer = httpx.get(
        stack.config.url(MATCHING_API) + f"/people/{person_id}/contact",
        params={"purpose": "test: web journey"},
        headers=bearer("hub"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    contact: dict[str, str] = answer.json()
    return contact


def _status_of(stack: Stack, path: str, timeout: float = 30) -> int:
    """The status matching-api answers ``path`` with once it is 404 (an erasure is written at once
    by the API), or the last status seen."""
    deadline = time.monotonic() + timeout
    while True:
        status = httpx.get(
            stack.config.url(MATCHING_API) + path, headers=bearer("hub"), timeout=30
        ).status_code
        if status == 404 or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def test_asking_for_too_many_sign_in_links_says_when_to_try_again_in_both_languages(
    web: str, browser: Browser, audit: Audit, mail_dir: Path
) -> None:
    page = new_page(browser, "fr")
    email = address("pressee")
    page.goto(web + "/sign-in")
    audit.check(page, "sign-in.fr")
    for attempt in range(5):  # the default: 5 links in 15 minutes for one address
        page.fill("#email", email)
        page.get_by_role("button", name="Recevoir le lien").click()
        page.get_by_role("heading", name="Regardez vos courriels").wait_for()
        if attempt == 0:
            audit.check(page, "sign-in-sent.fr")
        page.goto(web + "/sign-in")
    page.fill("#email", email)
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("heading", name="Trop de demandes").wait_for()
    assert "Réessayez dans 15 minutes." in page.locator("main").inner_text()
    audit.check(page, "too-many.fr")
    page.goto(web + "/language/en?next=/sign-in")
    page.fill("#email", email)
    page.get_by_role("button", name="Send me the link").click()
    page.get_by_role("heading", name="Too many requests").wait_for()
    assert "Try again in 15 minutes." in page.locator("main").inner_text()
    audit.check(page, "too-many.en")
    page.goto(web + "/no-such-page")
    _in_both(page, web, audit, "not-found")


@pytest.mark.last_in_module
def test_every_page_kind_was_checked_in_both_languages(audit: Audit) -> None:
    """Runs last in this module, in any order (tests/conftest.py): each page kind the journeys
    above checked with axe-core, in one language, they checked in the other too, except three
    pages only a form's answer shows, whose templates (the message and file pages) are checked
    in both languages elsewhere."""
    assert audit.checks, "this test reads what the journeys above checked: run the whole module"
    languages: dict[str, set[str]] = {}
    for name in audit.checks:
        page_kind, language, _ = name.rsplit(".", 2)
        languages.setdefault(page_kind, set()).add(language)
    one_language = {kind for kind, seen in languages.items() if seen != {"fr", "en"}}
    assert one_language == {"new-email-sent", "file-saved", "erased"}, sorted(one_language)
