"""Follow-ups on the real broker: a household from its arrival through its four follow-ups, with the
reminders emailed to the real SMTP sink at the right moments of the pinned clock, and its answers
erased with it.

This module has its own broker, SMTP sink and matching worker. Time moves forward the way it does
in production: each moment is a process whose one clock is pinned that many days after the
suite's (``CONCERTO_CLOCK__OFFSET_S``). matching-api runs in process, once at the suite's "now"
(arrival) and once per later moment (answers); the notifications worker is started as its own
process at a moment, checks every second, and is stopped.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import OFFSET_ENV, default_clock
from services.common.followup_schedule import due_days
from services.common.kafka import read_topic
from services.common.settings import ClockSettings, Settings
from services.common.topics import FOLLOWUPS, MATCHING_COMMANDS, NOTIFICATIONS, SETTLEMENTS
from services.matching.api import create_app as matching_app
from services.matching.domain import case_id_for
from services.notifications import ledger
from services.notifications.followup_reminders import Recipient, reminder_key
from services.notifications.rendering import message_id_for
from tests.conftest import own_stack, settings_of
from tests.support import bearer, created, eventually, unique
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.integration

REGION = "09"  # Côte-Nord, on this module's own broker
WELCOMER_EMAIL = "suivis@accueil-cote-nord.example.org"
HUB_EMAIL = "coordination@carrefour-regions.example.org"  # HubSettings' default
NOTE = "Note-privee-7f3a: emploi trouve au port de Sept-Iles"
TO: tuple[Recipient, ...] = ("partner", "hub")
NOTIFIER = next(p for p in PROCESSES if p.name == "notifications-worker")
INTAKE = {
    "contact": {"name": "Personne Suivi", "email": "suivi@personnes.example.net"},
    "consents": {"contact": True, "referral": True, "share_contact": True},
    "immigration_status": "permanent_resident",
    "occupations": [{"cnp": "72410", "years": 10}],
    "french_level": 9,
    "preferred_regions": [REGION],
}
ANSWERS = {
    "in_region": "yes",
    "work": "in_field",
    "housing": "permanent",
    "children_at_school": "all_at_school",
    "french_courses": "attending",
}


@pytest.fixture(scope="module")
def workers() -> Iterator[Stack]:
    """This module's own broker, SMTP sink and matching worker."""
    with own_stack("followups", [p for p in PROCESSES if p.name == "matching-worker"]) as private:
        yield private


@pytest.fixture(scope="module")
def settings(workers: Stack) -> Settings:
    return settings_of(workers)


def person(person_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(AuthSettings(), person_id, Role.PERSON)}"}


def who(role: str, days: int, subject: str | None = None, partner: str | None = None) -> dict[str, str]:
    """A token minted ``days`` days after the suite's now (one minted now would have expired)."""
    now = default_clock().now() + timedelta(days=days)
    partner_id = uuid.UUID(partner) if partner else None
    token = mint(AuthSettings(), subject or f"test-{role}", Role(role), partner_id, now=now)
    return {"Authorization": f"Bearer {token}"}


def shifted(days: int) -> float:
    """The clock offset of a process that lives ``days`` days after the suite's now."""
    return float(os.environ[OFFSET_ENV]) + days * 86400


@contextmanager
def matching_at(settings: Settings, days: int) -> Iterator[TestClient]:
    """matching-api, its clock ``days`` days after the suite's."""
    later = settings.model_copy(update={"clock": ClockSettings(offset_s=shifted(days))})
    with TestClient(matching_app(later)) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "the API to be ready")
        yield client


@contextmanager
def notifier_at(workers: Stack, days: int) -> Iterator[None]:
    """The notifications worker, its clock ``days`` days after the suite's, checking every second."""
    env = {
        **workers.config.env(),
        OFFSET_ENV: repr(shifted(days)),
        "CONCERTO_FOLLOWUPS__CHECK_INTERVAL_S": "1",
    }
    workers.start(NOTIFIER.name, [sys.executable, "-m", NOTIFIER.module], env)
    try:
        workers.wait_ready(NOTIFIER)
        yield
    finally:
        workers.stop(NOTIFIER.name)


