"""Stall detection for faust workers, as a pure function over what was observed.

A worker is *stalled* on a partition when records wait there (the broker's end
offset is past the next offset the worker must handle) and the worker makes no
progress on them for ``stall_timeout_s``. Progress is, in this order:

1. the partition's next offset moved (a record of it was handled, or committed);
2. the stream that reads its topic finished a record (of any partition) within the
   timeout: records of one partition can queue behind another's in the agent's
   buffer, so a busy agent is not stalled;
3. the stream is handling a record that started less than ``handler_timeout_s``
   ago. A concertation round can take a minute: a long record is progress, not a
   stall, however long the stall timeout. Only a handler running past the much
   longer ``handler_timeout_s`` counts as stuck (``handler_overrun``).

An idle worker (no records waiting) is never stalled, and records that just
arrived are not either: the clock of a partition starts when the check first
sees records waiting at a given next offset, not at the last record handled.

``assess`` keeps no state: it takes what the previous check remembered
(``Waiting``) and returns what the next must remember, so tests drive it with
plain numbers. The runtime around it is services/common/watchdog.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

TP = tuple[str, int]


@dataclass(frozen=True)
class Observed:
    """One assigned partition at one check."""

    topic: str
    partition: int
    end_offset: int
    next_offset: int

    @property
    def tp(self) -> TP:
        return (self.topic, self.partition)


@dataclass(frozen=True)
class StreamView:
    """One agent's stream at one check (monotonic times, seconds)."""

    last_handled_at: float
    handler_started_at: float | None = None


@dataclass(frozen=True)
class Waiting:
    """Records wait on a partition at ``next_offset`` since ``since``."""

    next_offset: int
    since: float


@dataclass(frozen=True)
class Stall:
    """A partition where the worker makes no progress."""

    topic: str
    partition: int
    next_offset: int
    end_offset: int
    quiet_s: float
    reason: Literal["no_progress", "handler_overrun"]


@dataclass(frozen=True)
class Assessment:
    """What one check found, and what the next check must remember."""

    waiting: dict[TP, Waiting] = field(default_factory=dict)
    stalls: list[Stall] = field(default_factory=list)


def assess(
    observed: Iterable[Observed],
    previous: Mapping[TP, Waiting],
    streams: Mapping[str, StreamView],
    now: float,
    stall_timeout_s: float,
    handler_timeout_s: float,
) -> Assessment:
    """The partitions where records wait without progress; ``streams`` is keyed by topic.

    A partition whose topic no stream reads (a table's changelog) is ignored.
    """
    result = Assessment()
    for part in observed:
        stream = streams.get(part.topic)
        if stream is None or part.end_offset <= part.next_offset:
            continue  # not ours, or nothing waiting: idle is not stalled
        before = previous.get(part.tp)
        since = before.since if before is not None and before.next_offset == part.next_offset else now
        result.waiting[part.tp] = Waiting(part.next_offset, since)
        started = stream.handler_started_at
        if started is not None:
            if now - started >= handler_timeout_s:
                result.stalls.append(_stall(part, now - started, "handler_overrun"))
            continue  # a record in progress, under its (long) limit: busy, not stalled
        quiet = now - max(since, stream.last_handled_at)
        if quiet >= stall_timeout_s:
            result.stalls.append(_stall(part, quiet, "no_progress"))
    return result


def _stall(part: Observed, quiet: float, reason: Literal["no_progress", "handler_overrun"]) -> Stall:
    return Stall(part.topic, part.partition, part.next_offset, part.end_offset, round(quiet, 1), reason)
