"""The events worker's handler without a broker: each proposal and command decided once, in order.

``Decisions`` (services/events/handlers.py) runs over a dict-backed calendar and an in-memory
publisher; the same behaviours over a real broker are in tests/e2e/test_replays.py and
tests/integration/test_workers.py.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from services.common.clock import FixedClock
from services.common.contracts import CalendarCommand, ProposalKey, RulesKey
from services.common.streams import Received
from services.common.topics import CALENDAR, CALENDAR_COMMANDS, CALENDAR_RULES, EVENT_PROPOSALS
from services.events.calendar_state import TableCalendar
from services.events.handlers import Decisions
from tests.unit.calendar_fakes import NOW, SATURDAY, proposal, rules
from tests.unit.in_memory import InMemoryPublisher


class Worker:
    def __init__(self) -> None:
        self.published = InMemoryPublisher()
        self.handled: dict[str, Any] = {}
        self.calendar = TableCalendar({}, {}, defaultdict(list), {}, default_rules=rules(max_per_day=1))
        self.decisions = Decisions(
            publisher=self.published, clock=FixedClock(NOW), calendar=self.calendar, handled=self.handled
        )
        self.offset = 0

    async def read(self, topic: str, key: Any, value: Any, event_id: str | None = None) -> Received:
        self.offset += 1
        record = Received(key, value, {"ce_id": event_id or f"{topic}/{self.offset}"}, topic, 0, self.offset)
        await self.decisions.on_record(record)
        return record

    def statuses(self) -> list[tuple[uuid.UUID, str]]:
        return [(s.key.proposal_id, s.value.status) for s in self.published.on(CALENDAR.name)]


def _command(proposal_id: uuid.UUID, action: str) -> CalendarCommand:
    return CalendarCommand(
        command_id=uuid.uuid4(), proposal_id=proposal_id, action=action, by_partner=None, issued_at=NOW
    )


async def test_a_proposal_redelivered_is_decided_once() -> None:
    worker = Worker()
    first = proposal("05")
    record = await worker.read(EVENT_PROPOSALS.name, ProposalKey(proposal_id=first.proposal_id), first)

    await worker.decisions.on_record(record)  # the same record again (a redelivery)

    assert worker.statuses() == [(first.proposal_id, "scheduled")]


async def test_a_command_replayed_after_others_changes_nothing() -> None:
    worker = Worker()
    first, second = proposal("05"), proposal("16")
    for p in (first, second):
        await worker.read(EVENT_PROPOSALS.name, ProposalKey(proposal_id=p.proposal_id), p)
    withdraw = await worker.read(
        CALENDAR_COMMANDS.name,
        ProposalKey(proposal_id=first.proposal_id),
        _command(first.proposal_id, "withdraw"),
    )
    await worker.read(EVENT_PROPOSALS.name, ProposalKey(proposal_id=second.proposal_id), second, "again")

    await worker.decisions.on_record(withdraw)  # offsets reset: the withdrawal read again

    assert worker.statuses() == [
        (first.proposal_id, "scheduled"),
        (second.proposal_id, "not_possible"),  # one a day: the first holds the Saturday
        (first.proposal_id, "withdrawn"),
        (second.proposal_id, "scheduled"),  # redelivered under a new id: the freed place
    ]


async def test_rules_apply_to_the_decisions_after_them_and_are_never_skipped() -> None:
    worker = Worker()
    two_a_day = rules(max_per_day=2)
    await worker.read(CALENDAR_RULES.name, RulesKey(), two_a_day, "rules")
    await worker.read(CALENDAR_RULES.name, RulesKey(), two_a_day, "rules")  # rules are kept, not deduplicated
    first, second = proposal("05"), proposal("16")

    for p in (first, second):
        await worker.read(EVENT_PROPOSALS.name, ProposalKey(proposal_id=p.proposal_id), p)

    assert [status for _, status in worker.statuses()] == ["scheduled", "scheduled"]
    assert worker.calendar.rules().max_per_day == 2
    assert "rules" not in worker.handled
    assert SATURDAY in {s.value.day for s in worker.published.on(CALENDAR.name)}
