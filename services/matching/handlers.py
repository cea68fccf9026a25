"""The matching worker's use cases: the work on one interest or one command.

``Matching`` is given a publisher, a clock, what it reads (the projection of offers,
partners, counsellors and the calendar; the cases on cases.v1) and the state it keeps
(people's summaries, the referral book, what was done). It knows no faust and no Kafka:
worker.py wires it to both, and the unit tests give it in-memory ones.

- An interest goes to the case handlers (case_handlers.py): its case opened, updated,
  withdrawn or erased, and the queue of cases waiting for a counsellor moved.
- A command runs a round, or accepts, declines or overrides a referral plan, or withdraws or
  erases a person. Each plan goes to referrals.v1 and to its welcoming partner's own topic.
  A command id, or a round id, is done once: a replay decides nothing twice.
- An accepted plan begins a settlement; a milestone, a close or a follow-up answered goes to the
  settlement handlers (settlement_handlers.py), in order with the plans' actions and the erasures.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from typing import Any

import structlog

from services.common.clock import Clock
from services.common.cloudevents import EventMeta, new_event
from services.common.contracts import (
    CommandKey,
    MatchingCommand,
    Referral,
    ReferralKey,
    RoundKey,
)
from services.common.errors import Conflict, Rejected
from services.common.heap import collector_paused
from services.common.streams import Received
from services.common.topics import (
    CALENDAR,
    MATCHING_COMMANDS,
    OFFERS,
    PARTNERS,
    REFERRALS,
    ROUNDS,
    partner_referrals,
)
from services.common.worker_publisher import RecordPublisher

from . import concertation
from .case_handlers import SERVICE, Cases, CaseStore, World, caused
from .domain import case_id_for
from .lifecycle import referral_allows
from .settlement_handlers import Settlements
from .sharing import partner_view
from .snapshot import SnapshotCase
from .state import People, ReferralBook, SettlementBook

CATCH_UP_S = 10.0
SCHEDULE_NAMESPACE = uuid.UUID("0f7e3c55-2b1a-4d9e-8c6f-5a4b3c2d1e0f")
ACTION_EVENTS = {
    "accept": "matching.ReferralAccepted",
    "decline": "matching.ReferralDeclined",
    "override": "matching.ReferralOverridden",
    "request_review": "matching.ReviewRequested",
}
log = structlog.get_logger(__name__)


def scheduled_round_id(interval_s: float, at: float) -> uuid.UUID:
    """The id of the scheduled round of the period containing ``at`` (seconds since the epoch).

    One id per period: two workers, or one restarted, asking for the same round
    ask for one round (the concertation agent runs a round id once).
    """
    return uuid.uuid5(SCHEDULE_NAMESPACE, f"{interval_s}|{int(at // interval_s)}")


def next_period_start(interval_s: float, at: float) -> float:
    """When the period after the one containing ``at`` begins (seconds since the epoch)."""
    return (int(at // interval_s) + 1) * interval_s


class Matching:
    """The matching worker's handlers (see the module's docstring)."""

    def __init__(
        self,
        *,
        publisher: RecordPublisher,
        clock: Clock,
        world: World,
        cases: CaseStore,
        people: People,
        book: ReferralBook,
        settlements: SettlementBook,
        done: MutableMapping[str, Any],
        limits: concertation.Limits,
    ) -> None:
        self._publisher = publisher
        self._clock = clock
        self._world = world
        self._cases = cases
        self._people = people
        self._book = book
        self._done = done  # commands decided (by command id) and rounds run (by round id)
        self._limits = limits
        self.cases = Cases(publisher=publisher, clock=clock, world=world, cases=cases, people=people)
        self.settlements = Settlements(publisher=publisher, clock=clock, book=settlements, cases=self.cases)

    async def on_interest(self, record: Received) -> None:
        """An interest (or its tombstone) on interests.v1: open, update, withdraw or erase its case."""
        await self.cases.on_interest(record)

    async def check_queue(self) -> None:
        """Give the places free now (a counsellor added or given room) to the oldest waiting cases."""
        await self.cases.check_queue()

    # -- commands → rounds and referrals -------------------------------------------

    async def on_command(self, record: Received) -> None:
        """A command on matching-commands.v1 (in order), decided once per command id."""
        command: MatchingCommand = record.value
        if self._done.get(f"command|{command.command_id}") is not None:
            log.info("command.already_done", action=command.action, command_id=str(command.command_id))
            return
        try:
            if command.action == "run_round":
                await self._run_round(command, record)
            elif command.action in ("accept", "decline", "override", "request_review"):
                await self._on_referral_action(command, record)
            elif command.action in ("milestone", "close", "followup"):
                await self.settlements.on_command(command, record)
            else:
                await self._on_person(command, record)
        except Conflict as refused:
            # The API checked first; the state changed in between. Nothing to redo: say why.
            log.warning("command.refused", action=command.action, reason=str(refused))
        except Rejected as refused:
            # A day refused once the settlement moved: its field and code, never the day itself.
            log.warning(
                "command.refused", action=command.action, field=refused.field, code=refused.message.code
            )
        self._done[f"command|{command.command_id}"] = self._clock.now().isoformat()

    async def request_round(self, round_id: uuid.UUID) -> None:
        """Ask for a round (the schedule's): a command the concertation agent runs once per round id."""
        command = MatchingCommand(
            command_id=round_id,
            action="run_round",
            round_id=round_id,
            by_role="schedule",
            by_subject="schedule",
            issued_at=self._clock.now(),
        )
        meta = new_event("matching.RoundRequested", SERVICE, None, now=self._clock.now())
        await self._publisher.send(MATCHING_COMMANDS, CommandKey(command_id=round_id), command, meta)
        log.info("round.requested", round_id=str(round_id), by="schedule")

    async def ask_for_rounds(self, interval_s: float, stopping: Callable[[], bool]) -> None:
        """At each period's start, ask for that period's round, until ``stopping()``."""
        clock = self._clock
        asked: float | None = None
        while not stopping():
            start = next_period_start(interval_s, clock.timestamp())
            if asked is not None and start <= asked:
                start = asked + interval_s  # a pinned clock: still one request per period
            await asyncio.sleep(max(start - clock.timestamp(), 0.0))
            await self.request_round(scheduled_round_id(interval_s, start))
            asked = start

    def _market(
        self, cases: Mapping[uuid.UUID, SnapshotCase], excluding_round: uuid.UUID | None = None
    ) -> concertation.Market:
        found = {person: self._people.profile(person) for person in cases}
        return concertation.Market(
            profiles={person: profile for person, profile in found.items() if profile is not None},
            cases=cases,
            referrals=[r for r in self._book if r.round_id != excluding_round],
            offers=self._world.values(OFFERS),
            partners={p.partner_id: p for p in self._world.values(PARTNERS)},
            calendar=self._world.values(CALENDAR),
        )

    async def _issue(self, referral: Referral, record: Received, event_type: str) -> None:
        self._book.put(referral)
        cause = f"{record.event_id}/{referral.referral_id}"
        meta = new_event(event_type, SERVICE, record.correlation_id, caused_by=cause, now=self._clock.now())
        key = ReferralKey(referral_id=referral.referral_id)
        await self._publisher.send(REFERRALS, key, referral, meta)
        if referral.welcoming_partner_id is not None:
            profile = self._people.profile(referral.person_id)
            if profile is not None:
                spec = partner_referrals(referral.welcoming_partner_id)
                await self._publisher.send(spec, key, partner_view(referral, profile), meta)
        previous = referral.override.previous_partner_id if referral.override else None
        if previous is not None and previous != referral.welcoming_partner_id:
            # The organization it was first referred to no longer sees the household.
            await self._publisher.send(partner_referrals(previous), key, None, meta)

    async def _run_round(self, command: MatchingCommand, record: Received) -> None:
        assert command.round_id is not None
        if self._done.get(f"round|{command.round_id}") is not None:
            log.info("round.already_done", round_id=str(command.round_id))
            return
        await asyncio.to_thread(self._world.catch_up, CATCH_UP_S)
        started = time.perf_counter()
        await self._publisher.flush()  # the cases written so far are on cases.v1
        with collector_paused():  # the round allocates millions of acyclic objects (common/heap.py)
            cases = await asyncio.to_thread(self._cases.read_all, self._people.taking_part())
            # A round repeated after a crash ignores its own earlier referrals: same inputs, same plans.
            snapshot = await asyncio.to_thread(self._market, cases, command.round_id)
            now = self._clock.now()
            outcome = await asyncio.to_thread(
                concertation.run_round, command.round_id, snapshot, self._limits, now, command.by_role
            )
        for referral in outcome.referrals:
            await self._issue(referral, record, "matching.ReferralIssued")
        elapsed = (time.perf_counter() - started) * 1000
        result = outcome.result.model_copy(update={"duration_ms": round(elapsed, 1)})
        meta = self._caused("matching.RoundCompleted", record)
        await self._publisher.send(ROUNDS, RoundKey(round_id=command.round_id), result, meta)
        self._done[f"round|{command.round_id}"] = now.isoformat()
        log.info(
            "round.completed",
            round_id=str(command.round_id),
            households=result.households,
            referred=result.referred,
            first_choice=result.first_choice,
            duration_ms=result.duration_ms,
        )

    async def _on_referral_action(self, command: MatchingCommand, record: Received) -> None:
        assert command.referral_id is not None
        referral = self._book.get(command.referral_id)
        if referral is None:
            raise LookupError(f"no referral {command.referral_id}")
        now = self._clock.now()
        if command.action == "request_review":
            changed = concertation.request_review(referral, now)
            if changed is not referral:
                await self._issue(changed, record, ACTION_EVENTS[command.action])
            return
        if command.action == "accept":
            changed = concertation.accept(referral, now)
        else:
            self.settlements.check_release(referral)  # an arrived household's plan is lived
            if command.action == "decline":
                changed = concertation.decline(referral, command.reason, now)
            else:
                changed = await self._override(referral, command, now)
        await self._issue(changed, record, ACTION_EVENTS[command.action])
        if changed.status == "accepted":
            await self.settlements.accepted(changed, record)
        else:
            await self.settlements.released(referral, record)

    async def _override(self, referral: Referral, command: MatchingCommand, now: datetime) -> Referral:
        case = await self.cases.read(referral.person_id)
        if case is None:
            raise Conflict(f"no case for the person of referral {referral.referral_id}")
        snapshot = await asyncio.to_thread(self._market, {case.person_id: case})
        target = next((o for o in snapshot.offers if o.offer_id == command.welcoming_offer_id), None)
        if command.welcoming_offer_id is not None and target is None:
            raise Conflict(f"no offer {command.welcoming_offer_id}")
        reason = command.reason or ""
        return concertation.override(
            referral, target, reason, command.by_subject, snapshot, self._limits, now
        )

    async def _on_person(self, command: MatchingCommand, record: Received) -> None:
        assert command.person_id is not None
        now = self._clock.now()
        for referral in self._book.of_person(command.person_id):
            if command.action == "withdraw":
                await self._cancel(referral, record, now)
                continue
            await self._erase_referral(referral, record)
        if command.action == "erase":
            await self.settlements.erase(case_id_for(command.person_id), record)
            await self.cases.erase(command.person_id, record)

    async def _cancel(self, referral: Referral, record: Received, now: datetime) -> None:
        """The person withdrew: a live plan is cancelled, unless the household lives it already."""
        if not referral_allows(referral.status, "cancel"):
            return
        try:
            self.settlements.check_release(referral)
        except Conflict:
            log.info("referral.kept", referral_id=str(referral.referral_id), reason="arrived")
            return
        await self._issue(concertation.cancel(referral, now), record, "matching.ReferralCancelled")
        await self.settlements.released(referral, record)

    async def _erase_referral(self, referral: Referral, record: Received) -> None:
        key = ReferralKey(referral_id=referral.referral_id)
        cause = f"{record.event_id}/{referral.referral_id}"
        meta = new_event(
            "matching.ReferralErased", SERVICE, record.correlation_id, caused_by=cause, now=self._clock.now()
        )
        await self._publisher.send(REFERRALS, key, None, meta)
        if referral.welcoming_partner_id is not None:
            await self._publisher.send(partner_referrals(referral.welcoming_partner_id), key, None, meta)
        self._book.drop(referral.referral_id)

    def _caused(self, event_type: str, record: Received) -> EventMeta:
        """The metadata of an event caused by ``record`` (its id derived from the record's)."""
        return caused(self._clock, event_type, record)
