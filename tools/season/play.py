"""After a season is loaded: the organizers answer the calendar's joint suggestions, the workers
catch up, and the hub runs a concertation round, all through the public APIs.

Organizers answer as a delegate would: a suggestion to join an activity held on one of the
proposal's own preferred dates is accepted (one pavilion instead of two kiosks on a day it
wanted anyway); one on another day is declined, and the proposal is decided on its own.

"Caught up" means: every proposal has a decision that is no longer a suggestion, every
person has a case, and each worker's consumer group has committed every record of its
input topics (so every email the notifications worker will send is sent).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from kafka import KafkaConsumer, TopicPartition

from services.common.auth import AuthSettings, Role, mint
from services.common.kafka import API_VERSION, AdminClient, client_options
from services.common.topics import (
    CALENDAR,
    CALENDAR_COMMANDS,
    CALENDAR_RULES,
    CASES,
    EVENT_PROPOSALS,
    INTERESTS,
    MATCHING_COMMANDS,
    REFERRALS,
)
from tools.waiting import eventually

WORKER_INPUTS: Mapping[str, tuple[str, ...]] = {
    "concerto-events-worker": (EVENT_PROPOSALS.name, CALENDAR_COMMANDS.name, CALENDAR_RULES.name),
    "concerto-matching-worker": (INTERESTS.name, MATCHING_COMMANDS.name),
    "concerto-notifications-worker": (CALENDAR.name, CASES.name, REFERRALS.name),
}
"""Each worker's consumer group and the topics it consumes."""


@dataclass
class JointAnswers:
    """What the organizers answered to the calendar's joint suggestions (proposal ids)."""

    accepted: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)


def token(
    auth: AuthSettings, role: Role, partner_id: str | None = None, subject: str = "demo"
) -> dict[str, str]:
    """An Authorization header for ``role`` (bound to a partner for partners and delegates)."""
    bound = uuid.UUID(partner_id) if partner_id else None
    return {"Authorization": f"Bearer {mint(auth, f'{subject}-{role.value}', role, bound)}"}


def calendar(events: httpx.Client, auth: AuthSettings) -> list[dict[str, Any]]:
    """Every decision of the calendar (events-api)."""
    response = events.get("/calendar", headers=token(auth, Role.HUB))
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()
    return entries


def wait_for_decisions(
    events: httpx.Client, auth: AuthSettings, proposals: int, timeout: float, settled: bool = False
) -> list[dict[str, Any]]:
    """The calendar once it decided ``proposals`` proposals (and, if ``settled``, none is a suggestion).

    A time-out names what was missing: how many decisions there were, and which proposals were
    still suggestions, by id and status."""
    seen: list[dict[str, Any]] = []

    def decided() -> list[dict[str, Any]] | None:
        entries = calendar(events, auth)
        seen[:] = entries
        if len(entries) < proposals:
            return None
        if settled and any(e["status"] == "joint_suggested" for e in entries):
            return None
        return entries

    def missing() -> str:
        waiting = [e for e in seen if settled and e["status"] == "joint_suggested"]
        named = ", ".join(f"{e['proposal_id']} ({e['status']})" for e in waiting[:10])
        return f"{len(seen)} of {proposals} decided" + (f"; still suggestions: {named}" if named else "")

    return eventually(decided, timeout, f"a decision on each of the {proposals} proposals", missing)


def settle_calendar(
    events: httpx.Client, auth: AuthSettings, proposals: int, timeout: float, max_rounds: int = 10
) -> tuple[list[dict[str, Any]], JointAnswers]:
    """Answer the joint suggestions until none is left, and the settled calendar.

    An answer can lead to another suggestion (the host moved or filled up meanwhile, so the
    proposal is decided again and may be invited elsewhere): each new suggestion is answered in
    turn, up to ``max_rounds`` times, after which the wait names the proposals still waiting."""
    answers = JointAnswers()
    entries = wait_for_decisions(events, auth, proposals, timeout)
    answered: set[tuple[str, str]] = set()
    for _ in range(max_rounds):
        open_ = [
            e
            for e in entries
            if e["status"] == "joint_suggested" and (e["proposal_id"], e["decided_at"]) not in answered
        ]
        if not open_:
            pending = [e for e in entries if e["status"] == "joint_suggested"]
            if not pending:
                return entries, answers
        else:
            answered.update((e["proposal_id"], e["decided_at"]) for e in open_)
            more = answer_joint_suggestions(events, auth, open_)
            answers.accepted += more.accepted
            answers.declined += more.declined
        entries = _after_answers(events, auth, proposals, timeout, answered)
    return wait_for_decisions(events, auth, proposals, timeout, settled=True), answers


