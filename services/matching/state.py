"""The matching worker's state between records: counsellors' caseloads and the referral book.

Caseloads are rebuilt from cases.v1 (the worker's own output, in its
projection) at start-up and kept up to date in memory as cases are opened,
withdrawn and erased: the projection lags the worker's own writes by a few
milliseconds, the in-memory map does not.

The referral book is a faust table (changelog-backed, one partition like
matching-commands.v1), so after a crash the worker finds the plans it had
issued even before it reads them back from referrals.v1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from services.common.contracts import Case, Referral
from services.common.projection import Projection
from services.common.topics import CASES


class Caseload:
    """Which counsellor holds each open case."""

    def __init__(self, projection: Projection) -> None:
        self._projection = projection
        self._holder: dict[UUID, UUID] | None = None

    def _holders(self) -> dict[UUID, UUID]:
        if self._holder is None:
            cases: list[Case] = self._projection.values(CASES)
            self._holder = {
                c.case_id: c.counsellor_id for c in cases if c.status == "open" and c.counsellor_id
            }
        return self._holder

    def holder(self, case_id: UUID) -> UUID | None:
        """The counsellor holding the case, if any."""
        return self._holders().get(case_id)

    def counts(self) -> Counter[UUID]:
        """Open cases per counsellor."""
        return Counter(self._holders().values())

    def hold(self, case_id: UUID, counsellor_id: UUID) -> None:
        self._holders()[case_id] = counsellor_id

    def release(self, case_id: UUID) -> None:
        self._holders().pop(case_id, None)


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
