"""The emails Concerto sends: rendered in fr-CA or en-CA, escaped in HTML, identified, retried when worth it.

Templates are read from services/notifications/templates; nothing is sent:
``build_message`` is inspected, and ``is_temporary`` is given the exceptions
aiosmtplib raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import jinja2
import pytest

from services.common.reference import region_names
from services.notifications.mailer import is_temporary
from services.notifications.rendering import Rendered, Renderer, build_message, message_id_for

SENT = datetime(2025, 9, 15, 14, 32, 9, tzinfo=UTC)
LEDGER_KEY = "1d6f3c2a-8b9e-5f40-a1b2-c3d4e5f60718|case_opened|0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def case_opened(language: str = "fr", name: str = "Marie-Ève Côté") -> dict[str, Any]:
    """The context the notifications worker gives the case_opened email."""
    names = region_names(language)
    french = language == "fr"
    return {
        "name": name,
        "case_ref": "9A8B7C6D",
        "regions": [names["05"], names["04"]],
        "entitled": ["Séjour exploratoire en région" if french else "Exploratory trip to a region"],
        "possible": [
            "Francisation — allocation pour frais de garde"
            if french
            else "Francization — childcare allowance"
        ],
        "counsellor": None,
        "waiting": False,
        "documents": ["Une pièce d'identité avec photo" if french else "Photo identification"],
        "link": "http://127.0.0.1:8004/open/sample",
    }


def proposal_decided(
    language: str = "fr", status: str = "scheduled", title: str | None = None
) -> dict[str, Any]:
    """The context the notifications worker gives the proposal_decided email."""
    names = region_names(language)
    scheduled = status == "scheduled"
    return {
        "organizer": "Service d'aide aux néo-Canadiens",
        "title": title or "Séance d'information : vivre et travailler en Estrie",
        "status": status,
        "day": "2025-10-25" if scheduled else None,
        "rank": 2 if scheduled else None,
        "alternatives": [] if scheduled else ["2025-10-19", "2025-10-20", "2025-10-22"],
        "regions": [names["05"], names["17"]],
        "change": "decided",
        "joint": False,
    }


def a_message(rendered: Rendered, language: str = "fr") -> EmailMessage:
    return build_message(
        rendered,
        sender="Concerto <ne-pas-repondre@concerto.quebec>",
        to="marie-eve.cote@example.com",
        message_id=message_id_for(LEDGER_KEY),
        language=language,
        sent=SENT,
    )


def test_the_case_opened_email_greets_the_person_in_french(renderer: Renderer) -> None:
    email = renderer.render("case_opened", "fr", case_opened("fr"))

    assert "dossier" in email.subject
    assert email.text.startswith("Bonjour Marie-Ève Côté,")
    assert "Bonjour Marie-Ève Côté," in email.html
    assert "9A8B7C6D" in email.text
    assert "9A8B7C6D" in email.html
    assert "Estrie, Mauricie" in email.text
    assert "<li>Estrie</li>" in email.html
    assert 'lang="fr-CA"' in email.html
    assert "Hello" not in email.text


def test_the_case_opened_email_greets_the_person_in_english(renderer: Renderer) -> None:
    email = renderer.render("case_opened", "en", case_opened("en", name="José Rodríguez"))

    assert email.subject == "Your Concerto file is open"
    assert email.text.startswith("Hello José Rodríguez,")
    assert "Hello José Rodríguez," in email.html
    assert "Eastern Townships (Estrie)" in email.text
    assert 'lang="en-CA"' in email.html
    assert "Bonjour" not in email.text
    assert "dossier" not in email.subject


def test_a_person_open_to_every_region_is_told_so(renderer: Renderer) -> None:
    email = renderer.render("case_opened", "fr", {**case_opened("fr"), "regions": []})

    assert "toutes les régions" in email.text
    assert "toutes les régions" in email.html


def test_markup_in_a_name_is_escaped_in_the_html(renderer: Renderer) -> None:
    email = renderer.render("case_opened", "fr", case_opened("fr", name="<script>alert('x')</script>"))

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_markup_in_a_title_is_escaped_everywhere_in_the_html_even_its_title_tag(renderer: Renderer) -> None:
    context = proposal_decided("fr", title="Salon <script>alert(1)</script> de l'Estrie")

    email = renderer.render("proposal_decided", "fr", context)

    assert "<script>" in email.subject
    assert "<script>" not in email.html
    assert "<title>Activité inscrite au calendrier : Salon &lt;script&gt;" in email.html


def test_a_scheduled_activity_is_announced_in_french_with_its_day_and_choice(renderer: Renderer) -> None:
    email = renderer.render("proposal_decided", "fr", proposal_decided("fr", "scheduled"))

    assert (
        email.subject
        == "Activité inscrite au calendrier : Séance d'information : vivre et travailler en Estrie"
    )
    assert email.text.startswith("Bonjour Service d'aide aux néo-Canadiens,")
    assert "le samedi 25 octobre 2025 (votre 2e choix)" in email.text
    assert "samedi 25 octobre 2025" in email.html
    assert "2025-10-25" not in email.text
    assert "Régions représentées : Estrie, Centre-du-Québec." in email.text


def test_a_scheduled_activity_is_announced_in_english_with_its_day_and_choice(renderer: Renderer) -> None:
    email = renderer.render("proposal_decided", "en", proposal_decided("en", "scheduled"))

    assert email.subject.startswith("Activity scheduled: ")
    assert email.text.startswith("Hello Service d'aide aux néo-Canadiens,")
    assert "on Saturday, October 25, 2025" in email.text
    assert "(your 2nd choice)" in email.text
    assert "Regions represented: Eastern Townships (Estrie), Centre-du-Québec." in email.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_not_possible_activity_gets_a_different_subject_and_the_nearest_dates(
    renderer: Renderer, language: str
) -> None:
    scheduled = renderer.render("proposal_decided", language, proposal_decided(language, "scheduled"))
    refused = renderer.render("proposal_decided", language, proposal_decided(language, "not_possible"))

    assert refused.subject != scheduled.subject
    assert "Séance d'information" in refused.subject
    days = {
        "fr": ["dimanche 19 octobre 2025", "lundi 20 octobre 2025", "mercredi 22 octobre 2025"],
        "en": ["Sunday, October 19, 2025", "Monday, October 20, 2025", "Wednesday, October 22, 2025"],
    }[language]
    assert ", ".join(days) in refused.text
    for day in days:
        assert f"<li>{day}</li>" in refused.html
    assert "25 octobre" not in refused.text
    assert "October 25" not in refused.text


def test_a_not_possible_activity_is_explained_in_french(renderer: Renderer) -> None:
    email = renderer.render("proposal_decided", "fr", proposal_decided("fr", "not_possible"))

    assert email.subject.startswith("Activité impossible à la date demandée")
    assert "ne peut pas avoir lieu aux dates demandées" in email.text
    assert "Dates possibles les plus proches" in email.text


def test_a_not_possible_activity_without_alternatives_lists_no_dates(renderer: Renderer) -> None:
    context = {**proposal_decided("en", "not_possible"), "alternatives": []}

    email = renderer.render("proposal_decided", "en", context)

    assert "Nearest possible dates" not in email.text
    assert "Nearest possible dates" not in email.html


@pytest.mark.parametrize("language", ["de", "fr-CA", "", "FR"])
def test_a_language_without_templates_is_refused(renderer: Renderer, language: str) -> None:
    with pytest.raises(ValueError, match="no templates in language"):
        renderer.render("case_opened", language, case_opened("fr"))


@pytest.mark.parametrize("missing", ["name", "case_ref", "regions", "link"])
def test_a_case_opened_email_with_a_missing_detail_is_not_rendered(renderer: Renderer, missing: str) -> None:
    context = {k: v for k, v in case_opened("fr").items() if k != missing}

    with pytest.raises(jinja2.UndefinedError, match=missing):
        renderer.render("case_opened", "fr", context)


@pytest.mark.parametrize("missing", ["organizer", "title", "status", "regions"])
def test_a_proposal_decided_email_with_a_missing_detail_is_not_rendered(
    renderer: Renderer, missing: str
) -> None:
    context = {k: v for k, v in proposal_decided("en").items() if k != missing}

    with pytest.raises(jinja2.UndefinedError):
        renderer.render("proposal_decided", "en", context)


def test_the_same_email_to_the_same_recipient_always_has_the_same_message_id() -> None:
    assert message_id_for(LEDGER_KEY) == message_id_for(LEDGER_KEY)


def test_another_email_has_another_message_id() -> None:
    other_template = LEDGER_KEY.replace("case_opened", "proposal_decided")
    other_event = "2" + LEDGER_KEY[1:]

    ids = {message_id_for(LEDGER_KEY), message_id_for(other_template), message_id_for(other_event)}

    assert len(ids) == 3


def test_a_message_id_is_an_rfc_5322_id_on_the_concerto_domain() -> None:
    assert re.fullmatch(r"<[0-9a-f]{40}@concerto\.quebec>", message_id_for(LEDGER_KEY))


def test_an_email_has_a_text_and_an_html_part(renderer: Renderer) -> None:
    message = a_message(renderer.render("case_opened", "fr", case_opened("fr")))

    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    text, html = (part for part in parts if isinstance(part, EmailMessage))
    assert "Bonjour Marie-Ève Côté" in text.get_content()
    assert "Bonjour Marie-Ève Côté" in html.get_content()


def test_an_email_carries_its_headers(renderer: Renderer) -> None:
    rendered = renderer.render("case_opened", "fr", case_opened("fr"))

    message = a_message(rendered)

    assert message["Message-ID"] == message_id_for(LEDGER_KEY)
    assert message["Subject"] == "Votre dossier Concerto est ouvert"
    assert message["To"] == "marie-eve.cote@example.com"
    assert message["From"] == "Concerto <ne-pas-repondre@concerto.quebec>"
    assert message["Date"] == "Mon, 15 Sep 2025 14:32:09 +0000"


@pytest.mark.parametrize(("language", "content_language"), [("fr", "fr-CA"), ("en", "en-CA")])
def test_an_email_says_its_language(renderer: Renderer, language: str, content_language: str) -> None:
    message = a_message(renderer.render("case_opened", language, case_opened(language)), language)

    assert message["Content-Language"] == content_language


def test_an_email_with_accents_serializes_for_smtp(renderer: Renderer) -> None:
    rendered = renderer.render("proposal_decided", "fr", proposal_decided("fr", "not_possible"))

    wire = a_message(rendered).as_bytes()

    assert f"Message-ID: {message_id_for(LEDGER_KEY)}".encode() in wire
    assert b"Subject: =?utf-8?" in wire
    assert message_from_bytes(wire, policy=policy.SMTP)["Subject"] == rendered.subject


def test_the_language_of_an_email_reaches_the_wire(renderer: Renderer) -> None:
    wire = a_message(renderer.render("case_opened", "fr", case_opened("fr"))).as_bytes()

    assert b"Content-Language: fr-CA" in wire


@pytest.mark.parametrize(
    "failure",
    [
        aiosmtplib.SMTPResponseException(421, "Service not available, closing transmission channel"),
        aiosmtplib.SMTPResponseException(451, "Requested action aborted: local error in processing"),
        aiosmtplib.SMTPDataError(452, "Insufficient system storage"),
        aiosmtplib.SMTPServerDisconnected("Unexpected EOF received"),
        aiosmtplib.SMTPConnectError("Error connecting to mail.example.com on port 587"),
        aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"),
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
    ids=repr,
)
def test_a_temporary_smtp_failure_is_retried(failure: BaseException) -> None:
    assert is_temporary(failure)


@pytest.mark.parametrize(
    "failure",
    [
        aiosmtplib.SMTPResponseException(550, "Requested action not taken: mailbox unavailable"),
        aiosmtplib.SMTPSenderRefused(553, "Sender address rejected", "ne-pas-repondre@concerto.quebec"),
        aiosmtplib.SMTPAuthenticationError(535, "Authentication credentials invalid"),
        aiosmtplib.SMTPRecipientsRefused(
            [aiosmtplib.SMTPRecipientRefused(550, "No such user", "marie-eve.cote@example.com")]
        ),
        ValueError("a bug, not the network"),
    ],
    ids=repr,
)
def test_a_permanent_smtp_failure_is_not_retried(failure: BaseException) -> None:
    assert not is_temporary(failure)


def test_a_greylisted_recipient_is_retried() -> None:
    # With a single recipient, aiosmtplib.send reports a 4xx reply to RCPT TO (greylisting)
    # as SMTPRecipientsRefused, not as an SMTPResponseException.
    greylisted = aiosmtplib.SMTPRecipientsRefused(
        [
            aiosmtplib.SMTPRecipientRefused(
                451, "4.7.1 Greylisted, try again later", "marie-eve.cote@example.com"
            )
        ]
    )

    assert is_temporary(greylisted)


def test_a_long_french_subject_keeps_its_spaces_on_the_wire() -> None:
    rendered = Renderer().render(
        "proposal_decided",
        "fr",
        {
            "organizer": "Place aux jeunes en région — Estrie",
            "title": "Séance d'information : vivre à Sherbrooke",
            "status": "not_possible",
            "day": None,
            "rank": None,
            "alternatives": ["2027-03-07"],
            "regions": ["Estrie"],
            "change": "decided",
            "joint": False,
        },
    )
    message = build_message(
        rendered,
        sender="Concerto <no-reply@concerto.quebec>",
        to="estrie@example.org",
        message_id="<x@concerto.quebec>",
        language="fr",
        sent=datetime(2027, 3, 1, tzinfo=UTC),
    )
    received = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert received["Subject"] == rendered.subject
    assert "demandée : Séance" in received["Subject"]


def test_the_case_opened_email_lists_the_measures_the_person_is_entitled_to(renderer: Renderer) -> None:
    french = renderer.render("case_opened", "fr", case_opened("fr"))
    english = renderer.render("case_opened", "en", case_opened("en"))
    assert "Mesures d'aide auxquelles vous avez droit" in french.text
    assert "- Séjour exploratoire en région" in french.text
    assert "<li>Francisation — allocation pour frais de garde</li>" in french.html
    assert "Support you are entitled to:" in english.text
    assert "may be entitled to" in english.text


def test_a_person_with_no_known_entitlement_gets_no_empty_list(renderer: Renderer) -> None:
    email = renderer.render("case_opened", "en", {**case_opened("en"), "entitled": [], "possible": []})
    assert "Support you are entitled to:" not in email.text
    assert "may be entitled to" not in email.text
    assert "<ul></ul>" not in email.html


@pytest.mark.parametrize(
    ("status", "change", "fr_subject", "en_subject"),
    [
        (
            "pending_endorsement",
            "decided",
            "En attente de l'appui de la table",
            "Waiting for the table's endorsement",
        ),
        ("joint_suggested", "decided", "Activité conjointe proposée", "Joint activity suggested"),
        ("withdrawn", "withdrawn", "Activité retirée", "Activity withdrawn"),
        ("scheduled", "member_joined", "Une activité se joint à la vôtre", "An activity joins yours"),
    ],
)
def test_every_kind_of_decision_has_its_own_subject_in_both_languages(
    renderer: Renderer, status: str, change: str, fr_subject: str, en_subject: str
) -> None:
    for language, expected in (("fr", fr_subject), ("en", en_subject)):
        context = {**proposal_decided(language, status), "change": change, "day": "2025-10-25"}
        email = renderer.render("proposal_decided", language, context)
        assert email.subject.startswith(expected)
        assert "Séance d'information" in email.text


def test_a_joint_scheduling_says_it_is_held_with_another_activity(renderer: Renderer) -> None:
    context = {**proposal_decided("fr", "scheduled"), "joint": True, "change": "joined"}
    email = renderer.render("proposal_decided", "fr", context)
    assert "conjointement avec une activité déjà inscrite" in email.text


def test_the_tables_copy_names_the_table_and_the_organizer(renderer: Renderer) -> None:
    context = {
        **proposal_decided("fr", "scheduled"),
        "table": "Table de concertation en immigration de l'Estrie",
        "delegate": "Place aux jeunes en région — Estrie",
    }
    email = renderer.render("proposal_decided_table", "fr", context)
    assert email.subject.startswith("[Table de concertation en immigration de l'Estrie] Activité inscrite")
    assert "voici la décision transmise à Service d'aide aux néo-Canadiens" in email.text
    english = renderer.render(
        "proposal_decided_table", "en", {**context, **proposal_decided("en", "not_possible")}
    )
    assert "here is the decision sent to" in english.text
    assert "<blockquote>" in english.html
