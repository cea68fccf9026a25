"""Many proposals sent at once for the same day, through the running events-api and worker:
no day ever holds more activities than the rules allow."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from services.events.seed import default_rules
from tests.support import bearer, eventually
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.e2e

REGIONS = ["01", "02", "03", "04", "05", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17"]
DAY = date(2031, 6, 7)  # a Saturday no other test uses


def _url(stack: Stack, name: str) -> str:
    return stack.config.url(next(p for p in PROCESSES if p.name == name))


def test_sixteen_regions_asking_for_one_saturday_at_once_never_overfill_it(everything: Stack) -> None:
    partners_api, events_api = _url(everything, "partners-api"), _url(everything, "events-api")
    organizers = []
    for region in REGIONS:
        body = {
            "name": f"Organisme {region} {uuid.uuid4().hex[:6]}",
            "kind": "community_organization",
            "regions": [region],
            "contact_email": f"org{region}@partenaires.example.org",
        }
        response = httpx.post(f"{partners_api}/partners", json=body, headers=bearer("hub"))
        assert response.status_code == 201, response.text
        organizers.append((region, response.json()["partner_id"]))

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
        response = httpx.post(
            f"{events_api}/proposals", json=body, headers=bearer("partner", organizer), timeout=30
        )
        assert response.status_code == 202, response.text
        return response.json()["proposal_id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(propose, enumerate(organizers)))

    def decided() -> list[dict[str, Any]] | None:
        response = httpx.get(f"{events_api}/calendar", headers=bearer("hub"), params={"day": DAY.isoformat()})
        everything_decided = [
            httpx.get(f"{events_api}/calendar/{i}", headers=bearer("hub")).status_code == 200 for i in ids
        ]
        return response.json() if all(everything_decided) else None

    on_the_day = eventually(decided, 60, "every proposal to be decided")
    rules = default_rules()
    places = [e for e in on_the_day if e["status"] == "scheduled" and e["joint_with"] is None]
    assert len(places) == rules.max_per_day
    for entry in places:
        start = datetime.combine(DAY, time.fromisoformat(entry["start_time"]))
        end = start + timedelta(minutes=entry["duration_minutes"])
        at_once = [
            other
            for other in places
            if datetime.combine(DAY, time.fromisoformat(other["start_time"])) < end
            and start < datetime.combine(DAY, time.fromisoformat(other["start_time"])) + timedelta(minutes=90)
        ]
        assert len(at_once) <= rules.max_per_slot
    refused = [
        httpx.get(f"{events_api}/calendar/{i}", headers=bearer("hub")).json()
        for i in ids
        if i not in {e["proposal_id"] for e in places}
    ]
    assert len(refused) == len(REGIONS) - rules.max_per_day
    assert {e["status"] for e in refused} == {"not_possible"}
