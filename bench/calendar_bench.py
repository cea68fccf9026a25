"""Calendar benchmark (not a test): decision latency through the running events worker, and
season-planning time, on a synthetic season of 1,000 proposals from 50 organizations over 12 weeks.

    python -m bench.calendar_bench            # or: make bench

It starts its own broker and events worker (var/bench, ports of its own), publishes
the default rules, then sends the season's proposals at a fixed rate and measures,
for each, the time from the send to the decision on calendar.v1 (consumed by this
process). Planning time is the CP-SAT season plan of the same proposals. Each
figure is the median and spread of several runs; results go to bench/results/.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from rich.console import Console
from rich.table import Table

from bench.pipeline_bench import pipeline_throughput, plain_loop_throughput
from services.common.cloudevents import new_event
from services.common.codec import encode
from services.common.contracts import ActivityProposed, ProposalKey, RulesKey
from services.common.kafka import API_VERSION
from services.common.topics import CALENDAR, CALENDAR_RULES, EVENT_PROPOSALS
from services.events.planner import plan_season
from services.events.season import make_season
from tools.stack import PROCESSES, ROOT, Stack, StackConfig

RESULTS = ROOT / "bench" / "results"
CONFIG = StackConfig(var=ROOT / "var" / "bench", kafka_port=19292, smtp_port=1225, http_base=8200)
console = Console()


@dataclass
class Run:
    """One measured run of decisions."""

    rate: float
    sent: int
    decided: int
    latencies_ms: list[float]

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _send(producer: KafkaProducer, proposal: ActivityProposed) -> None:
    meta = new_event("events.ActivityProposed", "bench", None)
    producer.send(
        EVENT_PROPOSALS.name,
        key=encode(ProposalKey(proposal_id=proposal.proposal_id)),
        value=encode(proposal),
        headers=meta.to_headers(),
    )


def decisions_run(proposals: list[ActivityProposed], rate: float) -> Run:
    """Send ``proposals`` at ``rate`` per second; the latency of each one's first decision."""
    wanted = {str(p.proposal_id) for p in proposals}
    seen: dict[str, float] = {}
    consumer = KafkaConsumer(bootstrap_servers=CONFIG.bootstrap, group_id=None, api_version=API_VERSION)
    partitions = [
        TopicPartition(CALENDAR.name, p) for p in sorted(consumer.partitions_for_topic(CALENDAR.name))
    ]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for tp in partitions:
        consumer.position(tp)
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            for records in consumer.poll(timeout_ms=50).values():
                now = time.perf_counter()
                for record in records:
                    key = json.loads(record.key)["proposal_id"]
                    if key in wanted and key not in seen:
                        seen[key] = now

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    producer = KafkaProducer(
        bootstrap_servers=CONFIG.bootstrap, acks="all", linger_ms=0, api_version=API_VERSION
    )
    sent_at: dict[str, float] = {}
    started = time.perf_counter()
    for index, proposal in enumerate(proposals):
        pause = started + index / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        sent_at[str(proposal.proposal_id)] = time.perf_counter()
        _send(producer, proposal)
    producer.flush()
    deadline = time.perf_counter() + 60
    while len(seen) < len(proposals) and time.perf_counter() < deadline:
        time.sleep(0.05)
    done.set()
    listener.join()
    consumer.close()
    producer.close()
    latencies = [(seen[k] - sent_at[k]) * 1000 for k in seen]
    return Run(rate=rate, sent=len(proposals), decided=len(seen), latencies_ms=latencies)


def _fresh(proposals: list[ActivityProposed], run: int) -> list[ActivityProposed]:
    """The same season with new ids (each run decides a new set of proposals), shifted a year per run."""
    import uuid

    shifted = []
    for p in proposals:
        days = [d.replace(year=d.year + 1 + run) for d in p.preferred_dates]
        shifted.append(p.model_copy(update={"proposal_id": uuid.uuid4(), "preferred_dates": days}))
    return shifted


