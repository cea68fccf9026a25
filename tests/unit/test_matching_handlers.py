"""The matching worker's handlers without a broker: replays, erasure and idempotence.

The handlers (services/matching/handlers.py) run against an in-memory publisher and the
cases it was sent; the same behaviours over a real broker are in tests/e2e/test_replays.py
and tests/integration/test_workers.py.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from services.common.clock import FixedClock
from services.common.contracts import (
    CommandKey,
    Counsellor,
    InterestDeclared,
    MatchingCommand,
    PersonKey,
    Referral,
)
from services.common.streams import Received
from services.common.topics import (
    CASES,
    COUNSELLORS,
    INTERESTS,
    MATCHING_COMMANDS,
    OFFERS,
    PARTNERS,
    REFERRALS,
    ROUNDS,
    partner_referrals,
)
from services.matching.concertation import Limits
from services.matching.handlers import Matching
from services.matching.state import People, ReferralBook, SettlementBook
from tests.unit.in_memory import InMemoryPublisher, PublishedCases, StaticWorld
from tests.unit.matching_builders import NOW, intake, partner, person

WELCOME = partner(1, "05")


class Worker:
    """The handlers with in-memory adapters, and helpers to feed them records."""

    def __init__(self, places: int = 2, counsellor_cap: int = 5) -> None:
        self.published = InMemoryPublisher()
        self.book: dict[str, Any] = {}
        self.settlement_book: dict[str, Any] = {}
        self.done: dict[str, Any] = {}
        self.people = People()
        counsellor = Counsellor(
            counsellor_id=uuid.UUID(int=7),
            name="C7",
            email="c7@hub.example.org",
            languages=["fr"],
            max_cases=counsellor_cap,
        )
        world = StaticWorld(
            {
                OFFERS.name: [intake(1, WELCOME, places)],
                PARTNERS.name: [WELCOME],
                COUNSELLORS.name: [counsellor],
            }
        )
        self.matching = Matching(
            publisher=self.published,
            clock=FixedClock(NOW),
            world=world,
            cases=PublishedCases(self.published),
            people=self.people,
            book=ReferralBook(self.book),
            settlements=SettlementBook(self.settlement_book),
            done=self.done,
            limits=Limits(referrals_per_position=1.5),
        )
        self._offsets = {INTERESTS.name: 0, MATCHING_COMMANDS.name: 0}

    def _record(self, topic: str, key: Any, value: Any, offset: int | None) -> Received:
        if offset is None:
            offset = self._offsets[topic]
            self._offsets[topic] += 1
        raw = None if value is None else value.model_dump_json().encode()
        headers = {"ce_id": f"{topic}/{offset}"}
        return Received(key, value, headers, topic, 0, offset, raw_value=raw)

    async def interest(
        self, interest: InterestDeclared | None, person_id: uuid.UUID, offset: int | None = None
    ) -> Received:
        record = self._record(INTERESTS.name, PersonKey(person_id=person_id), interest, offset)
        await self.matching.on_interest(record)
        await asyncio.sleep(0)  # the broker's acknowledgements: where each case record is
        return record

    async def command(self, action: str, command_id: uuid.UUID | None = None, **fields: Any) -> Received:
        command = MatchingCommand.model_validate(
            {
                "command_id": command_id or uuid.uuid4(),
                "action": action,
                "by_role": "hub",
                "by_subject": "hub-1",
                "issued_at": NOW,
                **fields,
            }
        )
        record = self._record(
            MATCHING_COMMANDS.name, CommandKey(command_id=command.command_id), command, None
        )
        await self.matching.on_command(record)
        await asyncio.sleep(0)
        return record

    def referrals(self) -> list[Referral]:
        return [Referral.model_validate_json(raw) for raw in self.book.values()]


async def test_an_interest_read_twice_opens_one_case() -> None:
    worker = Worker()
    someone = person(1, ["05"])

    first = await worker.interest(someone, someone.person_id)
    await worker.matching.on_interest(first)  # a redelivery of the same record

    assert worker.published.types(CASES.name) == ["matching.CaseOpened"]
    case = worker.published.on(CASES.name)[0].value
    assert case.counsellor_id == uuid.UUID(int=7)


async def test_a_replay_from_the_beginning_never_reopens_an_erased_case() -> None:
    worker = Worker()
    someone = person(1, ["05"])
    first = await worker.interest(someone, someone.person_id)
    await worker.interest(None, someone.person_id)  # erased: a tombstone on interests.v1

    await worker.matching.on_interest(first)  # interests.v1 read again from its beginning

    assert worker.published.types(CASES.name) == ["matching.CaseOpened", "matching.CaseUpdated"]
    assert worker.published.on(CASES.name)[-1].value is None
    assert worker.people.summary(someone.person_id) is None


async def test_a_round_asked_twice_runs_once_and_a_command_is_decided_once() -> None:
    worker = Worker()
    someone = person(1, ["05"])
    await worker.interest(someone, someone.person_id)
    round_id = uuid.uuid4()

    await worker.command("run_round", round_id=round_id)
    await worker.command("run_round", round_id=round_id)  # another command, the same round
    (referral,) = worker.referrals()
    accept = uuid.uuid4()
    await worker.command("accept", command_id=accept, referral_id=referral.referral_id)
    await worker.command("accept", command_id=accept, referral_id=referral.referral_id)  # redelivered

    assert worker.published.types(ROUNDS.name) == ["matching.RoundCompleted"]
    assert worker.published.types(REFERRALS.name) == ["matching.ReferralIssued", "matching.ReferralAccepted"]
    assert [r.status for r in worker.referrals()] == ["accepted"]


async def test_an_erasure_tombstones_the_case_and_every_plan_of_the_person_everywhere() -> None:
    worker = Worker()
    someone = person(1, ["05"])
    await worker.interest(someone, someone.person_id)
    await worker.command("run_round", round_id=uuid.uuid4())
    (referral,) = worker.referrals()
    partner_topic = partner_referrals(WELCOME.partner_id).name

    await worker.command("erase", person_id=someone.person_id)

    assert [s.value is None for s in worker.published.on(REFERRALS.name)] == [False, True]
    assert [s.value is None for s in worker.published.on(partner_topic)] == [False, True]
    assert worker.published.on(CASES.name)[-1].value is None
    assert worker.published.types(CASES.name)[-1] == "matching.CaseErased"
    assert worker.referrals() == []
    assert referral.welcoming_partner_id == WELCOME.partner_id


async def test_a_withdrawal_cancels_a_live_plan_and_a_refused_action_is_only_logged() -> None:
    worker = Worker()
    someone = person(1, ["05"])
    await worker.interest(someone, someone.person_id)
    await worker.command("run_round", round_id=uuid.uuid4())
    (referral,) = worker.referrals()

    await worker.command("withdraw", person_id=someone.person_id)
    await worker.command("accept", referral_id=referral.referral_id)  # checked by the API, refused now

    assert worker.published.types(REFERRALS.name) == ["matching.ReferralIssued", "matching.ReferralCancelled"]
    assert [r.status for r in worker.referrals()] == ["cancelled"]
    assert len(worker.done) == 4  # the round and three commands, the refused one included


async def test_an_erased_case_gives_its_counsellor_to_the_case_that_waited() -> None:
    worker = Worker(counsellor_cap=1)
    first, second = person(1, ["05"]), person(2, ["05"])
    await worker.interest(first, first.person_id)
    await worker.interest(second, second.person_id)
    assert worker.published.on(CASES.name)[1].value.counsellor_id is None  # it waits

    await worker.command("erase", person_id=first.person_id)

    assigned = worker.published.on(CASES.name)[-1]
    assert worker.published.types(CASES.name)[-1] == "matching.CounsellorAssigned"
    assert (assigned.value.person_id, assigned.value.counsellor_id) == (second.person_id, uuid.UUID(int=7))
