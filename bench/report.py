"""Benchmark results: each case's median and spread with its unit, target and the machine's
load during its runs, written to bench/results/latest.json and latest.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from tools.stack import ROOT

from .harness import spread

RESULTS = ROOT / "bench" / "results"
console = Console()


def case(
    values: Sequence[float], unit: str, target: str, note: str, loads: Sequence[float], digits: int = 2
) -> dict[str, Any]:
    """One case: its runs' median and spread, unit, target ("< 50", "≥ 1000" or ""), what it measures."""
    result = spread(values, digits) | {"unit": unit, "target": target, "note": note}
    result["load_1min"] = [round(x, 2) for x in loads]
    result["met"] = _met(result["median"], target)
    return result


def _met(median: float, target: str) -> bool | None:
    if not target:
        return None
    op, bound = target.split()
    return median < float(bound) if op == "<" else median >= float(bound)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown page."""
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"Kafka {m['kafka']} — {m['when']}; load average at start {m['load_at_start']} "
        f"(1, 5, 15 min), at the end {results.get('load_at_end', '?')}.",
        "",
        f"Libraries: {libs}.",
        "",
        "Each figure: median, min–max and every run of one `make bench`; load = the 1-minute load "
        "average after each run (2 cores: above 2, processes wait for a core). What each case "
        "measures and what limits it: [docs/performance.md](../../docs/performance.md).",
        "",
        "| case | unit | median | min–max | runs | target | met | load | what |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, c in results["cases"].items():
        met = {True: "yes", False: "**no**", None: ""}[c["met"]]
        runs = ", ".join(_fmt(v) for v in c["runs"])
        loads = ", ".join(f"{x:.1f}" for x in c["load_1min"])
        lines.append(
            f"| {name} | {c['unit']} | {_fmt(c['median'])} | {_fmt(c['min'])}–{_fmt(c['max'])} | {runs} "
            f"| {c['target']} | {met} | {loads} | {c['note']} |"
        )
    memory = results.get("memory")
    if memory:
        lines += ["", "## Resident memory (VmRSS, MiB)", "", memory["note"], ""]
        points = memory["points"]
        names = list(dict.fromkeys(n for point in points for n in point["rss_mib"]))
        lines += ["| interests handled | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for point in points:
            cells = " | ".join(str(point["rss_mib"].get(n, "")) for n in names)
            lines.append(f"| {point['label']} | {cells} |")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any]) -> None:
    """bench/results/latest.json and latest.md, and a table on the terminal."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(markdown(results), encoding="utf-8")
    table = Table(title="make bench")
    for column in ("case", "unit", "median", "min", "max", "target"):
        table.add_column(column)
    for name, c in results["cases"].items():
        table.add_row(name, c["unit"], _fmt(c["median"]), _fmt(c["min"]), _fmt(c["max"]), c["target"])
    console.print(table)
    console.print(f"written to {RESULTS / 'latest.md'}")
