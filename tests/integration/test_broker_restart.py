"""An API's publisher writes again, by itself, once a broker restarted under load is back.

With kafka-python 3.0.12 alone it did not: writes in flight when the broker stopped expired,
the idempotent producer dropped its producer id for good, and every later write answered 503
until the API was restarted (found by tests/e2e/test_fault_run.py). This test runs a broker of
its own (the session's is shared by the other tests), stops it while six threads write, and
starts it again.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from services.common.contracts import Contact, PersonKey
from services.common.kafka import KafkaUnavailable, Publisher, ensure_topics
from services.common.settings import KafkaSettings
from services.common.topics import CONTACTS
from tests.conftest import TEST_VAR
from tests.support import check_restartable
from tools.stack import Stack, StackConfig, free_ports
from tools.waiting import eventually

# A broker stopped and started under load: a fault run, in `make chaos` with the others.
pytestmark = [pytest.mark.integration, pytest.mark.chaos]


@pytest.fixture
def own_broker() -> Iterator[Stack]:
    # Below the ephemeral port range whatever port the session's broker has (check_restartable).
    base = int(os.environ.get("CONCERTO_TEST_RESTART_KAFKA_PORT") or 29192)
    stack = Stack(StackConfig(var=TEST_VAR / "broker-restart", kafka_port=free_ports(base, 2)))
    check_restartable(stack.config.kafka_port)
    stack.broker("start")
    try:
        yield stack
    finally:
        stack.broker("stop")


def test_writes_succeed_again_after_the_broker_restarts_under_load(own_broker: Stack) -> None:
    settings = KafkaSettings(bootstrap_servers=own_broker.config.bootstrap)
    ensure_topics(settings, [CONTACTS])
    publisher = Publisher(settings, "restart-test")
    answers: Counter[str] = Counter()
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            person = uuid.uuid4()
            contact = Contact(person_id=person, name="Test", email="t@example.net", language="fr")
            try:
                publisher.publish(CONTACTS, PersonKey(person_id=person), contact, "test.ContactRecorded")
                answers["ok"] += 1
            except KafkaUnavailable:
                answers["unavailable"] += 1
            time.sleep(0.01)

    writers = [threading.Thread(target=write, daemon=True) for _ in range(6)]
    try:
        for writer in writers:
            writer.start()
        eventually(lambda: answers["ok"] >= 100, 60, "writes before the restart")
        own_broker.broker("stop")
        eventually(lambda: answers["unavailable"] >= 6, 60, "writes refused while it is down")
        own_broker.broker("start")
        written = answers["ok"]
        eventually(lambda: answers["ok"] >= written + 100, 90, "writes acknowledged again")
    finally:
        stop.set()
        for writer in writers:
            writer.join(30)
        publisher.close()
