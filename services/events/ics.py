"""iCalendar feeds of the coordinated calendar (RFC 5545), each in one language.

Times are Montréal's: every feed carries the VTIMEZONE of America/Montreal that its
events' TZID names (RFC 5545 §3.6.5), built by ``icalendar`` from zoneinfo, so calendar
clients never shift them. Pure: no HTTP, no Kafka.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.contracts import CalendarEntry, CalendarRules
from services.common.messages import Lang
from services.common.reference import region_names

MONTREAL = ZoneInfo("America/Montreal")
KINDS: dict[Lang, dict[str, str]] = {
    "fr": {
        "fair_kiosk": "Kiosque dans un salon",
        "information_session": "Séance d'information",
        "speed_recruiting": "Recrutement éclair",
        "bus_trip": "Autobus vers la région",
        "webinar": "Webinaire",
    },
    "en": {
        "fair_kiosk": "Fair booth",
        "information_session": "Information session",
        "speed_recruiting": "Speed recruiting",
        "bus_trip": "Bus trip to the region",
        "webinar": "Webinar",
    },
}
WORDS: dict[Lang, dict[str, str]] = {
    "fr": {"regions": "Régions", "region": "Région", "joint": "activité conjointe", "online": "En ligne"},
    "en": {"regions": "Regions", "region": "Region", "joint": "joint activity", "online": "Online"},
}


def region_feed_name(code: str, language: Lang) -> str:
    """The name of a region's feed: « Concerto — Estrie (05) : activités à Montréal »."""
    name = region_names(language).get(code, code)
    activities = "activités à Montréal" if language == "fr" else "activities in Montréal"
    return (
        f"Concerto — {name} ({code}) : {activities}"
        if language == "fr"
        else f"Concerto — {name} ({code}): {activities}"
    )


def partner_feed_name(partner_name: str, language: Lang) -> str:
    """The name of a partner's feed, naming the partner."""
    if language == "fr":
        return f"Concerto — activités de {partner_name} à Montréal"
    return f"Concerto — {partner_name}: activities in Montréal"


def _description(entry: CalendarEntry, language: Lang) -> str:
    words = WORDS[language]
    names = region_names(language)
    label = words["regions"] if len(entry.regions) > 1 else words["region"]
    regions = ", ".join(f"{names.get(r, r)} ({r})" for r in entry.regions)
    joint = f" — {words['joint']}" if entry.joint_with or entry.joint_members else ""
    separator = " : " if language == "fr" else ": "
    return f"{KINDS[language][entry.kind.value]} — {label}{separator}{regions}{joint}"


def ics_feed(
    name: str,
    entries: Iterable[CalendarEntry],
    rules: CalendarRules | None,
    now: datetime,
    language: Lang = "fr",
) -> bytes:
    """An iCalendar feed of the scheduled ``entries``, named ``name``, written in ``language``."""
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", f"-//Concerto//Calendrier concerté de Montréal//{language.upper()}")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "America/Montreal")
    for entry in entries:
        if entry.status != "scheduled" or entry.day is None or entry.start_time is None:
            continue
        start = datetime.combine(entry.day, entry.start_time, tzinfo=MONTREAL)
        event = Event()
        event.add("uid", f"{entry.proposal_id}@concerto.quebec")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=entry.duration_minutes or 180))
        event.add("summary", entry.title)
        venue = rules.venue(entry.venue_id) if rules is not None and entry.venue_id else None
        online = WORDS[language]["online"]
        event.add("location", venue.name if venue else (online if entry.venue_id is None else entry.venue_id))
        event.add("description", _description(entry, language))
        event.add("last-modified", entry.decided_at)
        feed.add_component(event)
    # The VTIMEZONE every TZID above names (RFC 5545 §3.6.5); none when no event names one.
    feed.add_missing_timezones()
    return bytes(feed.to_ical())
