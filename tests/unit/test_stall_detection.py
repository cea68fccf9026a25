"""When a worker is stalled, and when it is only idle or busy (services/common/stall.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.common.stall import Observed, StreamView, Waiting, assess

TIMEOUT = 30.0
HANDLER_TIMEOUT = 900.0
CASES = "cases.v1"


def _check(
    observed: list[Observed],
    stream: StreamView,
    now: float,
    previous: dict[tuple[str, int], Waiting] | None = None,
) -> tuple[list[str], dict[tuple[str, int], Waiting]]:
    found = assess(observed, previous or {}, {CASES: stream}, now, TIMEOUT, HANDLER_TIMEOUT)
    return [s.reason for s in found.stalls], found.waiting


def test_an_idle_worker_with_nothing_waiting_is_never_stalled() -> None:
    reasons, waiting = _check([Observed(CASES, 0, 500, 500)], StreamView(last_handled_at=0.0), now=10_000)
    assert reasons == []
    assert waiting == {}


def test_records_that_just_arrived_at_a_long_idle_worker_are_not_a_stall() -> None:
    reasons, waiting = _check([Observed(CASES, 0, 501, 500)], StreamView(last_handled_at=0.0), now=10_000)
    assert reasons == []
    assert waiting == {(CASES, 0): Waiting(500, 10_000)}


def test_records_waiting_a_stall_timeout_without_progress_are_a_stall() -> None:
    first = Observed(CASES, 0, 900, 500)
    _, waiting = _check([first], StreamView(last_handled_at=100.0), now=110.0)
    reasons, _ = _check([first], StreamView(last_handled_at=100.0), now=110.0 + TIMEOUT, previous=waiting)
    assert reasons == ["no_progress"]


def test_an_offset_that_moved_restarts_the_partitions_clock() -> None:
    _, waiting = _check([Observed(CASES, 0, 900, 500)], StreamView(last_handled_at=0.0), now=100.0)
    later = Observed(CASES, 0, 900, 501)
    reasons, waiting = _check([later], StreamView(last_handled_at=0.0), now=100.0 + TIMEOUT, previous=waiting)
    assert reasons == []
    assert waiting[(CASES, 0)].since == 100.0 + TIMEOUT


def test_a_stream_busy_with_other_partitions_keeps_a_waiting_partition_from_being_a_stall() -> None:
    # Partition 1's records queue behind partition 0's in the agent's buffer.
    _, waiting = _check([Observed(CASES, 1, 50, 10)], StreamView(last_handled_at=0.0), now=100.0)
    reasons, _ = _check(
        [Observed(CASES, 1, 50, 10)], StreamView(last_handled_at=125.0), now=100.0 + TIMEOUT, previous=waiting
    )
    assert reasons == []


def test_a_concertation_round_of_a_minute_is_busy_not_stalled() -> None:
    round_started = 100.0
    _, waiting = _check([Observed(CASES, 0, 3, 1)], StreamView(0.0, round_started), now=round_started)
    reasons, _ = _check(
        [Observed(CASES, 0, 3, 1)], StreamView(0.0, round_started), now=round_started + 60, previous=waiting
    )
    assert reasons == []


def test_a_handler_running_past_its_own_limit_is_a_stall() -> None:
    reasons, _ = _check([Observed(CASES, 0, 3, 1)], StreamView(0.0, 100.0), now=100.0 + HANDLER_TIMEOUT)
    assert reasons == ["handler_overrun"]


def test_partitions_no_stream_reads_are_not_watched() -> None:
    found = assess([Observed("changelog", 0, 900, 0)], {}, {}, 10_000.0, TIMEOUT, HANDLER_TIMEOUT)
    assert found.stalls == []
    assert found.waiting == {}


@given(
    end=st.integers(0, 10_000),
    behind=st.integers(0, 10_000),
    quiet=st.floats(0, 10_000),
    handler_for=st.one_of(st.none(), st.floats(0, HANDLER_TIMEOUT - 1)),
)
def test_no_stall_without_records_waiting_or_while_a_record_is_handled_in_time(
    end: int, behind: int, quiet: float, handler_for: float | None
) -> None:
    now = 20_000.0
    next_offset = end - behind
    started = None if handler_for is None else now - handler_for
    previous = {(CASES, 0): Waiting(next_offset, now - quiet)}
    found = assess(
        [Observed(CASES, 0, end, next_offset)],
        previous,
        {CASES: StreamView(now - quiet, started)},
        now,
        TIMEOUT,
        HANDLER_TIMEOUT,
    )
    stalled = bool(found.stalls)
    assert stalled == (behind > 0 and started is None and quiet >= TIMEOUT)
