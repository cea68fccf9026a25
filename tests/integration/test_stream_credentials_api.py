"""A partner's stream credentials from partners-api, on the suite's secured broker (docs/security.md).

partners-api grants them with its ``partners-provisioner`` principal (as tools/stack.py runs it):
registered through the API, the partner gets credentials once, reads its own topic with
examples/partner_consumer.py as its IT would run it, is refused another partner's topic, rotates
(the old password is refused, the new one works), and is cut off within 10 s once deactivated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, TopicAuthorizationFailedError

from services.common.kafka import API_VERSION, AdminClient, client_options, ensure_topics
from services.common.principals import PROVISIONER
from services.common.settings import ProvisionerSettings, Settings
from services.common.topics import partner_referrals
from services.partners.api import create_app as partners_app
from tests.integration.conftest import running
from tests.support import bearer, created, unique
from tools.stack import ROOT, Stack
from tools.waiting import eventually

pytestmark = pytest.mark.integration
HUB = bearer("hub")


@pytest.fixture(scope="module")
def api(stack: Stack, settings: Settings) -> Iterator[TestClient]:
    """partners-api holding the provisioner's credentials, as tools/stack.py starts it."""
    provisioner = ProvisionerSettings(
        username=PROVISIONER, password_file=str(stack.config.password_file(PROVISIONER))
    )
    yield from running(partners_app(settings.model_copy(update={"provisioner": provisioner})))


def register(api: TestClient, stack: Stack) -> str:
    """A partner registered through the API, with one household on its topic (as the worker writes)."""
    body = {"name": unique("Carrefour d'accueil"), "kind": "community_organization", "regions": ["08"]}
    partner_id = created(
        api.post("/partners", json={**body, "contact_email": "a@example.org"}, headers=HUB), "partner_id"
    )
    admin = stack.config.kafka_settings()
    ensure_topics(admin, [partner_referrals(partner_id)])
    producer = KafkaProducer(**client_options(admin), acks="all", api_version=API_VERSION)
    referral = {"referral_id": str(uuid.uuid4())}
    value = {**referral, "partner_id": partner_id, "status": "proposed"}
    producer.send(
        partner_referrals(partner_id).name,
        key=json.dumps(referral).encode(),
        value=json.dumps(value).encode(),
    ).get(10)
    producer.close()
    return partner_id


def credentials(api: TestClient, partner_id: str) -> dict[str, Any]:
    response = api.post(f"/partners/{partner_id}/stream-credentials", headers=bearer("partner", partner_id))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def run_example(stack: Stack, partner_id: str, password: str) -> list[dict[str, Any]]:
    """examples/partner_consumer.py as a partner's IT runs it: the changes it prints."""
    argv = [
        sys.executable,
        str(ROOT / "examples" / "partner_consumer.py"),
        "--bootstrap",
        stack.config.bootstrap,
    ]
    argv += ["--partner-id", partner_id, "--idle-ms", "4000", "--ca-file", str(stack.config.ca_file)]
    env = {"PATH": os.environ.get("PATH", ""), "PARTNER_KAFKA_PASSWORD": password}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        return []
    return [json.loads(line) for line in done.stdout.splitlines()]


def options(stack: Stack, answer: dict[str, Any], password: str | None = None) -> dict[str, Any]:
    return {
        "bootstrap_servers": answer["bootstrap"],
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": answer["mechanism"],
        "sasl_plain_username": answer["username"],
        "sasl_plain_password": password or answer["password"],
        "ssl_cafile": str(stack.config.ca_file),
        "api_version": API_VERSION,
        "request_timeout_ms": 5000,
    }


def refused(client_options: dict[str, Any]) -> bool:
    """Whether the broker refuses to authenticate a client with ``client_options``."""
    try:
        admin = AdminClient(**client_options, bootstrap_timeout_ms=3000)
    except KafkaError:
        return True
    admin.close()
    return False


def test_a_partner_reads_its_own_stream_with_the_credentials_the_api_gave_it(
    api: TestClient, stack: Stack
) -> None:
    partner_id = register(api, stack)
    answer = credentials(api, partner_id)
    assert answer["username"] == f"partner-{partner_id}"
    assert answer["topic"] == partner_referrals(partner_id).name
    changes = eventually(
        lambda: run_example(stack, partner_id, answer["password"]), 30, "the example to read"
    )
    assert [change["partner_id"] for change in changes] == [partner_id]


def test_its_credentials_read_no_other_partners_topic(api: TestClient, stack: Stack) -> None:
    a, b = register(api, stack), register(api, stack)
    answer = credentials(api, a)
    consumer = KafkaConsumer(**options(stack, answer), group_id=answer["group"])
    other = TopicPartition(partner_referrals(b).name, 0)
    try:
        eventually(lambda: not refused(options(stack, answer)), 15, "the new user to be known")
        started = time.monotonic()
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.beginning_offsets([other])
        assert time.monotonic() - started < 10, "refused by the broker, not timed out"
    finally:
        consumer.close()


def test_rotation_refuses_the_old_password_and_the_new_one_reads(api: TestClient, stack: Stack) -> None:
    partner_id = register(api, stack)
    old = credentials(api, partner_id)
    eventually(lambda: not refused(options(stack, old)), 15, "the first password to work")
    new = credentials(api, partner_id)
    assert new["password"] != old["password"]
    eventually(lambda: refused(options(stack, old)), 10, "the old password to be refused")
    changes = eventually(
        lambda: run_example(stack, partner_id, new["password"]), 30, "the new password to read"
    )
    assert len(changes) == 1


def test_a_deactivated_partner_is_cut_off_within_ten_seconds(api: TestClient, stack: Stack) -> None:
    partner_id = register(api, stack)
    answer = credentials(api, partner_id)
    eventually(lambda: not refused(options(stack, answer)), 15, "the password to work")
    consumer = KafkaConsumer(**options(stack, answer), group_id=answer["group"], auto_offset_reset="earliest")
    own = TopicPartition(answer["topic"], 0)
    consumer.assign([own])
    try:
        assert consumer.end_offsets([own])[own] == 1
        response = api.post(f"/partners/{partner_id}/deactivate", headers=HUB)
        assert response.status_code == 200, response.text
        deactivated, cut_off = time.monotonic(), False
        while not cut_off and time.monotonic() - deactivated < 10:
            try:
                consumer.end_offsets([own])
                time.sleep(0.3)
            except TopicAuthorizationFailedError:
                cut_off = True
        assert cut_off, "still reading 10 s after deactivation"
        assert refused(options(stack, answer)), "its password still authenticates"
        again = api.post(f"/partners/{partner_id}/stream-credentials", headers=HUB)
        assert again.status_code == 409
        assert again.json()["code"] == "partner_deactivated"
    finally:
        consumer.close()
