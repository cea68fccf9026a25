"""The one clock every process reads "now" and "today" from.

Nothing in Concerto calls ``datetime.now()`` or ``date.today()`` itself: entry points build a
``Clock`` from the settings and pass it down. A deployment runs on the real time
(``SystemClock`` with no offset). The demo, ``make up`` and the tests can pin the date:

    CONCERTO_TODAY=2028-02-29 make demo             # the real time of day, on 29 February 2028
    CONCERTO_NOW=2027-03-12T17:30-05:00 make demo   # Friday 12 March 2027, 17:30 in Montréal

A pinned clock still runs (timers, token lifetimes and timeouts behave as in production): it is
the real clock shifted by a fixed offset. The process that resolves the pin first (``make demo``,
``make up``, the test session) exports that offset as ``CONCERTO_CLOCK__OFFSET_S``, so every
process it starts shares the same shifted "now" to the microsecond.

"Today" is always Montréal's date (``America/Toronto``: Montréal keeps Toronto's rules), never
UTC's: from 19:00 or 20:00 Montréal time, UTC is already tomorrow.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTREAL = ZoneInfo("America/Toronto")
OFFSET_ENV = "CONCERTO_CLOCK__OFFSET_S"


class Clock(ABC):
    """What time it is. Subclasses say where "now" comes from; the rest derives from it."""

    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""

    def local(self) -> datetime:
        """The current instant in Montréal's time zone."""
        return self.now().astimezone(MONTREAL)

    def today(self) -> date:
        """Montréal's date (where a day matters: calendar, intake, digests, rounds)."""
        return self.local().date()

    def timestamp(self) -> float:
        """The current instant as Unix seconds (for schedules and token times)."""
        return self.now().timestamp()


@dataclass(frozen=True)
class SystemClock(Clock):
    """The machine's clock, shifted by ``offset`` (zero in production)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class FixedClock(Clock):
    """A clock that moves only when told to (unit tests)."""

    instant: datetime = field(default_factory=lambda: datetime(2027, 1, 11, 15, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("a FixedClock needs a timezone-aware instant")

    def now(self) -> datetime:
        return self.instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move time forward (or back) by ``delta``."""
        self.instant += delta


def pinned_offset(
    *, offset_s: float | None, now: datetime | None, today: date | None, real: datetime | None = None
) -> timedelta:
    """The offset a pinned clock runs at, from the most precise setting given.

    ``offset_s`` (exported by a parent process) wins; then ``now`` (an exact instant; a naive one
    is read as Montréal time); then ``today`` (that date, at the real time of day in Montréal).
    Nothing pinned: no offset.
    """
    if offset_s is not None:
        return timedelta(seconds=offset_s)
    real = real or datetime.now(UTC)
    if now is not None:
        instant = now if now.tzinfo is not None else now.replace(tzinfo=MONTREAL)
        return instant - real
    if today is not None:
        local = real.astimezone(MONTREAL)
        shifted = datetime.combine(today, local.time().replace(tzinfo=None)).replace(tzinfo=MONTREAL)
        return shifted - real
    return timedelta(0)


def export_offset(clock: SystemClock) -> None:
    """Make every process started from here on share ``clock``'s offset (through the environment)."""
    os.environ[OFFSET_ENV] = repr(clock.offset.total_seconds())


def local_date(instant: datetime) -> date:
    """The date in Montréal at ``instant`` (a naive instant is taken as UTC, as our events carry)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(MONTREAL).date()


def default_clock() -> SystemClock:
    """The clock the environment pins (``CONCERTO_CLOCK__OFFSET_S``, ``CONCERTO_NOW``,
    ``CONCERTO_TODAY``), for the few defaults that have no settings at hand (a token minted by a
    script, an event built by a test). Processes build theirs with ``Settings.build_clock``, which
    reads the same variables, so both agree."""
    offset = os.environ.get(OFFSET_ENV)
    now = os.environ.get("CONCERTO_NOW")
    today = os.environ.get("CONCERTO_TODAY")
    return SystemClock(
        pinned_offset(
            offset_s=float(offset) if offset else None,
            now=datetime.fromisoformat(now) if now else None,
            today=date.fromisoformat(today) if today else None,
        )
    )
