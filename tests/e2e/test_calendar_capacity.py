"""Many proposals sent at once for the same day, through the running events-api and worker:
no day ever holds more activities than the rules allow."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from services.events.seed import default_rules
from tests.support import bearer, delegate_of, eventually, organizer_for
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.e2e

REGIONS = ["01", "02", "03", "04", "05", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17"]
DAY = date(2031, 6, 7)  # a Saturday no other test uses


def _url(stack: Stack, name: str) -> str:
    return stack.config.url(next(p for p in PROCESSES if p.name == name))


def test_sixteen_regions_asking_for_one_saturday_at_once_never_overfill_it(everything: Stack) -> None:
    partners_api, events_api = _url(everything, "partners-api"), _url(everything, "events-api")
    # Another test may have given a region's table a delegate: the delegate proposes then.
    organizers = [(region, organizer_for(partners_api, region, DAY)[0]) for region in REGIONS]

    def propose(item: tuple[int, tuple[str, str]]) -> Any:
        index, (region, organizer) = item
        body = {
            "organizer_id": organizer,
            "regions": [region],
            "kind": "information_session",
            "title": f"Séance {region}",
            "preferred_dates": [DAY.isoformat()],
            "start_time": time(8 + index % 12, 0).isoformat(),
            "duration_minutes": 90,
            "open_to_joint": False,
        }
        role = "delegate" if delegate_of(partners_api, region, DAY) == organizer else "partner"
        response = httpx.post(
            f"{events_api}/proposals", json=body, headers=bearer(role, organizer), timeout=30
        )
        assert response.status_code == 202, response.text
        return response.json()["proposal_id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(propose, enumerate(organizers)))

    entries: dict[str, Any] = {}

    def decided() -> list[dict[str, Any]] | None:
        """The day's calendar once every proposal is decided and settled: a delegate's proposal may
        still take a partner's provisional place (services/events/priority.py), so a proposal is
        settled when it holds a place of the day or is not possible."""
        response = httpx.get(f"{events_api}/calendar", headers=bearer("hub"), params={"day": DAY.isoformat()})
        for i in ids:
            found = httpx.get(f"{events_api}/calendar/{i}", headers=bearer("hub"))
            entries[i] = found.json() if found.status_code == 200 else None
        held = {e["proposal_id"] for e in response.json() if e["status"] == "scheduled"}
        settled = all(
            e is not None and (e["status"] == "not_possible" or i in held) for i, e in entries.items()
        )
        return response.json() if settled else None

    on_the_day = eventually(
        decided,
        60,
        "every proposal to be decided",
        state=lambda: str({i: e and (e["status"], e.get("day")) for i, e in entries.items()}),
    )
    rules = default_rules()
    places = [e for e in on_the_day if e["status"] == "scheduled" and e["joint_with"] is None]
    assert len(places) == rules.max_per_day
    # At any moment (checked at every start), at most max_per_slot activities are running.
    spans = [
        (start, start + timedelta(minutes=e["duration_minutes"]))
        for e in places
        for start in [datetime.combine(DAY, time.fromisoformat(e["start_time"]))]
    ]
    for moment, _ in spans:
        running = [1 for begin, end in spans if begin <= moment < end]
        assert len(running) <= rules.max_per_slot
    refused = [
        httpx.get(f"{events_api}/calendar/{i}", headers=bearer("hub")).json()
        for i in ids
        if i not in {e["proposal_id"] for e in places}
    ]
    assert len(refused) == len(REGIONS) - rules.max_per_day
    assert {e["status"] for e in refused} == {"not_possible"}


def _on_day(events_api: str, day: date) -> list[dict[str, Any]]:
    response = httpx.get(f"{events_api}/calendar", headers=bearer("hub"), params={"day": day.isoformat()})
    entries: list[dict[str, Any]] = response.json()
    return [e for e in entries if e["status"] == "scheduled" and e["joint_with"] is None]


def _propose(events_api: str, organizer: tuple[str, str], region: str, day: date, at: str) -> str:
    body = {
        "organizer_id": organizer[0],
        "regions": [region],
        "kind": "information_session",
        "title": f"Nouvelle séance {region}",
        "preferred_dates": [day.isoformat()],
        "start_time": at,
        "duration_minutes": 60,
        "open_to_joint": False,
    }
    response = httpx.post(f"{events_api}/proposals", json=body, headers=bearer(organizer[1], organizer[0]))
    assert response.status_code == 202, response.text
    proposal_id: str = response.json()["proposal_id"]
    return proposal_id


def _status(events_api: str, proposal_id: str) -> str | None:
    response = httpx.get(f"{events_api}/calendar/{proposal_id}", headers=bearer("hub"))
    return str(response.json()["status"]) if response.status_code == 200 else None


def _full_day(everything: Stack, day: date) -> dict[str, tuple[str, str]]:
    """This test's own full day: as many activities as the rules allow, from regions of its own
    choosing; the organizer of each region by region."""
    partners_api, events_api = _url(everything, "partners-api"), _url(everything, "events-api")
    organizers = {}
    for index, region in enumerate(REGIONS[: default_rules().max_per_day]):
        organizers[region] = organizer_for(partners_api, region, day)
        placed = _propose(events_api, organizers[region], region, day, f"{9 + 3 * index:02d}:00")

        def decision(proposal_id: str = placed) -> str | None:
            return _status(events_api, proposal_id)

        assert eventually(decision, 30, "a decision") == "scheduled"
    assert len(_on_day(events_api, day)) == default_rules().max_per_day
    return organizers


def test_withdrawing_an_activity_frees_its_place_for_the_next_proposal(everything: Stack) -> None:
    day = DAY + timedelta(weeks=40)  # a Saturday of this test's own
    events_api = _url(everything, "events-api")
    organizers = _full_day(everything, day)
    [first, *_] = _on_day(events_api, day)
    region = first["regions"][0]
    organizer = organizers[region]
    response = httpx.post(
        f"{events_api}/proposals/{first['proposal_id']}/withdraw", headers=bearer(organizer[1], organizer[0])
    )
    assert response.status_code == 202, response.text
    eventually(lambda: _status(events_api, first["proposal_id"]) == "withdrawn", 30, "the withdrawal")
    again = _propose(events_api, organizer, region, day, "21:00")
    assert eventually(lambda: _status(events_api, again), 30, "a decision") == "scheduled"
    assert len(_on_day(events_api, day)) == default_rules().max_per_day


def test_rules_the_hub_publishes_apply_to_the_next_decisions(everything: Stack) -> None:
    day = DAY + timedelta(weeks=52)  # a Saturday of this test's own
    events_api, partners_api = _url(everything, "events-api"), _url(everything, "partners-api")
    taken = set(_full_day(everything, day))
    region = next(r for r in REGIONS if r not in taken)
    organizer = organizer_for(partners_api, region, day)
    full = _propose(events_api, organizer, region, day, "06:00")
    assert eventually(lambda: _status(events_api, full), 30, "a decision") == "not_possible"
    four_a_day = default_rules().model_copy(update={"max_per_day": 4}).model_dump(mode="json")
    try:
        assert httpx.put(f"{events_api}/rules", json=four_a_day, headers=bearer("hub")).status_code == 200
        eventually(
            lambda: httpx.get(f"{events_api}/rules", headers=bearer("hub")).json()["max_per_day"] == 4,
            30,
            "the new rules",
        )
        fourth = _propose(events_api, organizer, region, day, "06:30")
        assert eventually(lambda: _status(events_api, fourth), 30, "a decision") == "scheduled"
        assert len(_on_day(events_api, day)) == 4
    finally:
        default = default_rules().model_dump(mode="json")
        assert httpx.put(f"{events_api}/rules", json=default, headers=bearer("hub")).status_code == 200
