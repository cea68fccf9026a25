"""A welcoming partner's credentials read its own stream and nothing else; revoked, they stop at once.

tools/provision.py gives a partner's principal (``partner-<id>``) READ on partner-referrals.<id>.v1
and on a consumer group of its own (services/common/principals.py); docs/security.md.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import TopicAuthorizationFailedError
from pydantic import SecretStr

from services.common.kafka import API_VERSION, client_options, ensure_topics
from services.common.principals import partner_principal
from services.common.topics import CONTACTS, partner_referrals
from tools.provision import grant_partner, revoke_partner
from tools.stack import Stack


class Partner:
    def __init__(self, stack: Stack) -> None:
        self.id = uuid.uuid4()
        self.password = secrets.token_urlsafe(24)
        self.topic = partner_referrals(self.id).name
        self.stack = stack

    def options(self) -> dict[str, Any]:
        settings = self.stack.config.kafka_settings().model_copy(
            update={
                "username": partner_principal(self.id),
                "password": SecretStr(self.password),
                "password_file": None,
            }
        )
        return {**client_options(settings), "api_version": API_VERSION, "request_timeout_ms": 5000}

    def consumer(self, topic: str | None = None) -> KafkaConsumer:
        consumer = KafkaConsumer(
            **self.options(), group_id=partner_principal(self.id), auto_offset_reset="earliest"
        )
        consumer.assign([TopicPartition(topic or self.topic, 0)])
        return consumer


@pytest.fixture
def partners(stack: Stack) -> Iterator[tuple[Partner, Partner]]:
    admin = stack.config.kafka_settings()
    pair = (Partner(stack), Partner(stack))
    for partner in pair:
        ensure_topics(admin, [partner_referrals(partner.id)])
        grant_partner(admin, partner.id, partner.password)
    producer = KafkaProducer(**client_options(admin), acks="all", api_version=API_VERSION)
    for partner in pair:
        producer.send(partner.topic, key=b"household", value=b"for " + str(partner.id).encode()).get(10)
    producer.close()
    yield pair
    for partner in pair:
        revoke_partner(admin, partner.id)


def _read(consumer: KafkaConsumer, wanted: int, timeout: float = 15) -> list[Any]:
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(records) < wanted and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
    return records


def test_a_partner_reads_its_own_stream_with_its_own_group(partners: tuple[Partner, Partner]) -> None:
    a, _ = partners
    consumer = a.consumer()
    try:
        [record] = _read(consumer, 1)
        assert record.value == b"for " + str(a.id).encode()
        consumer.commit()  # its own group: its offsets are its own
    finally:
        consumer.close()


@pytest.mark.parametrize("other", ["partner B's topic", "contacts.v1"])
def test_a_partner_cannot_read_another_stream(partners: tuple[Partner, Partner], other: str) -> None:
    a, b = partners
    topic = b.topic if other.startswith("partner") else CONTACTS.name
    consumer = a.consumer(topic)
    started = time.monotonic()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.beginning_offsets([TopicPartition(topic, 0)])
    finally:
        consumer.close()
    assert time.monotonic() - started < 10, "refused by the broker, not timed out"


def test_a_partner_cannot_write_anything(partners: tuple[Partner, Partner]) -> None:
    a, _ = partners
    # Not idempotent: an idempotent producer is already refused its producer id (cluster authorization).
    producer = KafkaProducer(**a.options(), max_block_ms=5000, enable_idempotence=False, acks=1)
    try:
        for topic in (a.topic, CONTACTS.name):
            with pytest.raises(TopicAuthorizationFailedError):
                producer.send(topic, key=b"k", value=b"v").get(timeout=10)
    finally:
        producer.close(timeout=5)


def test_a_revoked_partner_is_cut_off_within_ten_seconds(
    stack: Stack, partners: tuple[Partner, Partner]
) -> None:
    a, _ = partners
    consumer = a.consumer()
    try:
        assert len(_read(consumer, 1)) == 1
        revoke_partner(stack.config.kafka_settings(), a.id)
        revoked = time.monotonic()
        producer = KafkaProducer(**client_options(stack.config.kafka_settings()), api_version=API_VERSION)
        producer.send(a.topic, key=b"household", value=b"after revocation").get(10)
        producer.close()
        refused = False
        while not refused and time.monotonic() - revoked < 10:
            try:
                assert _read(consumer, 1, timeout=0.5) == [], "a record after revocation reached it"
                consumer.end_offsets([TopicPartition(a.topic, 0)])
            except TopicAuthorizationFailedError:
                refused = True
        assert refused, "still authorized 10 s after revocation"
    finally:
        consumer.close()