def _after_answers(
    events: httpx.Client,
    auth: AuthSettings,
    proposals: int,
    timeout: float,
    answered: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    """The calendar once no suggestion already answered is still shown as it was (decided anew)."""

    def moved_on() -> list[dict[str, Any]] | None:
        entries = calendar(events, auth)
        stale = [
            e
            for e in entries
            if e["status"] == "joint_suggested" and (e["proposal_id"], e["decided_at"]) in answered
        ]
        return None if stale or len(entries) < proposals else entries

    return eventually(moved_on, timeout, "a decision on every answered joint suggestion")


def answer_joint_suggestions(
    events: httpx.Client, auth: AuthSettings, entries: list[dict[str, Any]]
) -> JointAnswers:
    """Each organizer invited to join an activity accepts it on one of its dates, declines it otherwise."""
    answers = JointAnswers()
    for entry in entries:
        if entry["status"] != "joint_suggested":
            continue
        accept = entry["day"] in entry["preferred_dates"]
        action = "accept-joint" if accept else "decline-joint"
        headers = token(auth, Role.DELEGATE, entry["organizer_id"])
        response = events.post(f"/proposals/{entry['proposal_id']}/{action}", headers=headers)
        response.raise_for_status()
        (answers.accepted if accept else answers.declined).append(entry["proposal_id"])
    return answers


def wait_for_cases(matching: httpx.Client, auth: AuthSettings, people: int, timeout: float) -> int:
    """The number of cases once matching-api holds one for each of ``people`` people."""

    def opened() -> int | None:
        response = matching.get("/cases", headers=token(auth, Role.HUB))
        count = len(response.json()) if response.status_code == 200 else 0
        return count if count >= people else None

    return eventually(opened, timeout, f"a case for each of the {people} people")


def lag(bootstrap: str, inputs: Mapping[str, tuple[str, ...]] = WORKER_INPUTS) -> dict[str, int]:
    """Records each worker has not committed yet, by consumer group."""
    admin = AdminClient(**client_options(bootstrap), api_version=API_VERSION)
    consumer = KafkaConsumer(**client_options(bootstrap), group_id=None, api_version=API_VERSION)
    try:
        committed = admin.list_group_offsets(list(inputs))
        behind: dict[str, int] = {}
        for group, topics in inputs.items():
            partitions = [
                TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])
            ]
            ends = consumer.end_offsets(partitions)
            done = committed.get(group, {})
            behind[group] = sum(
                max(0, ends[tp] - (done[tp].offset if tp in done and done[tp].offset >= 0 else 0))
                for tp in partitions
            )
        return behind
    finally:
        consumer.close()
        admin.close()


def wait_for_workers(bootstrap: str, timeout: float, on_lag: Callable[[int], None] | None = None) -> None:
    """Until every worker has handled every record of its inputs."""

    def idle() -> bool:
        behind = sum(lag(bootstrap).values())
        if on_lag is not None:
            on_lag(behind)
        return behind == 0

    eventually(idle, timeout, "the workers to catch up")


def run_round(matching: httpx.Client, auth: AuthSettings, timeout: float) -> dict[str, Any]:
    """A concertation round requested by the hub (POST /rounds), once its result is published."""
    hub = token(auth, Role.HUB)
    requested = matching.post("/rounds", headers=hub)
    requested.raise_for_status()
    url = requested.json()["round_url"]

    def result() -> dict[str, Any] | None:
        response = matching.get(url, headers=hub)
        found: dict[str, Any] | None = response.json() if response.status_code == 200 else None
        return found

    began = time.monotonic()
    outcome = eventually(result, timeout, "the concertation round")
    outcome["waited_s"] = round(time.monotonic() - began, 1)
    return outcome
