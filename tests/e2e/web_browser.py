"""Helpers of the web's browser tests: Debian's Chromium driven by Playwright, axe-core on every
page at desktop and phone widths, screenshots kept as test artifacts, and the emails the SMTP
sink received."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.conftest import TEST_VAR
from tools.mailsink import read_mailbox

CHROMIUM = "/usr/lib/chromium/chromium"


def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, for one module's journeys (``yield from`` in its fixture)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


ARTIFACTS = TEST_VAR / "artifacts" / "web"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 360, "height": 780}
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@dataclass
class Audit:
    """Runs axe-core on a page at both widths and keeps a screenshot of each; counts the checks."""

    axe: Axe = field(default_factory=Axe)
    checks: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        """Zero axe violations at WCAG 2.1 AA, on a desktop and on a 360-pixel phone screen."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size or DESKTOP
        sizes: tuple[tuple[str, ViewportSize], ...] = (("desktop", DESKTOP), ("phone", PHONE))
        for label, size in sizes:
            page.set_viewport_size(size)
            results = self.axe.run(page, options=WCAG_21_AA)
            assert results.violations_count == 0, f"{name} ({label}):\n{results.generate_report()}"
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{name} ({label}) scrolls sideways"
            page.screenshot(path=str(ARTIFACTS / f"{name}.{label}.png"), full_page=True)
            self.checks.append(f"{name}.{label}")
        page.set_viewport_size(original)


def mail_to(mail_dir: Path, address: str, subject: str, timeout: float = 60) -> EmailMessage:
    """The newest message to ``address`` whose subject contains ``subject`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mail_dir.exists():
            found = [
                m for m in read_mailbox(mail_dir) if address in str(m["To"]) and subject in str(m["Subject"])
            ]
            if found:
                return found[-1]
        time.sleep(0.5)
    raise AssertionError(f"no email to {address} about {subject!r} within {timeout:.0f} s")


def link_in(message: EmailMessage, path: str) -> str:
    """The link to ``path`` in a plain-text email."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S*", content)
    assert found, content
    return found.group(0)


def tab_to(page: Page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element ``element_id`` has the focus (fails if the keyboard cannot reach it)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def tab_to_button(page: Page, text: str, limit: int = 120) -> None:
    """Press Tab until the button or link saying ``text`` has the focus."""
    script = "document.activeElement && document.activeElement.textContent.trim()"
    for _ in range(limit):
        if page.evaluate(script) == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{text!r} cannot be reached with the Tab key")


def reload_until(page: Page, selector: str, timeout: float = 90) -> None:
    """Reload the page until ``selector`` is on it (a case is opened by the worker, asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(selector).count():
            return
        time.sleep(1)
        page.reload()
    raise AssertionError(f"{selector} did not appear on {page.url} within {timeout:.0f} s")


def new_page(browser: Browser, language: str) -> Page:
    """A new browser context (no cookies) asking for ``language``; a script that runs fails the test."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-CA" if language == "fr" else "en-CA")
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    return page


def address(label: str) -> str:
    """A fresh email address, unique to this run."""
    return f"{label}.{uuid.uuid4().hex[:10]}@exemple.ca"


def register_in_french(page: Page, web: str, name: str, email: str, audit: Audit | None) -> None:
    """Fill the registration form in French (empty first: every problem listed), review, send."""
    page.goto(web + "/")
    if audit:
        audit.check(page, "home.fr")
    page.get_by_role("link", name="M'inscrire").click()
    if audit:
        audit.check(page, "register.fr")
    page.get_by_role("button", name="Continuer").click()  # empty: every problem listed
    assert page.locator(".error-summary").is_visible()
    if audit:
        audit.check(page, "register-errors.fr")
    page.fill("#name", name)
    page.fill("#email", email)
    page.check("#language-fr")
    page.select_option("#immigration_status", "permanent_resident")
    page.fill("#occupation", "Infirmiers auxiliaires autorisés/infirmières auxiliaires autorisées")
    page.fill("#years", "6")
    page.select_option("#french_level", "9")
    page.select_option("#region_1", label="Estrie")
    page.select_option("#region_2", label="Mauricie")
    page.fill("#adults", "2")
    page.fill("#children", "3, 7")
    assert not page.is_checked("#consent_contact")
    page.check("#consent_contact")
    page.check("#consent_referral")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("heading", name="Relisez vos réponses").wait_for()
    if audit:
        audit.check(page, "review.fr")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Confirmez votre adresse courriel").wait_for()
    if audit:
        audit.check(page, "check-email.fr")
