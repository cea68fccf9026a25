"""Every email the notifications worker sends, in French and in English: what it says, in which words.

Contexts come from the worker's own builders given realistic records
(tests/email_samples.py). Each check reads the rendered subject, text and HTML.
"Only its language" is checked on the template's own words: the values that come
from data (names, titles, a French organization's name in an English email) are
removed first, then no common word of the other language may remain.
"""

from __future__ import annotations

import html
import re
from datetime import UTC
from typing import Any

import pytest

from services.notifications.rendering import Rendered, Renderer
from tests import email_samples as samples

ENGLISH_WORDS = {"the", "your", "you", "and", "of", "to", "with", "hello", "please", "team", "is", "will"}
FRENCH_WORDS = {
    "le",
    "la",
    "les",
    "vous",
    "votre",
    "vos",
    "des",
    "et",
    "du",
    "bonjour",
    "une",
    "pour",
    "avec",
}
CONTEXTS = [
    "proposal_decided",
    "proposal_decided_alternatives",
    "case_opened",
    "case_opened_waiting",
    "counsellor_assigned",
    "case_waiting_hub",
    "counsellor_new_case",
    "referral_plan",
    "referral_plan_overridden",
    "referral_plan_as_ranked",
    "referral_partner",
    "referral_partner_private",
    "weekly_digest",
    "followup_reminder",
    "followup_overdue_hub",
    "measure_reminder",
    "review_requested",
]
TEMPLATE = {
    "case_opened_waiting": "case_opened",
    "referral_plan_as_ranked": "referral_plan",
    "proposal_decided_alternatives": "proposal_decided",
    "referral_plan_overridden": "referral_plan",
    "referral_partner_private": "referral_partner",
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def render(renderer: Renderer, name: str, language: str) -> Rendered:
    return renderer.render(TEMPLATE.get(name, name), language, samples.contexts_of(name, language))


def _values(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _values(item)]
    return [value] if isinstance(value, str) else []


def own_words(rendered: Rendered, context: dict[str, Any]) -> set[str]:
    """The words of the template itself: subject, text and visible HTML, minus the data's values."""
    visible = html.unescape(re.sub(r"<[^>]+>", " ", rendered.html.split("<body", 1)[1]))
    everything = f"{rendered.subject}\n{rendered.text}\n{visible}"
    for value in sorted(_values(context), key=len, reverse=True):
        everything = everything.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", everything)}


@pytest.mark.parametrize("name", CONTEXTS)
def test_the_french_version_has_no_english_and_no_iso_date(renderer: Renderer, name: str) -> None:
    email = render(renderer, name, "fr")
    words = own_words(email, samples.contexts_of(name, "fr"))
    assert not words & ENGLISH_WORDS, words & ENGLISH_WORDS
    assert "bonjour" in words
    assert not re.search(r"\d{4}-\d{2}-\d{2}", email.text + email.html)
    assert 'lang="fr-CA"' in email.html
    assert "None" not in email.text + email.html


@pytest.mark.parametrize("name", CONTEXTS)
def test_the_english_version_has_no_french_and_no_iso_date(renderer: Renderer, name: str) -> None:
    email = render(renderer, name, "en")
    words = own_words(email, samples.contexts_of(name, "en"))
    assert not words & FRENCH_WORDS, words & FRENCH_WORDS
    assert "hello" in words
    assert not re.search(r"\d{4}-\d{2}-\d{2}", email.text + email.html)
    assert 'lang="en-CA"' in email.html
    assert "None" not in email.text + email.html


TO_A_PERSON = {
    "case_opened": samples.PAGE_LINK,
    "case_opened_waiting": samples.PAGE_LINK,
    "counsellor_assigned": samples.PAGE_LINK,
    "referral_plan": samples.PLAN_LINK,
    "referral_plan_overridden": samples.PLAN_LINK,
    "referral_plan_as_ranked": samples.PLAN_LINK,
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(TO_A_PERSON))
def test_an_email_to_a_person_links_to_its_page(renderer: Renderer, name: str, language: str) -> None:
    email = render(renderer, name, language)
    link = TO_A_PERSON[name]

    assert link in email.text
    assert f'href="{link}"' in email.html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", CONTEXTS)
def test_no_email_asks_for_a_reply(renderer: Renderer, name: str, language: str) -> None:
    """Emails come from a no-reply address: nothing reads replies (issue #18)."""
    email = render(renderer, name, language)
    said = f"{email.text}\n{email.html}".lower()

    assert not re.search(r"r[ée]pond(ez|re)? à ce courriel|reply", said), said


def test_the_referral_plan_gives_the_person_everything_in_french(renderer: Renderer) -> None:
    email = render(renderer, "referral_plan", "fr")

    assert email.subject == "Votre plan d'orientation : Estrie"
    assert email.text.startswith("Bonjour Amina Diallo,")
    assert "Région proposée : Estrie, votre 1er choix" in email.text
    assert "Service d'aide aux néo-Canadiens (SANC) — accueil@sanc.example.org, 819 555-0190" in email.text
    assert "Votre conseillère ou conseiller : Sophie Tremblay" in email.text
    assert "- Développeuse ou développeur logiciel — Sherbrooke" in email.text
    assert "- Logement transitoire meublé — Ville de Sherbrooke" in email.text
    # Activities soonest first, with the day and the time written the Québec way.
    kiosk = email.text.index("- samedi 6 mars 2027, 10 h : Kiosque de l'Estrie")
    session = email.text.index("- mercredi 17 mars 2027, 18 h 30 : Séance d'information")
    assert kiosk < session
    assert "- Séjour exploratoire en région" in email.text
    assert "Francisation — allocation pour frais de garde" in email.text


def test_the_referral_plan_says_it_is_automated_gives_its_factors_and_offers_a_review(
    renderer: Renderer,
) -> None:
    french = render(renderer, "referral_plan", "fr")
    english = render(renderer, "referral_plan", "en")

    assert "Décision automatisée : vos droits" in french.text
    assert "- L'Estrie est votre premier choix de région." in french.text
    assert "Deux offres d'emploi de la région correspondent à votre profession" in html.unescape(french.html)
    assert "ou un conseiller révise cette décision" in french.text
    assert "Automated decision: your rights" in english.text
    assert "- Estrie is your first-choice region." in english.text
    assert "ask a counsellor to review this" in english.text
    assert "- Saturday, March 6, 2027, 10 a.m.: Kiosque de l'Estrie" in english.text
    assert "- Wednesday, March 17, 2027, 6:30 p.m.: Séance d'information" in english.text


def test_a_plan_reviewed_by_a_counsellor_says_who_and_why_and_is_no_longer_automated(
    renderer: Renderer,
) -> None:
    french = render(renderer, "referral_plan_overridden", "fr")
    english = render(renderer, "referral_plan_overridden", "en")

    assert french.subject == "Votre plan d'orientation révisé : Estrie"
    assert "révisé par Sophie Tremblay" in french.text
    assert "Motif : Votre conjoint a reçu une offre d'emploi à Sherbrooke." in french.text
    assert "Décision automatisée" not in french.text
    assert "Principaux facteurs considérés" in french.text
    assert english.subject == "Your revised referral plan: Eastern Townships (Estrie)"
    assert "reviewed by Daniel O'Brien" in english.text
    assert "Automated decision" not in english.text


def test_a_referral_withdrawn_by_a_counsellor_says_so_without_a_region(renderer: Renderer) -> None:
    referral = samples.referral("counsellor", "cancelled").model_copy(
        update={"region": None, "welcoming_partner_id": None}
    )
    from services.notifications.contexts import referral_person_context

    for language, subject, said in (
        ("fr", "Votre plan d'orientation a été révisé", "a retiré la proposition d'orientation"),
        ("en", "Your referral plan has been reviewed", "has withdrawn the previous referral"),
    ):
        context = referral_person_context(
            referral, samples.contact(language), None, samples.counsellor(language), samples.PAGE_LINK
        )
        email = renderer.render("referral_plan", language, context)
        assert email.subject == subject
        assert said in email.text
        assert "Estrie" not in email.text


def test_the_welcoming_partner_learns_the_household_and_the_shared_contact(renderer: Renderer) -> None:
    email = render(renderer, "referral_partner", "fr")

    assert email.subject == "Un ménage orienté vers votre organisme (3C4D5E6F)"
    assert "- Ménage : 2 adultes et 2 enfants (4 ans et 9 ans)" in email.text
    assert "CNP 21231 — Ingénieurs/ingénieures et concepteurs/conceptrices en logiciel" in email.text
    assert "(6 ans d'expérience)" in email.text
    assert "(2 ans d'expérience, souhaite changer de domaine)" in email.text
    assert "- Français : niveau 7 sur 12 (intermédiaire) de l'Échelle québécoise" in email.text
    assert "- Langue de préférence : anglais" in email.text
    assert "à partir du samedi 1er mai 2027" in email.text
    assert "- Nom : Rahul Mehta" in email.text
    assert "rahul.mehta@personnes.example.net" in email.html
    assert "514 555-0142" in email.text
    english = render(renderer, "referral_partner", "en")
    assert "- Household: 2 adults and 2 children (ages 4 and 9)" in english.text
    assert "NOC 21231 — Software engineers and designers (6 years of experience)" in english.text
    assert "- French: level 7 of 12 (intermediate) on the Échelle québécoise" in english.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_without_consent_the_partner_gets_no_contact_data_but_the_counsellor_who_will_introduce_them(
    renderer: Renderer, language: str
) -> None:
    email = render(renderer, "referral_partner_private", language)

    person = samples.contact("en")
    for secret in (person.name, person.email, person.phone or ""):
        assert secret not in email.text
        assert secret not in email.html
    counsellor = samples.counsellor(language)
    assert counsellor.name in email.text
    assert ("vous mettra en contact" if language == "fr" else "will put you in touch") in email.text


@pytest.mark.parametrize(
    ("change", "fr_subject", "en_subject"),
    [
        ("accepted", "acceptée par le ménage", "accepted by the household"),
        ("declined", "refusée par le ménage", "declined by the household"),
        ("cancelled", "annulée", "cancelled"),
        ("moved", "confiée à un autre organisme", "referred elsewhere"),
    ],
)
def test_the_partner_is_told_what_became_of_a_referral(
    renderer: Renderer, change: str, fr_subject: str, en_subject: str
) -> None:
    from services.notifications.contexts import referral_update_context

    for language, subject in (("fr", fr_subject), ("en", en_subject)):
        context = referral_update_context(samples.referral(), samples.partner(language), change)
        email = renderer.render("referral_partner_update", language, context)
        assert email.subject.endswith(subject)
        assert "3C4D5E6F" in email.text
        assert ("4 personnes" if language == "fr" else "4 people") in email.text
        assert "Sherbrooke" not in email.text  # no reason, no plan: only what became of the referral


def test_the_counsellor_gets_the_case_but_not_the_persons_contact_data(renderer: Renderer) -> None:
    email = render(renderer, "counsellor_new_case", "fr")

    assert email.subject == "Nouveau dossier confié : 9A8B7C6D"
    assert "Le dossier 9A8B7C6D, ouvert le lundi 22 février 2027, vous est confié." in email.text
    assert "- Langue de la personne : anglais" in email.text
    assert "- Ménage : 4 personnes" in email.text
    assert "- Régions, par ordre de pertinence : Estrie, Mauricie" in email.text
    assert "droit établi pour 2, à vérifier pour 1" in email.text
    for secret in ("Amina", "Rahul", "@personnes.example.net", "514 555"):
        assert secret not in email.text + email.html
    english = render(renderer, "counsellor_new_case", "en")
    assert "- Regions, best match first: Eastern Townships (Estrie), Mauricie" in english.text


def test_the_digest_lists_the_regions_scheduled_activities_of_the_next_two_weeks(renderer: Renderer) -> None:
    email = render(renderer, "weekly_digest", "fr")

    assert email.subject == (
        "[Table de concertation en immigration de l'Estrie] Vos activités à Montréal "
        "du 1er mars 2027 au 14 mars 2027"
    )
    bus = email.text.index("- lundi 1er mars 2027, 7 h 45 : Autobus vers les employeurs")
    session = email.text.index("- mercredi 3 mars 2027, 18 h 30 : Séance d'information")
    kiosk = email.text.index("- samedi 6 mars 2027, 10 h : Kiosque de l'Estrie")
    assert bus < session < kiosk
    assert "activité conjointe" in email.text
    assert "régions : Estrie, Centre-du-Québec" in email.text
    for absent in ("trop loin", "en attente de l'appui", "Kiosque de la Mauricie"):
        assert absent not in email.text
    english = render(renderer, "weekly_digest", "en")
    assert "- Monday, March 1, 2027, 7:45 a.m.: Autobus vers les employeurs" in english.text
    assert "Bus trip to the region" in english.text


def test_the_case_opened_email_names_the_counsellor_and_what_to_bring(renderer: Renderer) -> None:
    french = render(renderer, "case_opened", "fr")
    english = render(renderer, "case_opened", "en")

    assert "Sophie Tremblay, de l'équipe de conseil du carrefour montréalais" in french.text
    assert "À apporter à votre premier rendez-vous :" in french.text
    assert "- Votre carte de résident permanent ou votre confirmation de résidence permanente" in french.text
    assert "Daniel O'Brien, your counsellor at the Montréal hub" in english.text
    assert "- Your permanent resident card or your confirmation of permanent residence" in english.text


def test_a_case_no_counsellor_holds_says_so_and_promises_only_an_email_when_one_is(
    renderer: Renderer,
) -> None:
    french = render(renderer, "case_opened_waiting", "fr")
    english = render(renderer, "case_opened_waiting", "en")

    assert "Toutes nos conseillères et tous nos conseillers sont occupés en ce moment." in french.text
    assert "file d'attente" in french.text
    assert "vous écrira bientôt" not in french.text
    assert "All our counsellors are busy at the moment." in english.text
    assert "As soon as a counsellor is assigned to you, we will write" in english.text
    assert "will write to you soon" not in english.text
    assert "- Your permanent resident card or your confirmation of permanent residence" in english.text


def test_the_person_learns_who_took_their_case_from_the_queue(renderer: Renderer) -> None:
    french = render(renderer, "counsellor_assigned", "fr")
    english = render(renderer, "counsellor_assigned", "en")

    assert french.subject == "Votre conseillère ou votre conseiller : Sophie Tremblay"
    assert "Sophie Tremblay" in french.text
    assert english.subject == "Your counsellor: Daniel O'Brien"
    assert "A counsellor is now assigned to your file (reference 9A8B7C6D" in english.text


def test_the_hub_is_alerted_of_a_waiting_case_without_the_persons_contact_data(renderer: Renderer) -> None:
    french = render(renderer, "case_waiting_hub", "fr")
    english = render(renderer, "case_waiting_hub", "en")

    assert french.subject == "Dossier en attente d'une conseillère ou d'un conseiller : 9A8B7C6D"
    assert english.subject == "Case waiting for a counsellor: 9A8B7C6D"
    assert "GET /queue" in english.text
    for private in (samples.contact("fr").name, samples.contact("fr").email, samples.contact("en").email):
        assert private not in french.text + french.html + english.text + english.html


def test_the_plan_speaks_to_the_person_about_their_own_choice(renderer: Renderer) -> None:
    english = render(renderer, "referral_plan_as_ranked", "en")
    french = render(renderer, "referral_plan_as_ranked", "fr")

    assert "- Your choice no. 1" in english.text
    assert "- You are open to any region" in english.text
    assert "The person's" not in english.text + english.html
    assert "- Votre choix n° 1" in french.text
    assert "de la personne" not in french.text


def test_an_organizer_is_told_a_place_is_provisional_and_which_day_it_gave_up(renderer: Renderer) -> None:
    from datetime import date, datetime

    from services.notifications import contexts

    provisional = samples.calendar_entry(
        "Séance d'information",
        date(2027, 3, 6),
        provisional_until=datetime(2027, 2, 24, 15, tzinfo=UTC),
    )
    french = renderer.render(
        "proposal_decided", "fr", contexts.decision_context(provisional, samples.partner("fr"))
    )
    assert "cette place est provisoire jusqu'au mercredi 24 février 2027" in french.text
    displaced = samples.calendar_entry(
        "Séance d'information",
        None,
        status="not_possible",
        alternatives=[date(2027, 3, 13)],
        displaced_from=date(2027, 3, 6),
    )
    english = renderer.render(
        "proposal_decided", "en", contexts.decision_context(displaced, samples.partner("en"))
    )
    assert "Your provisional place on Saturday, March 6, 2027 went to an activity endorsed" in english.text
    assert "provisional until" not in english.text


def test_a_review_request_tells_the_counsellor_the_plan_and_where_the_file_is(renderer: Renderer) -> None:
    email = render(renderer, "review_requested", "fr")

    assert (
        email.subject
        == "Révision demandée : plan d'orientation "
        + samples.contexts_of("review_requested", "fr")["referral_ref"]
    )
    assert samples.STAFF_CASE_LINK in email.text
    assert f'href="{samples.STAFF_CASE_LINK}"' in email.html
    assert "Loi 25" in email.text
    contact = samples.contact("fr")
    for private in (contact.name, contact.email):
        assert private not in email.text + email.html, "never the person's contact data"
