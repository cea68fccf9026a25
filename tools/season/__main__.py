"""The demo season's command line.

    python -m tools.season generate --seed 2026 --people 1000 --out data/demo
    python -m tools.season load data/demo --partners-url http://127.0.0.1:8001 \\
        --events-url http://127.0.0.1:8002 --matching-url http://127.0.0.1:8003

See docs/demo-season.md.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.season import Season, SeasonSpec, next_monday
from analysis.season import generate as generate_season
from services.common.clock import default_clock
from services.common.settings import Settings
from tools.stack import ROOT

from .apis import Apis, LoadReport
from .load import Loader

app = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)
console = Console()


@app.callback()
def main() -> None:
    """Generate a demo season, or load one through the public APIs."""


@app.command()
def generate(
    seed: Annotated[
        int, typer.Option(help="Seed of the random generators: the same seed, the same season.")
    ] = 2026,
    people: Annotated[int, typer.Option(min=1, help="People declaring interest.")] = 1000,
    out: Annotated[Path, typer.Option(help="Directory to write the season to.")] = Path("data/demo"),
    start: Annotated[
        str | None, typer.Option(help="First day of the season, YYYY-MM-DD (default: next Monday).")
    ] = None,
    weeks: Annotated[int, typer.Option(min=4, max=104, help="Length of the season in weeks.")] = 26,
    partners: Annotated[int, typer.Option(min=20, max=2000, help="Partner organizations.")] = 40,
    tables: Annotated[int, typer.Option(min=1, max=16, help="Concertation tables (one per region).")] = 10,
    jobs: Annotated[int, typer.Option(min=6, help="Job offers.")] = 150,
    proposals: Annotated[int, typer.Option(min=1, help="Activity proposals by the tables' delegates.")] = 60,
    counsellors: Annotated[int, typer.Option(min=1, max=225, help="Counsellors of the hub.")] = 12,
    capacity_share: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Intake capacity, as a share of the number of people.")
    ] = 0.4,
) -> None:
    """Generate a season of request bodies from the reference data in data/."""
    first = date.fromisoformat(start) if start else next_monday(default_clock().today())
    spec = SeasonSpec(
        seed=seed,
        start=first,
        people=people,
        partners=partners,
        tables=tables,
        jobs=jobs,
        proposals=proposals,
        counsellors=counsellors,
        weeks=weeks,
        capacity_share=capacity_share,
    )
    began = time.monotonic()
    with console.status(f"generating {people:,} people and their network…"):
        season = generate_season(spec)
        written = season.write(out)
    counts = season.manifest["counts"]
    summary = Table(
        title=f"Season {season.manifest['start']} → {season.manifest['end']} (seed {seed}) in {out}"
    )
    summary.add_column("what")
    summary.add_column("how many", justify="right")
    summary.add_row("partners", f"{counts['partners']} in {len(counts['regions'])} regions")
    summary.add_row("concertation tables (each with a delegate)", str(counts["tables"]))
    for kind, count in counts["offers"].items():
        summary.add_row(f"offers: {kind}", str(count))
    summary.add_row("intake capacity (households)", f"{counts['intake_capacity_households']:,}")
    summary.add_row("activity proposals", str(counts["proposals"]))
    summary.add_row("fair days", ", ".join(season.manifest["fair_days"]) or "none in the season")
    summary.add_row("counsellors", str(counts["counsellors"]))
    summary.add_row("people", f"{counts['people']:,}")
    console.print(summary)
    console.print(f"[dim]{len(written)} files written in {time.monotonic() - began:.1f}s[/dim]")


Url = Annotated[str, typer.Option(help="Base URL of the API.")]


@app.command()
def load(
    directory: Annotated[Path, typer.Argument(help="The season's directory.")] = Path("data/demo"),
    partners_url: Url = "http://127.0.0.1:8001",
    events_url: Url = "http://127.0.0.1:8002",
    matching_url: Url = "http://127.0.0.1:8003",
    parallel: Annotated[int, typer.Option(min=1, max=32, help="Offers and people posted at once.")] = 4,
    ids_out: Annotated[
        Path, typer.Option(help="Where to write the map from generated ids to server ids.")
    ] = ROOT / "var" / "season" / "ids.json",
) -> None:
    """Post a season through the public APIs (tokens signed with CONCERTO_AUTH__SECRET)."""
    season = Season.read(directory)
    clients = [httpx.Client(base_url=url, timeout=30) for url in (partners_url, events_url, matching_url)]
    for client, name in zip(clients, ("partners-api", "events-api", "matching-api"), strict=True):
        if not _ready(client):
            console.print(
                f"[red]{name} at {client.base_url} is not ready (GET /health): is the stack up?[/red]"
            )
            raise typer.Exit(1)
    columns = (TextColumn("{task.description:32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    began = time.monotonic()
    try:
        with Progress(*columns, console=console) as progress:
            loader = Loader(season, Apis(*clients), Settings().auth, progress=progress, parallel=parallel)
            report = loader.run()
    except httpx.HTTPError as exc:
        console.print(f"[red]an API stopped answering: {exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        for client in clients:
            client.close()
    ids_out.parent.mkdir(parents=True, exist_ok=True)
    ids_out.write_text(json.dumps({"ids": report.ids, "cases": report.cases}, indent=1), encoding="utf-8")
    show(report, time.monotonic() - began, ids_out)
    if report.refusals:
        raise typer.Exit(1)


def _ready(client: httpx.Client, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return False


def show(report: LoadReport, seconds: float, ids_out: Path) -> None:
    """What was loaded, what was refused and why."""
    for note in report.notes:
        console.print(f"[yellow]• {note}[/yellow]")
    done = ", ".join(f"{count} {step}" for step, count in report.created.items())
    again = ", ".join(f"{count} {step}" for step, count in report.existing.items())
    console.print(f"[bold]Loaded in {seconds:.0f}s:[/bold] {done or 'nothing'}.")
    if again:
        console.print(f"Already registered (reused): {again}.")
    if report.refusals:
        refused = Table(title=f"{len(report.refusals)} refused or skipped", title_style="red")
        for column in ("step", "generated id", "status", "reason"):
            refused.add_column(column)
        for refusal in report.refusals[:50]:
            status = str(refusal.status) if refusal.status is not None else "skipped"
            refused.add_row(refusal.step, refusal.generated_id[:8], status, refusal.reason)
        console.print(refused)
        if len(report.refusals) > 50:
            console.print(f"… and {len(report.refusals) - 50} more")
    console.print(f"[dim]generated id → server id: {ids_out}[/dim]")


if __name__ == "__main__":
    app()
