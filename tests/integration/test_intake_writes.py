"""How a declaration is written, on the real broker: the contact and the interest together, a
half-acknowledged declaration undone (503, both tombstoned), and a staff retry with the same
Idempotency-Key naming the same person once."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.http import ApiRuntime
from services.common.kafka import KafkaUnavailable, Pending, Written
from services.common.settings import Settings
from tests.integration.test_intake import body
from tests.support import bearer, field_of, read_topic, records_where


def _keyed(bootstrap: str, topic: str, person_id: str) -> list[Any]:
    return [r for r in read_topic(bootstrap, topic) if field_of(r.key, "person_id") == person_id]


def test_a_retry_with_the_same_idempotency_key_declares_the_person_once(
    matching: TestClient, settings: Settings
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = matching.post("/interests", json=body(), headers=bearer("counsellor") | key)
    retry = matching.post("/interests", json=body(), headers=bearer("counsellor") | key)
    other_caller = matching.post("/interests", json=body(), headers=bearer("hub") | key)

    assert (first.status_code, retry.status_code, other_caller.status_code) == (202, 202, 202)
    assert retry.json() == first.json()
    assert other_caller.json()["person_id"] != first.json()["person_id"]
    bootstrap = settings.kafka.bootstrap_servers
    for topic in ("contacts.v1", "interests.v1"):
        assert len(_keyed(bootstrap, topic, first.json()["person_id"])) == 1, topic


def test_a_declaration_not_wholly_acknowledged_answers_503_and_leaves_no_person(
    matching: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime: ApiRuntime = matching.app.state.runtime  # type: ignore[attr-defined]
    acknowledged = runtime.publisher.acknowledged
    lost: list[str] = []

    async def loses_the_first_interest_ack(pending: Pending) -> Written:
        written = await acknowledged(pending)  # the broker really has it
        if pending.topic == "interests.v1" and not lost:
            lost.append(pending.event_id)
            raise KafkaUnavailable("the acknowledgement was lost")
        return written

    monkeypatch.setattr(runtime.publisher, "acknowledged", loses_the_first_interest_ack)
    intake = body()
    email = intake["contact"]["email"]

    response = matching.post("/interests", json=intake, headers=bearer("counsellor"))

    assert response.status_code == 503, response.text
    assert "nothing was recorded" in response.json()["detail"]
    bootstrap = settings.kafka.bootstrap_servers
    contact = records_where(
        bootstrap, "contacts.v1", lambda r: r.value is not None and email in r.value.decode()
    )
    person_id = json.loads(contact[0].key)["person_id"]
    for topic in ("contacts.v1", "interests.v1"):
        records = _keyed(bootstrap, topic, person_id)
        assert len(records) == 2, topic  # the write, then its tombstone
        assert records[-1].value is None, f"no tombstone on {topic}"
    staff = bearer("counsellor")
    assert matching.get(f"/people/{person_id}/interest", headers=staff).status_code == 404
