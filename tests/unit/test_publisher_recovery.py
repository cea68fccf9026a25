"""The APIs' publisher replaces a producer that failed a write, so it writes again once the broker is back.

kafka-python 3.0.12's idempotent producer stays broken after a batch it had sent expires
(a broker restart under load): every later write timed out and the APIs answered 503 until
restarted (found by tests/e2e/test_fault_run.py). These tests use a fake producer; the real
broker restart is in tests/integration/test_broker_restart.py.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, ClassVar

import pytest
from kafka.errors import KafkaTimeoutError

from services.common import kafka as kafka_module
from services.common.contracts import Contact, PersonKey
from services.common.kafka import KafkaUnavailable, Publisher
from services.common.settings import KafkaSettings
from services.common.topics import CONTACTS


class FakeProducer:
    """A producer that acknowledges every write, or (``broken``) never does."""

    made: ClassVar[list[FakeProducer]] = []
    broken_next: ClassVar[int] = 0  # how many of the next producers made are broken

    def __init__(self, **_: Any) -> None:
        self.broken = FakeProducer.broken_next > 0
        FakeProducer.broken_next = max(0, FakeProducer.broken_next - 1)
        self.closed = threading.Event()
        self.sent = 0
        FakeProducer.made.append(self)

    def send(self, topic: str, **_: Any) -> Any:
        self.sent += 1
        producer = self

        class Future:
            def get(self, timeout: float) -> Any:
                if producer.broken:
                    raise KafkaTimeoutError("Expiring 1 record(s)")
                return type("Metadata", (), {"partition": 0, "offset": producer.sent})()

        return Future()

    def close(self, timeout: float) -> None:
        self.closed.set()


@pytest.fixture
def publisher(monkeypatch: pytest.MonkeyPatch) -> Publisher:
    FakeProducer.made = []
    FakeProducer.broken_next = 1
    monkeypatch.setattr(kafka_module, "KafkaProducer", FakeProducer)
    return Publisher(KafkaSettings(), "test-api")


def _contact() -> tuple[PersonKey, Contact]:
    person = uuid.uuid4()
    return PersonKey(person_id=person), Contact(
        person_id=person, name="Test", email="t@example.net", language="fr"
    )


def test_a_write_the_broker_did_not_acknowledge_is_refused_and_the_next_goes_to_a_new_producer(
    publisher: Publisher,
) -> None:
    with pytest.raises(KafkaUnavailable):
        publisher.publish(CONTACTS, *_contact(), "test.ContactRecorded")
    written = publisher.publish(CONTACTS, *_contact(), "test.ContactRecorded")
    first, second = FakeProducer.made
    assert first.closed.wait(5)  # closed in the background, after what it holds
    assert (second.sent, written.offset) == (1, 1)


def test_writes_failing_at_once_on_one_producer_replace_it_once(publisher: Publisher) -> None:
    failures = []

    def write() -> None:
        try:
            publisher.publish(CONTACTS, *_contact(), "test.ContactRecorded")
        except KafkaUnavailable as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each write that hit the broken producer failed; it was replaced by one producer, not by one each.
    assert len(FakeProducer.made) == 2
    assert len(failures) == FakeProducer.made[0].sent
