"""The matching worker's handlers of cases: an interest opens, updates, withdraws or erases its
person's case, and the queue of cases waiting for a counsellor moves.

``Cases`` is given a publisher, a clock, what it reads (the projection of offers, partners and
counsellors; the cases on cases.v1) and the people's summaries it keeps (state.People). The
commands (handlers.py) use it to read a case and to erase one.

An interest opens its case with a counsellor (language, lowest caseload under a cap), the
person's entitlements, and the destination regions and offers ranked; an update keeps the
counsellor, a withdrawal frees them, a tombstone (erasure) erases the case. When no counsellor
has room the case waits; each place freed (a withdrawal, an erasure) or added (seen by the
worker's timer) goes to the oldest waiting case, before any newer interest.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import structlog

from services.common.clock import Clock
from services.common.cloudevents import EventMeta, new_event
from services.common.contracts import Case, CaseKey, InterestDeclared
from services.common.streams import Received
from services.common.topics import CASES, COUNSELLORS, OFFERS, PARTNERS, TopicSpec
from services.common.worker_publisher import RecordPublisher

from .domain import (
    CaseSummary,
    assign_counsellor,
    assign_waiting,
    assigned_from_queue,
    build_case,
    case_id_for,
    close_case,
    has_room,
)
from .lifecycle import case_allows, case_status_for
from .snapshot import SnapshotCase
from .state import People

SERVICE = "matching-worker"
log = structlog.get_logger(__name__)


class CaseStore(Protocol):
    """The cases as last written on cases.v1."""

    async def read(self, person_id: uuid.UUID, at: tuple[int, int] | None) -> Case | None: ...
    def read_all(self, people: Iterable[uuid.UUID]) -> Mapping[uuid.UUID, SnapshotCase]: ...


class World(Protocol):
    """The records of other services the handlers read (the worker's projection)."""

    def values(self, spec: TopicSpec) -> list[Any]: ...
    def catch_up(self, timeout: float) -> bool: ...


def caused(clock: Clock, event_type: str, record: Received) -> EventMeta:
    """The metadata of an event caused by ``record`` (its id derived from the record's)."""
    return new_event(event_type, SERVICE, record.correlation_id, caused_by=record.event_id, now=clock.now())


class Cases:
    """The matching worker's handlers of cases (see the module's docstring)."""

    def __init__(
        self, *, publisher: RecordPublisher, clock: Clock, world: World, cases: CaseStore, people: People
    ) -> None:
        self._publisher = publisher
        self._clock = clock
        self._world = world
        self._cases = cases
        self._people = people
        # One case write at a time between the interests and the queue: a case given a counsellor
        # from the queue is read, then rewritten, and must not overwrite a newer revision.
        self._assigning = asyncio.Lock()

    async def on_interest(self, record: Received) -> None:
        """An interest (or its tombstone) on interests.v1: open, update, withdraw or erase its case."""
        async with self._assigning:
            await self._move_queue(record.correlation_id)  # the places free now go to who waited first
            await self._case_of_interest(record)
            await self._move_queue(record.correlation_id)  # a withdrawal or an erasure frees a place

    async def check_queue(self) -> None:
        """Give the places free now (a counsellor added or given room) to the oldest waiting cases."""
        async with self._assigning:
            await self._move_queue(None)

    async def _move_queue(self, correlation_id: str | None) -> None:
        """Give the places free now to the oldest waiting cases (with ``_assigning`` held)."""
        people, now = self._people, self._clock.now
        counsellors = self._world.values(COUNSELLORS)
        waiting = people.waiting()
        if not waiting or not has_room(counsellors, people.caseload()):
            return
        for summary, counsellor in assign_waiting(waiting, counsellors, people.caseload()):
            if people.case_at(summary.person_id) is None:
                continue  # its record is not acknowledged yet: the next move takes it
            case = await self.read(summary.person_id)
            if (
                case is None
                or people.summary(summary.person_id) != summary
                or CaseSummary.of(case) != summary
            ):
                continue  # erased or rewritten meanwhile: the next move decides again
            taken = assigned_from_queue(case, counsellor.counsellor_id, now())
            cause = f"queue/{case.case_id}/{counsellor.counsellor_id}"
            meta = new_event(
                "matching.CounsellorAssigned", SERVICE, correlation_id, caused_by=cause, now=now()
            )
            await self._write_case(taken, meta)
            assigned_at = taken.counsellor_assigned_at
            log.info(
                "case.counsellor_assigned",
                case_id=str(case.case_id),
                counsellor_id=str(counsellor.counsellor_id),
                waited_s=round((assigned_at - case.opened_at).total_seconds()) if assigned_at else None,
            )

    async def _case_of_interest(self, record: Received) -> None:
        person_id = record.key.person_id
        case_id = case_id_for(person_id)
        interest: InterestDeclared | None = record.value
        if self._people.superseded(person_id, (record.partition, record.offset)):
            log.info("interest.superseded", case_id=str(case_id), offset=record.offset)
            return  # a replay: a later record of this person's interest was read already
        self._people.read_interest(person_id, record.raw_value, (record.partition, record.offset))
        if interest is None:  # erasure
            self._people.erase_case(person_id)
            meta = caused(self._clock, "matching.CaseUpdated", record)
            await self._publisher.send(CASES, CaseKey(case_id=case_id), None, meta)
            log.info("case.erased", case_id=str(case_id))
            return
        previous = self._people.summary(person_id)
        if previous is not None and previous.interest_revision == interest.revision:
            withdrawn = interest.withdrawn_at is not None
            if withdrawn == (previous.status == "withdrawn"):
                log.info("case.already_up_to_date", case_id=str(case_id), revision=interest.revision)
                return  # a retry or a replay of a revision the case already reflects
        case = self._build_case(interest, previous)
        event = "matching.CaseOpened" if previous is None else "matching.CaseUpdated"
        await self._write_case(case, caused(self._clock, event, record))
        log.info(
            "case.opened" if previous is None else "case.updated",
            case_id=str(case.case_id),
            status=case.status,
            counsellor_id=str(case.counsellor_id) if case.counsellor_id else None,
            entitled=sum(e.status == "entitled" for e in case.entitlements),
            regions=len(case.regions),
        )

    def _build_case(self, interest: InterestDeclared, previous: CaseSummary | None) -> Case:
        counsellor_id = previous.counsellor_id if previous else None
        status = case_status_for(interest, previous.status if previous else None)
        if counsellor_id is None and case_allows(status, "assign_counsellor"):
            chosen = assign_counsellor(
                interest.language, self._world.values(COUNSELLORS), self._people.caseload()
            )
            counsellor_id = chosen.counsellor_id if chosen else None
        partners = {p.partner_id: p for p in self._world.values(PARTNERS)}
        return build_case(
            interest,
            self._world.values(OFFERS),
            partners,
            previous=previous,
            counsellor_id=counsellor_id,
            now=self._clock.now(),
        )

    async def _write_case(self, case: Case, meta: EventMeta) -> None:
        self._people.wrote(CaseSummary.of(case))
        delivered = await self._publisher.send(CASES, CaseKey(case_id=case.case_id), case, meta)
        people = self._people

        def locate(future: asyncio.Future[Any]) -> None:
            if not future.cancelled() and future.exception() is None:
                people.located(case.person_id, (future.result().partition, future.result().offset))

        delivered.add_done_callback(locate)

    async def read(self, person_id: uuid.UUID) -> Case | None:
        """One case as last written: its record read at its offset (all of cases.v1 if not yet known)."""
        return await self._cases.read(person_id, self._people.case_at(person_id))

    async def close(self, person_id: uuid.UUID, record: Received) -> None:
        """Close a person's case (its settlement closed with an outcome); its counsellor's place frees."""
        async with self._assigning:
            case = await self.read(person_id)
            if case is None or not case_allows(case.status, "close"):
                log.info("case.not_closed", status=case.status if case else None)
                return  # withdrawn meanwhile (or erased): it stays as it is
            closed = close_case(case, self._clock.now())
            await self._write_case(closed, caused(self._clock, "matching.CaseClosed", record))
            log.info("case.closed", case_id=str(case.case_id))
            await self._move_queue(record.correlation_id)  # the closed case's place goes to who waits

    async def erase(self, person_id: uuid.UUID, record: Received) -> None:
        """Erase a person's case (a tombstone), and give its place to who waits."""
        case_id = case_id_for(person_id)
        self._people.erase_case(person_id)
        meta = caused(self._clock, "matching.CaseErased", record)
        await self._publisher.send(CASES, CaseKey(case_id=case_id), None, meta)
        log.info("person.erased", case_id=str(case_id))
        async with self._assigning:
            await self._move_queue(record.correlation_id)  # the erased case's place goes to who waits
