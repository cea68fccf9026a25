"""Round benchmark (not a test): one concertation round of 100,000 households over 2,000 welcoming
organizations (and 2,000 job offers), on the synthetic market of analysis/season/market.py.

    python -m bench.round_bench [--people 100000 --organizations 2000 --runs 3]

Measures, for each run after a warm-up:

- the snapshot read: the cases as the worker reads them from cases.v1 — the topic's records (key and
  value, as ``codec.encode`` writes them) through ``snapshot.read_cases``, the function the worker's
  ``KafkaCases.read_all`` calls: the latest record of each household taking part, parsed as a
  ``RoundCase``. The broker's fetch itself is not in it (no broker here), nor the worker's reading
  of who takes part (its interests, parsed from the bytes it keeps);
- the matching itself (``prepare`` — regions and scores — then deferred acceptance);
- the whole round: the snapshot read, then ``run_round`` with its referral plans (jobs,
  settlement, activities, entitlements, factors as pydantic models);

(these three with the cyclic garbage collector paused, as the worker's round does:
services/common/heap.py; the matching is timed on its own before the round, and its lists freed);
- the process's CPU time of the matching and of the whole round (on a shared machine, the work
  without the wait for a core);
- the collector's full pass after the round, which the pause defers (not in the round);
- the independent stability checker (``stability_fast.blocked_people``: the raw snapshot and the
  round's placement, never the round's lists) on the round's placement: its time and the number of
  blocked households (must be 0);

and the process's peak resident memory (market and round together: once the market is made, after
the counted rounds, and after the simple version's run). Results go to bench/results/round.json
and round.md.
"""

from __future__ import annotations

import gc
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

from analysis.season import Size, make_people_and_offers, open_cases
from services.common.codec import encode
from services.common.contracts import CaseKey
from services.common.heap import collector_paused
from services.matching.concertation import Limits, Market, prepare, run_round
from services.matching.fast_placement import place_fast
from services.matching.placement import place
from services.matching.snapshot import read_cases
from services.matching.stability_fast import blocked_people

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
    market = make_people_and_offers(
        Size(people=people, organizations=organizations, jobs=jobs, capacity_ratio=0.6, seed=11), NOW
    )
    # What cases.v1 holds: each case's record (key, value), opened one at a time. The worker reads
    # them at each round.
    records = [(encode(CaseKey(case_id=case.case_id)), encode(case)) for _, case in open_cases(market, NOW)]
    taking_part = list(market.profiles)
    generated_s = time.perf_counter() - started
    market_rss = _peak_rss_mib()
    limits = Limits()
    figures: dict[str, list[float]] = {}
    referred, blocked = 0, -1
    for run in range(runs + 1):  # the first run warms up and is not counted
        timed, referred, blocked = _run(run, market, records, taking_part, limits)
        if run:
            for name, seconds in timed.items():
                figures.setdefault(name, []).append(seconds)
        console.print(
            f"run {run}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timed.items()) + f" ({blocked} blocked)"
        )
    snapshot_s, matching_s, round_s = figures["snapshot"], figures["matching"], figures["round"]
    collection_s, checker_s = figures["collection"], figures["checker"]
    rounds_rss = _peak_rss_mib()
    # The simple deferred acceptance once, in the same run: the ratio, and the same placement.
    snapshot = Market(
        market.profiles,
        read_cases(records, taking_part),
        [],
        market.offers,
        market.partners,
        market.calendar,
    )
    prepared = prepare(snapshot, NOW.date())
    t0 = time.perf_counter()
    simple = place(prepared.seekers, prepared.organizations)
    simple_s = time.perf_counter() - t0
    same = simple == place_fast(prepared.seekers, prepared.organizations)
    console.print(f"simple deferred acceptance {simple_s:.2f} s, same placement: {same}")
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
        "snapshot_s": _spread(snapshot_s),
        "matching_s": _spread(matching_s),
        "round_with_plans_s": _spread(round_s),
        "collection_after_round_s": _spread(collection_s),
        "matching_cpu_s": _spread(figures["matching_cpu"]),
        "round_with_plans_cpu_s": _spread(figures["round_cpu"]),
        "checker_s": _spread(checker_s),
        "simple_placement_s": simple_s,
        "simple_placement_same": same,
        "blocked_households": blocked,
        "referred": referred,
        "peak_rss_mib": {"market": market_rss, "after_rounds": rounds_rss, "after_simple": _peak_rss_mib()},
        "targets": {"matching_s": 2.0, "round_s": 15.0, "memory_mib": 1024},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "round.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "round.md").write_text(markdown(results), encoding="utf-8")
    console.print(markdown(results))