def machine() -> dict[str, Any]:
    """What this ran on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "kafka": "3.9.1",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def main(runs: int = 3, rate: float = 200.0) -> None:
    proposals, rules = make_season(seed=11, organizations=50, proposals=1000, weeks=12)
    shutil.rmtree(CONFIG.var, ignore_errors=True)
    stack = Stack(CONFIG)
    results: dict[str, Any] = {"machine": machine(), "cases": {}}
    try:
        with console.status("starting Kafka and the events worker…"):
            stack.broker("start")
            stack.start_services([p for p in PROCESSES if p.name == "events-worker"])
            producer = KafkaProducer(bootstrap_servers=CONFIG.bootstrap, acks="all", api_version=API_VERSION)
            producer.send(CALENDAR_RULES.name, key=encode(RulesKey()), value=encode(rules)).get(timeout=10)
            producer.close()
        with console.status("warming up…"):
            decisions_run(_fresh(proposals[:100], 99), rate)
        p50, p99, throughput = [], [], []
        for run in range(runs):
            with console.status(f"decisions, run {run + 1} of {runs}…"):
                measured = decisions_run(_fresh(proposals, run), rate)
            if measured.decided < measured.sent:
                console.print(f"[red]only {measured.decided} of {measured.sent} decided[/red]")
            p50.append(measured.percentile(0.50))
            p99.append(measured.percentile(0.99))
            throughput.append(measured.decided)
        results["cases"]["decision_latency_ms_p50"] = _spread(p50)
        results["cases"]["decision_latency_ms_p99"] = _spread(p99)
        results["cases"]["decision_rate_per_s"] = rate
        results["cases"].update(pipeline_cases(stack, runs))
    finally:
        stack.down()
    plan_times = []
    for _ in range(runs):
        with console.status("planning the season…"):
            plan = plan_season(proposals, rules, today=date(2026, 11, 27))
        plan_times.append(plan.seconds)
    results["cases"]["season_plan_s"] = _spread(plan_times)
    results["cases"]["season_plan_status"] = plan.status
    write(results)


def pipeline_cases(stack: Stack, runs: int, count: int = 10_000) -> dict[str, Any]:
    """Interests → matching-worker → cases at saturation, and the plain loop on the same broker."""
    with console.status("starting the matching worker…"):
        stack.start_services([p for p in PROCESSES if p.name == "matching-worker"])
    with console.status("warming up the pipeline…"):
        pipeline_throughput(CONFIG.bootstrap, 1000)
        plain_loop_throughput(CONFIG.bootstrap, 1000)
    pipeline, plain, ratio = [], [], []
    for run in range(runs):
        with console.status(f"pipeline and plain loop, run {run + 1} of {runs}…"):
            through = pipeline_throughput(CONFIG.bootstrap, count)
            limit = plain_loop_throughput(CONFIG.bootstrap, count)
        pipeline.append(through)
        plain.append(limit)
        ratio.append(through / limit)
    return {
        "pipeline_interests_per_s": _spread(pipeline),
        "plain_loop_interests_per_s": _spread(plain),
        "pipeline_to_plain_loop_ratio": _spread(ratio),
    }


def write(results: dict[str, Any]) -> None:
    """bench/results/latest.json and latest.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"Kafka {m['kafka']} — {m['when']}.",
        "Each figure: median (min–max) over the runs of one `make bench`.",
        "",
        "| case | median | min | max | target |",
        "|---|---|---|---|---|",
    ]
    targets = {
        "decision_latency_ms_p99": "< 50 ms",
        "season_plan_s": "< 10 s",
        "pipeline_interests_per_s": "≥ 1,000",
        "pipeline_to_plain_loop_ratio": "≥ 0.25",
    }
    for name, value in results["cases"].items():
        if isinstance(value, dict):
            lines.append(
                f"| {name} | {value['median']} | {value['min']} | {value['max']} | {targets.get(name, '')} |"
            )
        else:
            lines.append(f"| {name} | {value} | | | |")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = Table(title="make bench")
    for column in ("case", "median", "min", "max"):
        table.add_column(column)
    for name, value in results["cases"].items():
        if isinstance(value, dict):
            table.add_row(name, str(value["median"]), str(value["min"]), str(value["max"]))
    console.print(table)
    console.print(f"written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
