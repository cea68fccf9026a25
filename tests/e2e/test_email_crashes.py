"""kill -9 the notifications worker again and again while 1,000 emails are being sent:
no email is lost, none arrives that was not due, and every repeat carries the same Message-ID.

Counted at the SMTP server (the sink's mailbox), by Message-ID. SMTP offers no
atomic "send and record": a kill between the server's 250 and the ledger reaching
Kafka (one flush, a few milliseconds) makes the worker send that one email again,
with the same Message-ID, so a mailbox that deduplicates on it shows it once. Each
kill can cause at most one such repeat (the agent sends one email at a time).
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path

import pytest
from kafka import KafkaProducer

from services.common.clock import default_clock
from services.common.cloudevents import new_event
from services.common.codec import encode
from services.common.contracts import (
    Case,
    CaseKey,
    Contact,
    ImmigrationStatus,
    InterestDeclared,
    PersonKey,
)
from services.common.kafka import API_VERSION, client_options
from services.common.topics import CASES, CONTACTS, INTERESTS
from services.matching.domain import case_id_for
from services.notifications.ledger import case_opened_key
from services.notifications.rendering import message_id_for
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack
from tools.waiting import eventually

# Not in `make test`: run by `make chaos`. About one run in 8 to 11 stalls (a restarted worker
# stops sending, nothing logged: issue #6), still under study; the stall watchdog is meant to
# catch and repair it within the waits below. docs/reliability.md has the runs.
pytestmark = [pytest.mark.e2e, pytest.mark.chaos, pytest.mark.timeout(900)]  # a shared machine is slow

EMAILS = 1000
KILLS = 4
WORKER = next(p for p in PROCESSES if p.name == "notifications-worker")


def _arrived(mail_dir: Path, domain: str) -> list[str]:
    return [str(m["Message-ID"]) for m in read_mailbox(mail_dir) if str(m["To"]).endswith(domain)]


def _at_least(mail_dir: Path, domain: str, count: int) -> bool:
    return len(_arrived(mail_dir, domain)) >= count


def _publish_cases(bootstrap: str, domain: str) -> set[str]:
    """Contacts, interests, then cases of EMAILS people; the Message-IDs their case-opened emails must have.

    The matching worker, if it runs, opens the same cases from the interests: the
    case-opened email is once per case, so that changes nothing to the count.
    """
    producer = KafkaProducer(**client_options(bootstrap), acks="all", linger_ms=5, api_version=API_VERSION)
    expected = set()
    now = default_clock().now()
    people = [uuid.uuid4() for _ in range(EMAILS)]
    for n, person in enumerate(people):
        contact = Contact(person_id=person, name=f"Personne {n}", email=f"p{n}@{domain}", language="fr")
        interest = InterestDeclared(
            person_id=person,
            immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
            preferred_regions=["05"],
            language="fr",
            declared_at=now,
        )
        key = encode(PersonKey(person_id=person))
        producer.send(CONTACTS.name, key=key, value=encode(contact))
        producer.send(INTERESTS.name, key=key, value=encode(interest))
    producer.flush()
    for person in people:
        case = Case(
            case_id=case_id_for(person),
            person_id=person,
            status="open",
            language="fr",
            preferred_regions=["05"],
            opened_at=now,
        )
        meta = new_event("matching.CaseOpened", "crash-test", None)
        producer.send(
            CASES.name,
            key=encode(CaseKey(case_id=case.case_id)),
            value=encode(case),
            headers=meta.to_headers(),
        )
        expected.add(message_id_for(case_opened_key(case.case_id, person)))
    producer.flush()
    producer.close()
    return expected


def test_kill_dash_nine_during_a_thousand_emails_loses_none_and_adds_none(workers: Stack) -> None:
    domain = f"crash-{uuid.uuid4().hex[:8]}.example.net"
    mail_dir = workers.config.mail_dir
    started = time.monotonic()
    expected = _publish_cases(workers.config.bootstrap, domain)

    kills = 0
    for k in range(KILLS):
        # Kill while emails flow: after each further fifth of them has arrived.
        threshold = (k + 1) * EMAILS // (KILLS + 1)
        eventually(partial(_at_least, mail_dir, domain, threshold), 180, f"{threshold} emails")
        workers.stop(WORKER.name, sig=signal.SIGKILL)
        kills += 1
        workers.start_services([WORKER])

    def everything_arrived() -> bool:
        return expected <= set(_arrived(mail_dir, domain))

    eventually(everything_arrived, 300, "every expected email")
    time.sleep(3)  # anything sent twice after the last one would show now
    received = Counter(_arrived(mail_dir, domain))
    missing = expected - set(received)
    unexpected = set(received) - expected
    repeats = sum(count - 1 for count in received.values())
    figures = {
        "emails_expected": len(expected),
        "kills": kills,
        "distinct_received": len(received),
        "missing": len(missing),
        "unexpected": len(unexpected),
        "repeated_with_same_message_id": repeats,
        "seconds": round(time.monotonic() - started, 1),
    }
    report = workers.config.var / "crash-report.json"
    report.write_text(json.dumps(figures, indent=2))
    # The figures are in the report file, and in every failure message.
    assert not missing, figures
    assert not unexpected, figures
    assert repeats <= kills, figures
