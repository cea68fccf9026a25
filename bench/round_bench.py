"""Round benchmark (not a test): one concertation round of 100,000 households over 2,000 welcoming
organizations (and 2,000 job offers), on the synthetic market of services/matching/synthetic.py.

    python -m bench.round_bench [--people 100000 --organizations 2000 --runs 3]

Measures, for each run after a warm-up: the matching itself (``prepare`` — regions and scores —
then deferred acceptance) and the whole round with its referral plans (jobs, settlement,
activities, entitlements, factors as pydantic models); and the process's peak resident memory
(market and round together). Results go to bench/results/round.json and round.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from services.matching.concertation import Limits, prepare, run_round
from services.matching.placement import place
from services.matching.synthetic import Size, make_market

RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime(2026, 11, 30, 15, tzinfo=UTC)
console = Console()
app = typer.Typer(add_completion=False)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


@app.command()
def main(
    people: Annotated[int, typer.Option()] = 100_000,
    organizations: Annotated[int, typer.Option()] = 2_000,
    jobs: Annotated[int, typer.Option()] = 2_000,
    runs: Annotated[int, typer.Option()] = 3,
) -> None:
    """Run the round benchmark and write its results."""
    started = time.perf_counter()
    market = make_market(
        Size(people=people, organizations=organizations, jobs=jobs, capacity_ratio=0.6, seed=11), NOW
    )
    generated_s = time.perf_counter() - started
    market_rss = _peak_rss_mib()
    limits = Limits()
    matching_s, round_s, referred = [], [], 0
    for run in range(runs + 1):  # the first run warms up and is not counted
        t0 = time.perf_counter()
        prepared = prepare(market, NOW.date())
        place(prepared.seekers, prepared.organizations)
        t1 = time.perf_counter()
        outcome = run_round(uuid.UUID(int=run), market, limits, NOW, "bench")
        t2 = time.perf_counter()
        referred = outcome.result.referred
        if run:
            matching_s.append(t1 - t0)
            round_s.append(t2 - t1)
        console.print(f"run {run}: matching {t1 - t0:.2f} s, round with plans {t2 - t1:.2f} s")
    results: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": os.getloadavg()[0],
        },
        "market": {
            "households": people,
            "organizations": organizations,
            "jobs": jobs,
            "generated_s": generated_s,
        },
        "matching_s": _spread(matching_s),
        "round_with_plans_s": _spread(round_s),
        "referred": referred,
        "peak_rss_mib": {"market": market_rss, "after_rounds": _peak_rss_mib()},
        "targets": {"round_s": 2.0, "memory_mib": 1024},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "round.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "round.md").write_text(markdown(results), encoding="utf-8")
    console.print(markdown(results))


def markdown(r: dict[str, Any]) -> str:
    m, a, b = r["market"], r["matching_s"], r["round_with_plans_s"]
    return "\n".join(
        [
            "# Concertation round benchmark",
            "",
            f"{m['households']:,} households, {m['organizations']:,} welcoming organizations, "
            f"{m['jobs']:,} jobs "
            f"(synthetic, seed 11); {r['machine']['cores']} cores, Python {r['machine']['python']}, "
            f"load average {r['machine']['load_average_1m']:.1f} at the end; {r['measured_at']}.",
            "",
            "| Figure | Median | Min | Max | Target |",
            "|---|---:|---:|---:|---:|",
            f"| Matching (prepare, deferred acceptance, no cap) | {a['median']:.2f} s | {a['min']:.2f} s "
            f"| {a['max']:.2f} s | 2 s |",
            f"| Whole round with {r['referred']:,} referral plans | {b['median']:.2f} s | {b['min']:.2f} s "
            f"| {b['max']:.2f} s | |",
            f"| Peak resident memory: market loaded | {r['peak_rss_mib']['market']:.0f} MiB | | | |",
            f"| Peak resident memory: after the rounds | {r['peak_rss_mib']['after_rounds']:.0f} MiB "
            "| | | 1,024 MiB |",
            "",
        ]
    )


if __name__ == "__main__":
    app()
