"""A synthetic season placed three ways, measured side by side: the season planner's report.

``python -m analysis.season_report report`` draws a season
(``analysis.season.make_season``), places it uncoordinated, first come first
served and with the CP-SAT season planner (``analysis.planner.plan_season``),
and writes a Markdown table of the measures (docs/season-report.md).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from analysis.planner import PlanMetrics, first_come_first_served, measure, plan_season, uncoordinated
from analysis.planner_model import region_shares
from analysis.season.planner_season import SEASON_START, make_season
from services.common.contracts import ActivityProposed, CalendarRules


@dataclass(frozen=True)
class Column:
    """One way of placing the season, measured."""

    name: str
    short: str
    metrics: PlanMetrics
    seconds: float | None


def compare(
    proposals: list[ActivityProposed], rules: CalendarRules, today: date, time_limit_s: float = 10.0
) -> list[Column]:
    """The season placed uncoordinated, first come first served, and by the CP-SAT planner."""
    began = clock.perf_counter()
    fcfs = first_come_first_served(proposals, rules, today)
    fcfs_seconds = clock.perf_counter() - began
    plan = plan_season(proposals, rules, today, time_limit_s=time_limit_s)
    scope = (proposals, rules, today)
    return [
        Column(
            "Sans concertation / uncoordinated",
            "uncoordinated",
            measure(uncoordinated(proposals), *scope),
            None,
        ),
        Column("Premier arrivé / first come first served", "FCFS", measure(fcfs, *scope), fcfs_seconds),
        Column(
            f"Planificateur / CP-SAT planner ({plan.status})",
            "CP-SAT",
            measure(plan.assignments, *scope),
            plan.seconds,
        ),
    ]


def _row(label: str, cells: list[str]) -> str:
    return "| " + " | ".join([label, *cells]) + " |"


def render(
    columns: list[Column], proposals: list[ActivityProposed], rules: CalendarRules, command: str
) -> str:
    """The report in Markdown: the measures, then each region's prime slots against its fair share."""
    m = [c.metrics for c in columns]
    lines = [
        "# Season plan: uncoordinated vs first come first served vs CP-SAT",
        "",
        f"Produced by `{command}`.",
        f"{len(proposals)} proposals; rules of data/calendar_rules.json: at most {rules.max_per_day} "
        f"activities a day, {rules.max_per_slot} at the same time, {rules.min_days_same_region} days "
        f"between two of a region, {rules.min_days_same_sector} between two of a sector. "
        "Every plan is checked with `services.events.rules.violations`.",
        "",
        _row("Measure", [c.name for c in columns]),
        _row("---", ["---:"] * len(columns)),
        _row("Scheduled", [str(x.scheduled) for x in m]),
        _row("First choices honored", [str(x.first_choices) for x in m]),
        _row("Any preference honored", [str(x.any_preference) for x in m]),
        _row("Unscheduled", [str(x.unscheduled) for x in m]),
        _row("Days over capacity", [str(x.days_over_capacity) for x in m]),
        _row("Activities breaking a rule", [str(x.rule_violations) for x in m]),
        _row("Prime slots (Saturdays, fair days)", [str(x.prime_slots) for x in m]),
        _row("Largest excess over fair share", [f"{x.fairness_excess:.2f}" for x in m]),
        _row("Time (s)", ["—" if c.seconds is None else f"{c.seconds:.2f}" for c in columns]),
        "",
        "Uncoordinated: every organizer takes its first choice, whatever the rules. First come first "
        "served: proposals in arrival order, each on its best preferred date that breaks no rule (what the "
        "online worker does). CP-SAT: the season planner (analysis/planner.py); OPTIMAL = proven, "
        "FEASIBLE = stopped at its deterministic budget. Only preferred dates are ever given.",
        "",
        "Prime slots per region; fair share = share of the season's demand × prime slots of the plan "
        "(the planner allows at most share + 1).",
        "",
        _row("Region", ["Demand share", *[f"{c.short} (fair share)" for c in columns]]),
        _row("---", ["---:"] * (len(columns) + 1)),
    ]
    for region, share in region_shares(proposals).items():
        cells = [f"{float(share):.1%}"]
        for x in m:
            cells.append(f"{x.prime_per_region.get(region, 0)} ({float(share) * x.prime_slots:.1f})")
        lines.append(_row(region, cells))
    return "\n".join(lines) + "\n"


app = typer.Typer(add_completion=False, help=__doc__)


@app.callback()
def main() -> None:
    """Synthetic seasons and the season planner's report."""


@app.command()
def report(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic season.")] = 7,
    proposals: Annotated[int, typer.Option(help="Proposals in the season.")] = 300,
    organizations: Annotated[int, typer.Option(help="Organizations proposing.")] = 30,
    weeks: Annotated[int, typer.Option(help="Length of the season.")] = 12,
    time_limit: Annotated[float, typer.Option(help="CP-SAT time limit (s).")] = 10.0,
    out: Annotated[Path | None, typer.Option(help="Where to write the Markdown report.")] = None,
) -> None:
    """Place one season three ways and report the measures side by side."""
    console = Console()
    season, rules = make_season(seed, organizations, proposals, weeks)
    columns = compare(season, rules, SEASON_START, time_limit)
    command = (
        f"python -m analysis.season_report report --seed {seed} --proposals {proposals} "
        f"--organizations {organizations} --weeks {weeks}" + (f" --out {out}" if out else "")
    )
    text = render(columns, season, rules, command)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    console.print(Markdown(text))


if __name__ == "__main__":
    app()
