"""End to end: the real notifications worker, the real broker and the SMTP sink, from records to emails.

Records are written on the real topics with the registry's Publisher, as their
writing services would (partners, tables, counsellors, contacts, interests,
cases, referrals, calendar entries: tests/e2e/notification_records.py). At the
SMTP sink every expected email arrives exactly once, in its recipient's
language, and nobody else gets anything; a replay of the same records followed
by a restart of the worker sends nothing new. The worker runs here with the
weekly digest due at once (``CONCERTO_DIGEST__*``) and, for this module, without
the matching worker, which would otherwise open cases of its own for the
interests written here.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from kafka import KafkaConsumer, TopicPartition

from services.common.clock import default_clock
from services.common.contracts import CalendarEntry, TableKey
from services.common.kafka import API_VERSION, AdminClient, Publisher, client_options
from services.common.settings import KafkaSettings
from services.common.topics import CALENDAR, CASES, REFERRALS, TABLES
from services.notifications import ledger
from services.notifications.digest import iso_week, local_day
from services.notifications.rendering import message_id_for
from tests.e2e.notification_records import Scenario, publish_scenario
from tests.support import eventually, read_topic
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.e2e

WORKER = next(p for p in PROCESSES if p.name == "notifications-worker")
GROUP = "concerto-notifications-worker"
DIGEST_DUE_AT_ONCE = {
    "CONCERTO_DIGEST__ENABLED": "true",
    "CONCERTO_DIGEST__WEEKDAY": "1",
    "CONCERTO_DIGEST__HOUR": "0",
    "CONCERTO_DIGEST__CHECK_INTERVAL_S": "1",
}


def _start_worker(stack: Stack) -> None:
    env = {**stack.config.env(), **DIGEST_DUE_AT_ONCE}
    stack.start(WORKER.name, [sys.executable, "-m", WORKER.module], env)
    stack.wait_ready(WORKER)


@pytest.fixture(scope="module")
def notifier(stack: Stack) -> Iterator[Stack]:
    """The notifications worker alone, its digest due at once; the session's workers are put back after."""
    running = [p for p in PROCESSES if not p.is_api and stack.pid(p.name) is not None]
    stack.stop("matching-worker")
    stack.stop(WORKER.name)
    _start_worker(stack)
    yield stack
    stack.stop(WORKER.name)
    stack.start_services([p for p in running if stack.pid(p.name) is None])


def _publisher(stack: Stack) -> Publisher:
    return Publisher(KafkaSettings(bootstrap_servers=stack.config.bootstrap), "tests")


def _mail(stack: Stack, domain: str) -> list[EmailMessage]:
    mail_dir = stack.config.mail_dir
    mailbox = read_mailbox(mail_dir) if mail_dir.exists() else []
    return [m for m in mailbox if str(m["To"]).endswith(f"@{domain}")]


def _ids(stack: Stack, domain: str) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in _mail(stack, domain))


def _digest_ids(scenario: Scenario) -> set[str]:
    """The Message-IDs the table's digest may have: this ISO week's (or the last, near midnight Sunday)."""
    today = local_day(default_clock().now(), "America/Toronto")
    weeks = {iso_week(today), iso_week(today - timedelta(days=1))}
    return {message_id_for(ledger.digest_key(scenario.table.table_id, week)) for week in weeks}


def _digests(stack: Stack, scenario: Scenario) -> list[EmailMessage]:
    return [m for m in _mail(stack, scenario.domain) if str(m["Message-ID"]) in _digest_ids(scenario)]


@pytest.fixture(scope="module")
def scenario(notifier: Stack) -> Iterator[Scenario]:
    """The scenario, published; its table is dissolved after the module (a region whose table
    delegates a partner accepts proposals from that delegate only, which other tests would trip on)."""
    publisher = _publisher(notifier)
    scenario = publish_scenario(publisher)
    try:
        yield _arrived(notifier, scenario)
    finally:
        dissolved = scenario.table.model_copy(update={"status": "dissolved", "delegations": []})
        publisher.publish(TABLES, TableKey(table_id=dissolved.table_id), dissolved, "tests.TableDissolved")
        publisher.close()


def _arrived(notifier: Stack, scenario: Scenario) -> Scenario:
    def all_arrived() -> bool:
        return set(scenario.expected) <= set(_ids(notifier, scenario.domain)) and bool(
            _digests(notifier, scenario)
        )

    eventually(all_arrived, 120, "every expected email")
    time.sleep(3)  # anything sent twice would show by now
    return scenario


