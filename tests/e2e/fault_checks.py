"""What the fault run (tests/e2e/test_fault_run.py) reads back once the workers caught up:
records by key from the real topics, the emails they must cause, the calendar's hard rules,
and the SMTP sink's mailbox by Message-ID.

A record written again by a worker that reprocessed its cause after a crash carries the same
CloudEvents id (``new_event(caused_by=...)`` derives it from the cause), so "one case" and
"one decision" are counted as distinct event ids per key; the repeats are counted apart.
"""

from __future__ import annotations

import email.parser
import email.policy
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from kafka import KafkaConsumer, TopicPartition

from services.common.clock import local_date
from services.common.cloudevents import header_dict
from services.common.codec import decode_key, decode_value
from services.common.contracts import CalendarEntry, CalendarRules, Case, ConcertationTable
from services.common.kafka import API_VERSION, client_options, read_topic
from services.common.topics import TopicSpec
from services.events.rules import activity_of_entry, violations
from services.notifications.ledger import (
    case_opened_key,
    counsellor_assigned_key,
    counsellor_case_key,
    decision_key,
)
from services.notifications.rendering import message_id_for


@dataclass(frozen=True)
class Seen:
    """One record of a key: its CloudEvents id, its value (None: a tombstone), where it is."""

    event_id: str
    value: Any
    partition: int
    offset: int


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """Each partition's end offset now (to read later only what came after)."""
    consumer = KafkaConsumer(**client_options(bootstrap), group_id=None, api_version=API_VERSION)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def by_key(bootstrap: str, spec: TopicSpec, since: dict[int, int] | None = None) -> dict[Any, list[Seen]]:
    """Every record of ``spec``'s topic (from ``since``), decoded, by key, in order."""
    found: dict[Any, list[Seen]] = defaultdict(list)
    for record in read_topic(bootstrap, spec.name, timeout=120):
        if since is not None and record.offset < since.get(record.partition, 0):
            continue
        event_id = header_dict(record.headers).get("ce_id", "")
        value = decode_value(spec, record.value)
        found[decode_key(spec, record.key)].append(Seen(event_id, value, record.partition, record.offset))
    return found


def latest(records: dict[Any, list[Seen]]) -> dict[Any, Any]:
    """The current value of each key (tombstoned keys left out)."""
    return {key: seen[-1].value for key, seen in records.items() if seen[-1].value is not None}


def distinct_events(seen: list[Seen]) -> int:
    return len({s.event_id for s in seen if s.value is not None})


def since_erasure(seen: list[Seen]) -> list[Seen]:
    """The records after the last tombstone: the entity as it lives now. A declaration answered
    503 and undone (both halves tombstoned, its case erased) and then retried with its
    Idempotency-Key names the same person again, and their case opens again under a new event."""
    tombstones = [n for n, s in enumerate(seen) if s.value is None]
    return seen[tombstones[-1] + 1 :] if tombstones else seen


def repeats(seen: list[Seen]) -> int:
    """Records beyond the first of each event id: the same event written again."""
    live = [s.event_id for s in seen if s.value is not None]
    return len(live) - len(set(live))


def expected_case_emails(cases: list[list[Seen]]) -> set[str]:
    """The Message-IDs an open case causes: the person once, once each counsellor it names, and the
    person again when a counsellor took it from the queue."""
    expected = set()
    for seen in cases:
        for s in seen:
            case: Case | None = s.value
            if case is None or case.status != "open":
                continue
            expected.add(message_id_for(case_opened_key(case.case_id, case.person_id)))
            if case.counsellor_id is not None:
                expected.add(message_id_for(counsellor_case_key(case.case_id, case.counsellor_id)))
            if case.counsellor_id is not None and case.counsellor_assigned_at is not None:
                # It waited in the queue: the person is told who took it (services/notifications).
                key = counsellor_assigned_key(case.case_id, case.counsellor_id, case.person_id)
                expected.add(message_id_for(key))
    return expected


def expected_decision_emails(
    decisions: list[list[Seen]], tables: list[ConcertationTable], today: date
) -> set[str]:
    """The Message-IDs each decision causes: its organizer, and the delegates of its regions' tables
    who did not organize it (services/notifications/handlers.py, ``Notifier.on_decision``)."""
    expected = set()
    for seen in decisions:
        for s in seen:
            entry: CalendarEntry | None = s.value
            if entry is None:
                continue
            expected.add(message_id_for(decision_key(s.event_id, "proposal_decided", entry.organizer_id)))
            for table in tables:
                # As the notifier does: the tables that had a delegate when the entry was decided.
                delegate = table.delegate_on(local_date(entry.decided_at))
                told = (
                    table.status == "active"
                    and table.region in entry.regions
                    and table.created_at <= entry.decided_at
                )
                if told and delegate is not None and delegate != entry.organizer_id:
                    key = decision_key(s.event_id, "proposal_decided_table", delegate)
                    expected.add(message_id_for(key))
    return expected


def calendar_breaches(entries: list[CalendarEntry], rules: CalendarRules, today: date) -> list[str]:
    """Every hard rule (places a day and at once, spacing, venues) a scheduled entry breaks next to
    the rest of the calendar; empty when the calendar holds."""
    held = [(e, a) for e in entries if (a := activity_of_entry(e, e.expected_attendance or 0)) is not None]
    activities = [a for _, a in held]
    found = []
    for entry, activity in held:
        others = [o for o in activities if o.proposal_id != activity.proposal_id]
        found += [
            f"{entry.proposal_id} on {entry.day}: {v}" for v in violations(activity, others, rules, today)
        ]
    return found


def places_by_day(entries: list[CalendarEntry]) -> Counter[date]:
    """Activities taking one of Montréal's places, per day."""
    return Counter(a.day for e in entries if (a := activity_of_entry(e)) is not None and a.takes_a_place)


class Mailbox:
    """The SMTP sink's messages to one domain, by Message-ID; each file's headers are read once."""

    def __init__(self, directory: Path, domain: str) -> None:
        self._directory = directory
        self._domain = domain
        self._parser = email.parser.BytesParser(policy=email.policy.default)
        self._read: dict[str, str | None] = {}  # file name → Message-ID (None: another domain)

    def received(self) -> Counter[str]:
        """How many times each Message-ID arrived (repeats included)."""
        for path in sorted(self._directory.glob("*.eml")):
            if path.name not in self._read:
                with path.open("rb") as file:
                    headers = self._parser.parse(file, headersonly=True)
                mine = str(headers["To"]).endswith("@" + self._domain)
                self._read[path.name] = str(headers["Message-ID"]) if mine else None
        return Counter(m for m in self._read.values() if m is not None)


def uuid_of(answer: dict[str, Any] | None, field: str) -> UUID | None:
    return UUID(answer[field]) if answer is not None else None