def _run(
    run: int,
    market: Market,
    records: list[tuple[bytes | None, bytes | None]],
    people: list[uuid.UUID],
    limits: Limits,
) -> tuple[dict[str, float], int, int]:
    """One run: its timings, the households referred and the blocked households."""
    # As the worker's round (Matching._run_round): the cyclic collector paused during it. The
    # matching alone is timed before the round, so that the two never hold their lists together.
    cpu = time.process_time  # this process's CPU time: the work, not the wait for a core
    with collector_paused():
        t0, c0 = time.perf_counter(), cpu()
        snapshot = Market(
            market.profiles, read_cases(records, people), [], market.offers, market.partners, market.calendar
        )
        t1, c1 = time.perf_counter(), cpu()
        prepared = prepare(snapshot, NOW.date())
        place_fast(prepared.seekers, prepared.organizations)
        t2, c2 = time.perf_counter(), cpu()
        del prepared
        t3, c3 = time.perf_counter(), cpu()
        outcome = run_round(uuid.UUID(int=run), snapshot, limits, NOW, "bench")
        t4, c4 = time.perf_counter(), cpu()
    # What the pause defers: the collector's next full pass, over everything the round left.
    gc.collect()
    t5 = time.perf_counter()
    placed = {r.person_id: r.welcoming_offer_id for r in outcome.referrals}
    blocked = len(blocked_people(snapshot, placed, NOW.date()))
    t6 = time.perf_counter()
    timed = {
        "snapshot": t1 - t0,
        "matching": t2 - t1,
        "round": (t1 - t0) + (t4 - t3),
        "collection": t5 - t4,
        "checker": t6 - t5,
        "matching_cpu": c2 - c1,
        "round_cpu": (c1 - c0) + (c4 - c3),
    }
    return timed, outcome.result.referred, blocked


def markdown(r: dict[str, Any]) -> str:
    m = r["market"]

    def row(label: str, figure: dict[str, float], target: str) -> str:
        return (
            f"| {label} | {figure['median']:.2f} s | {figure['min']:.2f} s | {figure['max']:.2f} s "
            f"| {target} |"
        )

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
            row("Snapshot read: each case taking part parsed from its cases.v1 record", r["snapshot_s"], ""),
            row("Matching (prepare, deferred acceptance, no cap)", r["matching_s"], "2 s"),
            row(
                f"Whole round: snapshot read + round with {r['referred']:,} referral plans",
                r["round_with_plans_s"],
                "15 s",
            ),
            row("Matching, CPU time of the process", r["matching_cpu_s"], ""),
            row("Whole round, CPU time of the process", r["round_with_plans_cpu_s"], ""),
            row(
                "Collector's pass after the round (deferred by the pause)", r["collection_after_round_s"], ""
            ),
            row(
                f"Stability checker on the round's placement ({r['blocked_households']} blocked households)",
                r["checker_s"],
                "",
            ),
            f"| Deferred acceptance alone, simple version (placement.place), once "
            f"| {r['simple_placement_s']:.2f} s "
            f"| | | same placement: {r['simple_placement_same']} |",
            f"| Peak resident memory: market loaded | {r['peak_rss_mib']['market']:.0f} MiB | | | |",
            f"| Peak resident memory: after the rounds | {r['peak_rss_mib']['after_rounds']:.0f} MiB "
            "| | | 1,024 MiB |",
            f"| Peak resident memory: after the simple version too "
            f"| {r['peak_rss_mib']['after_simple']:.0f} MiB | | | |",
            "",
            "The snapshot read is the worker's (``snapshot.read_cases``: the latest record of each household",
            "taking part, parsed as a ``RoundCase``); fetching the records from the broker is not in it. The",
            "checker reads the snapshot's cases and interests, the offers and the placement only",
            "(services/matching/stability_fast.py), not the round's lists.",
            "",
        ]
    )


if __name__ == "__main__":
    app()
