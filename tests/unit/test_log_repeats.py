"""A library that logs the same warning in a loop (aiokafka while the broker is down) is
rate-limited; distinct messages and our own structlog events are not."""

from __future__ import annotations

import io
import json
import logging
import time
from contextlib import redirect_stdout

import structlog

from services.common.logging import configure_logging, library_repeats_filter


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", logging.ERROR, __file__, 1, message, args, None)


def test_a_repeated_library_message_passes_three_times_then_once_a_period_with_the_count() -> None:
    limit = library_repeats_filter(period_s=0.5)
    refused = "Unable connect to node with id %s: %s"

    passed = [limit.filter(_record(refused, 1, "Connect call failed")) for _ in range(50)]
    assert passed[:3] == [True, True, True]
    assert not any(passed[3:])
    assert limit.filter(_record("Unable to update metadata from %s", [1]))  # another message passes

    time.sleep(0.6)
    later = _record(refused, 1, "Connect call failed")
    assert limit.filter(later)
    assert later.getMessage().endswith("(and 47 more like it)")


def test_configure_logging_limits_library_repeats_but_never_our_own_events() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        with redirect_stdout(out):
            configure_logging("test-service", fmt="json")
            library = logging.getLogger("aiokafka")
            ours = structlog.get_logger("services.test")
            for _ in range(100):
                library.error("Unable connect to node with id %s", 1)
                ours.warning("kafka.publish_failed", topic="cases.v1")
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()
    events = [line["event"] for line in lines]
    assert events.count("Unable connect to node with id 1") == 3
    assert events.count("kafka.publish_failed") == 100
