"""The measures ledger on the real broker: a household's measure identified → applied_for → granted
→ paid, an illegal transition refused with its code, another partner and another counsellor
refused, the reminder emailed 14 days before the deadline on the pinned clock (not the day
before), the hub's regional view with small figures suppressed, and erasure removing the ledger.

This module has its own broker, SMTP sink and matching worker (a round takes every open case on
its broker). The notifications worker is started as its own process at a moment of the pinned
clock (``CONCERTO_CLOCK__OFFSET_S``), checks every second, and is stopped, as in
test_followups.py, whose helpers it uses.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.clock import default_clock
from services.common.kafka import read_topic
from services.common.settings import Settings
from services.common.topics import MATCHING_COMMANDS, MEASURES, NOTIFICATIONS, SETTLEMENTS
from services.matching.domain import case_id_for
from services.notifications import ledger
from services.notifications.measure_reminders import REMIND_BEFORE_DAYS, reminder_key
from services.notifications.rendering import message_id_for
from tests.conftest import own_stack, settings_of
from tests.integration.test_followups import INTAKE, mail, notifier_at, person, settlement_of, who
from tests.support import bearer, created, eventually, unique
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.integration

REGION = "09"
WELCOMER_EMAIL = "mesures@accueil-cote-nord.example.org"
DEADLINE_IN_DAYS = 30
REASON = "Motif-prive-5c1e"
NAME = "Personne Suivi"  # the contact's name in test_followups.INTAKE


@pytest.fixture(scope="module")
def workers() -> Iterator[Stack]:
    """This module's own broker, SMTP sink and matching worker."""
    with own_stack("measures", [p for p in PROCESSES if p.name == "matching-worker"]) as private:
        yield private


@pytest.fixture(scope="module")
def settings(workers: Stack) -> Settings:
    return settings_of(workers)


@pytest.fixture(scope="module")
def household(partners: TestClient, matching: TestClient) -> dict[str, Any]:
    """A household of region 09 whose plan it accepted, its welcoming partner, another partner, and
    the counsellor holding its case."""
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
    counsellor = {"name": "Conseiller Mesures", "email": "m@hub.example.org", "languages": ["fr"]}
    created(matching.post("/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id")
    someone = created(matching.post("/interests", json=INTAKE, headers=bearer("counsellor")), "person_id")
    case_id = str(case_id_for(uuid.UUID(someone)))
    eventually(lambda: matching.get(f"/cases/{case_id}", headers=bearer("hub")).status_code == 200, 60)
    round_id = created(matching.post("/rounds", headers=bearer("hub")), "round_id")
    eventually(lambda: matching.get(f"/rounds/{round_id}", headers=bearer("hub")).status_code == 200, 60)
    [plan] = matching.get(f"/people/{someone}/referrals", headers=bearer("hub")).json()
    assert plan["welcoming_partner_id"] == welcomer
    accept = matching.post(f"/referrals/{plan['referral_id']}/accept", headers=person(someone))
    assert accept.status_code == 202, accept.text
    settlement_of(matching, case_id, lambda s: True)
    holder = matching.get(f"/cases/{case_id}", headers=bearer("hub")).json()["counsellor_id"]
    assert holder is not None
    return {"welcomer": welcomer, "other": other, "person": someone, "case": case_id, "counsellor": holder}


def reminders(workers: Stack, case_id: str, code: str, deadline: Any) -> list[EmailMessage]:
    wanted = message_id_for(reminder_key(uuid.UUID(case_id), code, deadline))
    return [m for m in mail(workers) if str(m["Message-ID"]) == wanted]


def test_a_measure_goes_from_identified_to_paid_with_its_reminder_and_erasure_removes_the_ledger(
    matching: TestClient, workers: Stack, household: dict[str, Any]
) -> None:
    case_id, welcomer, someone = household["case"], household["welcomer"], household["person"]
    partner = bearer("partner", welcomer)
    url = f"/cases/{case_id}/measures"
    ledger_now = matching.get(url, headers=partner).json()
    assert len(ledger_now["entries"]) >= 2, "entitled to the exploratory trip and employment services"
    assert {e["status"] for e in ledger_now["entries"]} == {"identified"}
    code = ledger_now["entries"][0]["measure_code"]
    deadline = default_clock().today() + timedelta(days=DEADLINE_IN_DAYS)

    holder = who("counsellor", 0, subject=household["counsellor"])
    given = {"action": "update", "handled_by": "partner", "deadline": deadline.isoformat()}
    assert matching.post(f"{url}/{code}", json=given, headers=holder).status_code == 200
    refused_by_others(matching, url, code, household)
    checked_naming_the_field(matching, url, code, partner)

    reminded_14_days_before(workers, case_id, uuid.UUID(someone), code, deadline)

    for body in (
        {"action": "apply", "amount_cad": "900"},
        {"action": "grant", "amount_cad": "850.50"},
        {"action": "pay"},
    ):
        answer = matching.post(f"{url}/{code}", json=body, headers=partner)
        assert answer.status_code == 200, answer.text
    [paid] = [
        e for e in matching.get(url, headers=bearer("hub")).json()["entries"] if e["measure_code"] == code
    ]
    assert (paid["status"], paid["granted_amount_cad"], paid["paid_amount_cad"]) == (
        "paid",
        "850.50",
        "850.50",
    )
    assert [s["status"] for s in paid["steps"]] == ["identified", "applied_for", "granted", "paid"]
    again = matching.post(f"{url}/{code}", json={"action": "refuse", "reason": REASON}, headers=partner)
    assert (again.status_code, again.json()["code"]) == (409, "measure_step")
    other_code = ledger_now["entries"][1]["measure_code"]
    refused = matching.post(
        f"{url}/{other_code}", json={"action": "refuse", "reason": REASON}, headers=bearer("hub")
    )
    assert refused.status_code == 200, refused.text
    [no] = [e for e in refused.json()["entries"] if e["measure_code"] == other_code]
    assert (no["status"], no["refusal_reason"]) == ("refused", REASON)

    hub_sees_aggregates_only(matching, welcomer)
    erased(matching, workers, someone, case_id)


def refused_by_others(matching: TestClient, url: str, code: str, household: dict[str, Any]) -> None:
    """Another partner neither reads nor records; another counsellor reads but does not record; the
    person reads their own ledger but does not record it."""
    stranger = bearer("partner", household["other"])
    assert matching.get(url, headers=stranger).status_code == 403
    body = {"action": "apply"}
    assert matching.post(f"{url}/{code}", json=body, headers=stranger).status_code == 403
    another = who("counsellor", 0, subject=str(uuid.uuid4()))
    assert matching.get(url, headers=another).status_code == 200
    assert matching.post(f"{url}/{code}", json=body, headers=another).status_code == 403
    assert matching.get(url, headers=person(household["person"])).status_code == 200
    assert matching.post(f"{url}/{code}", json=body, headers=person(household["person"])).status_code == 403


def checked_naming_the_field(matching: TestClient, url: str, code: str, partner: dict[str, str]) -> None:
    today = default_clock().today()
    for body, field in (
        ({"action": "apply", "amount_cad": "-5"}, "amount_cad"),
        ({"action": "apply", "on": (today + timedelta(days=1)).isoformat()}, "on"),
        ({"action": "update", "deadline": (today - timedelta(days=1)).isoformat()}, "deadline"),
        ({"action": "refuse"}, "reason"),
        ({"action": "apply", "iban": "CA00"}, "iban"),
        ({"action": "launch"}, "action"),
    ):
        refused = matching.post(f"{url}/{code}", json=body, headers=partner)
        assert (refused.status_code, refused.json()["field"]) == (422, field), refused.text
    unknown = matching.post(f"{url}/no_such_measure", json={"action": "apply"}, headers=partner)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "measure_code")
    illegal = matching.post(f"{url}/{code}", json={"action": "pay"}, headers=partner)
    assert (illegal.status_code, illegal.json()["code"]) == (409, "measure_step")  # not granted yet


