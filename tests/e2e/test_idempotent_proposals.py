"""A proposal retried with the same Idempotency-Key, through the running events-api and worker:
the same proposal id every time, one event id on event-proposals.v1 however many times it was
written, one decision on calendar.v1, and another caller's key never names it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from services.common.clock import default_clock
from tests.support import bearer, field_of, headers_of, organizer_for, read_topic
from tools.stack import PROCESSES, Stack
from tools.waiting import eventually

pytestmark = pytest.mark.e2e


def _url(stack: Stack, name: str) -> str:
    return stack.config.url(next(p for p in PROCESSES if p.name == name))


def _keyed(bootstrap: str, topic: str, proposal_id: str) -> list[dict[str, str]]:
    """The CloudEvents headers of every record of ``topic`` about the proposal."""
    return [
        headers_of(r)
        for r in read_topic(bootstrap, topic, timeout=20)
        if field_of(r.key, "proposal_id") == proposal_id
    ]


def test_a_proposal_retried_with_its_idempotency_key_is_decided_once(everything: Stack) -> None:
    partners_api, events_api = _url(everything, "partners-api"), _url(everything, "events-api")
    day = default_clock().today() + timedelta(days=420)
    # Region 08's organizer of this test's own, or its table's delegate if another test named one.
    organizer, _ = organizer_for(partners_api, "08", day)
    proposal = {
        "organizer_id": organizer,
        "regions": ["08"],
        "kind": "information_session",
        "title": "Vivre en Abitibi-Témiscamingue",
        "preferred_dates": [day.isoformat()],
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    hub = bearer("hub") | key

    # The first answer lost with the connection, say: the client sends the same request again.
    first = httpx.post(f"{events_api}/proposals", json=proposal, headers=hub, timeout=30)
    retry = httpx.post(f"{events_api}/proposals", json=proposal, headers=hub, timeout=30)
    assert (first.status_code, retry.status_code) == (202, 202), (first.text, retry.text)
    proposal_id = first.json()["proposal_id"]
    assert retry.json() == first.json()

    decision = f"{events_api}/calendar/{proposal_id}"
    eventually(lambda: httpx.get(decision, headers=bearer("hub")).status_code == 200, 60, "the decision")
    bootstrap = everything.config.bootstrap
    written = _keyed(bootstrap, "event-proposals.v1", proposal_id)
    # Twice, unless the retry came after the API already saw the decision (then it wrote nothing).
    assert len(written) in (1, 2), written
    assert len({h["ce_id"] for h in written}) == 1, written

    late = httpx.post(f"{events_api}/proposals", json=proposal, headers=hub, timeout=30)
    assert late.status_code == 202, late.text
    assert late.json() == first.json()
    assert len(_keyed(bootstrap, "event-proposals.v1", proposal_id)) == len(written)  # nothing written
    # Another caller's same key is another proposal.
    other = httpx.post(
        f"{events_api}/proposals", json=proposal, headers=bearer("partner", organizer) | key, timeout=30
    )
    assert other.status_code == 202, other.text
    assert other.json()["proposal_id"] != proposal_id

    decisions = _keyed(bootstrap, "calendar.v1", proposal_id)
    assert len(decisions) == 1, decisions
