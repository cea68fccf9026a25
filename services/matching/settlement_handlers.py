"""The matching worker's handlers of settlements: what follows an accepted plan.

``Settlements`` is given a publisher, a clock, the settlement book (state.SettlementBook) and the
case handlers (to close a case). The commands (handlers.py) call it, in order on
matching-commands.v1, so a milestone, a close, a decline and an erasure never race:

- a plan accepted begins its settlement (awaiting contact);
- a milestone or a close is decided against the settlement as it is now (settlement.py, whose
  rules the API checked first); a close closes the case too;
- the accepted plan declined, overridden or cancelled before the household arrived releases the
  settlement (a tombstone); once it arrived the plan is lived and those are refused;
- an erasure tombstones the settlement with the case, the follow-ups' answers (followups.v1) and
  the measures ledger (measures.v1).

settlements.v1 carries pseudonymous ids and dates; the logs carry ids and statuses only.
"""

from __future__ import annotations

import uuid
from typing import cast, get_args

import structlog

from services.common.clock import Clock
from services.common.contracts import (
    FollowUpKey,
    MatchingCommand,
    MeasureKey,
    Referral,
    Settlement,
    SettlementKey,
)
from services.common.errors import Conflict
from services.common.streams import Received
from services.common.topics import FOLLOWUPS, MEASURES, SETTLEMENTS
from services.common.worker_publisher import RecordPublisher

from . import settlement as journey
from .case_handlers import Cases, caused
from .lifecycle import settlement_allows
from .state import SettlementBook

log = structlog.get_logger(__name__)


class Settlements:
    """The matching worker's handlers of settlements (see the module's docstring)."""

    def __init__(
        self, *, publisher: RecordPublisher, clock: Clock, book: SettlementBook, cases: Cases
    ) -> None:
        self._publisher = publisher
        self._clock = clock
        self._book = book
        self._cases = cases

    async def _write(
        self, case_id: uuid.UUID, value: Settlement | None, event: str, record: Received
    ) -> None:
        if value is None:
            self._book.drop(case_id)
        else:
            self._book.put(value)
        meta = caused(self._clock, event, record)
        await self._publisher.send(SETTLEMENTS, SettlementKey(case_id=case_id), value, meta)

    def of_plan(self, referral: Referral) -> Settlement | None:
        """The settlement following ``referral`` (None if it follows another plan, or none)."""
        return journey.following(self._book.get(referral.case_id), referral)

    def check_release(self, referral: Referral) -> None:
        """Refuse (409) to decline, override or cancel a plan whose household has arrived."""
        journey.check_release(self._book.get(referral.case_id), referral)

    async def accepted(self, referral: Referral, record: Received) -> None:
        """A plan accepted: its settlement begins, awaiting the first contact."""
        if self.of_plan(referral) is not None:
            return  # a replay: it began already
        opened = journey.open_settlement(referral, self._clock.now())
        if opened is not None:
            await self._write(opened.case_id, opened, "matching.SettlementOpened", record)
            log.info("settlement.opened", case_id=str(opened.case_id), referral_id=str(referral.referral_id))

    async def released(self, referral: Referral, record: Received) -> None:
        """The plan no longer holds (declined, overridden, cancelled): its settlement goes with it."""
        followed = self.of_plan(referral)
        if followed is not None and settlement_allows(followed.status, "release"):
            await self._write(followed.case_id, None, "matching.SettlementReleased", record)
            log.info("settlement.released", case_id=str(followed.case_id), status=followed.status)

    async def erase(self, case_id: uuid.UUID, record: Received) -> None:
        """The person is erased: so are their settlement, their follow-ups' answers and their measures."""
        if self._book.get(case_id) is not None:
            await self._write(case_id, None, "matching.SettlementErased", record)
            # matching-api tombstoned the answers already; again here, after any answer it wrote.
            meta = caused(self._clock, "matching.FollowUpsErased", record)
            await self._publisher.send(FOLLOWUPS, FollowUpKey(case_id=case_id), None, meta)
            meta = caused(self._clock, "matching.MeasuresErased", record)
            await self._publisher.send(MEASURES, MeasureKey(case_id=case_id), None, meta)
            log.info("settlement.erased", case_id=str(case_id))

    async def on_followup(self, command: MatchingCommand, record: Received) -> None:
        """A follow-up answered (its answers are on followups.v1): the settlement records which."""
        assert command.case_id is not None
        assert command.followup_month is not None
        current = self._book.get(command.case_id)
        if current is None:
            raise Conflict(f"case {command.case_id} has no settlement (erased, or no accepted plan)")
        if command.followup_month in current.followups_answered:
            return  # a replay
        answered = sorted([*current.followups_answered, command.followup_month])
        changed = current.model_copy(update={"followups_answered": answered, "updated_at": self._clock.now()})
        await self._write(changed.case_id, changed, "matching.FollowUpRecorded", record)
        log.info("settlement.followup", case_id=str(changed.case_id), month=command.followup_month)

    async def on_command(self, command: MatchingCommand, record: Received) -> None:
        """A milestone, a close or a follow-up answered, decided against the settlement as it is now."""
        if command.action == "followup":
            await self.on_followup(command, record)
            return
        assert command.case_id is not None
        assert command.on is not None
        current = self._book.get(command.case_id)
        if current is None:
            raise Conflict(f"case {command.case_id} has no settlement (no accepted plan)")
        if command.by_role not in get_args(journey.ByRole):
            raise Conflict(f"role {command.by_role} does not record settlements")
        by_role = cast(journey.ByRole, command.by_role)
        today, now = self._clock.today(), self._clock.now()
        if command.action == "milestone":
            assert command.milestone is not None
            changed = journey.record(current, command.milestone, command.on, by_role, today, now)
            await self._write(changed.case_id, changed, "matching.MilestoneRecorded", record)
            log.info("settlement.milestone", case_id=str(changed.case_id), status=changed.status)
            return
        assert command.outcome is not None
        try:
            changed = journey.close(
                current, command.outcome, command.on, command.moved_to_region, by_role, today, now
            )
        except Conflict:
            if current.status == "closed":  # a close replayed after a crash: its case closes, if still open
                await self._cases.close(current.person_id, record)
            raise
        await self._write(changed.case_id, changed, "matching.SettlementClosed", record)
        log.info("settlement.closed", case_id=str(changed.case_id), outcome=changed.outcome)
        await self._cases.close(current.person_id, record)
