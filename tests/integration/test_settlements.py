"""After an accepted plan, on the real broker: the welcoming partner records the household's
milestones and closes its case with an outcome; who may, which days, and erasure.

matching-api runs in process; matching-worker runs as its own process on this module's own broker
(a round takes every open case on its broker). Days are relative to the suite's pinned clock, so
these pass on any date.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import default_clock
from services.common.kafka import read_topic
from services.common.settings import Settings
from services.common.topics import SETTLEMENTS
from services.matching.domain import case_id_for
from tests.conftest import own_stack, settings_of
from tests.support import bearer, created, eventually, unique
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.integration

REGION = "08"  # Abitibi-Témiscamingue, on this module's own broker
HOUSEHOLDS = 6
INTAKE = {
    "contact": {"name": "Personne Installation", "email": "installation@personnes.example.net"},
    "consents": {"contact": True, "referral": True, "share_contact": True},
    "immigration_status": "permanent_resident",
    "occupations": [{"cnp": "72410", "years": 10}],
    "french_level": 9,
    "preferred_regions": [REGION],
}


@dataclass
class Household:
    person_id: str
    case_id: str
    referral_id: str


@dataclass
class World:
    welcomer: str
    other: str
    households: list[Household]

    def take(self) -> Household:
        return self.households.pop()


@pytest.fixture(scope="module")
def workers() -> Iterator[Stack]:
    """This module's own broker and matching worker."""
    with own_stack("settlements", [p for p in PROCESSES if p.name == "matching-worker"]) as private:
        yield private


@pytest.fixture(scope="module")
def settings(workers: Stack) -> Settings:
    return settings_of(workers)


def person(household: Household) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(AuthSettings(), household.person_id, Role.PERSON)}"}


