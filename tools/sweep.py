"""`make sweep`: the demo's scenario and the season tests, on dates chosen for their traps.

    python -m tools.sweep run                   # every date; table in var/sweep/sweep.md
    python -m tools.sweep run --only leap-day   # one of them
    python -m tools.sweep dates                 # the dates, and why each

Each date runs the tests in a process of its own with the one clock pinned (``CONCERTO_NOW``,
services/common/clock.py), so every process the tests start lives on that date too. The
season is generated from "today", so what the demo plays changes with each date: a green sweep
says it holds whatever the day. Fails (exit 1) if any date fails, naming the date and the
pytest seed to replay it.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.common.clock import MONTREAL, SystemClock

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "sweep"

SEASON_TESTS = (
    "tests/e2e/test_demo.py",  # the demo's whole scenario on a smaller season
    "tests/e2e/test_slice.py",
    "tests/e2e/test_notifications.py",
)
"""The end-to-end tests whose outcome depends on the date: the season generated from today, the
calendar's past/future and spacing rules, the joint suggestions, the round, the weekly digest.
tests/e2e/test_calendar_capacity.py is not among them: its day is fixed (a Saturday of 2031) and
does not move with the clock, so `make test` covers it once."""


@dataclass(frozen=True)
class TrapDate:
    """A date the sweep runs on, and the trap it sets."""

    name: str
    now: str | None  # ISO instant with its Montréal offset; None: the real date and time
    why: str


DATES: tuple[TrapDate, ...] = (
    TrapDate("today", None, "the real date, as a newcomer runs it"),
    TrapDate("month-end", "2027-04-30T11:00:00-04:00", "the last day of a month (next Monday is in May)"),
    TrapDate("new-year-eve", "2026-12-31T16:00:00-05:00", "31 December: the season crosses into a new year"),
    TrapDate("leap-day", "2028-02-29T10:00:00-05:00", "29 February 2028"),
    TrapDate("dst-spring", "2027-03-14T03:30:00-04:00", "the Sunday Montréal moves to daylight time"),
    TrapDate("dst-fall", "2027-11-07T01:30:00-05:00", "the Sunday Montréal leaves daylight time"),
    TrapDate(
        "friday-evening",
        "2027-03-12T20:30:00-05:00",
        "a Friday after 17:00 in Montréal (already Saturday in UTC)",
    ),
    TrapDate("construction-holiday", "2027-07-26T10:00:00-04:00", "the July construction holiday"),
)


@dataclass
class Outcome:
    """One date's run."""

    date: TrapDate
    local: str
    passed: int
    failed: int
    seconds: float
    seed: str
    returncode: int

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.failed == 0 and self.passed > 0


def _counts(output: str) -> tuple[int, int]:
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    passed = sum(int(n) for n in re.findall(r"(\d+) passed", summary))
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", summary))
    return passed, failed


