"""An admin client that cannot reach the broker leaves nothing running (``AdminClient``).

kafka-python starts a client's IO thread before bootstrapping; when the
bootstrap times out the constructor raises and, without our subclass, the
thread lives on, retrying the dead address for the rest of the process.
Port 9 (discard) on the loopback is closed on these machines: a real refusal.
"""

from __future__ import annotations

import threading

import pytest
from kafka.errors import KafkaError

from services.common.kafka import API_VERSION, AdminClient, kafka_answers
from services.common.settings import KafkaSettings

NOWHERE = "127.0.0.1:9"


def _kafka_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("kafka")}


def test_an_admin_client_that_fails_to_bootstrap_stops_its_io_thread() -> None:
    before = _kafka_threads()
    with pytest.raises(KafkaError):
        AdminClient(
            bootstrap_servers=NOWHERE,
            bootstrap_timeout_ms=300,
            request_timeout_ms=300,
            api_version=API_VERSION,
            client_id="concerto-test-nowhere",
        )
    assert _kafka_threads() - before == set()


def test_the_readiness_probe_leaves_no_thread_behind_when_kafka_is_down() -> None:
    before = _kafka_threads()
    assert kafka_answers(KafkaSettings(bootstrap_servers=NOWHERE), timeout_ms=300) is False
    assert _kafka_threads() - before == set()
