"""`make demo`: play a whole concertation season through the real services and show what coordination changed.

    python -m tools.demo run    # generate a season from today, start everything, load it, report, stop
    python -m tools.demo up     # the same system left running with the season loaded (`make up`)

``run`` uses its own directory (var/demo, wiped first) and free ports, so it never disturbs
a stack started with `make up`. It generates the season relative to today (var/demo/season),
starts the broker, the SMTP sink and every process, loads the season through the public APIs,
lets the organizers answer the calendar's joint suggestions, waits until the workers have
caught up, runs a concertation round, then reads everything back from the services and
writes var/demo/report.md and var/demo/report.html.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from analysis.season import Season, SeasonSpec, generate
from services.common.auth import Role, mint
from services.common.clock import default_clock
from services.common.settings import Settings
from services.web.invite import open_staff_accounts
from services.web.store import WebStore
from tools.report import render
from tools.report.collect import observe
from tools.report.compare import calendar_sides, routing_sides
from tools.report.figures import Report, build
from tools.season import play
from tools.season.apis import Apis, LoadReport
from tools.season.load import Loader
from tools.stack import PROCESSES, ROOT, Stack, StackConfig, StackError, free_ports, urls

DEMO_VAR = ROOT / "var" / "demo"


def demo_config(var: Path = DEMO_VAR) -> StackConfig:
    """The demo's stack: its own directory, free ports, rounds only on demand."""
    return StackConfig(
        var=var,
        kafka_port=free_ports(19192, 2),
        smtp_port=free_ports(1125, 1),
        http_base=free_ports(8100, 5),
        extra_env={"CONCERTO_MATCHING__ROUND_INTERVAL_S": "0"},
    )


@dataclass
class Played:
    """What one play of a season gave: the report, where it was written, the round's id."""

    report: Report
    markdown: Path
    html: Path
    round_id: str
    loaded: LoadReport
    timings: dict[str, float] = field(default_factory=dict)


class Clock:
    """Seconds spent per step."""

    def __init__(self) -> None:
        self.began = self.mark = time.monotonic()
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.monotonic()
        self.steps[step] = round(now - self.mark, 1)
        self.mark = now


def clients(config: StackConfig) -> dict[str, httpx.Client]:
    """An HTTP client per API of the stack, by process name."""
    return {p.name: httpx.Client(base_url=config.url(p), timeout=60) for p in PROCESSES if p.is_api}


def load(season: Season, apis: dict[str, httpx.Client], console: Console) -> LoadReport:
    """Post the season through the public APIs, with a progress bar per step."""
    columns = (TextColumn("{task.description:32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        loader = Loader(
            season,
            Apis(apis["partners-api"], apis["events-api"], apis["matching-api"]),
            Settings().auth,
            progress=progress,
        )
        loaded = loader.run()
    for note in loaded.notes:
        console.print(f"[yellow]• {note}[/yellow]")
    if loaded.refusals:
        first = loaded.refusals[0]
        raise StackError(f"{len(loaded.refusals)} records refused, e.g. {first.step}: {first.reason}")
    return loaded


def settle_and_round(
    config: StackConfig, season: Season, apis: dict[str, httpx.Client], console: Console, clock: Clock
) -> tuple[str, dict[str, int]]:
    """Organizers answer joint suggestions; workers catch up; a round runs. Its id, and the answers."""
    auth = Settings().auth
    proposals, people = len(season.records["proposals"]), len(season.records["people"])
    events, matching = apis["events-api"], apis["matching-api"]
    with console.status("waiting for the calendar's decisions…") as status:
        status.update("the organizers answer the joint suggestions until the calendar is settled…")
        _, answers = play.settle_calendar(events, auth, proposals, timeout=120)
        status.update("waiting for every case to open…")
        play.wait_for_cases(matching, auth, people, timeout=300)
        play.wait_for_workers(
            config.bootstrap,
            timeout=300,
            on_lag=lambda n: status.update(f"waiting for the workers: {n:,} records (emails mostly) to go…"),
        )
        clock.lap("decisions, cases and emails")
        status.update("the hub runs a concertation round…")
        result = play.run_round(matching, auth, timeout=180)
        status.update("the plans are emailed to the people and the partners…")
        play.wait_for_workers(config.bootstrap, timeout=300)
        clock.lap("round")
    console.print(
        f"Joint suggestions: {len(answers.accepted)} accepted, {len(answers.declined)} declined. "
        f"Round: {result['referred']} of {result['households']} households referred."
    )
    return str(result["round_id"]), {"accepted": len(answers.accepted), "declined": len(answers.declined)}


def report_on(
    config: StackConfig,
    season: Season,
    apis: dict[str, httpx.Client],
    round_id: str,
    joint: dict[str, int],
    out: Path,
) -> tuple[Report, Path, Path]:
    """Read the season back from the services and write the report."""
    settings = Settings()
    observed = observe(apis, config.bootstrap, settings.auth, round_id, config.mail_dir)
    today = default_clock().today()
    report = build(
        observed,
        calendar_sides(observed, today),
        routing_sides(observed, settings.matching, today, seed=int(season.manifest["seed"])),
        season.manifest,
        joint,
        _shown(config.mail_dir),
    )
    markdown, html = render.write(report, out)
    return report, markdown, html


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def play_season(
    spec: SeasonSpec, config: StackConfig, console: Console, stop: bool = True, stack: Stack | None = None
) -> Played:
    """Generate, start, load, settle, run a round, report; stop everything unless ``stop`` is False."""
    clock = Clock()
    stack = stack or Stack(config)
    season = generate(spec)
    season.write(config.var / "season")
    clock.lap("generate")
    apis = clients(config)
    try:
        with console.status("starting Kafka, the SMTP server and the six Concerto processes…"):
            stack.up()
        clock.lap("start")
        loaded = load(season, apis, console)
        clock.lap("load")
        round_id, joint = settle_and_round(config, season, apis, console, clock)
        with console.status("reading everything back and writing the report…"):
            report, markdown, html = report_on(config, season, apis, round_id, joint, config.var)
        clock.lap("report")
    except BaseException:
        stack.down()
        raise
    finally:
        for client in apis.values():
            client.close()
    if stop:
        with console.status("stopping everything…"):
            stack.down()
        clock.lap("stop")
    report.timings = {**clock.steps, "total": round(time.monotonic() - clock.began, 1)}
    render.write(report, config.var)  # again, with the timings
    return Played(report, markdown, html, round_id, loaded, report.timings)


cli = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)
console = Console()
People = Annotated[int, typer.Option(min=1, help="People declaring interest.")]
Seed = Annotated[int, typer.Option(help="Seed of the season.")]


