"""The report written out: Markdown and HTML (Jinja2 templates, inline SVG charts), and the console (rich).

Every section is a set of ``Table``s built once here, so the three forms show the same
figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table as RichTable

from . import charts
from .charts import Series
from .compare import CalendarSide
from .figures import Report


@dataclass(frozen=True)
class Table:
    """A table of the report: a title, column headers, rows of text (numbers right-aligned)."""

    title: str
    headers: list[str]
    rows: list[list[str]]

    def numeric(self, column: int) -> bool:
        cells = [r[column] for r in self.rows if r[column]]
        return bool(cells) and all(
            c.replace(",", "").replace(".", "").rstrip("%").lstrip("-").isdigit() for c in cells
        )


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def tables(report: Report) -> dict[str, Table]:
    """Every table of the report, by name."""
    sides = report.calendar_sides
    metric_rows: list[tuple[str, Callable[[CalendarSide], object]]] = [
        ("Activities holding a place of their own", lambda s: s.metrics.scheduled),
        ("Held jointly (no place of their own)", lambda s: s.joined),
        ("Held on their first choice (alone)", lambda s: s.metrics.first_choices),
        ("Endorsed ones on their first choice (alone)", lambda s: s.endorsed_first),
        ("Left without a day", lambda s: s.metrics.unscheduled - s.joined),
        ("Days over capacity", lambda s: s.metrics.days_over_capacity),
        ("Activities breaking a rule", lambda s: s.metrics.rule_violations),
        ("Prime slots (Saturdays, fair days)", lambda s: s.metrics.prime_slots),
        ("Largest excess over a region's fair share", lambda s: f"{s.metrics.fairness_excess:.2f}"),
    ]
    r, c = report.routing.round, report.routing.competing
    routing_rows = [
        ("Households taking part", c.participants, c.participants),
        ("Placed", r.placed, c.placed),
        (
            "In their first-choice region",
            f"{r.first_choice} ({r.first_choice_share:.1%})",
            f"{c.first_choice} ({c.first_choice_share:.1%})",
        ),
        ("Plans or pitches per person", f"{r.pitches_per_person:.2f}", f"{c.pitches_per_person:.2f}"),
        ("Blocking pairs (would both rather be together)", r.blocking, c.blocking),
        ("Unused places", sum(r.unused.values()), sum(c.unused.values())),
    ]
    rnd = report.round
    counts = report.season["counts"]
    return {
        "season": Table(
            "The season",
            ["what", "how many"],
            [
                ["partners", str(counts["partners"])],
                ["concertation tables (each with a delegate)", str(counts["tables"])],
                *[[f"offers: {k.replace('_', ' ')}", str(v)] for k, v in counts["offers"].items()],
                ["intake capacity (households)", f"{counts['intake_capacity_households']:,}"],
                ["activity proposals", str(counts["proposals"])],
                ["counsellors", str(counts["counsellors"])],
                ["people declaring interest", f"{counts['people']:,}"],
            ],
        ),
        "decisions": Table(
            "Calendar decisions",
            ["decision", "proposals"],
            [[s.replace("_", " "), str(n)] for s, n in sorted(report.statuses.items())],
        ),
        "moved": Table(
            "Collisions avoided",
            ["activity", "regions", "wanted", "that day", "got instead"],
            [[m.title, m.regions, str(m.wanted), m.why, m.outcome] for m in report.moved],
        ),
        "priority": Table(
            "Priority on contested days: provisional places given to endorsed activities",
            ["activity", "regions", "gave up", "to (endorsed)", "got instead"],
            [
                [d.title, d.regions, str(d.day), d.taken_by, d.outcome]
                for d in (report.priority.displaced if report.priority else [])
            ],
        ),
        "joints": Table(
            "Joint activities formed",
            ["host activity", "day", "regions", "activities"],
            [[j.title, str(j.day), j.regions, str(j.activities)] for j in report.joints],
        ),
        "calendar_compare": Table(
            "The same proposals, three ways",
            ["", *[s.name for s in sides]],
            [[label, *[str(f(s)) for s in sides]] for label, f in metric_rows],
        ),
        "round": Table(
            "The concertation round",
            ["", ""],
            [
                ["households taking part", str(rnd["households"])],
                ["referred", str(rnd["referred"])],
                [
                    "in their first-choice region",
                    f"{rnd['first_choice']} ({_pct(rnd['first_choice'], rnd['households'])})",
                ],
                ["not referred this round", str(rnd["unmatched"])],
                ["round computed in", f"{rnd['duration_ms'] / 1000:.1f} s"],
            ],
        ),
        "routing_compare": Table(
            "The same households, two ways",
            ["", "Concertation round", "Competing regions (first pitch wins)"],
            [[label, str(a), str(b)] for label, a, b in routing_rows],
        ),
        "regions": Table(
            "Referrals per region",
            [
                "region",
                "",
                "intake capacity",
                "referred",
                "first choice",
                "competing: placed",
                "competing: first choice",
            ],
            [
                [
                    g.region,
                    g.name,
                    str(g.capacity),
                    str(g.referred),
                    str(g.first_choice),
                    str(g.competing_placed),
                    str(g.competing_first),
                ]
                for g in report.regions
            ],
        ),
        "measures": Table(
            "Entitlements found per measure",
            ["measure", "mesure", "entitled", "possibly (information missing)"],
            [[m.name_en, m.name_fr, str(m.entitled), str(m.possible)] for m in report.measures],
        ),
        "emails": Table(
            "Emails sent",
            ["template", "language", "emails"],
            [[t, lang, str(n)] for (t, lang), n in sorted(report.emails.items())],
        ),
    }


def chart_svgs(report: Report) -> dict[str, str]:
    """The report's charts, as SVG text."""
    days = report.days
    labels = [f"{'★' if d.prime else ''}{d.day:%m-%d}" for d in days]
    regions = report.regions
    r, c = report.routing.round, report.routing.competing
    return {
        "days": charts.columns(
            "Activities per day against the daily capacity",
            labels,
            [
                Series("held (a place each)", [d.places for d in days], charts.PALETTE[0]),
                Series("webinars (online, no place)", [d.online for d in days], charts.PALETTE[2]),
                Series("joined a joint activity", [d.joined for d in days], charts.PALETTE[3]),
                Series(
                    "first choices for the day (taking a place)", [d.wanted for d in days], charts.PALETTE[1]
                ),
            ],
            line=report.max_per_day,
            stacked=3,
            line_label=f"capacity: {report.max_per_day} a day",
        ),
        "regions": charts.columns(
            "Referrals per region against intake capacity",
            [f"{g.region} {g.name[:14]}" for g in regions],
            [
                Series("intake capacity", [g.capacity for g in regions], charts.PALETTE[2]),
                Series("referred", [g.referred for g in regions], charts.PALETTE[0]),
                Series("in their first-choice region", [g.first_choice for g in regions], charts.PALETTE[3]),
            ],
        ),
        "first_choice": charts.rows(
            "Share of the households taking part placed in their first-choice region",
            ["Concertation round", "Competing regions (first pitch wins)"],
            [
                Series(
                    "in their first-choice region",
                    [r.first_choice_share, c.first_choice_share],
                    charts.PALETTE[0],
                ),
                Series("placed anywhere", [r.placement_rate, c.placement_rate], charts.PALETTE[2]),
            ],
            unit="%",
        ),
        "measures": charts.rows(
            "Entitlements found per measure",
            [m.name_en for m in report.measures],
            [
                Series("entitled", [m.entitled for m in report.measures], charts.PALETTE[0]),
                Series(
                    "possibly (information missing)", [m.possible for m in report.measures], charts.PALETTE[1]
                ),
            ],
        ),
    }


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("tools.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def context(report: Report) -> dict[str, Any]:
    """What the templates are given."""
    return {"r": report, "t": tables(report)}


def write(report: Report, directory: Path) -> tuple[Path, Path]:
    """Write report.md and report.html to ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    env = _env()
    md, html = directory / "report.md", directory / "report.html"
    md.write_text(env.get_template("report.md.j2").render(**context(report)), encoding="utf-8")
    html.write_text(
        env.get_template("report.html.j2").render(**context(report), charts=chart_svgs(report)),
        encoding="utf-8",
    )
    return md, html


def show(report: Report, console: Console) -> None:
    """The report's tables on the terminal."""
    for name in (
        "season",
        "decisions",
        "calendar_compare",
        "joints",
        "round",
        "routing_compare",
        "regions",
        "measures",
        "emails",
    ):
        table = tables(report)[name]
        rich = RichTable(title=table.title, title_style="bold")
        for index, header in enumerate(table.headers):
            rich.add_column(header, justify="right" if table.numeric(index) else "left")
        for row in table.rows:
            rich.add_row(*row)
        console.print(rich)
