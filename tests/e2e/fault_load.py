"""The moving parts of the fault run (tests/e2e/test_fault_run.py): clients that retry, the load
they send in steps, and the faults injected between the steps.

A request counts as accepted only when an API acknowledged it (2xx). A client retries the same
body and headers after a connection error or a 503, with backoff. Each request carries its own
Idempotency-Key, so a retry after an answer that was lost (the API killed after Kafka
acknowledged) names the same person or proposal as the first attempt: the run checks from the
topics that nothing was recorded twice.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from tools.stack import PROCESSES, Process, Stack
from tools.waiting import eventually

PAUSE_S = 2.0  # between a kill -9 and the restart
BROKER_DOWN_S = 15.0  # at least; the probes of the three APIs take what they take
GIVE_UP_S = 300.0  # a request not acknowledged after this long counts as never acknowledged
BROKER = "kafka"


@dataclass
class Request:
    """One write a client makes until an API acknowledges it."""

    index: int
    api: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    answer: dict[str, Any] | None = None  # the body of the 2xx that acknowledged it
    answers: list[str] = field(default_factory=list)  # every attempt: a status or an exception name


class Tally:
    """Every answer of every API, and when the 503s came (thread-safe)."""

    def __init__(self, started: float) -> None:
        self._lock = threading.Lock()
        self.started = started
        self.answers: dict[str, Counter[str]] = defaultdict(Counter)
        self.unavailable_at: list[float] = []  # seconds since the start, of each 503
        self.acknowledged_at: dict[str, list[float]] = defaultdict(list)

    def record(self, api: str, answer: str) -> None:
        with self._lock:
            self.answers[api][answer] += 1
            if answer == "503":
                self.unavailable_at.append(time.monotonic() - self.started)
            elif answer.startswith("2"):
                self.acknowledged_at[api].append(time.monotonic() - self.started)

    def first_acknowledged(self, api: str, after: float) -> float | None:
        """When ``api`` first acknowledged a write after ``after`` (seconds since the start)."""
        with self._lock:
            return min((t for t in self.acknowledged_at[api] if t >= after), default=None)

    def count(self, match: Callable[[str], bool]) -> int:
        with self._lock:
            return sum(n for counter in self.answers.values() for a, n in counter.items() if match(a))

    def other_server_errors(self) -> dict[str, dict[str, int]]:
        """Answers 5xx other than 503, by API."""
        with self._lock:
            return {
                api: {a: n for a, n in counter.items() if a.startswith("5") and a != "503"}
                for api, counter in self.answers.items()
                if any(a.startswith("5") and a != "503" for a in counter)
            }


def post_until_acknowledged(client: httpx.Client, request: Request, tally: Tally) -> None:
    """POST ``request`` until a 2xx, retrying connection errors and 503 with the same body.

    Any other answer (4xx, 5xx other than 503) is final: the request is not acknowledged.
    """
    delay, deadline = 0.25, time.monotonic() + GIVE_UP_S
    while True:
        try:
            response = client.post(request.path, json=request.body, headers=request.headers)
        except httpx.TransportError as exc:  # refused, reset, timed out: the API was killed or stuck
            answer = type(exc).__name__
        else:
            answer = str(response.status_code)
            if response.is_success:
                request.answer = response.json()
        request.answers.append(answer)
        tally.record(request.api, answer)
        if request.answer is not None or (answer[0].isdigit() and answer != "503"):
            return
        if time.monotonic() > deadline:
            return
        time.sleep(delay)
        delay = min(delay * 2, 4.0)


class Clients:
    """A pool of client threads per API, each taking requests from its API's queue."""

    def __init__(self, urls: dict[str, str], threads: dict[str, int], tally: Tally) -> None:
        self._queues: dict[str, queue.Queue[Request | None]] = {
            api: queue.Queue(maxsize=20) for api in threads
        }
        self._threads = [
            threading.Thread(
                target=self._serve, args=(urls[api], api, tally), name=f"client-{api}-{n}", daemon=True
            )
            for api, count in threads.items()
            for n in range(count)
        ]
        self._per_api = threads
        for thread in self._threads:
            thread.start()

    def _serve(self, url: str, api: str, tally: Tally) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while (request := self._queues[api].get()) is not None:
                post_until_acknowledged(client, request, tally)

    def submit(self, request: Request) -> None:
        self._queues[request.api].put(request)  # blocks while the API's clients are busy retrying

    def close(self, timeout: float) -> None:
        """Wait until every request submitted is answered for good (or given up)."""
        for api, count in self._per_api.items():
            for _ in range(count):
                self._queues[api].put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in self._threads if t.is_alive()]
        assert not stuck, f"clients still retrying after {timeout:.0f}s: {stuck}"