def run_date(trap: TrapDate, tests: tuple[str, ...], log_dir: Path, slot: int = 0) -> Outcome:
    """Run ``tests`` with the clock pinned to ``trap``; its output is kept in ``log_dir``.

    Its stacks live in var/sweep/<name>/ on ports shifted by 300 × (``slot`` + 1), so dates run at
    once never share a broker, a folder or a port (tests/support.py: TEST_ROOT, PORT_SHIFT).
    """
    pinned = ("CONCERTO_NOW", "CONCERTO_TODAY", "CONCERTO_CLOCK__OFFSET_S", "CONCERTO_TEST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(pinned)}
    env["CONCERTO_TEST_VAR"] = str(log_dir / trap.name)
    env["CONCERTO_TEST_PORT_SHIFT"] = str(300 * (slot + 1))  # stays below the ephemeral range
    if trap.now is None:
        env["CONCERTO_TODAY"] = SystemClock().today().isoformat()
        local = SystemClock().local()
    else:
        env["CONCERTO_NOW"] = trap.now
        local = datetime.fromisoformat(trap.now).astimezone(MONTREAL)
    seed = str(random.SystemRandom().randrange(1, 2**31))  # the order of the tests, printed to replay
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--randomly-seed={seed}", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - began
    output = done.stdout + done.stderr
    (log_dir / f"{trap.name}.log").write_text(output, encoding="utf-8")
    passed, failed = _counts(done.stdout)
    return Outcome(trap, f"{local:%a %Y-%m-%d %H:%M %Z}", passed, failed, seconds, seed, done.returncode)


def table(outcomes: list[Outcome]) -> str:
    """The sweep as a Markdown table."""
    lines = [
        "| date | Montréal time | trap | result | passed | failed | time | seed |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        result = "pass" if o.ok else "FAIL"
        lines.append(
            f"| {o.date.name} | {o.local} | {o.date.why} | {result} | {o.passed} | {o.failed} "
            f"| {o.seconds:.0f} s | {o.seed} |"
        )
    return "\n".join(lines) + "\n"


cli = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)
console = Console()


@cli.command()
def run(
    only: Annotated[list[str] | None, typer.Option(help="Run only these dates (by name).")] = None,
    tests: Annotated[list[str] | None, typer.Option(help="Test paths (default: the season tests).")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Dates run at once (each with its own stacks).")] = 2,
) -> None:
    """Run the season tests on every trap date; write var/sweep/sweep.md; exit 1 if any failed."""
    chosen = [d for d in DATES if not only or d.name in only]
    if not chosen:
        raise typer.BadParameter(f"no such date; choose among {', '.join(d.name for d in DATES)}")
    OUT.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    began = time.monotonic()
    with (
        console.status(f"{len(chosen)} dates, {jobs} at a time…"),
        ThreadPoolExecutor(max_workers=jobs) as pool,
    ):
        running = [
            pool.submit(run_date, trap, tuple(tests or SEASON_TESTS), OUT, index)
            for index, trap in enumerate(chosen)
        ]
        for future in as_completed(running):
            outcome = future.result()
            outcomes.append(outcome)
            mark = "[green]pass[/green]" if outcome.ok else "[red]FAIL[/red]"
            console.print(
                f"{mark} {outcome.date.name:22} {outcome.local:28} {outcome.passed} passed, "
                f"{outcome.failed} failed in {outcome.seconds:.0f} s (seed {outcome.seed})"
            )
    outcomes.sort(key=lambda o: chosen.index(o.date))
    wall = time.monotonic() - began
    report = table(outcomes)
    summary = f"\n{len(outcomes)} dates, {jobs} at a time: {wall / 60:.1f} min in all.\n"
    (OUT / "sweep.md").write_text("# Date sweep\n\n" + report + summary, encoding="utf-8")
    failed = [o for o in outcomes if not o.ok]
    total_passed = sum(o.passed for o in outcomes)
    total_failed = sum(o.failed for o in outcomes)
    console.print(f"Table: {OUT.relative_to(ROOT) / 'sweep.md'}; logs beside it.")
    for o in failed:
        console.print(
            f"[red]{o.date.name} failed[/red]: replay with CONCERTO_NOW={o.date.now or ''} "
            f"pytest -p randomly --randomly-seed={o.seed} {' '.join(tests or SEASON_TESTS)} "
            f"(log: var/sweep/{o.date.name}.log)"
        )
    # The closing line CI reads: every date's tests together.
    console.print(f"sweep: {total_passed} passed, {total_failed} failed in {wall / 60:.1f} min")
    if failed:
        raise typer.Exit(1)


@cli.command()
def dates() -> None:
    """List the dates of the sweep and the trap each one sets."""
    shown = Table("name", "instant (Montréal)", "trap")
    for d in DATES:
        shown.add_row(d.name, d.now or "now", d.why)
    console.print(shown)


if __name__ == "__main__":
    cli()
