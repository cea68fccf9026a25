"""The public .ics feeds (issue #23, point 4), read from events-api on the real broker.

Each feed carries the VTIMEZONE its events' TZID names (RFC 5545 §3.6.5), names the
partner or the region it lists, is written in one language (a region's in French unless
``?lang=en``, a partner's in its own), and an unknown partner's feed is a 404.
"""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from services.common.clock import default_clock
from services.common.contracts import ActivityKind, CalendarEntry, ProposalKey
from services.common.kafka import Publisher
from services.common.settings import Settings
from services.common.topics import CALENDAR
from tests.support import bearer, created, eventually, unique

pytestmark = pytest.mark.integration

HUB = bearer("hub")
ENGLISH_WORDS = ("Region", "joint activity", "Fair booth", "Online")
FRENCH_WORDS = ("Région", "activité conjointe", "Kiosque", "En ligne")


def scheduled(settings: Settings, organizer: str, regions: list[str], title: str) -> str:
    """A joint fair kiosk scheduled in 40 days at 10:00, written as the events worker would."""
    entry = CalendarEntry(
        proposal_id=uuid.uuid4(),
        organizer_id=uuid.UUID(organizer),
        regions=regions,
        kind=ActivityKind.FAIR_KIOSK,
        title=title,
        status="scheduled",
        day=default_clock().today() + timedelta(days=40),
        start_time=time(10, 0),
        joint_members=[uuid.uuid4()],
        reason="Written by a test, as the events worker would.",
        decided_at=default_clock().now(),
    )
    publisher = Publisher(settings.kafka, "events-worker")
    try:
        publisher.publish(
            CALENDAR, ProposalKey(proposal_id=entry.proposal_id), entry, "events.ProposalDecided"
        )
    finally:
        publisher.close()
    return str(entry.proposal_id)


def feed_of(events: TestClient, path: str, title: str) -> Calendar:
    """The feed at ``path`` once it lists ``title``."""

    def read() -> Calendar | None:
        response = events.get(path)
        assert response.status_code == 200, response.text
        feed = Calendar.from_ical(response.content)
        return feed if any(str(e["summary"]) == title for e in feed.walk("VEVENT")) else None

    found: Calendar = eventually(read, 30, f"{path} to list {title}")
    return found


@pytest.fixture(scope="module")
def organizer(partners: TestClient) -> dict[str, str]:
    name = unique("Welcome Centre of the Eastern Townships")
    body = {
        "name": name,
        "kind": "community_organization",
        "regions": ["05", "16"],
        "contact_email": "w@example.org",
        "language": "en",
    }
    return {"id": created(partners.post("/partners", json=body, headers=HUB), "partner_id"), "name": name}


def test_a_feed_carries_the_vtimezone_its_events_name(
    events: TestClient, organizer: dict[str, str], settings: Settings
) -> None:
    title = unique("Kiosque de l'Estrie")
    scheduled(settings, organizer["id"], ["05", "16"], title)
    feed = feed_of(events, "/feeds/regions/05.ics", title)
    zones = {str(z["tzid"]) for z in feed.walk("VTIMEZONE")}
    assert zones == {"America/Montreal"}
    [event] = [e for e in feed.walk("VEVENT") if str(e["summary"]) == title]
    assert event["dtstart"].params["TZID"] == "America/Montreal"
    # The zone's rules give the right UTC offset on the event's day (EST or EDT).
    start = event.decoded("dtstart")
    assert start.time() == time(10, 0)
    assert start.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    [zone] = feed.walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} <= {"STANDARD", "DAYLIGHT"}


def test_a_region_feed_is_named_after_its_region_and_written_in_one_language(
    events: TestClient, organizer: dict[str, str], settings: Settings
) -> None:
    title = unique("Kiosque de la Montérégie")
    scheduled(settings, organizer["id"], ["16", "05"], title)
    french = feed_of(events, "/feeds/regions/16.ics", title)
    assert str(french["x-wr-calname"]) == "Concerto — Montérégie (16) : activités à Montréal"
    [event] = [e for e in french.walk("VEVENT") if str(e["summary"]) == title]
    description = str(event["description"])
    assert (
        description == "Kiosque dans un salon — Régions : Montérégie (16), Estrie (05) — activité conjointe"
    )
    assert not [word for word in ENGLISH_WORDS if word in description]
    english = feed_of(events, "/feeds/regions/16.ics?lang=en", title)
    [event] = [e for e in english.walk("VEVENT") if str(e["summary"]) == title]
    assert (
        str(event["description"])
        == "Fair booth — Regions: Montérégie (16), Eastern Townships (Estrie) (05) — joint activity"
    )
    assert not [word for word in FRENCH_WORDS if word in str(event["description"])]


def test_a_partner_feed_names_the_partner_in_its_language_and_an_unknown_one_is_404(
    events: TestClient, organizer: dict[str, str], settings: Settings
) -> None:
    title = unique("Kiosque des Cantons")
    scheduled(settings, organizer["id"], ["05"], title)
    feed = feed_of(events, f"/feeds/partners/{organizer['id']}.ics", title)
    assert str(feed["x-wr-calname"]) == f"Concerto — {organizer['name']}: activities in Montréal"
    [event] = [e for e in feed.walk("VEVENT") if str(e["summary"]) == title]
    assert str(event["description"]).startswith("Fair booth — Region: Eastern Townships (Estrie) (05)")
    assert {str(z["tzid"]) for z in feed.walk("VTIMEZONE")} == {"America/Montreal"}
    nobody = events.get(f"/feeds/partners/{uuid.uuid4()}.ics")
    assert nobody.status_code == 404
    assert nobody.json()["code"] == "unknown_partner"
    assert nobody.json()["message"].startswith("partenaire inconnu")


def test_a_feed_parses_back_with_the_same_local_times_on_a_day_of_summer_time() -> None:
    # Pure check of the builder on a July day: 10:00 in Montréal is 14:00 UTC (EDT).
    from services.common.clock import default_clock as clock
    from services.events.ics import ics_feed

    entry = CalendarEntry(
        proposal_id=uuid.uuid4(),
        organizer_id=uuid.uuid4(),
        regions=["05"],
        kind=ActivityKind.WEBINAR,
        title="Webinaire",
        status="scheduled",
        day=date(2031, 7, 12),
        start_time=time(10, 0),
        reason="test",
        decided_at=clock().now(),
    )
    feed = Calendar.from_ical(ics_feed("Concerto", [entry], None, clock().now()))
    [event] = feed.walk("VEVENT")
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=-4)
    assert b"BEGIN:VTIMEZONE" in feed.to_ical()
