"""The matching worker's state between records: what it keeps of cases and interests, and the referral book.

The worker does not keep a read model of whole cases (about 13 KiB each) nor
of decoded interests: that projection cost more CPU per interest than building
the case itself, and its memory grew with every person (docs/performance.md).
It keeps, per person:

- a **case summary** (``CaseSummary``: revision, status, counsellor, times) and
  where the case's latest record sits on cases.v1 (partition, offset), from
  which the caseload of each counsellor and the queue of cases waiting for a
  counsellor follow;
- the person's **interest as its record bytes** (a few hundred bytes), decoded
  only when a round or a referral action needs the profile.

Both are loaded once at start-up by reading cases.v1 and interests.v1 from the
beginning (the worker is the only writer of cases.v1, so what it reads is what
it wrote, up to the end), then kept current in memory as the worker reads
interests and writes cases. A round or an override reads the whole cases it
needs when it runs: all of cases.v1 for a round, one record by its offset for
an override.

The referral book and the settlement book are faust tables (changelog-backed, one
partition like matching-commands.v1), so after a crash the worker finds the plans
it had issued, and the settlements it follows, even before it reads them back
from referrals.v1 and settlements.v1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import structlog
from pydantic import ValidationError

from services.common.codec import UnreadableRecord, decode_key, decode_value
from services.common.contracts import InterestDeclared, Referral, Settlement
from services.common.kafka import read_topic
from services.common.settings import KafkaSettings
from services.common.topics import CASES, INTERESTS

from .domain import CaseSummary
from .lifecycle import case_allows

log = structlog.get_logger(__name__)


class People:
    """Per person: the case summary, where the case record is, and the interest's bytes."""

    def __init__(self) -> None:
        self._summaries: dict[UUID, CaseSummary] = {}
        self._case_at: dict[UUID, tuple[int, int]] = {}
        self._interests: dict[UUID, bytes] = {}
        # Where each person's latest interest record is, tombstones included: a replay from the
        # beginning of interests.v1 skips the records a later one supersedes (an erased person's
        # first revision must not reopen a case).
        self._interest_at: dict[UUID, tuple[int, int]] = {}
        self._caseload: Counter[UUID] = Counter()
        self._waiting: set[UUID] = set()  # people whose open case no counsellor holds

    # -- start-up ----------------------------------------------------------------

    def load(self, bootstrap: KafkaSettings | str, timeout: float) -> None:
        """Rebuild from cases.v1 and interests.v1, from the beginning to their end now."""
        skipped = 0
        person_of: dict[UUID, UUID] = {}
        for record in read_topic(bootstrap, CASES.name, timeout):
            try:
                case_id = decode_key(CASES, record.key).case_id
                summary = None if record.value is None else CaseSummary.model_validate_json(record.value)
            except (UnreadableRecord, ValidationError):
                skipped += 1  # not ours: the worker is cases.v1's only writer; a stray record is ignored
                continue
            if summary is not None:
                person_of[case_id] = summary.person_id
                self.wrote(summary, (record.partition, record.offset))
            elif case_id in person_of:  # a tombstone: the case was erased
                self.erase_case(person_of.pop(case_id))
        for record in read_topic(bootstrap, INTERESTS.name, timeout):
            try:
                key = decode_key(INTERESTS, record.key)
            except UnreadableRecord:
                skipped += 1
                continue
            self.read_interest(key.person_id, record.value, (record.partition, record.offset))
        log.info("state.loaded", cases=len(self._summaries), interests=len(self._interests), skipped=skipped)

    # -- interests -------------------------------------------------------------------

    def superseded(self, person_id: UUID, at: tuple[int, int]) -> bool:
        """Whether a later interest record of this person was already read (this one is a replay)."""
        latest = self._interest_at.get(person_id)
        return latest is not None and latest[0] == at[0] and latest[1] > at[1]

    def read_interest(self, person_id: UUID, raw: bytes | None, at: tuple[int, int]) -> None:
        """Keep the latest interest record of a person (None, a tombstone, forgets it)."""
        self._interest_at[person_id] = at
        if raw is None:
            self._interests.pop(person_id, None)
        else:
            self._interests[person_id] = raw

    def profile(self, person_id: UUID) -> InterestDeclared | None:
        raw = self._interests.get(person_id)
        return None if raw is None else decode_value(INTERESTS, raw)

    def taking_part(self) -> list[UUID]:
        """The people whose case is open and who may be referred (consent, not withdrawn)."""
        found = []
        for person, summary in list(self._summaries.items()):
            if case_allows(summary.status, "refer"):
                profile = self.profile(person)
                if profile is not None and profile.takes_part_in_rounds:
                    found.append(person)
        return found

    # -- cases -----------------------------------------------------------------------------

    def summary(self, person_id: UUID) -> CaseSummary | None:
        return self._summaries.get(person_id)

    def wrote(self, summary: CaseSummary, at: tuple[int, int] | None = None) -> None:
        """The worker wrote (or, at start-up, finds) this state of a case."""
        self._count(self._summaries.get(summary.person_id), -1)
        self._summaries[summary.person_id] = summary
        self._count(summary, +1)
        if at is not None:
            self._case_at[summary.person_id] = at
        else:
            self._case_at.pop(summary.person_id, None)  # known when the broker acknowledges it

    def located(self, person_id: UUID, at: tuple[int, int]) -> None:
        """Where the broker put the latest case record of a person."""
        if person_id in self._summaries:
            self._case_at[person_id] = at

    def case_at(self, person_id: UUID) -> tuple[int, int] | None:
        return self._case_at.get(person_id)

    def erase_case(self, person_id: UUID) -> None:
        self._count(self._summaries.pop(person_id, None), -1)
        self._case_at.pop(person_id, None)

    def caseload(self) -> Counter[UUID]:
        """Open cases per counsellor."""
        return self._caseload

    def waiting(self) -> list[CaseSummary]:
        """The cases waiting for a counsellor (in no order: ``domain.queue_order`` orders them)."""
        return [self._summaries[person] for person in self._waiting]

    def _count(self, summary: CaseSummary | None, step: int) -> None:
        if summary is not None and summary.waiting:
            if step > 0:
                self._waiting.add(summary.person_id)
            else:
                self._waiting.discard(summary.person_id)
        holder = summary.held_by if summary is not None else None
        if holder is not None:
            self._caseload[holder] += step
            if self._caseload[holder] <= 0:
                del self._caseload[holder]

    def __len__(self) -> int:
        return len(self._summaries)


class ReferralBook:
    """Every referral's current state, in the worker's faust table (JSON by referral id)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, referral_id: UUID) -> Referral | None:
        raw = self._table.get(str(referral_id))
        return None if raw is None else Referral.model_validate_json(raw)

    def put(self, referral: Referral) -> None:
        self._table[str(referral.referral_id)] = referral.model_dump_json()

    def drop(self, referral_id: UUID) -> None:
        self._table.pop(str(referral_id), None)

    def __iter__(self) -> Iterator[Referral]:
        return (Referral.model_validate_json(raw) for raw in list(self._table.values()))

    def of_person(self, person_id: UUID) -> list[Referral]:
        return [r for r in self if r.person_id == person_id]


class SettlementBook:
    """Every settlement's current state, in the worker's faust table (JSON by case id)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, case_id: UUID) -> Settlement | None:
        raw = self._table.get(str(case_id))
        return None if raw is None else Settlement.model_validate_json(raw)

    def put(self, settlement: Settlement) -> None:
        self._table[str(settlement.case_id)] = settlement.model_dump_json()

    def drop(self, case_id: UUID) -> None:
        self._table.pop(str(case_id), None)