@dataclass
class Injected:
    """One fault, when it began and ended (seconds since the start), and what was seen."""

    target: str
    began: float
    ended: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


class Faults:
    """kill -9 and restart one process, or stop and start the broker, one fault at a time."""

    def __init__(self, stack: Stack, tally: Tally, probes: dict[str, Callable[[], str]]) -> None:
        self.stack = stack
        self.tally = tally
        self.probes = probes  # one write per API, answering its status, for while the broker is down
        self.injected: list[Injected] = []
        self.error: BaseException | None = None
        self._processes = {p.name: p for p in PROCESSES}

    def _now(self) -> float:
        return round(time.monotonic() - self.tally.started, 1)

    def inject(self, target: str) -> None:
        """Inject one fault; an exception is kept for the test's thread to raise."""
        fault = Injected(target, self._now())
        self.injected.append(fault)
        try:
            if target == BROKER:
                self._restart_broker(fault)
            else:
                self._kill_and_restart(self._processes[target])
        except BaseException as exc:  # raised again in the test's thread
            self.error = exc
        fault.ended = self._now()

    def _kill_and_restart(self, process: Process) -> None:
        self.stack.stop(process.name, sig=signal.SIGKILL)
        time.sleep(PAUSE_S)
        self.stack.start_services([process])  # waits until it is ready again

    def _restart_broker(self, fault: Injected) -> None:
        before = {p.name: self.stack.pid(p.name) for p in PROCESSES}
        self.stack.broker("stop")
        fault.notes["stopped_at"] = self._now()
        # While it is down, a write to each API answers 503 (asked at the same time).
        answers: dict[str, str] = {}

        def ask(api: str) -> None:
            answers[api] = self.probes[api]()

        threads = [threading.Thread(target=ask, args=(api,), daemon=True) for api in self.probes]
        for thread in threads:
            thread.start()
        time.sleep(BROKER_DOWN_S)
        for thread in threads:
            thread.join(60)
        fault.notes["writes_while_down"] = answers
        self.stack.broker("start")
        fault.notes["started_at"] = self._now()
        # No process is restarted: each API answers /health 200 again by itself.
        for process in (p for p in PROCESSES if p.is_api):
            url = self.stack.config.url(process) + "/health"
            eventually(partial(_healthy, url), 180, f"{process.name} healthy after the broker restart")
        fault.notes["apis_healthy_at"] = self._now()
        after = {p.name: self.stack.pid(p.name) for p in PROCESSES}
        fault.notes["same_processes"] = before == after and None not in after.values()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def run(
    requests: Sequence[Request], schedule: Sequence[str], clients: Clients, faults: Faults, rate: float
) -> None:
    """Send ``requests`` at ``rate`` per second in len(schedule) + 1 steps, injecting fault k
    when step k begins; step k + 1 waits until fault k is over, so every fault meets the load."""
    steps = len(schedule) + 1
    per_step = -(-len(requests) // steps)
    injector: threading.Thread | None = None
    next_at = time.monotonic()
    for step in range(steps):
        if step > 0:
            if injector is not None:
                injector.join()
            if faults.error is not None:
                raise faults.error
            injector = threading.Thread(
                target=faults.inject, args=(schedule[step - 1],), name="faults", daemon=True
            )
            injector.start()
        for request in requests[step * per_step : (step + 1) * per_step]:
            next_at = max(next_at + 1 / rate, time.monotonic() - 1)
            time.sleep(max(0.0, next_at - time.monotonic()))
            clients.submit(request)
    if injector is not None:
        injector.join()
    if faults.error is not None:
        raise faults.error
