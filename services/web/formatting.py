"""Dates and numbers as people read them, with Babel: fr_CA first, en_CA."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from services.common.clock import MONTREAL
from services.common.messages import Lang

LOCALES: dict[Lang, str] = {"fr": "fr_CA", "en": "en_CA"}


def long_date(value: date | datetime, language: Lang) -> str:
    """« 11 janvier 2027 » / "January 11, 2027" (an instant is read in Montréal's time zone)."""
    if isinstance(value, datetime):
        value = value.astimezone(MONTREAL).date()
    return format_date(value, format="long", locale=LOCALES[language])


def number(value: float, language: Lang) -> str:
    """« 1 234,5 » / "1,234.5"."""
    return format_decimal(value, locale=LOCALES[language])
