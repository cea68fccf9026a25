"""Intake case: concurrent HTTP clients declaring interests on matching-api (POST /interests).

Each client sends its requests one after the other for a fixed time (aiohttp, one
keep-alive connection per client: it takes about a third of httpx's CPU per request,
which on two cores is CPU the API and the broker need); the case reports requests per second answered 202
and the latency percentiles of the requests. Each request is what the API does
for real: validate, check the counsellor's token, write the contact to
contacts.v1 and the interest to interests.v1, each acknowledged by the broker.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from services.common.auth import AuthSettings, Role, mint
from services.matching.models import InterestCreate

from .harness import percentile

STATUSES = ("permanent_resident", "temporary_worker", "international_student", "protected_person")


def intake_body(n: int) -> dict[str, Any]:
    """The ``n``-th POST /interests body: the one place that knows the request model (adapt it here).

    Intake v2 (``consents`` per purpose, ``occupations``) when the model has it, else version 1.
    """
    body: dict[str, Any] = {
        "contact": {"name": f"Personne {n}", "email": f"personne{n}@example.org", "phone": "+1 514 555 0100"},
        "immigration_status": STATUSES[n % len(STATUSES)],
        "french_level": 1 + n % 12,
        "preferred_regions": [["05", "16"], ["02"], [], ["08", "01", "11"]][n % 4],
        "language": "fr" if n % 3 else "en",
    }
    if "consents" in InterestCreate.model_fields:
        body["consents"] = {"contact": True, "referral": n % 2 == 0, "share_contact": n % 4 == 0}
        body["occupations"] = [{"cnp": ["21231", "72410", "31301", "63200"][n % 4], "years": n % 15}]
    else:
        body["consent_to_contact"] = True
        body["occupation"] = ["21231", "72410", "31301", "63200"][n % 4]
    return body


def check_body() -> None:
    """Fail early, with the model's own message, when ``intake_body`` no longer fits the API."""
    InterestCreate.model_validate(intake_body(1))


@dataclass
class IntakeRun:
    """One run: requests answered 202 per second, their latency percentiles (ms), and failures."""

    clients: int
    accepted: int
    failed: int
    per_s: float
    p50: float
    p99: float
    max: float


async def _client(
    http: aiohttp.ClientSession, url: str, first: int, until: float, latencies: list[float], errors: list[int]
) -> None:
    n = first
    while time.perf_counter() < until:
        started = time.perf_counter()
        async with http.post(url, json=intake_body(n)) as response:
            await response.read()
            if response.status == 202:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors.append(response.status)
        n += 1


async def _run(base_url: str, clients: int, seconds: float) -> IntakeRun:
    token = mint(AuthSettings(), "bench-counsellor", Role.COUNSELLOR)
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors: list[int] = []
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url, headers=headers, connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(_client(http, "/interests", c * 10_000_000, until, latencies, errors) for c in range(clients))
        )
        elapsed = time.perf_counter() - started
    ordered = latencies or [float("nan")]
    return IntakeRun(
        clients=clients,
        accepted=len(latencies),
        failed=len(errors),
        per_s=len(latencies) / elapsed,
        p50=percentile(ordered, 0.50),
        p99=percentile(ordered, 0.99),
        max=max(ordered),
    )


def intake_run(base_url: str, clients: int, seconds: float) -> IntakeRun:
    """``clients`` concurrent clients posting interests for ``seconds``."""
    return asyncio.run(_run(base_url, clients, seconds))