def _body(message: EmailMessage) -> str:
    return "\n".join(str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text")


def test_each_expected_email_arrives_exactly_once_in_its_recipients_language(
    notifier: Stack, scenario: Scenario
) -> None:
    received = _mail(notifier, scenario.domain)
    counts = _ids(notifier, scenario.domain)
    [digest] = _digests(notifier, scenario)
    for message_id, expected in scenario.expected.items():
        assert counts[message_id] == 1, (expected, counts[message_id])
        [message] = [m for m in received if str(m["Message-ID"]) == message_id]
        assert str(message["To"]) == expected.address, expected
        assert message["Content-Language"] == ("fr-CA" if expected.language == "fr" else "en-CA"), expected
        assert expected.says in str(message["Subject"]), (expected, str(message["Subject"]))
    # Nobody else got anything from this scenario, and nothing arrived twice.
    assert set(counts) == set(scenario.expected) | {str(digest["Message-ID"])}
    assert all(n == 1 for n in counts.values()), counts
    assert str(digest["To"]) == scenario.delegate.contact_email


def test_the_welcoming_partner_sees_contact_data_only_with_the_persons_consent(
    notifier: Stack, scenario: Scenario
) -> None:
    sharing, private = scenario.people
    for message in _mail(notifier, scenario.domain):
        if str(message["To"]) == private.email:
            continue
        body = _body(message)
        assert private.email not in body, message["Subject"]
        assert private.name not in body, message["Subject"]
        assert str(private.phone) not in body, message["Subject"]
    [shared] = [
        m
        for m in _mail(notifier, scenario.domain)
        if str(m["Message-ID"]) == scenario.named["shared_to_partner"]
    ]
    body = _body(shared)
    assert sharing.name in body
    assert sharing.email in body
    assert str(sharing.phone) in body


def test_the_digest_lists_only_the_tables_upcoming_scheduled_activities(
    notifier: Stack, scenario: Scenario
) -> None:
    [digest] = _digests(notifier, scenario)
    body = _body(digest)
    assert scenario.upcoming.title in body
    assert scenario.table.name in str(digest["Subject"])
    for entry in scenario.not_in_digest:
        assert entry.title not in body


def _consumed_to(bootstrap: str, ends: dict[TopicPartition, int]) -> bool:
    admin = AdminClient(**client_options(bootstrap), api_version=API_VERSION)
    try:
        committed = admin.list_group_offsets(GROUP).get(GROUP, {})
    finally:
        admin.close()
    return all(tp in committed and committed[tp].offset >= end for tp, end in ends.items())


def _end_offsets(bootstrap: str, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(**client_options(bootstrap), api_version=API_VERSION)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or []]
        ends: dict[TopicPartition, int] = consumer.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end > 0}
    finally:
        consumer.close()


def test_a_replay_and_a_restart_send_nothing_new(notifier: Stack, scenario: Scenario) -> None:
    before = _ids(notifier, scenario.domain)
    publisher = _publisher(notifier)
    try:
        for spec, key, value, meta in scenario.records:
            # Calendar decisions are replayed with their event id; cases and referrals get new ids
            # (a rewrite of the same state), and still cause nothing new.
            publisher.publish(spec, key, value, meta.type, meta if isinstance(value, CalendarEntry) else None)
    finally:
        publisher.close()
    bootstrap = notifier.config.bootstrap
    ends = _end_offsets(bootstrap, [CASES.name, REFERRALS.name, CALENDAR.name])
    notifier.stop(WORKER.name)
    _start_worker(notifier)
    eventually(lambda: _consumed_to(bootstrap, ends), 90, "the worker to consume the replay")
    time.sleep(3)  # the digest timer ran a few times since the restart
    assert _ids(notifier, scenario.domain) == before


def test_every_email_is_audited_without_address_or_body(notifier: Stack, scenario: Scenario) -> None:
    wanted = set(scenario.expected)
    audit = [r for r in read_topic(notifier.config.bootstrap, "notifications.v1")]
    mine = [r for r in audit if any(mid.encode() in r.value for mid in wanted)]
    assert {m for r in mine for m in wanted if m.encode() in r.value} == wanted
    for record in mine:
        assert scenario.domain.encode() not in record.value
        for person in scenario.people:
            assert person.name.encode() not in record.value