def day(days: int = 0) -> str:
    return (default_clock().today() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def world(partners: TestClient, matching: TestClient) -> World:
    def partner(kind: str) -> str:
        body = {
            "name": unique("Organisme"),
            "kind": kind,
            "regions": [REGION],
            "contact_email": "o@example.org",
        }
        return created(partners.post("/partners", json=body, headers=bearer("hub")), "partner_id")

    welcomer, other = partner("community_organization"), partner("community_organization")
    offer = {
        "kind": "intake_capacity",
        "title": "Accueil",
        "intake": {"region": REGION, "households_per_month": 20},
    }
    created(partners.post("/offers", json=offer, headers=bearer("partner", welcomer)), "offer_id")
    counsellor = {"name": "Conseillère Test", "email": "c@hub.example.org", "languages": ["fr"]}
    created(matching.post("/counsellors", json=counsellor, headers=bearer("hub")), "counsellor_id")
    people = [
        created(matching.post("/interests", json=INTAKE, headers=bearer("counsellor")), "person_id")
        for _ in range(HOUSEHOLDS)
    ]
    for someone in people:
        opened(matching, str(case_id_for(uuid.UUID(someone))))
    round_id = created(matching.post("/rounds", headers=bearer("hub")), "round_id")
    eventually(lambda: matching.get(f"/rounds/{round_id}", headers=bearer("hub")).status_code == 200, 60)
    households = []
    for someone in people:
        [plan] = matching.get(f"/people/{someone}/referrals", headers=bearer("hub")).json()
        assert plan["welcoming_partner_id"] == welcomer
        households.append(Household(someone, str(case_id_for(uuid.UUID(someone))), plan["referral_id"]))
    return World(welcomer, other, households)


def opened(matching: TestClient, case_id: str) -> None:
    eventually(lambda: matching.get(f"/cases/{case_id}", headers=bearer("hub")).status_code == 200, 60)


def accepted(matching: TestClient, world: World) -> Household:
    """A household whose plan it accepted itself, once its settlement has begun."""
    household = world.take()
    answer = matching.post(f"/referrals/{household.referral_id}/accept", headers=person(household))
    assert answer.status_code == 202, answer.text
    settlement(matching, world, household, "awaiting_contact")
    return household


def settlement(matching: TestClient, world: World, household: Household, status: str) -> dict[str, Any]:
    """The household's settlement once the worker has brought it to ``status`` (read by its welcomer)."""
    url = f"/cases/{household.case_id}/settlement"
    seen: dict[str, dict[str, Any]] = {}

    def reached() -> bool:
        answer = matching.get(url, headers=bearer("partner", world.welcomer))
        if answer.status_code == 200:
            seen["body"] = answer.json()
        return answer.status_code == 200 and answer.json()["status"] == status

    eventually(reached, 60, f"the settlement to be {status}")
    return seen["body"]


def milestone(
    matching: TestClient, household: Household, headers: dict[str, str], which: str, on: str
) -> Any:
    body = {"milestone": which, "on": on}
    return matching.post(f"/cases/{household.case_id}/milestones", json=body, headers=headers)


def test_a_household_goes_from_its_accepted_plan_through_four_milestones_to_a_closed_case(
    matching: TestClient, world: World
) -> None:
    household = accepted(matching, world)
    welcomer = bearer("partner", world.welcomer)

    for which, on, status in (
        ("first_contact", day(), "contacted"),
        ("exploratory_visit", day(), "visited"),
        ("move", day(21), "moving"),  # planned three weeks ahead
        ("arrival", day(), "arrived"),  # they came sooner
    ):
        answer = milestone(matching, household, welcomer, which, on)
        assert answer.status_code == 202, answer.text
        assert answer.json()["settlement_url"] == f"/cases/{household.case_id}/settlement"
        settlement(matching, world, household, status)
    close = {"outcome": "settled_in_region", "on": day()}
    answer = matching.post(f"/cases/{household.case_id}/close", json=close, headers=bearer("hub"))
    assert answer.status_code == 202, answer.text

    closed = settlement(matching, world, household, "closed")
    assert (closed["outcome"], closed["move_on"], closed["arrived_on"]) == (
        "settled_in_region",
        day(21),
        day(),
    )
    assert [s["action"] for s in closed["steps"]] == [
        "first_contact",
        "exploratory_visit",
        "move",
        "arrival",
        "close",
    ]
    assert [s["by_role"] for s in closed["steps"]] == ["partner"] * 4 + ["hub"]

    def case_closed() -> bool:
        case = matching.get(f"/cases/{household.case_id}", headers=bearer("counsellor")).json()
        return bool(case["status"] == "closed")

    eventually(case_closed, 60, "the case to close")
    for reader in (bearer("counsellor"), person(household)):
        assert (
            matching.get(f"/cases/{household.case_id}/settlement", headers=reader).json()["status"]
            == "closed"
        )
    again = matching.post(f"/people/{household.person_id}/withdraw", headers=person(household))
    assert again.status_code == 409, again.text  # a closed case is closed


def test_only_the_welcoming_partner_or_the_hub_records_and_days_and_steps_are_checked(
    matching: TestClient, world: World
) -> None:
    household = accepted(matching, world)
    welcomer = bearer("partner", world.welcomer)

    for stranger in (bearer("partner", world.other), bearer("delegate", world.other), bearer("counsellor")):
        assert milestone(matching, household, stranger, "first_contact", day()).status_code == 403
        close = {"outcome": "unreachable", "on": day()}
        answer = matching.post(f"/cases/{household.case_id}/close", json=close, headers=stranger)
        assert answer.status_code == 403, answer.text
    assert (
        matching.get(
            f"/cases/{household.case_id}/settlement", headers=bearer("partner", world.other)
        ).status_code
        == 403
    )

    future = milestone(matching, household, welcomer, "arrival", day(1))
    assert (future.status_code, future.json()["field"], future.json()["code"]) == (
        422,
        "on",
        "date_in_future",
    )
    early = milestone(matching, household, welcomer, "first_contact", day(-1))
    assert (early.status_code, early.json()["field"], early.json()["code"]) == (
        422,
        "on",
        "date_before_acceptance",
    )
    settled = {"outcome": "settled_in_region", "on": day()}
    too_soon = matching.post(f"/cases/{household.case_id}/close", json=settled, headers=welcomer)
    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "settled_before_arrival")

    assert milestone(matching, household, welcomer, "arrival", day()).status_code == 202
    settlement(matching, world, household, "arrived")
    backwards = milestone(matching, household, welcomer, "first_contact", day())
    assert (backwards.status_code, backwards.json()["code"]) == (409, "settlement_step")
    lived = matching.post(f"/referrals/{household.referral_id}/decline", json={}, headers=person(household))
    assert (lived.status_code, lived.json()["code"]) == (409, "plan_lived")
    english = milestone(matching, household, {**welcomer, "Accept-Language": "en"}, "first_contact", day())
    assert "settlement is arrived" in english.json()["message"]


def test_erasing_the_person_removes_their_settlement(
    matching: TestClient, world: World, workers: Stack
) -> None:
    household = accepted(matching, world)
    assert milestone(matching, household, bearer("hub"), "exploratory_visit", day()).status_code == 202
    settlement(matching, world, household, "visited")

    assert matching.delete(f"/people/{household.person_id}", headers=person(household)).status_code == 202

    url = f"/cases/{household.case_id}/settlement"
    eventually(
        lambda: matching.get(url, headers=bearer("hub")).status_code == 404, 60, "the settlement to go"
    )
    records = [r for r in read_topic(workers.config.bootstrap, SETTLEMENTS.name) if r.key is not None]
    mine = [r for r in records if household.case_id.encode() in r.key]
    assert mine
    assert mine[-1].value is None  # a tombstone: compaction removes the rest
    assert all(
        b"installation@" not in (r.value or b"") and b"Personne" not in (r.value or b"") for r in records
    )
