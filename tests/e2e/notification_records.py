"""The records of the notifications end-to-end test, and the emails they must cause.

Two people (one shares their contact with the welcoming partner, one does not),
two counsellors, three partners, one concertation table with its delegate, and
calendar entries of the table's region. Every address is on a domain of its own,
so the mailbox shows exactly what this scenario caused. Expected emails are
named by their deterministic Message-ID (the worker's ledger key, hashed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from pydantic import BaseModel

from services.common.clock import default_clock
from services.common.cloudevents import EventMeta, new_event
from services.common.contracts import (
    ActivityKind,
    CalendarEntry,
    Case,
    CaseKey,
    ConcertationTable,
    Contact,
    Counsellor,
    CounsellorKey,
    Delegation,
    InterestDeclared,
    Override,
    Partner,
    PartnerKey,
    PersonKey,
    ProposalKey,
    Referral,
    ReferralKey,
    TableKey,
)
from services.common.kafka import Publisher
from services.common.topics import (
    CALENDAR,
    CASES,
    CONTACTS,
    COUNSELLORS,
    INTERESTS,
    PARTNERS,
    REFERRALS,
    TABLES,
    TopicSpec,
)
from services.matching.domain import case_id_for
from services.notifications import ledger
from services.notifications.digest import local_day
from services.notifications.rendering import message_id_for
from tests import email_samples as samples

REGION = "11"  # Gaspésie–Îles-de-la-Madeleine


@dataclass(frozen=True)
class Expected:
    """An email the scenario must cause: to whom, in which language, and a piece of its subject."""

    message_id: str
    address: str
    language: str
    says: str


@dataclass
class Scenario:
    """What was published, and what must arrive."""

    domain: str
    table: ConcertationTable
    delegate: Partner
    people: list[Contact]
    upcoming: CalendarEntry
    not_in_digest: list[CalendarEntry]
    expected: dict[str, Expected] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)
    records: list[tuple[TopicSpec, BaseModel, BaseModel, EventMeta]] = field(default_factory=list)

    def expect(self, name: str, key: str, address: str, language: str, says: str) -> None:
        message_id = message_id_for(key)
        self.expected[message_id] = Expected(message_id, address, language, says)
        self.named[name] = message_id


class _Writer:
    """Publishes records as their writing services would, and remembers them for the replay."""

    def __init__(self, publisher: Publisher, scenario: Scenario) -> None:
        self._publisher = publisher
        self._scenario = scenario

    def __call__(self, spec: TopicSpec, key: BaseModel, value: BaseModel) -> EventMeta:
        meta = new_event(f"tests.{type(value).__name__}", "tests", None)
        self._publisher.publish(spec, key, value, meta.type, meta)
        self._scenario.records.append((spec, key, value, meta))
        return meta


def _partner(domain: str, name: str, language: str) -> Partner:
    partner_id = uuid.uuid4()
    return samples.partner(language, partner_id).model_copy(
        update={"name": name, "regions": [REGION], "contact_email": f"{partner_id.hex[:10]}@{domain}"}
    )


def _person(domain: str, name: str, language: str, phone: str) -> Contact:
    person_id = uuid.uuid4()
    return Contact(
        person_id=person_id, name=name, email=f"{person_id.hex[:10]}@{domain}", phone=phone, language=language
    )


def _interest(contact: Contact, share_contact: bool) -> InterestDeclared:
    return samples.interest(contact.language, share_contact).model_copy(
        update={"person_id": contact.person_id, "preferred_regions": [REGION], "language": contact.language}
    )


def _case(contact: Contact, counsellor: Counsellor) -> Case:
    return samples.case(contact.language).model_copy(
        update={
            "case_id": case_id_for(contact.person_id),
            "person_id": contact.person_id,
            "counsellor_id": counsellor.counsellor_id,
            "preferred_regions": [REGION],
            "regions": [],
        }
    )


def _referral(contact: Contact, welcomer: Partner, counsellor: Counsellor, **more: Any) -> Referral:
    return samples.referral().model_copy(
        update={
            "referral_id": uuid.uuid4(),
            "case_id": case_id_for(contact.person_id),
            "person_id": contact.person_id,
            "region": REGION,
            "welcoming_partner_id": welcomer.partner_id,
            "counsellor_id": counsellor.counsellor_id,
            **more,
        }
    )


def _entry(organizer: Partner, title: str, day: date, status: str = "scheduled") -> CalendarEntry:
    return CalendarEntry(
        proposal_id=uuid.uuid4(),
        organizer_id=organizer.partner_id,
        regions=[REGION],
        kind=ActivityKind.INFORMATION_SESSION,
        title=title,
        status=status,
        day=day,
        preference_rank=1,
        reason="Written by the test, as the events worker would.",
        decided_at=default_clock().now(),
        start_time=time(18, 30),
    )


def publish_scenario(publisher: Publisher) -> Scenario:
    """Publish every record of the scenario; return it with the emails it must cause."""
    domain = f"notif-{uuid.uuid4().hex[:8]}.example.net"
    welcomer = _partner(domain, "Carrefour d'accueil de la Gaspésie", "fr")
    former = _partner(domain, "Gaspé Welcome Centre", "en")
    delegate = _partner(domain, "Place aux jeunes en région — Gaspésie", "fr")
    table = samples.table().model_copy(
        update={
            "table_id": uuid.uuid4(),
            "name": "Table de concertation en immigration de la Gaspésie",
            "region": REGION,
            "members": [delegate.partner_id, welcomer.partner_id],
            "delegations": [
                Delegation(partner_id=delegate.partner_id, start=default_clock().today() - timedelta(days=30))
            ],
        }
    )
    counsellor_fr = samples.counsellor("fr").model_copy(
        update={"counsellor_id": uuid.uuid4(), "email": f"conseil-fr@{domain}"}
    )
    counsellor_en = samples.counsellor("en").model_copy(
        update={"counsellor_id": uuid.uuid4(), "email": f"counsel-en@{domain}", "languages": ["en"]}
    )
    sharing = _person(domain, "Amina Diallo", "fr", "418 555-0101")
    private = _person(domain, "Rahul Mehta", "en", "418 555-0202")
    today = local_day(default_clock().now(), "America/Toronto")
    upcoming = _entry(delegate, "Séance d'information : vivre en Gaspésie", today + timedelta(days=3))
    later = _entry(delegate, "Webinaire de la Gaspésie, dans trois semaines", today + timedelta(days=20))
    waiting = _entry(delegate, "Kiosque en attente d'appui", today + timedelta(days=5), "pending_endorsement")
    scenario = Scenario(domain, table, delegate, [sharing, private], upcoming, [later, waiting])
    write = _Writer(publisher, scenario)

    for partner in (welcomer, former, delegate):
        write(PARTNERS, PartnerKey(partner_id=partner.partner_id), partner)
    write(TABLES, TableKey(table_id=table.table_id), table)
    for counsellor in (counsellor_fr, counsellor_en):
        write(COUNSELLORS, CounsellorKey(counsellor_id=counsellor.counsellor_id), counsellor)
    for person, shares, counsellor in ((sharing, True, counsellor_fr), (private, False, counsellor_en)):
        person_key = PersonKey(person_id=person.person_id)
        write(CONTACTS, person_key, person)
        write(INTERESTS, person_key, _interest(person, shares))
        case = _case(person, counsellor)
        write(CASES, CaseKey(case_id=case.case_id), case)
        opened = (
            "Votre dossier Concerto est ouvert" if person.language == "fr" else "Your Concerto file is open"
        )
        scenario.expect(
            f"case_opened:{person.name}",
            ledger.case_opened_key(case.case_id, person.person_id),
            person.email,
            person.language,
            opened,
        )
        new_case = "Nouveau dossier confié" if counsellor.languages[0] == "fr" else "New case assigned"
        scenario.expect(
            f"new_case:{person.name}",
            ledger.counsellor_case_key(case.case_id, counsellor.counsellor_id),
            counsellor.email,
            counsellor.languages[0],
            new_case,
        )
    for entry in (upcoming, later, waiting):
        meta = write(CALENDAR, ProposalKey(proposal_id=entry.proposal_id), entry)
        scenario.expect(
            f"decision:{entry.title}",
            ledger.decision_key(meta.id, "proposal_decided", delegate.partner_id),
            delegate.contact_email,
            "fr",
            entry.title,
        )

    # Amina's plan, issued by a round to a partner she shares her contact with; then she accepts.
    plan = _referral(sharing, welcomer, counsellor_fr)
    write(REFERRALS, ReferralKey(referral_id=plan.referral_id), plan)
    rewritten = plan.model_copy(update={"updated_at": plan.updated_at + timedelta(minutes=5)})
    write(REFERRALS, ReferralKey(referral_id=plan.referral_id), rewritten)  # the same state: no new email
    accepted = rewritten.model_copy(update={"status": "accepted", "updated_at": default_clock().now()})
    write(REFERRALS, ReferralKey(referral_id=plan.referral_id), accepted)
    scenario.expect(
        "plan:Amina",
        ledger.referral_key(plan, "proposed", "referral_plan", sharing.person_id),
        sharing.email,
        "fr",
        "Votre plan d'orientation",
    )
    scenario.expect(
        "shared_to_partner",
        ledger.referral_key(plan, "proposed", "referral_partner", welcomer.partner_id),
        welcomer.contact_email,
        "fr",
        "Un ménage orienté vers votre organisme",
    )
    scenario.expect(
        "accepted_to_partner",
        ledger.referral_key(accepted, "accepted", "referral_partner_update", welcomer.partner_id),
        welcomer.contact_email,
        "fr",
        "acceptée par le ménage",
    )

    # Rahul's plan goes to the English-speaking partner; his counsellor then refers him elsewhere.
    first = _referral(private, former, counsellor_en)
    write(REFERRALS, ReferralKey(referral_id=first.referral_id), first)
    override = Override(
        counsellor_id=str(counsellor_en.counsellor_id),
        reason="Closer to the hospital where he has a job interview.",
        at=default_clock().now(),
        previous_partner_id=former.partner_id,
        previous_region=REGION,
    )
    reviewed = first.model_copy(
        update={"decided_by": "counsellor", "override": override, "welcoming_partner_id": welcomer.partner_id}
    )
    write(REFERRALS, ReferralKey(referral_id=first.referral_id), reviewed)
    for name, referral, status, template, recipient, language, says in (
        ("plan:Rahul", first, "proposed", "referral_plan", private, "en", "Your referral plan"),
        ("private_to_former", first, "proposed", "referral_partner", former, "en", "A household referred"),
        ("revised:Rahul", reviewed, "proposed", "referral_plan", private, "en", "Your revised referral plan"),
        (
            "private_to_welcomer",
            reviewed,
            "proposed",
            "referral_partner",
            welcomer,
            "fr",
            "Un ménage orienté",
        ),
        ("moved_to_former", reviewed, "moved", "referral_partner_update", former, "en", "referred elsewhere"),
    ):
        recipient_id = recipient.person_id if isinstance(recipient, Contact) else recipient.partner_id
        address = recipient.email if isinstance(recipient, Contact) else recipient.contact_email
        key = ledger.referral_key(referral, status, template, recipient_id)
        scenario.expect(name, key, address, language, says)
    return scenario
