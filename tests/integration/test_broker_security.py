"""The broker lets no one in where they don't belong (issue #21, docs/security.md).

On the suite's own broker, secured as every broker kafka.sh starts: SASL/SCRAM-SHA-512 over TLS,
the StandardAuthorizer with nothing allowed without an ACL, one principal per process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, TopicAuthorizationFailedError
from pydantic import SecretStr

from services.common.kafka import API_VERSION, AdminClient, client_options
from services.common.principals import PRINCIPAL_PREFIXES, service_acls, unowned
from services.common.settings import KafkaSettings
from services.common.topics import CONTACTS, PARTNERS
from tools.provision import broker_acls
from tools.stack import Stack
from tools.waiting import eventually


def _as(stack: Stack, username: str, password: str | None = None) -> dict[str, Any]:
    """A client of ``username`` with its own password, or with ``password``."""
    if password is None:
        return client_options(stack.config.kafka_settings(username))
    config = stack.config
    settings = KafkaSettings(
        bootstrap_servers=config.bootstrap,
        username=username,
        password=SecretStr(password),
        ca_file=str(config.ca_file),
    )
    return client_options(settings)


def _list_topics(options: dict[str, Any]) -> list[str]:
    admin = AdminClient(
        **options, api_version=API_VERSION, request_timeout_ms=5000, bootstrap_timeout_ms=5000
    )
    try:
        return list(admin.list_topics())
    finally:
        admin.close()


def _refused(options: dict[str, Any]) -> KafkaError:
    """The error a client with ``options`` meets on its first request (it must meet one, fast):
    kafka-python retries its bootstrap until its timeout, whatever the broker said."""
    started = time.monotonic()
    with pytest.raises(KafkaError) as refused:
        _list_topics(options)
    assert time.monotonic() - started < 15
    return refused.value


def test_the_broker_holds_exactly_the_acls_the_registry_derives(stack: Stack) -> None:
    held = {
        acl
        for acl in broker_acls(stack.config.kafka_settings())
        if acl.principal.removeprefix("User:").startswith(PRINCIPAL_PREFIXES)
    }
    assert held == set(service_acls())
    assert unowned() == [], "a registry topic no process may write"


def test_a_service_cannot_write_a_topic_it_does_not_own(stack: Stack) -> None:
    producer = KafkaProducer(
        **_as(stack, "events-api", stack.config.password("events-api")),
        api_version=API_VERSION,
        max_block_ms=5000,
        request_timeout_ms=5000,
    )
    started = time.monotonic()
    try:
        for topic in (CONTACTS.name, PARTNERS.name):
            with pytest.raises(TopicAuthorizationFailedError):
                producer.send(topic, key=b"k", value=b"v").get(timeout=10)
    finally:
        producer.close(timeout=5)
    assert time.monotonic() - started < 10, "refused by the broker, not timed out"


def test_a_service_cannot_read_contacts(stack: Stack) -> None:
    consumer = KafkaConsumer(**_as(stack, "events-worker"), group_id=None, api_version=API_VERSION)
    try:
        assert CONTACTS.name not in consumer.topics()
        started = time.monotonic()
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.beginning_offsets([TopicPartition(CONTACTS.name, 0)])
        assert time.monotonic() - started < 10
    finally:
        consumer.close()


def test_a_service_writes_and_reads_what_it_owns(stack: Stack) -> None:
    admin = AdminClient(**_as(stack, "partners-api"), api_version=API_VERSION)
    try:
        assert {PARTNERS.name} <= set(admin.list_topics())
        assert CONTACTS.name not in admin.list_topics()
    finally:
        admin.close()


INVALID_CREDENTIALS = "due to invalid credentials with SASL mechanism SCRAM-SHA-512"


def _broker_log(stack: Stack) -> Path:
    return stack.config.var / "kafka" / "logs" / "server.log"


def _refused_for_its_credentials(stack: Stack, options: dict[str, Any]) -> None:
    """Refused, and the broker says why: invalid credentials. Read in the broker's own log, which
    always records it; kafka-python sometimes sees only the closed socket (the broker answers the
    failed SASL step and closes at once, and the client may read the close first)."""
    log = _broker_log(stack)
    start = log.stat().st_size
    _refused(options)

    def said() -> bool:
        with log.open("rb") as lines:
            lines.seek(start if log.stat().st_size >= start else 0)  # 0: the log rolled over since
            return INVALID_CREDENTIALS in lines.read().decode("utf-8", "replace")

    eventually(said, 10, "the broker's log to record the invalid credentials")


def test_a_wrong_password_is_refused(stack: Stack) -> None:
    _refused_for_its_credentials(stack, _as(stack, "partners-api", "not-the-password-at-all"))


def test_an_unknown_user_is_refused(stack: Stack) -> None:
    _refused_for_its_credentials(stack, _as(stack, "nobody-we-know", "whatever-password-123"))


def test_a_client_without_tls_is_refused(stack: Stack) -> None:
    _refused({"bootstrap_servers": stack.config.bootstrap, "security_protocol": "PLAINTEXT"})


def test_a_client_without_sasl_is_refused(stack: Stack) -> None:
    options = {"bootstrap_servers": stack.config.bootstrap, "security_protocol": "SSL"}
    _refused({**options, "ssl_cafile": str(stack.config.ca_file)})


def test_production_settings_need_broker_credentials() -> None:
    from services.common.settings import Settings

    with pytest.raises(ValueError, match="CONCERTO_KAFKA__USERNAME"):
        Settings(environment="production", kafka=KafkaSettings())


def test_production_settings_refuse_a_plaintext_broker() -> None:
    from services.common.settings import Settings

    kafka = KafkaSettings(username="events-api", password=SecretStr("x" * 24), security_protocol="PLAINTEXT")
    with pytest.raises(ValueError, match="SASL_SSL"):
        Settings(environment="production", kafka=kafka)
    Settings(environment="production", kafka=kafka.model_copy(update={"security_protocol": "SASL_SSL"}))
