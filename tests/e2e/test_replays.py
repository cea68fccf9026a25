"""Replays: the workers' consumer groups are reset to the beginning of every topic they read,
and everything is processed again. No effect happens twice: no second email, no new audit
record, no new case, no new referral; every entity ends as it was."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from kafka.admin import KafkaAdminClient, OffsetSpec

from services.common.kafka import API_VERSION
from tests.support import read_topic
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack
from tools.waiting import eventually

pytestmark = pytest.mark.e2e

WORKERS = {
    "matching-worker": "concerto-matching-worker",
    "events-worker": "concerto-events-worker",
    "notifications-worker": "concerto-notifications-worker",
}
ENTITY_TOPICS = ("cases.v1", "referrals.v1", "calendar.v1", "rounds.v1")


def latest(bootstrap: str, topic: str) -> dict[bytes, bytes | None]:
    """The current value of every key of an entity topic."""
    state: dict[bytes, bytes | None] = {}
    for record in read_topic(bootstrap, topic, timeout=20):
        state[record.key] = record.value
    return state


def without_times(value: bytes | None) -> Any:
    """An entity as JSON, without the times a replay may legitimately restate."""
    if value is None:
        return None
    data = json.loads(value)
    for stamp in ("updated_at", "decided_at", "started_at", "duration_ms"):
        data.pop(stamp, None)
    return data


def lag(admin: KafkaAdminClient, group: str) -> int:
    committed = admin.list_group_offsets({group: None})[group]
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in committed})
    return sum(max(0, ends[tp].offset - meta.offset) for tp, meta in committed.items())


def caught_up(admin: KafkaAdminClient, timeout: float) -> None:
    """Wait until every worker's group has committed up to the end of what it reads."""
    for group in WORKERS.values():

        def done(group: str = group) -> bool:
            return lag(admin, group) == 0

        eventually(done, timeout, f"{group} to catch up")


def test_reprocessing_every_topic_from_the_beginning_repeats_no_effect(everything: Stack) -> None:
    bootstrap = everything.config.bootstrap
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, api_version=API_VERSION)
    try:
        # Whatever the session did so far: every worker has caught up.
        caught_up(admin, 60)
        emails = Counter(str(m["Message-ID"]) for m in read_mailbox(everything.config.mail_dir))
        audits = len(read_topic(bootstrap, "notifications.v1", timeout=20))
        before = {topic: latest(bootstrap, topic) for topic in ENTITY_TOPICS}
        assert emails, "the session sent no email yet: nothing to replay"

        for name, group in WORKERS.items():
            everything.stop(name)
            committed = admin.list_group_offsets({group: None})[group]
            replayed = admin.reset_group_offsets(group, dict.fromkeys(committed, OffsetSpec.EARLIEST))
            assert all(r["error"] is None or r["error"].errno == 0 for r in replayed.values()), replayed
        everything.start_services([p for p in PROCESSES if p.name in WORKERS])
        caught_up(admin, 120)

        after_emails = Counter(str(m["Message-ID"]) for m in read_mailbox(everything.config.mail_dir))
        assert after_emails == emails, "a replay sent an email again"
        assert len(read_topic(bootstrap, "notifications.v1", timeout=20)) == audits
        for topic in ENTITY_TOPICS:
            after = latest(bootstrap, topic)
            assert set(after) == set(before[topic]), f"a replay created or lost an entity on {topic}"
            changed = [k for k in after if without_times(after[k]) != without_times(before[topic][k])]
            assert changed == [], f"a replay changed {len(changed)} entities on {topic}"
    finally:
        admin.close()
