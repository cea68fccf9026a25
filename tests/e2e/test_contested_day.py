"""Priority on a contested day, through the running events-api and worker on the real broker
(issue #23, point 6): a fair kiosk endorsed by its region's table takes the provisional place of
an unendorsed session proposed minutes before it, instead of losing the Saturday to it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from tests.e2e.test_calendar_capacity import REGIONS
from tests.support import bearer, eventually
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.e2e

DAY = date(2031, 9, 13)  # a Saturday no other test uses
HUB = bearer("hub")


def _url(stack: Stack, name: str) -> str:
    return stack.config.url(next(p for p in PROCESSES if p.name == name))


def _undelegated(partners_api: str, count: int) -> list[str]:
    """Regions whose tables delegate nobody (any partner may propose for them)."""
    found = []
    for region in REGIONS:
        tables = httpx.get(f"{partners_api}/tables", params={"region": region}, headers=HUB).json()
        if not any(t["status"] == "active" and t["delegations"] for t in tables):
            found.append(region)
    assert len(found) >= count, found
    return found[:count]


def _partner(partners_api: str, region: str) -> str:
    body = {
        "name": f"Organisme {region} {uuid.uuid4().hex[:6]}",
        "kind": "community_organization",
        "regions": [region],
        "contact_email": f"org{region}@partenaires.example.org",
    }
    response = httpx.post(f"{partners_api}/partners", json=body, headers=HUB)
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["partner_id"]
    return partner_id


def _propose(events_api: str, organizer: str, region: str, kind: str, at: str) -> str:
    body = {
        "organizer_id": organizer,
        "regions": [region],
        "kind": kind,
        "title": f"{kind} {region}",
        "preferred_dates": [DAY.isoformat()],
        "start_time": at,
        "duration_minutes": 60,
        "open_to_joint": False,
    }
    response = httpx.post(f"{events_api}/proposals", json=body, headers=bearer("partner", organizer))
    assert response.status_code == 202, response.text
    proposal_id: str = response.json()["proposal_id"]
    return proposal_id


def _entry(events_api: str, proposal_id: str) -> dict[str, Any] | None:
    response = httpx.get(f"{events_api}/calendar/{proposal_id}", headers=HUB)
    return response.json() if response.status_code == 200 else None


def test_an_endorsed_kiosk_takes_the_saturday_from_a_session_proposed_just_before(everything: Stack) -> None:
    partners_api, events_api = _url(everything, "partners-api"), _url(everything, "events-api")
    kiosk_region, *session_regions = _undelegated(partners_api, 4)

    # The kiosk needs its table's endorsement: it waits while three small sessions fill the day.
    kiosk = _propose(events_api, _partner(partners_api, kiosk_region), kiosk_region, "fair_kiosk", "09:00")
    assert eventually(lambda: _entry(events_api, kiosk), 30, "the kiosk decided")["status"] == (
        "pending_endorsement"
    )
    sessions = [
        _propose(events_api, _partner(partners_api, region), region, "information_session", at)
        for region, at in zip(session_regions, ["11:00", "13:00", "15:00"], strict=True)
    ]

    def all_decided() -> list[dict[str, Any]] | None:
        found = [_entry(events_api, s) for s in sessions]
        return [e for e in found if e is not None] if all(found) else None

    scheduled = eventually(all_decided, 30, "the sessions decided")
    assert [e["status"] for e in scheduled] == ["scheduled"] * 3

    # The table endorses the kiosk: the day is full, and it takes the last session's provisional place.
    endorsed = httpx.post(f"{events_api}/proposals/{kiosk}/endorse", headers=HUB)
    assert endorsed.status_code in (200, 202), endorsed.text

    def kiosk_scheduled() -> dict[str, Any] | None:
        entry = _entry(events_api, kiosk)
        return entry if entry is not None and entry["status"] == "scheduled" else None

    entry = eventually(kiosk_scheduled, 30, "the endorsed kiosk scheduled on its Saturday")
    assert (entry["day"], entry["preference_rank"], entry["provisional_until"]) == (DAY.isoformat(), 1, None)
    displaced = _entry(events_api, sessions[-1])
    assert displaced is not None
    assert displaced["status"] == "not_possible"
    assert (displaced["displaced_from"], displaced["displaced_by"]) == (DAY.isoformat(), kiosk)
    assert displaced["alternatives"]  # it is offered the nearest days
    on_the_day = httpx.get(f"{events_api}/calendar", headers=HUB, params={"day": DAY.isoformat()}).json()
    held = {e["proposal_id"] for e in on_the_day if e["status"] == "scheduled" and e["joint_with"] is None}
    assert held == {kiosk, sessions[0], sessions[1]}
    # Each session was told its place was provisional (the window of CalendarRules.priority_window_hours).
    assert all(e.get("provisional_until") is not None for e in scheduled)
