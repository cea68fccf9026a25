"""Poison records on every topic a faust worker consumes: dead-lettered with the reason; the worker goes on.

For each (worker, topic): five poison records (see poison.py: not JSON, schema_version
0, schema_version "2", ce_specversion 0.3, and a record over the 256 KiB limit), then
a valid record, all on the same partition, against the real broker and the real
worker processes. Each poison record must be on deadletter.v1 once, from that worker,
with its reason and origin in the headers (read with tools.deadletters); the valid
record after them must take effect. A topic a worker consumes without a case here
fails the coverage test.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from services.common.clock import default_clock
from services.common.cloudevents import new_event
from services.common.codec import UnreadableRecord, decode_value, encode
from services.common.contracts import (
    ActivityKind,
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    Case,
    CaseKey,
    CommandKey,
    Consents,
    Contact,
    InterestDeclared,
    MatchingCommand,
    Partner,
    PartnerKey,
    PersonKey,
    ProposalKey,
    Referral,
    ReferralKey,
    RulesKey,
)
from services.common.kafka import Publisher
from services.common.settings import Settings
from services.common.topics import CALENDAR_RULES, CONTACTS, EVENT_PROPOSALS, INTERESTS, PARTNERS
from services.events.worker import create_app as events_worker
from services.events.worker import foundation_rules
from services.matching.domain import case_id_for
from services.matching.worker import create_app as matching_worker
from services.notifications.digest import DIGEST_DUE
from services.notifications.followup_reminders import FOLLOWUP_DUE
from services.notifications.measure_reminders import MEASURE_DUE
from services.notifications.worker import create_app as notifications_worker
from tests.integration.poison import POISON_HEADER, POISONS, Record, valid_record, write_in_order
from tests.support import eventually, log_events, read_topic, records_where
from tools.deadletters import DeadLetter, read
from tools.stack import Stack

pytestmark = pytest.mark.integration

Check = Callable[[], bool]


@dataclass(frozen=True)
class Valid:
    """The valid record written after the poison, and how to see that it took effect."""

    record: Record
    took_effect: Check


@dataclass(frozen=True)
class Target:
    """A topic a worker consumes, and how to make a valid record for it."""

    worker: str
    topic: str
    valid: Callable[[Publisher, Settings, Stack], Valid]


def _record(key: BaseModel, value: BaseModel, event_type: str) -> tuple[Record, str]:
    meta = new_event(event_type, "tests", "corr-poison")
    raw_key, raw_value = encode(key), encode(value)
    assert raw_key is not None
    assert raw_value is not None
    return valid_record(raw_key, raw_value, meta), meta.id


def _on(settings: Settings, topic: str, match: Callable[[Any], bool]) -> Check:
    def check() -> bool:
        return bool(records_where(settings.kafka.bootstrap_servers, topic, match, timeout=30))

    return check


def _key_is(key: BaseModel) -> Callable[[Any], bool]:
    raw = encode(key)
    return lambda r: r.key == raw


def _partner(publisher: Publisher) -> Partner:
    partner = Partner(
        partner_id=uuid.uuid4(),
        name="Accueil Haute-Côte-Nord",
        kind="community_organization",
        regions=["09"],
        contact_email=f"accueil-{uuid.uuid4().hex[:6]}@example.org",
        registered_at=default_clock().now(),
    )
    publisher.publish(PARTNERS, PartnerKey(partner_id=partner.partner_id), partner, "x")
    return partner


def _proposal(organizer: uuid.UUID) -> ActivityProposed:
    """An information session on a far Saturday no other test books."""
    day = date(2090, 1, 6) + timedelta(weeks=random.randrange(0, 2000))
    return ActivityProposed(
        proposal_id=uuid.uuid4(),
        organizer_id=organizer,
        regions=["09"],
        kind=ActivityKind.INFORMATION_SESSION,
        title="Séance d'information sur la Côte-Nord",
        preferred_dates=[day],
        proposed_at=default_clock().now(),
        start_time=time(13, 0),
        duration_minutes=90,
        open_to_joint=False,
    )


def valid_proposal(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    proposal = _proposal(uuid.uuid4())
    key = ProposalKey(proposal_id=proposal.proposal_id)
    record, _ = _record(key, proposal, "events.ActivityProposed")
    return Valid(record, _on(settings, "calendar.v1", _key_is(key)))


def valid_command(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    proposal = _proposal(uuid.uuid4())
    key = ProposalKey(proposal_id=proposal.proposal_id)
    publisher.publish(EVENT_PROPOSALS, key, proposal, "events.ActivityProposed")
    command = CalendarCommand(
        command_id=uuid.uuid4(),
        proposal_id=proposal.proposal_id,
        action="withdraw",
        by_partner=proposal.organizer_id,
        issued_at=default_clock().now(),
    )
    record, _ = _record(key, command, "events.ProposalWithdrawn")
    withdrawn = b'"status":"withdrawn"'
    return Valid(
        record, _on(settings, "calendar.v1", lambda r: r.key == encode(key) and withdrawn in r.value)
    )


def valid_rules(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    """The rules in force again (the last published, else the worker's own): nothing changes for others."""
    in_force = foundation_rules(settings)
    for published in read_topic(settings.kafka.bootstrap_servers, CALENDAR_RULES.name):
        with suppress(UnreadableRecord):
            in_force = decode_value(CALENDAR_RULES, published.value) or in_force
    record, event_id = _record(RulesKey(), in_force, "events.CalendarRulesChanged")
    log = stack.log_path("events-worker")

    def applied() -> bool:
        return any(
            e["event"] == "calendar.rules_applied" and e.get("event_id") == event_id for e in log_events(log)
        )

    return Valid(record, applied)


def valid_interest(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    interest = InterestDeclared(
        person_id=uuid.uuid4(),
        immigration_status="permanent_resident",
        preferred_regions=["09"],
        language="fr",
        declared_at=default_clock().now(),
    )
    record, _ = _record(PersonKey(person_id=interest.person_id), interest, "matching.InterestDeclared")
    case = CaseKey(case_id=case_id_for(interest.person_id))
    return Valid(record, _on(settings, "cases.v1", _key_is(case)))


def valid_matching_command(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    """Erase a person (one with nothing yet): the worker tombstones their case."""
    person = uuid.uuid4()
    command = MatchingCommand(
        command_id=uuid.uuid4(),
        action="erase",
        person_id=person,
        by_role="hub",
        by_subject="tests",
        issued_at=default_clock().now(),
    )
    record, _ = _record(CommandKey(command_id=command.command_id), command, "matching.PersonErasureRequested")
    case = encode(CaseKey(case_id=case_id_for(person)))
    return Valid(record, _on(settings, "cases.v1", lambda r: r.key == case and r.value is None))


def _emailed(settings: Settings, recipient: uuid.UUID) -> Check:
    return _on(settings, "notifications.v1", lambda r: f'"recipient_id":"{recipient}"'.encode() in r.value)


def valid_case(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    person = uuid.uuid4()
    contact = Contact(
        person_id=person, name="Personne Test", email=f"p-{person.hex[:8]}@example.net", language="fr"
    )
    publisher.publish(CONTACTS, PersonKey(person_id=person), contact, "matching.ContactRecorded")
    case = Case(
        case_id=case_id_for(person),
        person_id=person,
        status="open",
        language="fr",
        preferred_regions=["09"],
        opened_at=default_clock().now(),
    )
    record, _ = _record(CaseKey(case_id=case.case_id), case, "matching.CaseOpened")
    return Valid(record, _emailed(settings, person))


def valid_referral(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    person, welcomer = uuid.uuid4(), _partner(publisher)
    contact = Contact(
        person_id=person, name="Personne Test", email=f"r-{person.hex[:8]}@example.net", language="fr"
    )
    publisher.publish(CONTACTS, PersonKey(person_id=person), contact, "matching.ContactRecorded")
    interest = InterestDeclared(
        person_id=person,
        immigration_status="permanent_resident",
        preferred_regions=["09"],
        language="fr",
        declared_at=default_clock().now(),
        consents=Consents(contact=True, referral=True, share_contact=False),
    )
    publisher.publish(INTERESTS, PersonKey(person_id=person), interest, "matching.InterestDeclared")
    now = default_clock().now()
    referral = Referral(
        referral_id=uuid.uuid4(),
        round_id=uuid.uuid4(),
        case_id=case_id_for(person),
        person_id=person,
        household_size=1,
        region="09",
        welcoming_partner_id=welcomer.partner_id,
        welcoming_offer_id=uuid.uuid4(),
        preference_rank=1,
        counsellor_id=None,
        status="proposed",
        decided_by="round",
        issued_at=now,
        updated_at=now,
    )
    record, _ = _record(ReferralKey(referral_id=referral.referral_id), referral, "matching.ReferralIssued")
    return Valid(record, _emailed(settings, person))


def valid_decision(publisher: Publisher, settings: Settings, stack: Stack) -> Valid:
    organizer = _partner(publisher)
    entry = CalendarEntry(
        proposal_id=uuid.uuid4(),
        organizer_id=organizer.partner_id,
        regions=["09"],
        kind=ActivityKind.INFORMATION_SESSION,
        title="Séance d'information sur la Côte-Nord",
        status="not_possible",
        reason="Written by a test, as the events worker would.",
        decided_at=default_clock().now(),
    )
    record, _ = _record(ProposalKey(proposal_id=entry.proposal_id), entry, "events.ProposalDecided")
    return Valid(record, _emailed(settings, organizer.partner_id))


TARGETS = (
    Target("events-worker", "event-proposals.v1", valid_proposal),
    Target("events-worker", "calendar-commands.v1", valid_command),
    Target("events-worker", "calendar-rules.v1", valid_rules),
    Target("matching-worker", "interests.v1", valid_interest),
    Target("matching-worker", "matching-commands.v1", valid_matching_command),
    Target("notifications-worker", "cases.v1", valid_case),
    Target("notifications-worker", "calendar.v1", valid_decision),
    Target("notifications-worker", "referrals.v1", valid_referral),
)
# Written and read by the notifications worker alone (like faust's changelogs): not a contract.
INTERNAL = {DIGEST_DUE.name, FOLLOWUP_DUE.name, MEASURE_DUE.name}
WORKERS = {
    "events-worker": events_worker,
    "matching-worker": matching_worker,
    "notifications-worker": notifications_worker,
}


def consumed_topics(worker: str, tmp: Path) -> set[str]:
    """The topics the agents of ``worker``'s faust app read (the app is built, not started)."""
    app = WORKERS[worker](Settings(environment="test", data_dir=str(tmp)))
    return {name for agent in app.agents.values() for name in agent.channel.topics}


@pytest.mark.parametrize("worker", WORKERS)
def test_every_topic_a_worker_consumes_has_a_poison_case(worker: str, tmp_path: Path) -> None:
    covered = {t.topic for t in TARGETS if t.worker == worker}
    assert consumed_topics(worker, tmp_path) - INTERNAL == covered


@pytest.fixture(scope="module")
def publisher(settings: Settings) -> Publisher:
    return Publisher(settings.kafka, "tests")


def _letters_of(bootstrap: str, run: str) -> dict[str, list[DeadLetter]]:
    found: dict[str, list[DeadLetter]] = {}
    for letter in read(bootstrap):
        poison_id = letter.headers.get(POISON_HEADER, "")
        if poison_id.startswith(run):
            found.setdefault(poison_id.removeprefix(f"{run}/"), []).append(letter)
    return found


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.worker}:{t.topic}")
def test_poison_records_are_dead_lettered_and_the_valid_record_after_them_takes_effect(
    target: Target, workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    valid = target.valid(publisher, settings, workers)
    run = uuid.uuid4().hex
    poisons = [(f"{run}/{p.name}", p.make(valid.record)) for p in POISONS]
    partition = write_in_order(bootstrap, target.topic, [*poisons, (f"{run}/valid", valid.record)])

    eventually(valid.took_effect, 60, f"the valid record after the poison on {target.topic} to take effect")

    def all_dead_lettered() -> dict[str, list[DeadLetter]] | None:
        found = _letters_of(bootstrap, run)
        return found if len(found) >= len(POISONS) else None

    letters = eventually(all_dead_lettered, 30, f"{len(POISONS)} dead letters from {target.topic}")
    assert sorted(letters) == sorted(p.name for p in POISONS), "the valid record is not dead-lettered"
    for poison in POISONS:
        [letter] = letters[poison.name]
        assert letter.topic == target.topic
        assert letter.consumer == target.worker
        assert letter.headers["dlq_partition"] == str(partition)
        assert f"{target.topic}: {poison.reason}" in letter.reason, letter.reason
        assert letter.key == valid.record.key, "the original key is kept for a replay"


def test_an_erased_case_is_not_dead_lettered_and_the_next_case_is_emailed(
    workers: Stack, settings: Settings, publisher: Publisher
) -> None:
    # Found here: the notifications worker read a case tombstone (an erasure) as a case, raised
    # AttributeError and dead-lettered every erasure.
    valid = valid_case(publisher, settings, workers)
    tombstone = Record(encode(CaseKey(case_id=case_id_for(uuid.uuid4()))) or b"", None, [])
    run = uuid.uuid4().hex
    write_in_order(
        settings.kafka.bootstrap_servers,
        "cases.v1",
        [(f"{run}/tombstone", tombstone), (f"{run}/valid", valid.record)],
    )
    eventually(valid.took_effect, 60, "the case after the tombstone to be emailed")
    assert _letters_of(settings.kafka.bootstrap_servers, run) == {}
