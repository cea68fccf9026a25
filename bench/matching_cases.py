"""Matching cases of ``make bench``: the pipeline at saturation against the plain loops, latency at
fixed rates, resident memory over 100,000 interests, and the HTTP intake API.

Each case runs after a warm-up, ``runs`` times; the pipeline and the plain loops
alternate within each run so that their ratio compares figures taken under the
same load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

from services.common.contracts import Offer
from services.partners.catalogue import catalogue_offers
from tools.stack import PROCESSES, Stack, StackError

from .harness import cpu_s, load, rss_mib
from .intake import check_body, intake_run
from .limit import aiokafka_loop, confluent_loop, preload
from .pipeline import fixed_rate, saturation
from .report import case
from .workload import publish_catalogue, records

console = Console()
THROUGHPUT_COUNT = 10_000
MEMORY_COUNT = 100_000
MEMORY_STEP = 10_000
LATENCY_SECONDS = 10.0
INTAKE_CLIENTS = 32
INTAKE_SECONDS = 10.0


def _offers() -> list[Offer]:
    from datetime import UTC, datetime

    return catalogue_offers(datetime.now(UTC))


def throughput_cases(bootstrap: str, runs: int, pids: dict[str, int]) -> dict[str, Any]:
    """Pipeline at saturation and the two plain loops, alternating, run by run.

    Besides the rates, the CPU time each interest costs: the worker's and the
    broker's for the pipeline, this process's for the plain loops (a figure the
    other loads of a shared machine barely move).
    """
    offers = _offers()
    saturation(bootstrap, records(2_000))  # warm-up
    preload(bootstrap, records(THROUGHPUT_COUNT))
    aiokafka_loop(bootstrap, 2_000, offers)
    confluent_loop(bootstrap, 2_000, offers)
    rates: dict[str, list[float]] = {k: [] for k in ("pipeline", "aiokafka", "confluent")}
    cpu: dict[str, list[float]] = {k: [] for k in ("worker", "broker", "aiokafka", "confluent")}
    loads = []
    per_interest = 1e6 / THROUGHPUT_COUNT  # seconds of CPU → µs per interest
    for run in range(runs):
        console.print(f"  throughput, run {run + 1} of {runs}")
        worker, broker = cpu_s(pids["matching-worker"]), cpu_s(pids["kafka"])
        measured = saturation(bootstrap, records(THROUGHPUT_COUNT))
        cpu["worker"].append((cpu_s(pids["matching-worker"]) - worker) * per_interest)
        cpu["broker"].append((cpu_s(pids["kafka"]) - broker) * per_interest)
        if measured.handled < measured.sent:
            console.print(f"[red]only {measured.handled} of {measured.sent} cases[/red]")
        rates["pipeline"].append(measured.per_s)
        for name, loop in (("aiokafka", aiokafka_loop), ("confluent", confluent_loop)):
            started = time.process_time()
            rates[name].append(loop(bootstrap, THROUGHPUT_COUNT, offers))
            cpu[name].append((time.process_time() - started) * per_interest)
        loads.append(load()[0])
    count = f"{THROUGHPUT_COUNT:,} interests"
    ratio = [p / q for p, q in zip(rates["pipeline"], rates["aiokafka"], strict=True)]
    ratio_c = [p / q for p, q in zip(rates["pipeline"], rates["confluent"], strict=True)]
    return {
        "pipeline_saturation": case(
            rates["pipeline"], "interests/s", "≥ 1000", f"{count} at full speed → worker → cases.v1", loads, 0
        ),
        "plain_loop_aiokafka": case(rates["aiokafka"], "interests/s", "", f"{count}, same work", loads, 0),
        "plain_loop_confluent": case(rates["confluent"], "interests/s", "", f"{count}, librdkafka", loads, 0),
        "pipeline_to_aiokafka_loop": case(ratio, "ratio", "≥ 0.25", "same run", loads),
        "pipeline_to_confluent_loop": case(ratio_c, "ratio", "", "same run", loads),
        "worker_cpu_per_interest": case(cpu["worker"], "µs", "", "matching-worker, at saturation", loads, 0),
        "broker_cpu_per_interest": case(
            cpu["broker"], "µs", "", "Kafka, at saturation (both hops)", loads, 0
        ),
        "aiokafka_loop_cpu_per_interest": case(cpu["aiokafka"], "µs", "", "plain aiokafka loop", loads, 0),
        "confluent_loop_cpu_per_interest": case(
            cpu["confluent"], "µs", "", "plain librdkafka loop", loads, 0
        ),
    }


def latency_cases(bootstrap: str, runs: int, saturated: float) -> dict[str, Any]:
    """Latency from the produce to the case at 200/s and at 50 % and 80 % of saturation."""
    out: dict[str, Any] = {}
    fixed_rate(bootstrap, records(400), 200)  # warm-up
    for label, rate in (("200_per_s", 200.0), ("50pct", 0.5 * saturated), ("80pct", 0.8 * saturated)):
        count = int(rate * LATENCY_SECONDS)
        p50, p99, p999, loads = [], [], [], []
        for run in range(runs):
            console.print(f"  latency at {rate:,.0f}/s, run {run + 1} of {runs}")
            measured = fixed_rate(bootstrap, records(count), rate)
            if measured.handled < measured.sent or measured.achieved_rate < 0.95 * rate:
                achieved = f"{measured.achieved_rate:.0f}/s"
                console.print(f"[red]{measured.handled} of {measured.sent} cases, sent at {achieved}")
            p50.append(measured.p50)
            p99.append(measured.p99)
            p999.append(measured.p999)
            loads.append(load()[0])
        note = f"{count:,} interests at {rate:,.0f}/s, produce → case read back"
        target = "< 100" if label == "200_per_s" else ""
        out[f"latency_{label}_p50"] = case(p50, "ms", "", note, loads, 1)
        out[f"latency_{label}_p99"] = case(p99, "ms", target, note, loads, 1)
        out[f"latency_{label}_p99.9"] = case(p999, "ms", "", note, loads, 1)
    return out


def memory_case(bootstrap: str, rss: Callable[[], dict[str, float]]) -> dict[str, Any]:
    """100,000 interests at full speed in steps of 10,000; the resident memory after each step."""
    points = [{"label": "before (after the other cases)", "rss_mib": rss()}]
    rates = []
    for done in range(MEMORY_STEP, MEMORY_COUNT + 1, MEMORY_STEP):
        console.print(f"  memory: {done:,} of {MEMORY_COUNT:,} interests")
        rates.append(saturation(bootstrap, records(MEMORY_STEP)).per_s)
        points.append({"label": f"{done:,}", "rss_mib": rss()})
    return {
        "note": f"{MEMORY_COUNT:,} interests sent at full speed in steps of {MEMORY_STEP:,}, "
        "after the throughput and latency cases, matching-api running (its read model holds every "
        "case); the step's throughput (interests/s) is in the JSON.",
        "points": points,
        "step_throughput": [round(r) for r in rates],
    }


def intake_cases(api_url: str, runs: int, pids: dict[str, int]) -> dict[str, Any]:
    """Concurrent clients on POST /interests (the matching worker keeps running), and the CPU time
    each request costs the API, the worker, the broker and the clients (this process)."""
    check_body()
    intake_run(api_url, INTAKE_CLIENTS, 3.0)  # warm-up
    rates, p50, p99, loads = [], [], [], []
    cpu: dict[str, list[float]] = {"matching-api": [], "matching-worker": [], "kafka": [], "clients": []}
    for run in range(runs):
        console.print(f"  intake, run {run + 1} of {runs}")
        before = {name: cpu_s(pids[name]) for name in cpu if name != "clients"}
        clients = time.process_time()
        measured = intake_run(api_url, INTAKE_CLIENTS, INTAKE_SECONDS)
        for name in before:
            cpu[name].append((cpu_s(pids[name]) - before[name]) * 1e6 / max(1, measured.accepted))
        cpu["clients"].append((time.process_time() - clients) * 1e6 / max(1, measured.accepted))
        if measured.failed:
            console.print(f"[red]{measured.failed} requests failed[/red]")
        rates.append(measured.per_s)
        p50.append(measured.p50)
        p99.append(measured.p99)
        loads.append(load()[0])
    note = f"{INTAKE_CLIENTS} concurrent clients for {INTAKE_SECONDS:.0f} s, POST /interests → 202"
    out = {
        "intake_api": case(rates, "requests/s", "≥ 500", note, loads, 0),
        "intake_api_p50": case(p50, "ms", "", note, loads, 1),
        "intake_api_p99": case(p99, "ms", "", note, loads, 1),
    }
    for name, values in cpu.items():
        out[f"intake_cpu_per_request_{name}"] = case(
            values, "µs", "", f"{name}, during the intake runs", loads, 0
        )
    return out


def matching_cases(stack: Stack, bootstrap: str, runs: int, skip: set[str]) -> dict[str, Any]:
    """The matching cases not in ``skip``; returns ``{"cases": …, "memory": …}``."""
    publish_catalogue(bootstrap)
    worker = next(p for p in PROCESSES if p.name == "matching-worker")
    api = next(p for p in PROCESSES if p.name == "matching-api")
    stack.start_services([worker])

    def pids() -> dict[str, int]:
        broker = int((stack.config.var / "kafka" / "broker.pid").read_text())
        return {n: p for n, p in stack.running().items() if n != "mailsink"} | {"kafka": broker}

    def rss() -> dict[str, float]:
        return {name: rss_mib(pid) for name, pid in sorted(pids().items())}

    cases: dict[str, Any] = {}
    out: dict[str, Any] = {"cases": cases}
    if "throughput" not in skip:
        console.print("pipeline and plain loops")
        cases |= throughput_cases(bootstrap, runs, pids())
    if "latency" not in skip:
        console.print("latency at fixed rates")
        saturated = cases["pipeline_saturation"]["median"] if cases else 1000.0
        cases |= latency_cases(bootstrap, runs, saturated)
    if {"memory", "intake"} - skip:
        # Started only now: its read model of cases.v1 would take CPU from the cases above.
        console.print("starting matching-api (it rebuilds its read model of every case so far)")
        started = time.perf_counter()
        try:
            stack.start_services([api])
        except StackError:  # more than 90 s on a busy machine: give it longer
            stack.wait_ready(api, timeout=600)
        rebuilt = time.perf_counter() - started
        cases["matching_api_start_s"] = case([rebuilt], "s", "", "start + rebuild of cases.v1", [load()[0]])
    if "memory" not in skip:
        out["memory"] = memory_case(bootstrap, rss)
    if "intake" not in skip:
        console.print("intake API")
        cases |= intake_cases(stack.config.url(api), runs, pids())
        if "memory" in out:
            out["memory"]["points"].append({"label": "after the intake runs", "rss_mib": rss()})
    return out
