"""How emails write dates, times and a few domain labels in French (fr-CA) and English (en-CA).

Pure functions, used as Jinja2 filters by ``rendering.Renderer`` and by the
builders of email contexts. No locale database is needed: Québec French writes
« samedi 6 mars 2027 » and « 13 h 30 », Canadian English "Saturday, March 6,
2027" and "1:30 p.m.".
"""

from __future__ import annotations

from datetime import date, datetime, time

DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
LANGUAGE_NAMES = {
    "fr": {"fr": "français", "en": "anglais"},
    "en": {"fr": "French", "en": "English"},
}
ACTIVITY_KINDS = {
    "fr": {
        "fair_kiosk": "kiosque dans un salon",
        "information_session": "séance d'information",
        "speed_recruiting": "recrutement éclair",
        "bus_trip": "autobus vers la région",
        "webinar": "webinaire",
    },
    "en": {
        "fair_kiosk": "fair booth",
        "information_session": "information session",
        "speed_recruiting": "speed recruiting",
        "bus_trip": "bus trip to the region",
        "webinar": "webinar",
    },
}
ENGLISH_LEVELS = {
    "fr": {"none": "aucun", "basic": "de base", "intermediate": "intermédiaire", "advanced": "avancé"},
    "en": {"none": "none", "basic": "basic", "intermediate": "intermediate", "advanced": "advanced"},
}


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def long_date(value: date | str, language: str) -> str:
    """« samedi 6 mars 2027 » or "Saturday, March 6, 2027"."""
    day = _as_date(value)
    weekday = DAYS[language][day.weekday()]
    month = MONTHS[language][day.month - 1]
    if language == "fr":
        # The first of the month is written « 1er » in French.
        number = "1er" if day.day == 1 else str(day.day)
        return f"{weekday} {number} {month} {day.year}"
    return f"{weekday}, {month} {day.day}, {day.year}"


def short_date(value: date | str, language: str) -> str:
    """« 6 mars 2027 » or "March 6, 2027" (no weekday)."""
    day = _as_date(value)
    month = MONTHS[language][day.month - 1]
    if language == "fr":
        number = "1er" if day.day == 1 else str(day.day)
        return f"{number} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def clock(value: time | str, language: str) -> str:
    """« 13 h 30 », « 10 h » or "1:30 p.m.", "10 a.m."."""
    moment = value if isinstance(value, time) else time.fromisoformat(value)
    if language == "fr":
        return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}:{moment.minute:02d} {suffix}" if moment.minute else f"{hour} {suffix}"


def ordinal(number: int, language: str) -> str:
    """« 1er », « 2e » or "1st", "2nd"."""
    if language == "fr":
        return "1er" if number == 1 else f"{number}e"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
