"""Realistic records and the contexts the notifications worker builds from them, for the email tests.

The contexts come from the worker's own builders (services/notifications/
contexts.py and digest.py) given contract objects, so the tests render exactly
what the worker would send. Names, places and offers are plausible, not real
people.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from services.common.contracts import (
    ActivityKind,
    CalendarEntry,
    Case,
    ConcertationTable,
    Consents,
    Contact,
    Counsellor,
    Delegation,
    Entitlement,
    Factor,
    Household,
    ImmigrationStatus,
    InterestDeclared,
    MeasureEntry,
    MeasureLedger,
    Occupation,
    Override,
    Partner,
    Referral,
    RegionScore,
    Settlement,
    SuggestedActivity,
    SuggestedOffer,
)
from services.notifications import contexts
from services.notifications.digest import digest_context, upcoming
from services.notifications.documents import documents_to_bring
from services.notifications.followup_reminders import FollowUpDue, reminder_context
from services.notifications.measure_reminders import reminder_context as measure_reminder_context

# What the worker's page links look like (services/common/page_links.py); the token is made up.
PAGE_LINK = "http://127.0.0.1:8004/open/eyJwIjoiZmlsZSJ9.sample"
STAFF_CASE_LINK = "http://127.0.0.1:8004/staff/cases/9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d"
PLAN_LINK = "http://127.0.0.1:8004/open/eyJwIjoicGxhbiJ9.sample"

NOW = datetime(2027, 2, 22, 14, 5, tzinfo=UTC)
SATURDAY = date(2027, 3, 6)
PERSON_ID = uuid.UUID("6f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f")
SANC_ID = uuid.UUID("0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c")
COUNSELLOR_ID = uuid.UUID("a7c1e2d3-0f4b-4a5c-8d6e-7f8091a2b3c4")


def _entitlement(code: str, fr: str, en: str, status: str) -> Entitlement:
    return Entitlement(
        measure_code=code,
        measure_offer_id=uuid.uuid5(uuid.NAMESPACE_URL, code),
        name_fr=fr,
        name_en=en,
        payee="person",
        status=status,
    )


ENTITLEMENTS = [
    _entitlement(
        "exploratory_trip", "Séjour exploratoire en région", "Exploratory trip to a region", "entitled"
    ),
    _entitlement(
        "moving_help", "Aide au déménagement en région", "Help with moving to the region", "entitled"
    ),
    _entitlement(
        "francization_childcare_allowance",
        "Francisation — allocation pour frais de garde",
        "Francization — childcare allowance",
        "possible",
    ),
]


def contact(language: str = "fr") -> Contact:
    name = "Amina Diallo" if language == "fr" else "Rahul Mehta"
    return Contact(
        person_id=PERSON_ID,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@personnes.example.net",
        phone="514 555-0142",
        language=language,
    )


def interest(language: str = "fr", share_contact: bool = True) -> InterestDeclared:
    return InterestDeclared(
        person_id=PERSON_ID,
        immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
        arrival_date=date(2025, 8, 14),
        occupation="21231",
        french_level=7,
        preferred_regions=["05", "04"],
        language=language,
        declared_at=NOW,
        household=Household(adults=2, children_ages=[4, 9]),
        occupations=[
            Occupation(cnp="21231", years=6),
            Occupation(cnp="32101", years=2, stays_in_field=False),
        ],
        english_level="intermediate",
        earliest_move_date=date(2027, 5, 1),
        consents=Consents(contact=True, referral=True, share_contact=share_contact),
    )


def counsellor(language: str = "fr") -> Counsellor:
    return Counsellor(
        counsellor_id=COUNSELLOR_ID,
        name="Sophie Tremblay" if language == "fr" else "Daniel O'Brien",
        email="conseil@carrefour.example.org",
        languages=[language, "fr" if language == "en" else "en"],
    )


def partner(language: str = "fr", partner_id: uuid.UUID = SANC_ID) -> Partner:
    return Partner(
        partner_id=partner_id,
        name="Service d'aide aux néo-Canadiens (SANC)",
        kind="community_organization",
        regions=["05"],
        contact_email="accueil@sanc.example.org",
        contact_phone="819 555-0190",
        language=language,
        registered_at=NOW,
    )


def case(language: str = "fr") -> Case:
    return Case(
        case_id=uuid.UUID("9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"),
        person_id=PERSON_ID,
        status="open",
        language=language,
        preferred_regions=["05", "04"],
        opened_at=NOW,
        entitlements=ENTITLEMENTS,
        counsellor_id=COUNSELLOR_ID,
        household_size=4,
        regions=[RegionScore(region="05", score=0.91), RegionScore(region="04", score=0.74)],
    )


def _offer(kind: str, title: str) -> SuggestedOffer:
    return SuggestedOffer(
        offer_id=uuid.uuid5(uuid.NAMESPACE_URL, title),
        partner_id=None,
        kind=kind,
        title=title,
        region="05",
        score=0.8,
    )


def referral(decided_by: str = "round", status: str = "proposed", language: str = "fr") -> Referral:
    overridden = decided_by == "counsellor"
    return Referral(
        referral_id=uuid.UUID("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"),
        round_id=uuid.uuid5(uuid.NAMESPACE_URL, "round-2027-02"),
        case_id=case().case_id,
        person_id=PERSON_ID,
        household_size=4,
        region="05",
        welcoming_partner_id=SANC_ID,
        welcoming_offer_id=uuid.uuid5(uuid.NAMESPACE_URL, "sanc-intake"),
        preference_rank=1,
        jobs=[
            _offer("job", "Développeuse ou développeur logiciel — Sherbrooke"),
            _offer("job", "Programmeur-analyste junior — Magog"),
        ],
        settlement=[
            _offer("settlement", "Logement transitoire meublé — Ville de Sherbrooke"),
            _offer("settlement", "Places réservées en service de garde — CPE de l'Estrie"),
        ],
        activities=[
            SuggestedActivity(
                proposal_id=uuid.uuid5(uuid.NAMESPACE_URL, "info"),
                title="Séance d'information : vivre et travailler en Estrie",
                kind="information_session",
                day=date(2027, 3, 17),
                start=time(18, 30),
                regions=["05"],
            ),
            SuggestedActivity(
                proposal_id=uuid.uuid5(uuid.NAMESPACE_URL, "kiosk"),
                title="Kiosque de l'Estrie au Salon de l'immigration et de l'intégration",
                kind="fair_kiosk",
                day=SATURDAY,
                start=time(10, 0),
                regions=["05"],
            ),
        ],
        entitlements=ENTITLEMENTS,
        counsellor_id=COUNSELLOR_ID,
        factors=[
            Factor(
                factor="preference",
                points=40,
                detail_fr="L'Estrie est votre premier choix de région.",
                detail_en="Estrie is your first-choice region.",
            ),
            Factor(
                factor="job_match",
                points=30,
                detail_fr="Deux offres d'emploi de la région correspondent à votre profession (CNP 21231).",
                detail_en="Two job offers in the region match your occupation (NOC 21231).",
            ),
            Factor(
                factor="capacity",
                points=10,
                detail_fr="Le SANC a une place d'accueil pour un ménage de quatre personnes.",
                detail_en="SANC has a place to welcome a household of four.",
            ),
        ],
        status=status,
        decided_by=decided_by,
        override=(
            Override(
                counsellor_id=str(COUNSELLOR_ID),
                reason=(
                    "Votre conjoint a reçu une offre d'emploi à Sherbrooke."
                    if language == "fr"
                    else "Your spouse received a job offer in Sherbrooke."
                ),
                at=NOW,
                previous_partner_id=None,
                previous_region="04",
            )
            if overridden
            else None
        ),
        issued_at=NOW,
        updated_at=NOW,
    )


def calendar_entry(
    title: str, day: date | None, status: str = "scheduled", at: time = time(10, 0), **more: Any
) -> CalendarEntry:
    return CalendarEntry(
        proposal_id=uuid.uuid5(uuid.NAMESPACE_URL, title),
        organizer_id=SANC_ID,
        regions=more.pop("regions", ["05"]),
        kind=more.pop("kind", ActivityKind.INFORMATION_SESSION),
        title=title,
        status=status,
        day=day,
        preference_rank=more.pop("rank", 1 if status == "scheduled" else None),
        reason="Sample decision.",
        decided_at=NOW,
        start_time=at,
        **more,
    )


def table() -> ConcertationTable:
    return ConcertationTable(
        table_id=uuid.UUID("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"),
        name="Table de concertation en immigration de l'Estrie",
        region="05",
        members=[SANC_ID],
        delegations=[Delegation(partner_id=SANC_ID, start=date(2026, 9, 1))],
        created_at=NOW,
    )


DIGEST_ENTRIES = [
    calendar_entry(
        "Kiosque de l'Estrie au Salon de l'immigration et de l'intégration",
        SATURDAY,
        kind=ActivityKind.FAIR_KIOSK,
        joint_members=[uuid.uuid4()],
    ),
    calendar_entry("Séance d'information : vivre et travailler en Estrie", date(2027, 3, 3), at=time(18, 30)),
    calendar_entry(
        "Autobus vers les employeurs de l'Estrie et du Centre-du-Québec",
        date(2027, 3, 1),
        at=time(7, 45),
        kind=ActivityKind.BUS_TRIP,
        regions=["05", "17"],
    ),
    calendar_entry("Webinaire de l'Estrie — trop loin", date(2027, 4, 20)),
    calendar_entry(
        "Séance en attente de l'appui de la table", date(2027, 3, 2), status="pending_endorsement"
    ),
    calendar_entry("Kiosque de la Mauricie", date(2027, 3, 4), regions=["04"]),
]


def contexts_of(template: str, language: str) -> dict[str, Any]:
    """The context of ``template`` for a recipient writing in ``language``, as the worker builds it."""
    found = (
        _decision_or_case_context(template, language)
        or _referral_or_digest_context(template, language)
        or _followup_context(template, language)
    )
    if found is None:
        raise KeyError(template)
    return found


def _decision_or_case_context(template: str, language: str) -> dict[str, Any] | None:
    if template == "proposal_decided":
        entry = calendar_entry("Kiosque de l'Estrie au Salon de l'immigration et de l'intégration", SATURDAY)
        return contexts.decision_context(entry, partner(language))
    if template == "proposal_decided_alternatives":
        entry = calendar_entry(
            "Séance d'information : vivre et travailler en Estrie",
            None,
            status="not_possible",
            alternatives=[date(2027, 3, 7), date(2027, 3, 13), date(2027, 3, 14)],
        )
        return contexts.decision_context(entry, partner(language))
    if template == "case_opened":
        return contexts.case_opened_context(
            case(language),
            contact(language),
            interest(language),
            counsellor(language),
            documents_to_bring(),
            PAGE_LINK,
        )
    if template == "case_opened_waiting":
        waiting = case(language).model_copy(update={"counsellor_id": None})
        return contexts.case_opened_context(
            waiting, contact(language), interest(language), None, documents_to_bring(), PAGE_LINK
        )
    if template == "counsellor_assigned":
        return contexts.counsellor_assigned_context(
            case(language), contact(language), counsellor(language), PAGE_LINK
        )
    if template == "case_waiting_hub":
        return contexts.case_waiting_context(case("en" if language == "fr" else "fr"), language)
    if template == "counsellor_new_case":
        return contexts.counsellor_case_context(
            case("en" if language == "fr" else "fr"), counsellor(language)
        )
    return None


def _referral_or_digest_context(template: str, language: str) -> dict[str, Any] | None:
    if template == "referral_plan_as_ranked":
        # The factors as the round writes them (services/matching/ranking.py), for staff.
        staff_words = [
            Factor(
                factor="preference",
                points=40,
                detail_fr="Choix n° 1 de la personne",
                detail_en="The person's choice no. 1",
            ),
            Factor(
                factor="preference",
                points=4,
                detail_fr="Ouverte à toute région",
                detail_en="Open to any region",
            ),
        ]
        ranked = referral(language=language).model_copy(update={"factors": staff_words})
        return contexts.referral_person_context(
            ranked, contact(language), partner(language), counsellor(language), PLAN_LINK
        )
    if template == "referral_plan":
        return contexts.referral_person_context(
            referral(), contact(language), partner(language), counsellor(language), PLAN_LINK
        )
    if template == "referral_plan_overridden":
        return contexts.referral_person_context(
            referral("counsellor", language=language),
            contact(language),
            partner(language),
            counsellor(language),
            PLAN_LINK,
        )
    if template == "referral_partner":
        return contexts.referral_partner_context(
            referral(), partner(language), interest("en"), contact("en"), counsellor(language)
        )
    if template == "referral_partner_private":
        return contexts.referral_partner_context(
            referral(), partner(language), interest("en", share_contact=False), None, counsellor(language)
        )
    if template == "weekly_digest":
        as_of = date(2027, 3, 1)
        activities = upcoming(DIGEST_ENTRIES, "05", as_of, 14)
        organizers = {SANC_ID: partner(language)}
        return digest_context(table(), partner(language), activities, organizers, as_of, 14)
    return None


def settlement() -> Settlement:
    """A household welcomed by the SANC, arrived in Sherbrooke on 31 January 2027."""
    return Settlement(
        case_id=uuid.UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d"),
        person_id=PERSON_ID,
        referral_id=uuid.UUID("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"),
        region="05",
        welcoming_partner_id=SANC_ID,
        status="arrived",
        arrived_on=date(2027, 1, 31),
        opened_at=NOW,
        updated_at=NOW,
    )


def _followup_context(template: str, language: str) -> dict[str, Any] | None:
    if template == "review_requested":
        asked = referral(language=language).model_copy(update={"review_requested_at": NOW})
        return contexts.review_requested_context(asked, counsellor(language), STAFF_CASE_LINK)
    if template == "followup_reminder":
        due = FollowUpDue(
            case_id=settlement().case_id,
            month=3,
            to="partner",
            due_on=date(2027, 4, 30),
            as_of=date(2027, 4, 30),
        )
        return reminder_context(settlement(), due, partner(language), language)
    if template == "followup_overdue_hub":
        due = FollowUpDue(
            case_id=settlement().case_id, month=3, to="hub", due_on=date(2027, 4, 30), as_of=date(2027, 6, 1)
        )
        return reminder_context(settlement(), due, partner(language), language)
    if template == "measure_reminder":
        ledger = measures_ledger()
        name = "Séjour exploratoire en région" if language == "fr" else "Exploratory trip to a region"
        return measure_reminder_context(
            settlement(), ledger.entries[0], name, partner(language).name, language
        )
    return None


def measures_ledger() -> MeasureLedger:
    """The SANC household's ledger: its exploratory trip applied for, due on 15 March 2027."""
    trip = MeasureEntry(
        measure_code="exploratory_trip",
        status="applied_for",
        handled_by="partner",
        deadline=date(2027, 3, 15),
    )
    home = settlement()
    return MeasureLedger(
        case_id=home.case_id,
        person_id=home.person_id,
        region=home.region,
        welcoming_partner_id=home.welcoming_partner_id,
        entries=[trip],
        updated_at=NOW,
    )


# (sample name, template, context name): the main emails, rendered and screenshot in both languages.
MAIN_EMAILS = [
    ("decision_scheduled", "proposal_decided", "proposal_decided"),
    ("decision_alternatives", "proposal_decided", "proposal_decided_alternatives"),
    ("case_opened", "case_opened", "case_opened"),
    ("referral_to_person", "referral_plan", "referral_plan"),
    ("referral_overridden_to_person", "referral_plan", "referral_plan_overridden"),
    ("referral_to_partner", "referral_partner", "referral_partner"),
    ("counsellor_new_case", "counsellor_new_case", "counsellor_new_case"),
    ("weekly_digest", "weekly_digest", "weekly_digest"),
]