def mail(workers: Stack) -> list[EmailMessage]:
    mail_dir = workers.config.mail_dir
    return read_mailbox(mail_dir) if mail_dir.exists() else []


def reminders(workers: Stack, case_id: str) -> dict[str, EmailMessage]:
    """The follow-up emails of the case at the sink, by ledger key."""
    keys = {reminder_key(uuid.UUID(case_id), month, to): month for month in (3, 6, 12, 24) for to in TO}
    ids = {message_id_for(key): key for key in keys}
    found: dict[str, EmailMessage] = {}
    for message in mail(workers):
        key = ids.get(str(message["Message-ID"]))
        if key is not None:
            assert key not in found, f"{key} was sent twice"
            found[key] = message
    return found


@pytest.fixture(scope="module")
def households(partners: TestClient, matching: TestClient) -> dict[str, Any]:
    """Two households of region 09 whose plans they accepted, and their welcoming partner."""
    body = {
        "name": unique("Accueil Côte-Nord"),
        "kind": "community_organization",
        "regions": [REGION],
        "contact_email": WELCOMER_EMAIL,
    }
    welcomer = created(partners.post("/partners", json=body, headers=bearer("hub")), "partner_id")
    other = created(
        partners.post("/partners", json={**body, "name": unique("Autre")}, headers=bearer("hub")),
        "partner_id",
    )
    offer = {
        "kind": "intake_capacity",
        "title": "Accueil",
        "intake": {"region": REGION, "households_per_month": 9},
    }
    created(partners.post("/offers", json=offer, headers=bearer("partner", welcomer)), "offer_id")
    counsellor = {"name": "Conseillère Suivi", "email": "c@hub.example.org", "languages": ["fr"]}
    created(matching.post("/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id")
    people = [
        created(matching.post("/interests", json=INTAKE, headers=bearer("counsellor")), "person_id")
        for _ in range(2)
    ]
    for case_id in [str(case_id_for(uuid.UUID(someone))) for someone in people]:
        url = f"/cases/{case_id}"
        eventually(lambda url=url: matching.get(url, headers=bearer("hub")).status_code == 200, 60)  # type: ignore[misc]
    round_id = created(matching.post("/rounds", headers=bearer("hub")), "round_id")
    eventually(lambda: matching.get(f"/rounds/{round_id}", headers=bearer("hub")).status_code == 200, 60)
    for someone in people:
        [plan] = matching.get(f"/people/{someone}/referrals", headers=bearer("hub")).json()
        assert plan["welcoming_partner_id"] == welcomer
        accept = matching.post(f"/referrals/{plan['referral_id']}/accept", headers=person(someone))
        assert accept.status_code == 202, accept.text
    return {"welcomer": welcomer, "other": other, "people": people}


def settlement_of(matching: TestClient, case_id: str, ready: Any) -> dict[str, Any]:
    """The case's settlement once ``ready(settlement)`` holds (read by the hub)."""
    seen: dict[str, Any] = {}

    def reached() -> bool:
        answer = matching.get(f"/cases/{case_id}/settlement", headers=bearer("hub"))
        seen["body"] = answer.json() if answer.status_code == 200 else None
        return seen["body"] is not None and bool(ready(seen["body"]))

    eventually(reached, 60, "the settlement")
    return dict(seen["body"])


def arrive(matching: TestClient, case_id: str, welcomer: str) -> None:
    settlement_of(matching, case_id, lambda s: True)  # begun once the plan was accepted
    on = {"milestone": "arrival", "on": default_clock().today().isoformat()}
    answer = matching.post(f"/cases/{case_id}/milestones", json=on, headers=bearer("partner", welcomer))
    assert answer.status_code == 202, answer.text
    settlement_of(matching, case_id, lambda s: s["status"] == "arrived")


def test_a_household_answers_four_follow_ups_with_reminders_on_the_pinned_clock_and_erasure_removes_them(
    matching: TestClient, settings: Settings, workers: Stack, households: dict[str, Any]
) -> None:
    someone, welcomer = households["people"][0], households["welcomer"]
    case_id = str(case_id_for(uuid.UUID(someone)))
    arrive(matching, case_id, welcomer)
    today = default_clock().today()
    due = due_days(today)
    offset = {month: (day - today).days for month, day in due.items()}

    schedule = matching.get(f"/cases/{case_id}/followups", headers=bearer("partner", welcomer)).json()
    assert [(s["month"], s["due_on"], s["answered_on"]) for s in schedule["schedule"]] == [
        (month, day.isoformat(), None) for month, day in due.items()
    ]
    early = matching.post(f"/cases/{case_id}/followups/3", json=ANSWERS, headers=bearer("partner", welcomer))
    assert (early.status_code, early.json()["field"], early.json()["code"]) == (
        422,
        "month",
        "followup_not_due",
    )

    reminded_on_the_day(workers, case_id, uuid.UUID(someone), offset[3])
    with matching_at(settings, offset[3]) as then:
        answer = then.post(
            f"/cases/{case_id}/followups/3",
            json={**ANSWERS, "note": NOTE},
            headers=who("partner", offset[3], partner=welcomer),
        )
        assert answer.status_code == 201, answer.text
        again = then.post(
            f"/cases/{case_id}/followups/3", json=ANSWERS, headers=who("person", offset[3], someone)
        )
        assert (again.status_code, again.json()["code"]) == (409, "followup_answered")
    settlement_of(matching, case_id, lambda s: s["followups_answered"] == [3])

    hub_told_past_30_days(workers, case_id, offset[6] + 31)
    for month, days, role, subject in (
        (6, offset[6] + 31, "person", someone),  # the person themself
        (12, offset[12], "hub", None),
        (24, offset[24] - 7, "delegate", None),  # a week early: open from two weeks before
    ):
        partner = welcomer if role == "delegate" else None
        with matching_at(settings, days) as then:
            headers = who(role, days, subject, partner)
            answer = then.post(f"/cases/{case_id}/followups/{month}", json=ANSWERS, headers=headers)
            assert answer.status_code == 201, answer.text
    settlement_of(matching, case_id, lambda s: s["followups_answered"] == [3, 6, 12, 24])
    read_by_those_concerned(matching, someone, case_id, households["other"])
    erased(matching, workers, someone, case_id)


def reminded_on_the_day(workers: Stack, case_id: str, person_id: uuid.UUID, days: int) -> None:
    """The day before the 3-month follow-up's day, nothing; on the day its welcoming partner is
    reminded, nobody else, of nothing else."""
    opened = message_id_for(ledger.case_opened_key(uuid.UUID(case_id), person_id))
    with notifier_at(workers, days - 1):
        # The worker is at work once it emailed the person their case (its projection is ready);
        # then its timer checks every second.
        eventually(
            lambda: opened in {str(m["Message-ID"]) for m in mail(workers)}, 90, "the case-opened email"
        )
        time.sleep(4)
    assert reminders(workers, case_id) == {}
    with notifier_at(workers, days):
        eventually(lambda: len(reminders(workers, case_id)) >= 1, 90, "the 3-month reminder")
    sent = reminders(workers, case_id)
    assert list(sent) == [reminder_key(uuid.UUID(case_id), 3, "partner")]
    [reminder] = sent.values()
    assert str(reminder["To"]) == WELCOMER_EMAIL
    assert str(reminder["Subject"]).startswith("Suivi de 3 mois à faire")  # the partner's language: fr
    assert "Personne Suivi" not in reminder.as_string()


def hub_told_past_30_days(workers: Stack, case_id: str, days: int) -> None:
    """31 days after the 6-month day, unanswered: the partner is reminded of it and the hub is told;
    the 3-month one was answered, so nothing more of it."""
    with notifier_at(workers, days):
        eventually(lambda: len(reminders(workers, case_id)) >= 3, 90, "the 6-month reminder and alert")
    sent = reminders(workers, case_id)
    case = uuid.UUID(case_id)
    assert set(sent) == {
        reminder_key(case, 3, "partner"),
        reminder_key(case, 6, "partner"),
        reminder_key(case, 6, "hub"),
    }
    alert = sent[reminder_key(case, 6, "hub")]
    assert str(alert["To"]) == HUB_EMAIL
    assert str(alert["Subject"]).startswith("Suivi de 6 mois en retard")


def read_by_those_concerned(matching: TestClient, someone: str, case_id: str, other: str) -> None:
    def all_answered() -> bool:
        body = matching.get(f"/cases/{case_id}/followups", headers=bearer("counsellor")).json()
        return [a["month"] for a in body["answered"]] == [3, 6, 12, 24]

    eventually(all_answered, 30, "the four answers")
    seen = matching.get(f"/cases/{case_id}/followups", headers=person(someone)).json()
    assert [a["by_role"] for a in seen["answered"]] == ["partner", "person", "hub", "delegate"]
    assert seen["answered"][0]["answers"]["note"] == NOTE
    assert all(s["answered_on"] is not None for s in seen["schedule"])
    stranger = matching.get(f"/cases/{case_id}/followups", headers=bearer("partner", other))
    assert stranger.status_code == 403


def erased(matching: TestClient, workers: Stack, someone: str, case_id: str) -> None:
    """Erasure tombstones the answers; they were never on another topic, nor in a worker's log."""
    assert matching.delete(f"/people/{someone}", headers=person(someone)).status_code == 202
    eventually(
        lambda: matching.get(f"/cases/{case_id}/followups", headers=bearer("hub")).status_code == 404,
        60,
        "the follow-ups to go",
    )
    mine = [
        r for r in read_topic(workers.config.bootstrap, FOLLOWUPS.name) if case_id.encode() in (r.key or b"")
    ]
    assert mine
    assert mine[-1].value is None  # a tombstone: compaction removes the answers
    for topic in (SETTLEMENTS, MATCHING_COMMANDS, NOTIFICATIONS):
        assert all(
            NOTE.encode() not in (r.value or b"") for r in read_topic(workers.config.bootstrap, topic.name)
        )
    for process in ("matching-worker", NOTIFIER.name):
        assert NOTE not in workers.log_path(process).read_text(errors="replace")
    assert all(NOTE not in m.as_string() for m in mail(workers))


def test_answers_are_checked_naming_the_field_and_only_those_concerned_answer(
    matching: TestClient, settings: Settings, households: dict[str, Any]
) -> None:
    someone, welcomer = households["people"][1], households["welcomer"]
    case_id = str(case_id_for(uuid.UUID(someone)))
    settlement_of(matching, case_id, lambda s: s["status"] == "awaiting_contact")
    today = default_clock().today()
    three_months = (due_days(today)[3] - today).days
    with matching_at(settings, three_months) as then:
        url = f"/cases/{case_id}/followups/3"
        before = then.post(url, json=ANSWERS, headers=who("hub", three_months))
        assert (before.status_code, before.json()["code"]) == (409, "followup_before_arrival")
    arrive(matching, case_id, welcomer)
    with matching_at(settings, three_months) as then:
        partner = who("partner", three_months, partner=welcomer)
        for body, field in (
            ({**ANSWERS, "work": "astronaut"}, "work"),
            ({**ANSWERS, "note": "x" * 501}, "note"),
            ({k: v for k, v in ANSWERS.items() if k != "housing"}, "housing"),
            ({**ANSWERS, "address": "12 rue du Port"}, "address"),
        ):
            refused = then.post(url, json=body, headers=partner)
            assert (refused.status_code, refused.json()["field"]) == (422, field), refused.text
        month = then.post(f"/cases/{case_id}/followups/5", json=ANSWERS, headers=partner)
        assert (month.status_code, month.json()["field"], month.json()["code"]) == (
            422,
            "month",
            "followup_month",
        )
        for stranger in (
            who("partner", three_months, partner=households["other"]),
            who("counsellor", three_months),
            who("person", three_months, str(uuid.uuid4())),
        ):
            assert then.post(url, json=ANSWERS, headers=stranger).status_code == 403
        assert then.post(url, json=ANSWERS, headers=partner).status_code == 201
