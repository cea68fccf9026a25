"""When a household's follow-ups are due (pure): 3, 6, 12 and 24 months after its arrival day.

Shared by matching (which records the answers) and notifications (which sends the reminders), so
both count the same days. A month later is the same day of the month, or the month's last day
when it has no such day: arrived on 31 January 2027, the 3-month follow-up is due on 30 April
2027; arrived on 29 February 2028, the 12-month one on 28 February 2029. Days are Montréal's
dates (the one clock's ``today``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import get_args

from .contracts import FollowUpMonth

MONTHS: tuple[FollowUpMonth, ...] = get_args(FollowUpMonth)
OPENS_BEFORE_DAYS = 14  # a follow-up may be answered from two weeks before its day
OVERDUE_AFTER_DAYS = 30  # past its day by more than this, the hub is told


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_days(arrived_on: date) -> dict[FollowUpMonth, date]:
    """The day each follow-up is due, by its month."""
    return {month: add_months(arrived_on, month) for month in MONTHS}


def opens_on(due_on: date) -> date:
    """The first day a follow-up due on ``due_on`` may be answered."""
    return due_on - timedelta(days=OPENS_BEFORE_DAYS)


def overdue(due_on: date, today: date) -> bool:
    """Whether a follow-up due on ``due_on`` and not answered is overdue by more than 30 days."""
    return (today - due_on).days > OVERDUE_AFTER_DAYS
