"""Replays: the workers' consumer groups are reset to the beginning of every topic they read,
and everything is processed again. No effect happens twice: no second email, no new audit
record, no new case, no new referral; every entity ends as it was."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
from kafka.admin import OffsetSpec

from services.common.clock import default_clock
from services.common.kafka import API_VERSION, AdminClient, client_options
from services.common.settings import MatchingSettings
from tests.support import bearer, created, log_events, read_topic
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack
from tools.waiting import eventually

pytestmark = pytest.mark.e2e

WORKERS = {
    "matching-worker": "concerto-matching-worker",
    "events-worker": "concerto-events-worker",
    "notifications-worker": "concerto-notifications-worker",
}
REPLAY_MARKERS = {
    "matching-worker": {
        "case.already_up_to_date",
        "interest.superseded",
        "command.already_done",
        "round.already_done",
    },
    "events-worker": {"record.already_decided"},
    "notifications-worker": {"email.already_sent"},
}
ENTITY_TOPICS = ("cases.v1", "referrals.v1", "calendar.v1", "rounds.v1")
matching_settings = MatchingSettings()


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


def lag(admin: AdminClient, group: str) -> int:
    committed = admin.list_group_offsets({group: None})[group]
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in committed})
    return sum(max(0, ends[tp].offset - meta.offset) for tp, meta in committed.items())


def caught_up(admin: AdminClient, timeout: float) -> None:
    """Wait until every worker's group has committed up to the end of what it reads."""
    for group in WORKERS.values():

        def done(group: str = group) -> bool:
            return lag(admin, group) == 0

        eventually(done, timeout, f"{group} to catch up")


def settled(admin: AdminClient, timeout: float) -> None:
    """Wait until every worker's group has caught up, or its committed offsets stopped moving.

    faust commits the highest offset it acked without a gap; on a compacted partition read
    again from the start, a gap it never saw can hold the commit back (docs/reliability.md),
    so a group whose offsets no longer move for 15 s has done what it will do.
    """
    deadline = time.monotonic() + timeout
    previous: dict[str, int] = {}
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        now = {group: lag(admin, group) for group in WORKERS.values()}
        if all(v == 0 for v in now.values()):
            return
        if now != previous:
            previous, still_since = now, time.monotonic()
        elif time.monotonic() - still_since > 15:
            return
        time.sleep(1)
    raise AssertionError(f"the workers kept reprocessing for {timeout} s: lag {previous}")


def test_reprocessing_every_topic_from_the_beginning_repeats_no_effect(everything: Stack) -> None:
    bootstrap = everything.config.bootstrap
    admin = AdminClient(**client_options(bootstrap), api_version=API_VERSION)
    try:
        # A person of this test's own, so there is at least an email and a case to replay.
        matching = next(p for p in PROCESSES if p.name == "matching-api")
        body = {
            "contact": {"name": "Rejeu Test", "email": f"rejeu.{uuid.uuid4().hex[:6]}@example.net"},
            "consents": {"contact": True, "referral": False, "share_contact": False},
            "immigration_status": "citizen",
            "preferred_regions": ["13"],
        }
        declared = httpx.post(
            f"{everything.config.url(matching)}/interests", json=body, headers=bearer("counsellor")
        )
        assert declared.status_code == 202, declared.text
        address = body["contact"]["email"]  # type: ignore[index]

        def emailed() -> bool:
            return any(str(m["To"]) == address for m in read_mailbox(everything.config.mail_dir))

        eventually(emailed, 60, "the case-opened email")
        # And an activity of its own, so the events worker has a decision to replay.
        partners_api = everything.config.url(next(p for p in PROCESSES if p.name == "partners-api"))
        events_api = everything.config.url(next(p for p in PROCESSES if p.name == "events-api"))
        organizer_email = f"rejeu.{uuid.uuid4().hex[:6]}@organisme.example.org"
        partner = {
            "name": f"Organisme rejeu {uuid.uuid4().hex[:6]}",
            "kind": "community_organization",
            "regions": ["11"],
            "contact_email": organizer_email,
        }
        registered = httpx.post(f"{partners_api}/partners", json=partner, headers=bearer("hub"))
        organizer = created(registered, "partner_id")
        proposal = {
            "organizer_id": organizer,
            "regions": ["11"],
            "kind": "information_session",
            "title": "Séance rejeu",
            "preferred_dates": [(default_clock().today() + timedelta(days=30)).isoformat()],
            "start_time": "10:00:00",
            "duration_minutes": 60,
            "open_to_joint": False,
        }
        proposed = httpx.post(
            f"{events_api}/proposals", json=proposal, headers=bearer("partner", organizer), timeout=30
        )
        assert proposed.status_code == 202, proposed.text
        eventually(
            lambda: any(str(m["To"]) == organizer_email for m in read_mailbox(everything.config.mail_dir)),
            60,
            "the decision's email",
        )
        # Cases other tests opened while no counsellor had room wait in the queue, and the queue
        # gives them one as soon as there is room (services/matching): a counsellor of this
        # test's own takes them now, so no assignment happens during the replay.
        matching_url = everything.config.url(matching)
        counsellor = {
            "name": "Conseillère Rejeu",
            "email": f"rejeu.{uuid.uuid4().hex[:6]}@hub.example.org",
            "languages": ["fr", "en"],
            "max_cases": 1000,
        }
        added = httpx.post(f"{matching_url}/counsellors", json=counsellor, headers=bearer("hub"))
        assert added.status_code == 201, added.text

        def nobody_waits() -> bool:
            waiting = httpx.get(f"{matching_url}/queue", headers=bearer("hub"))
            return waiting.status_code == 200 and waiting.json() == []

        # Tests that write open cases straight onto cases.v1 (poison records, dead letters) leave
        # cases the running worker never saw; a restart reads them and gives them a counsellor, a
        # first effect and not a repeated one: restarted once here, before the world is recorded.
        everything.stop("matching-worker")
        restarted = len(log_events(everything.log_path("matching-worker")))
        everything.start_services([p for p in PROCESSES if p.name == "matching-worker"])

        def loaded() -> bool:
            events = log_events(everything.log_path("matching-worker"))[restarted:]
            return any(e["event"] == "state.ready" for e in events)

        eventually(loaded, 120, "the restarted matching worker to load its state")
        time.sleep(2 * matching_settings.queue_check_s)  # two queue checks: the waiting cases are taken
        eventually(nobody_waits, 60, "every waiting case to get a counsellor")
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
        logged = {name: len(log_events(everything.log_path(name))) for name in WORKERS}
        everything.start_services([p for p in PROCESSES if p.name in WORKERS])
        settled(admin, 180)
        # Each worker did reprocess: it recognised records whose effect had already happened.
        for name, marker in REPLAY_MARKERS.items():
            seen = [e for e in log_events(everything.log_path(name))[logged[name] :] if e["event"] in marker]
            assert seen, f"{name} logged no replayed record"

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
