"""Every Concerto producer is idempotent, as the broker sees it: after a write, the partition's
producer state (DescribeProducers) lists the producer's broker-assigned id. A producer without
idempotence leaves no such state, which shows the check tells the two apart."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaProducer, TopicPartition

from services.common.clock import default_clock
from services.common.contracts import InterestDeclared, PersonKey
from services.common.kafka import API_VERSION, AdminClient, Publisher, client_options, ensure_topics
from services.common.settings import Settings
from services.common.streams import create_faust_app
from services.common.topics import TopicSpec


def _topic(settings: Settings) -> TopicSpec:
    """A topic of this test's own (one partition), so no other producer writes to it."""
    spec = TopicSpec(
        f"test-idempotence-{uuid.uuid4().hex[:8]}",
        PersonKey,
        InterestDeclared,
        "tests",
        1,
        False,
        "records written by tests/integration/test_idempotent_producers.py",
    )
    ensure_topics(settings.kafka, [spec])
    return spec


def _producer_ids(settings: Settings, topic: str) -> set[int]:
    """The producer ids the broker keeps state for on partition 0 of ``topic``."""
    admin = AdminClient(**client_options(settings.kafka), api_version=API_VERSION)
    try:
        tp = TopicPartition(topic, 0)
        return {p.producer_id for p in admin.describe_producers([tp])[tp].active_producers}
    finally:
        admin.close()


def _interest() -> tuple[PersonKey, InterestDeclared]:
    person_id = uuid.uuid4()
    value = InterestDeclared(
        person_id=person_id,
        declared_at=default_clock().now(),
        immigration_status="permanent_resident",
        french_level=7,
        language="fr",
    )
    return PersonKey(person_id=person_id), value


def test_the_apis_publisher_writes_with_a_producer_id_the_broker_assigned(settings: Settings) -> None:
    spec = _topic(settings)
    publisher = Publisher(settings.kafka, "test-idempotence")
    try:
        publisher.publish(spec, *_interest(), "tests.InterestDeclared")
        assert publisher.producer_id >= 0
        assert _producer_ids(settings, spec.name) == {publisher.producer_id}
    finally:
        publisher.close()


def test_a_producer_without_idempotence_leaves_no_producer_state(settings: Settings) -> None:
    spec = _topic(settings)
    plain = KafkaProducer(**client_options(settings.kafka), enable_idempotence=False, api_version=API_VERSION)
    try:
        plain.send(spec.name, key=b"k", value=b"v", partition=0).get(timeout=10)
    finally:
        plain.close()

    assert _producer_ids(settings, spec.name) == set()


@pytest.mark.timeout(60)
async def test_the_faust_workers_producer_writes_with_a_producer_id_the_broker_assigned(
    settings: Settings,
) -> None:
    spec = _topic(settings)
    app = create_faust_app(f"test-idempotence-{uuid.uuid4().hex[:8]}", settings)
    producer = await app.maybe_start_producer()
    try:
        key, value = _interest()
        await producer.send(
            spec.name, key.model_dump_json().encode(), value.model_dump_json().encode(), 0, None, None
        )
        await producer.flush()
        producer_id = producer._producer._txn_manager.producer_id
    finally:
        await producer.stop()

    assert producer_id >= 0
    assert _producer_ids(settings, spec.name) == {producer_id}
