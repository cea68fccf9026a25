"""Fixtures shared by every test level.

The integration and end-to-end tests run against a real Apache Kafka broker
and a real SMTP server that this suite starts itself (infra/kafka/kafka.sh and
tools/mailsink, through tools.stack). If the broker cannot start, the tests
that need it fail; they never skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from services.common.clock import OFFSET_ENV, default_clock, export_offset
from services.common.settings import Settings, SmtpSettings
from tests.support import TEST_ROOT, ports_from
from tools.stack import PROCESSES, Process, Stack, StackConfig

TEST_VAR = TEST_ROOT / "test"

PINNED_NOW = "2027-01-11T10:00:00-05:00"
"""The instant the suite runs at unless CONCERTO_NOW or CONCERTO_TODAY says otherwise (a Monday in
Montréal's winter); `make sweep` runs the suite's season tests on the trap dates."""


def pytest_configure(config: pytest.Config) -> None:
    """Pin the one clock before any test module is imported: every process the suite starts, and
    every test, reads the same shifted "now" (services/common/clock.py)."""
    if not any(os.environ.get(v) for v in ("CONCERTO_NOW", "CONCERTO_TODAY", OFFSET_ENV)):
        os.environ["CONCERTO_NOW"] = PINNED_NOW
    export_offset(default_clock())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked ``last_in_module`` reads what the module's other tests recorded: after any
    shuffle (pytest-randomly keeps each module's tests together), it moves to its module's end."""
    for item in [i for i in items if i.get_closest_marker("last_in_module")]:
        items.remove(item)
        same = [n for n, other in enumerate(items) if other.path == item.path]
        items.insert(same[-1] + 1 if same else len(items), item)


def pytest_report_header(config: pytest.Config) -> str:
    local = default_clock().local()
    return f"concerto clock: {local:%A %Y-%m-%d %H:%M %Z} in Montréal (CONCERTO_NOW / CONCERTO_TODAY pin it)"


TEST_ENV = {
    # The weekly digest would email every delegate whose region has activities soon, in whichever
    # test: off for the suite's workers; tests/e2e/test_notifications.py runs the worker with it due.
    "CONCERTO_DIGEST__ENABLED": "false",
    # The stall watchdog (services/common/watchdog.py) checks often and gives up sooner than in
    # production, so that a stalled worker is seen within a test's time.
    "CONCERTO_WATCHDOG__CHECK_INTERVAL_S": "2",
    "CONCERTO_WATCHDOG__STALL_TIMEOUT_S": "15",
}
"""What every test stack's processes get besides StackConfig.env()."""


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """A real broker and SMTP sink for this test session, on ports of its own; stopped at the end."""
    # A fresh state for the broker and the processes; test artifacts (screenshots) are kept.
    for path in TEST_VAR.glob("*"):
        if path.name != "artifacts":
            shutil.rmtree(path, ignore_errors=True)
    kafka_port = int(os.environ.get("CONCERTO_TEST_KAFKA_PORT", "0")) or ports_from(29092, 2)
    config = StackConfig(
        var=TEST_VAR,
        kafka_port=kafka_port,
        smtp_port=int(os.environ.get("CONCERTO_TEST_SMTP_PORT", "0")) or ports_from(29025, 1),
        # Runs sharing a machine choose their own ports (CONCERTO_TEST_HTTP_BASE: base + 1..3 for the APIs,
        # base + 4 for the web).
        http_base=int(os.environ.get("CONCERTO_TEST_HTTP_BASE", "0")) or ports_from(29100, 5),
        max_activities_per_day=3,
        extra_env=TEST_ENV,
    )
    test_stack = Stack(config)
    test_stack.broker("start")
    try:
        test_stack.start_mailsink()
        yield test_stack
    finally:
        test_stack.down()


def settings_of(stack: Stack) -> Settings:
    """Settings of a process talking to ``stack``'s broker and SMTP sink."""
    return Settings(
        environment="test",
        kafka=stack.config.kafka_settings(),  # the admin principal (docs/security.md)
        smtp=SmtpSettings(port=stack.config.smtp_port),
        data_dir=str(stack.config.var / "data"),
        max_activities_per_day=stack.config.max_activities_per_day,
    )


@pytest.fixture(scope="session")
def settings(stack: Stack) -> Settings:
    """Settings of a process talking to the test broker and SMTP sink."""
    return settings_of(stack)


@contextmanager
def own_stack(name: str, processes: Iterable[Process] = PROCESSES) -> Iterator[Stack]:
    """A broker, an SMTP sink and ``processes`` of their own, for a test module whose world must not
    meet any other test's: a concertation round takes every open case on its broker, so a module
    that runs rounds gets its own (var/test-<name>, free ports); stopped at the end."""
    var = TEST_ROOT / f"test-{name}"
    shutil.rmtree(var, ignore_errors=True)
    config = StackConfig(
        var=var,
        kafka_port=ports_from(25500, 2),  # below the ephemeral range (a broker restart rebinds it)
        smtp_port=ports_from(25600, 1),
        http_base=ports_from(25700, 5),
        max_activities_per_day=3,
        extra_env={**TEST_ENV, "CONCERTO_MATCHING__ROUND_INTERVAL_S": "0"},
    )
    private = Stack(config)
    private.broker("start")
    try:
        private.start_mailsink()
        private.start_services(list(processes))
        yield private
    finally:
        private.down()


@pytest.fixture(scope="session")
def workers(stack: Stack) -> Stack:
    """The three faust workers, each started as its own process (once per session)."""
    stack.start_services([p for p in PROCESSES if not p.is_api and stack.pid(p.name) is None])
    return stack


@pytest.fixture(scope="session")
def everything(workers: Stack) -> Stack:
    """Every process of Concerto: the workers and the three APIs."""
    workers.start_services([p for p in PROCESSES if p.is_api and workers.pid(p.name) is None])
    return workers


@pytest.fixture
def mail_dir(stack: Stack) -> Path:
    """Where the SMTP sink writes what it receives."""
    return stack.config.mail_dir


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print the figures a test recorded with ``record_property("figures", text)`` (the chaos runs),
    and, when a shuffled run failed, the command that replays its order and its clock."""
    seed = getattr(config.option, "randomly_seed", None)
    if exitstatus not in (0, 5) and isinstance(seed, int):
        terminalreporter.write_sep("-", "replay this run")
        pin = next(
            (
                f"{v}={os.environ[v]} "
                for v in ("CONCERTO_NOW", "CONCERTO_TODAY", OFFSET_ENV)
                if v in os.environ
            ),
            "",
        )
        terminalreporter.write_line(
            f"{pin}.venv/bin/python -m pytest -p randomly --randomly-seed={seed}"
            " (the same order; add the failing test's path to run less)"
        )
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == "figures":
                    terminalreporter.write_sep("-", f"figures of {report.nodeid}")
                    terminalreporter.write_line(str(value))