def reminded_14_days_before(
    workers: Stack, case_id: str, person_id: uuid.UUID, code: str, deadline: Any
) -> None:
    """15 days before the deadline, nothing; 14 days before, the welcoming partner is reminded, once."""
    opened = message_id_for(ledger.case_opened_key(uuid.UUID(case_id), person_id))
    with notifier_at(workers, DEADLINE_IN_DAYS - REMIND_BEFORE_DAYS - 1):
        eventually(
            lambda: opened in {str(m["Message-ID"]) for m in mail(workers)}, 90, "the case-opened email"
        )
        time.sleep(4)  # its timer checks every second
    assert reminders(workers, case_id, code, deadline) == []
    with notifier_at(workers, DEADLINE_IN_DAYS - REMIND_BEFORE_DAYS):
        eventually(lambda: len(reminders(workers, case_id, code, deadline)) >= 1, 90, "the measure reminder")
        time.sleep(3)
    [reminder] = reminders(workers, case_id, code, deadline)
    assert str(reminder["To"]) == WELCOMER_EMAIL
    assert str(reminder["Subject"]).startswith("Échéance le")  # the partner's language: fr
    assert NAME not in reminder.as_string()


def hub_sees_aggregates_only(matching: TestClient, welcomer: str) -> None:
    assert matching.get("/measures/unclaimed", headers=bearer("partner", welcomer)).status_code == 403
    answer = matching.get("/measures/unclaimed", headers=bearer("hub"))
    assert answer.status_code == 200, answer.text
    [region] = [r for r in answer.json() if r["region"] == REGION]
    assert (region["entitled_people"], region["unclaimed_people"]) == (
        None,
        None,
    )  # one household: suppressed
    assert "person_id" not in answer.text
    assert "case_id" not in answer.text


def erased(matching: TestClient, workers: Stack, someone: str, case_id: str) -> None:
    """Erasure tombstones the ledger; the refusal's reason was on measures.v1 alone (never on another
    topic, in a worker's log or an email), and no contact data was ever on it."""
    assert matching.delete(f"/people/{someone}", headers=person(someone)).status_code == 202
    eventually(
        lambda: matching.get(f"/cases/{case_id}/measures", headers=bearer("hub")).status_code == 404,
        60,
        "the ledger to go",
    )
    mine = [
        r for r in read_topic(workers.config.bootstrap, MEASURES.name) if case_id.encode() in (r.key or b"")
    ]
    assert mine
    eventually(
        lambda: (
            [
                r
                for r in read_topic(workers.config.bootstrap, MEASURES.name)
                if case_id.encode() in (r.key or b"")
            ][-1].value
            is None
        ),
        60,
        "the worker's tombstone",
    )
    assert any(REASON.encode() in (r.value or b"") for r in mine)  # on measures.v1, until compacted
    for topic in (SETTLEMENTS, MATCHING_COMMANDS, NOTIFICATIONS):
        records = read_topic(workers.config.bootstrap, topic.name)
        assert all(REASON.encode() not in (r.value or b"") for r in records)
    measures_records = read_topic(workers.config.bootstrap, MEASURES.name)
    assert all(NAME.encode() not in (r.value or b"") for r in measures_records)
    for process in ("matching-worker", "notifications-worker"):
        assert REASON not in workers.log_path(process).read_text(errors="replace")
    assert all(REASON not in m.as_string() for m in mail(workers))
