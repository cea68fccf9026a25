"""Calendar cases: decision latency through the running events worker, and season-planning
time, on a synthetic season of 1,000 proposals from 50 organizations over 12 weeks.

The events worker is started on the benchmark's broker with the default rules;
the season's proposals are sent at a fixed rate and, for each, the time from the
send to the decision on calendar.v1 (consumed by this process) is measured.
Planning time is the CP-SAT season plan of the same proposals. Run by ``make bench``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from rich.console import Console

from analysis.planner import plan_season
from analysis.season import make_season
from services.common.cloudevents import new_event
from services.common.codec import encode
from services.common.contracts import ActivityProposed, ProposalKey, RulesKey
from services.common.kafka import API_VERSION, client_options
from services.common.topics import CALENDAR, CALENDAR_RULES, EVENT_PROPOSALS
from tools.stack import PROCESSES, Stack

from .harness import load
from .report import case

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


def decisions_run(bootstrap: str, proposals: list[ActivityProposed], rate: float) -> Run:
    """Send ``proposals`` at ``rate`` per second; the latency of each one's first decision."""
    wanted = {str(p.proposal_id) for p in proposals}
    seen: dict[str, float] = {}
    consumer = KafkaConsumer(**client_options(bootstrap), group_id=None, api_version=API_VERSION)
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
    producer = KafkaProducer(**client_options(bootstrap), acks="all", linger_ms=0, api_version=API_VERSION)
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
    shifted = []
    for p in proposals:
        days = [d.replace(year=d.year + 1 + run) for d in p.preferred_dates]
        shifted.append(p.model_copy(update={"proposal_id": uuid.uuid4(), "preferred_dates": days}))
    return shifted


def calendar_cases(stack: Stack, bootstrap: str, runs: int, rate: float = 200.0) -> dict[str, Any]:
    """Decision latency through the events worker (started here, stopped after)."""
    proposals, rules = make_season(seed=11, organizations=50, proposals=1000, weeks=12)
    stack.start_services([p for p in PROCESSES if p.name == "events-worker"])
    try:
        producer = KafkaProducer(**client_options(bootstrap), acks="all", api_version=API_VERSION)
        producer.send(CALENDAR_RULES.name, key=encode(RulesKey()), value=encode(rules)).get(timeout=10)
        producer.close()
        decisions_run(bootstrap, _fresh(proposals[:100], 99), rate)
        p50, p99, loads = [], [], []
        for run in range(runs):
            measured = decisions_run(bootstrap, _fresh(proposals, run), rate)
            if measured.decided < measured.sent:
                console.print(f"[red]only {measured.decided} of {measured.sent} decided[/red]")
            p50.append(measured.percentile(0.50))
            p99.append(measured.percentile(0.99))
            loads.append(load()[0])
    finally:
        stack.stop("events-worker")
    note = f"1,000 proposals at {rate:.0f}/s, send → decision on calendar.v1"
    return {
        "decision_latency_p50_ms": case(p50, "ms", "", note, loads),
        "decision_latency_p99_ms": case(p99, "ms", "< 50", note, loads),
    }


def planning_cases(runs: int) -> dict[str, Any]:
    """CP-SAT plan of the same season (pure, no Kafka)."""
    proposals, rules = make_season(seed=11, organizations=50, proposals=1000, weeks=12)
    times, loads, status = [], [], ""
    for _ in range(runs):
        plan = plan_season(proposals, rules, today=date(2026, 11, 27))
        times.append(plan.seconds)
        loads.append(load()[0])
        status = plan.status
    return {"season_plan_s": case(times, "s", "< 10", f"1,000 proposals, status {status}", loads)}
