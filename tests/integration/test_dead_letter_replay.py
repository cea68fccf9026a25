"""A record dead-lettered for a cause later fixed is replayed with the command, and takes effect once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from services.common.clock import default_clock
from services.common.cloudevents import new_event
from services.common.contracts import Case, CaseKey, Contact, PersonKey
from services.common.kafka import Publisher
from services.common.principals import ADMIN
from services.common.settings import Settings
from services.common.topics import CASES, CONTACTS
from services.matching.domain import case_id_for
from tests.support import eventually, headers_of, log_events, records_where
from tools.deadletters import read
from tools.mailsink import read_mailbox
from tools.stack import ROOT, Stack

pytestmark = pytest.mark.integration


def _mail_to(mail_dir: Path, address: str) -> list[str]:
    if not mail_dir.exists():
        return []
    return [str(m["Message-ID"]) for m in read_mailbox(mail_dir) if m["To"] == address]


def test_a_case_whose_contact_was_missing_is_emailed_once_after_the_contact_arrives_and_a_replay(
    workers: Stack, settings: Settings
) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    publisher = Publisher(settings.kafka, "tests")
    person = uuid.uuid4()
    case = Case(
        case_id=case_id_for(person),
        person_id=person,
        status="open",
        language="fr",
        preferred_regions=["09"],
        opened_at=default_clock().now(),
    )
    # The case is written here, not by the matching worker, which therefore never sees it waiting:
    # it is removed at the end so that no other test finds a case in the queue nobody can take.
    try:
        meta = new_event("matching.CaseOpened", "tests", "corr-replay")
        publisher.publish(CASES, CaseKey(case_id=case.case_id), case, "x", meta=meta)

        [letter] = records_where(
            bootstrap, "deadletter.v1", lambda r: headers_of(r).get("ce_id") == meta.id, timeout=60
        )
        assert "no contacts.v1 record" in headers_of(letter)["dlq_reason"]

        email = f"fatou.{uuid.uuid4().hex[:6]}@example.net"
        contact = Contact(person_id=person, name="Fatou Ndiaye", email=email, language="fr")
        publisher.publish(CONTACTS, PersonKey(person_id=person), contact, "matching.ContactRecorded")

        [dead] = [d for d in read(bootstrap) if d.offset == letter.offset]
        assert dead.topic == "cases.v1"
        assert dead.consumer == "notifications-worker"
        for _ in range(2):  # replaying twice does no harm
            command = [sys.executable, "-m", "tools.deadletters", "replay", "--offset", str(letter.offset)]
            admin = {**os.environ, **workers.config.kafka_env(ADMIN)}  # the tool runs as the admin
            result = subprocess.run(
                [*command, "--bootstrap", bootstrap],
                cwd=ROOT,
                env=admin,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "replayed 1 record(s)" in result.stdout

        mail_dir = workers.config.mail_dir
        [message_id] = eventually(lambda: _mail_to(mail_dir, email), 60, "the email after the replay")
        log = workers.log_path("notifications-worker")
        eventually(
            lambda: any(
                e["event"] == "email.already_sent" and e.get("recipient_id") == str(person)
                for e in log_events(log)
            ),
            30,
            "the second replay to be recognised",
        )
        assert _mail_to(mail_dir, email) == [message_id]
    finally:
        publisher.publish(CASES, CaseKey(case_id=case.case_id), None, "matching.CaseErased")
        publisher.publish(CONTACTS, PersonKey(person_id=person), None, "matching.ContactErased")
        publisher.close()
