"""Each faust worker, as its own process, against the real broker and SMTP sink:
it consumes what it should, produces what it should, and dead-letters what it cannot read."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from services.common.clock import default_clock
from services.common.cloudevents import new_event
from services.common.contracts import (
    ActivityKind,
    ActivityProposed,
    Case,
    CaseKey,
    Contact,
    InterestDeclared,
    Partner,
    PartnerKey,
    PersonKey,
    ProposalKey,
)
from services.common.kafka import Publisher
from services.common.settings import Settings
from services.common.topics import CASES, CONTACTS, EVENT_PROPOSALS, INTERESTS, PARTNERS
from services.matching.domain import case_id_for
from tests.support import eventually, headers_of, log_events, produce_raw, records_where
from tools.mailsink import read_mailbox
from tools.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def publisher(settings: Settings) -> Publisher:
    return Publisher(settings.kafka, "tests")


def _a_free_saturday() -> date:
    """A Saturday far in the future that no other test books (workers keep their bookings)."""
    return date(2040, 1, 7) + timedelta(weeks=random.randrange(0, 2000))


def _partner(publisher: Publisher, language: str = "fr") -> Partner:
    partner = Partner(
        partner_id=uuid.uuid4(),
        name="Table de concertation de l'Estrie",
        kind="concertation_table",
        regions=["05"],
        contact_email=f"table-{uuid.uuid4().hex[:6]}@example.org",
        language=language,
        registered_at=default_clock().now(),
    )
    publisher.publish(
        PARTNERS, PartnerKey(partner_id=partner.partner_id), partner, "partners.PartnerRegistered"
    )
    return partner


def _proposal(
    organizer: uuid.UUID,
    days: list[date],
    title: str = "Séance d'information en Estrie",
    region: str = "05",
    at: time = time(10, 0),
    language: str | None = None,
) -> ActivityProposed:
    """An information session (no endorsement needed), on its own (not open to joint activities)."""
    return ActivityProposed(
        proposal_id=uuid.uuid4(),
        organizer_id=organizer,
        regions=[region],
        kind=ActivityKind.INFORMATION_SESSION,
        title=title,
        preferred_dates=days,
        proposed_at=default_clock().now(),
        start_time=at,
        duration_minutes=120,
        open_to_joint=False,
        language=language,
    )


def _decisions(settings: Settings, ids: list[uuid.UUID]) -> dict[str, dict[str, object]]:
    wanted = {str(i) for i in ids}
    records = records_where(
        settings.kafka.bootstrap_servers,
        "calendar.v1",
        lambda r: json.loads(r.key)["proposal_id"] in wanted,
        count=len(wanted),
    )
    return {json.loads(r.key)["proposal_id"]: json.loads(r.value) for r in records}


def _mail_to(mail_dir: Path, address: str) -> list[EmailMessage]:
    return [m for m in read_mailbox(mail_dir) if m["To"] == address] if mail_dir.exists() else []


def test_the_fourth_activity_on_a_full_day_is_not_possible_and_gets_alternatives(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    saturday = _a_free_saturday()
    organizer = _partner(publisher)
    proposals = [
        _proposal(organizer.partner_id, [saturday], f"Séance {n}", region, time(8 + 3 * n, 0))
        for n, region in enumerate(["02", "04", "08", "09"])
    ]
    for proposal in proposals:
        key = ProposalKey(proposal_id=proposal.proposal_id)
        publisher.publish(EVENT_PROPOSALS, key, proposal, "events.ActivityProposed")

    decisions = _decisions(settings, [p.proposal_id for p in proposals])
    statuses = [decisions[str(p.proposal_id)]["status"] for p in proposals]
    assert statuses == ["scheduled", "scheduled", "scheduled", "not_possible"]
    last = decisions[str(proposals[3].proposal_id)]
    alternatives = [date.fromisoformat(str(d)) for d in last["alternatives"]]  # type: ignore[attr-defined]
    assert alternatives
    assert all(d > saturday for d in alternatives)


def test_the_calendar_explains_each_decision_in_its_organizers_language(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    # Issue #23, point 3: "Not possible as asked: …" was English for everyone.
    saturday = _a_free_saturday()
    organizer = _partner(publisher)
    proposals = [
        _proposal(organizer.partner_id, [saturday], f"Séance {n}", region, time(8 + 3 * n, 0), language)
        for n, (region, language) in enumerate([("02", "fr"), ("04", "fr"), ("08", "fr"), ("09", "en")])
    ]
    proposals.append(_proposal(organizer.partner_id, [saturday], "Séance 4", "10", time(20, 0), "fr"))
    for proposal in proposals:
        key = ProposalKey(proposal_id=proposal.proposal_id)
        publisher.publish(EVENT_PROPOSALS, key, proposal, "events.ActivityProposed")

    decisions = _decisions(settings, [p.proposal_id for p in proposals])
    first = decisions[str(proposals[0].proposal_id)]
    assert (first["reason"], first["reason_code"]) == (
        "Inscrite à votre premier choix.",
        "decision_scheduled",
    )
    english, french = decisions[str(proposals[3].proposal_id)], decisions[str(proposals[4].proposal_id)]
    day = saturday.isoformat()
    assert english["reason"] == f"Not possible as asked: {day}: {day} already has 3 of 3 regional activities"
    assert french["reason"] == (
        f"Impossible tel que demandé : {day} : le {day} compte déjà 3 des 3 activités régionales permises"
    )
    assert english["reason_code"] == french["reason_code"] == "decision_not_possible"


def test_a_decision_carries_the_correlation_id_and_an_id_derived_from_its_proposal(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    organizer = _partner(publisher)
    proposal = _proposal(organizer.partner_id, [_a_free_saturday()])
    meta = new_event("events.ActivityProposed", "tests", "corr-worker-42")
    written = publisher.publish(
        EVENT_PROPOSALS, ProposalKey(proposal_id=proposal.proposal_id), proposal, "x", meta=meta
    )
    [record] = records_where(
        settings.kafka.bootstrap_servers,
        "calendar.v1",
        lambda r: json.loads(r.key) == {"proposal_id": str(proposal.proposal_id)},
    )
    headers = headers_of(record)
    assert headers["correlation_id"] == "corr-worker-42"
    cause = f"{written.event_id}/{proposal.proposal_id}"
    assert headers["ce_id"] == new_event("events.ProposalDecided", "x", None, caused_by=cause).id
    log = workers.log_path("events-worker").read_text()
    assert "corr-worker-42" in log


def test_unreadable_proposals_are_dead_lettered_and_the_worker_goes_on(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    marker = uuid.uuid4().hex.encode()
    produce_raw(bootstrap, "event-proposals.v1", b'{"proposal_id": "x"}', b"not json " + marker, [])
    wrong = {"proposal_id": str(uuid.uuid4()), "title": marker.decode(), "schema_version": 1}
    produce_raw(
        bootstrap,
        "event-proposals.v1",
        json.dumps({"proposal_id": wrong["proposal_id"]}).encode(),
        json.dumps(wrong).encode(),
        [("ce_id", b"bad-1")],
    )
    organizer = _partner(publisher)
    after = _proposal(organizer.partner_id, [_a_free_saturday()])
    publisher.publish(EVENT_PROPOSALS, ProposalKey(proposal_id=after.proposal_id), after, "x")

    dead = records_where(bootstrap, "deadletter.v1", lambda r: marker in (r.value or b""), count=2)
    for record in dead:
        headers = headers_of(record)
        assert headers["dlq_topic"] == "event-proposals.v1"
        assert headers["dlq_consumer"] == "events-worker"
        assert headers["dlq_reason"].startswith("event-proposals.v1: invalid")
    assert any("ce_id" in headers_of(r) for r in dead), "original headers are kept"
    assert _decisions(settings, [after.proposal_id])[str(after.proposal_id)]["status"] == "scheduled"


def test_a_declared_interest_opens_one_case_keyed_by_the_person(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    interest = InterestDeclared(
        person_id=uuid.uuid4(),
        immigration_status="protected_person",
        preferred_regions=["02", "08"],
        language="fr",
        declared_at=default_clock().now(),
    )
    key = PersonKey(person_id=interest.person_id)
    written = publisher.publish(INTERESTS, key, interest, "matching.InterestDeclared")
    publisher.publish(INTERESTS, key, interest, "matching.InterestDeclared")  # a client's retry
    # Then an update: on the same key, so its case comes after whatever the retry gave.
    update = interest.model_copy(update={"revision": 2, "preferred_regions": ["08"]})
    publisher.publish(INTERESTS, key, update, "matching.InterestUpdated")

    case_id = str(case_id_for(interest.person_id))
    records = records_where(
        settings.kafka.bootstrap_servers,
        "cases.v1",
        lambda r: json.loads(r.key) == {"case_id": case_id},
        count=2,
    )
    cases = [Case.model_validate_json(r.value) for r in records]
    assert [c.interest_revision for c in cases] == [1, 2], "the retry opened no second case"
    assert cases[0].person_id == interest.person_id
    assert cases[0].preferred_regions == ["02", "08"]
    assert cases[1].preferred_regions == ["08"]
    assert cases[1].opened_at == cases[0].opened_at
    assert cases[1].counsellor_id == cases[0].counsellor_id
    assert (
        headers_of(records[0])["ce_id"]
        == new_event("matching.CaseOpened", "x", None, caused_by=written.event_id).id
    )


def test_unreadable_interests_are_dead_lettered(workers: Stack, settings: Settings) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    marker = uuid.uuid4().hex
    value = json.dumps({"person_id": str(uuid.uuid4()), "language": "de", "note": marker}).encode()
    produce_raw(bootstrap, "interests.v1", b'{"person_id": "not-a-uuid"}', value, [])
    [record] = records_where(bootstrap, "deadletter.v1", lambda r: marker.encode() in (r.value or b""))
    assert headers_of(record)["dlq_consumer"] == "matching-worker"
    assert "person_id" in headers_of(record)["dlq_reason"]


def test_a_new_case_emails_the_person_once_in_their_language(
    workers: Stack, settings: Settings, publisher: Publisher, mail_dir: Path
) -> None:
    person_id = uuid.uuid4()
    email = f"li.wei.{uuid.uuid4().hex[:6]}@example.net"
    contact = Contact(person_id=person_id, name="Li Wei", email=email, language="en")
    publisher.publish(CONTACTS, PersonKey(person_id=person_id), contact, "matching.ContactRecorded")
    case = Case(
        case_id=case_id_for(person_id),
        person_id=person_id,
        status="open",
        language="en",
        preferred_regions=["04"],
        opened_at=default_clock().now(),
    )
    meta = new_event("matching.CaseOpened", "tests", "corr-mail-1")
    publisher.publish(CASES, CaseKey(case_id=case.case_id), case, "x", meta=meta)
    publisher.publish(CASES, CaseKey(case_id=case.case_id), case, "x", meta=meta)  # redelivered event

    [message] = eventually(lambda: _mail_to(mail_dir, email), 30, "the case-opened email")
    assert message["Subject"] == "Your Concerto file is open"
    assert message["Content-Language"] == "en-CA"
    body = message.get_body(("plain",))
    assert body is not None
    assert "Hello Li Wei" in body.get_content()
    assert "Mauricie" in body.get_content()

    [audit] = records_where(
        settings.kafka.bootstrap_servers,
        "notifications.v1",
        lambda r: json.loads(r.value)["recipient_id"] == str(person_id),
    )
    sent = json.loads(audit.value)
    assert sent["message_id"] == message["Message-ID"]
    assert (sent["template"], sent["language"]) == ("case_opened", "en")
    assert email.encode() not in audit.value
    assert b"Li Wei" not in audit.value
    # The redelivered event is recognised by the send ledger: still exactly one email.
    log = workers.log_path("notifications-worker")
    eventually(
        lambda: any(
            r["event"] == "email.already_sent" and r.get("recipient_id") == str(person_id)
            for r in log_events(log)
        ),
        30,
        "the redelivered case to be recognised",
    )
    assert len(_mail_to(mail_dir, email)) == 1


def test_a_decision_emails_the_organizer_in_french_by_default(
    workers: Stack, settings: Settings, publisher: Publisher, mail_dir: Path
) -> None:
    organizer = _partner(publisher, language="fr")
    proposal = _proposal(organizer.partner_id, [_a_free_saturday()], "Autobus vers Sherbrooke")
    publisher.publish(EVENT_PROPOSALS, ProposalKey(proposal_id=proposal.proposal_id), proposal, "x")
    [message] = eventually(lambda: _mail_to(mail_dir, organizer.contact_email), 30, "the decision email")
    assert message["Subject"] == "Activité inscrite au calendrier : Autobus vers Sherbrooke"
    assert message["Content-Language"] == "fr-CA"
    html = message.get_body(("html",))
    assert html is not None
    assert "Estrie" in html.get_content()