@cli.command()
def run(people: People = 1000, seed: Seed = 2026) -> None:
    """Play a whole season and write var/demo/report.{md,html}; stop everything."""
    shutil.rmtree(DEMO_VAR, ignore_errors=True)
    config = demo_config()
    try:
        played = play_season(SeasonSpec(seed=seed, people=people), config, console)
    except (StackError, TimeoutError, httpx.HTTPError) as exc:
        console.print(f"[red]demo failed: {exc}[/red] — see the logs in {config.var / 'log'}")
        raise typer.Exit(1) from exc
    render.show(played.report, console)
    console.print(
        f"[bold]Report: {_shown(played.markdown)} and {_shown(played.html)}[/bold] "
        f"(emails in {_shown(config.mail_dir)}, logs in {_shown(config.var / 'log')}); "
        f"{played.timings['total']:.0f} s in all: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in played.timings.items() if k != "total")
    )


@cli.command()
def up(people: People = 1000, seed: Seed = 2026, var: Path = ROOT / "var") -> None:
    """Start the system on the usual ports with a season loaded (once), and leave it running."""
    config = StackConfig(var=var)
    stack = Stack(config)
    marker = var / "season" / "played.txt"
    try:
        if marker.exists():
            with console.status("starting Kafka, the SMTP server and the six Concerto processes…"):
                stack.up()
            console.print(
                f"The season played on {marker.read_text().strip()} is loaded (`make clean` starts afresh)."
            )
        else:
            played = play_season(
                SeasonSpec(seed=seed, people=people), config, console, stop=False, stack=stack
            )
            marker.write_text(f"{default_clock().today()} (round {played.round_id})\n")
            console.print(f"Report of the season: {_shown(played.html)}")
    except (StackError, TimeoutError, httpx.HTTPError) as exc:
        console.print(f"[red]{exc}[/red] — see the logs in {config.var / 'log'}")
        raise typer.Exit(1) from exc
    staff = _open_the_web_to_staff(config)
    console.print(urls(config))
    console.print(
        f"On the web, {staff} staff sign in by emailed link (the link arrives in {config.mail_dir}): "
        f"the hub as {Settings().hub.email}, each counsellor with their address (GET /counsellors), "
        "each partner with its contact address (GET /partners). "
        "People open the link in their emails there."
    )
    console.print("Tokens for the docs' Authorize button: .venv/bin/python -m tools.token hub me")
    console.print("Stop it with [bold]make down[/bold].")


def _open_the_web_to_staff(config: StackConfig) -> int:
    """Web accounts for the hub, the season's counsellors and its partners (services/web/invite.py)."""
    settings = Settings()
    matching = config.url(next(p for p in PROCESSES if p.name == "matching-api"))
    token = mint(settings.auth, "demo-hub", Role.HUB)
    partners_api = config.url(next(p for p in PROCESSES if p.name == "partners-api"))
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.get(f"{matching}/counsellors", headers=headers, timeout=30)
    answer.raise_for_status()
    partners = httpx.get(f"{partners_api}/partners", headers=headers, timeout=30)
    partners.raise_for_status()
    secret = settings.auth.secret.get_secret_value()
    store = WebStore(config.var / "data" / "web" / "web.sqlite3", secret)
    try:
        return open_staff_accounts(store, secret, settings.hub, answer.json(), partners.json())
    finally:
        store.close()


if __name__ == "__main__":
    cli()
