"""Matching domain (pure): a person's case from their declared interest.

A person has one case: its id is derived from the person id, and its opening
time is the first interest's time, so handling the same interest twice gives
the same case (idempotent by construction). An update of the interest updates
the case (new ranking, new entitlements) but keeps its counsellor; a closed case stays closed.

When no counsellor who speaks the person's language has room, the case opens
without one and **waits for a counsellor**: the waiting cases form one queue,
oldest first (``queue_order``), and each place that frees up or is added goes to
the oldest waiting case a counsellor with room can take (``assign_waiting``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from services.common.clock import local_date
from services.common.contracts import (
    Case,
    Counsellor,
    Entitlement,
    InterestDeclared,
    Offer,
    Partner,
    RegionScore,
    SuggestedOffer,
)
from services.common.errors import Conflict

from .entitlements import entitlements, facts_of
from .lifecycle import case_allows, case_status_for
from .ranking import UNREACHABLE, by_region, rank_regions, suggest_offers

CASE_NAMESPACE = uuid.UUID("5b0d6b1e-7f0c-4c35-9d43-6c1f0a9e2c11")


class CaseSummary(BaseModel):
    """What the worker needs of a case it wrote: enough to update it and to count caseloads."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    case_id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["open", "closed", "withdrawn"]
    counsellor_id: uuid.UUID | None = None
    language: str = "fr"
    opened_at: datetime
    updated_at: datetime | None = None
    interest_revision: int = 1
    counsellor_assigned_at: datetime | None = None

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(
            case_id=case.case_id,
            person_id=case.person_id,
            status=case.status,
            counsellor_id=case.counsellor_id,
            language=case.language,
            opened_at=case.opened_at,
            updated_at=case.updated_at,
            interest_revision=case.interest_revision,
            counsellor_assigned_at=case.counsellor_assigned_at,
        )

    @property
    def held_by(self) -> uuid.UUID | None:
        """The counsellor this case counts against: only an open case takes a place in a caseload."""
        return self.counsellor_id if case_allows(self.status, "assign_counsellor") else None

    @property
    def waiting(self) -> bool:
        """Whether the case waits for a counsellor: open, and nobody holds it."""
        return case_allows(self.status, "assign_counsellor") and self.counsellor_id is None


def case_id_for(person_id: uuid.UUID) -> uuid.UUID:
    """The id of a person's case."""
    return uuid.uuid5(CASE_NAMESPACE, str(person_id))


def assign_counsellor(
    language: str, counsellors: Iterable[Counsellor], caseload: Mapping[uuid.UUID, int]
) -> Counsellor | None:
    """The active counsellor who speaks ``language`` with the lowest caseload under their cap.

    Ties go to the lowest id (deterministic); None when every such counsellor is full.
    """
    candidates = [
        c
        for c in counsellors
        if c.active and language in c.languages and caseload.get(c.counsellor_id, 0) < c.max_cases
    ]
    return min(
        candidates, key=lambda c: (caseload.get(c.counsellor_id, 0), str(c.counsellor_id)), default=None
    )


def queue_order(case: Case | CaseSummary) -> tuple[datetime, str]:
    """The place of a waiting case in the queue: by opening time, then by id (deterministic)."""
    return (case.opened_at, str(case.case_id))


def has_room(counsellors: Iterable[Counsellor], caseload: Mapping[uuid.UUID, int]) -> bool:
    """Whether any active counsellor has a place left (a queue can move only then)."""
    return any(c.active and caseload.get(c.counsellor_id, 0) < c.max_cases for c in counsellors)


def assign_waiting(
    waiting: Iterable[CaseSummary], counsellors: Iterable[Counsellor], caseload: Mapping[uuid.UUID, int]
) -> list[tuple[CaseSummary, Counsellor]]:
    """Who takes which waiting case now: the oldest waiting cases first, each as at intake.

    A case that no counsellor with room can take (nobody free speaks its language) keeps its
    place and does not hold back the cases behind it.
    """
    counsellors = list(counsellors)
    load = dict(caseload)
    chosen = []
    for summary in sorted((w for w in waiting if w.waiting), key=queue_order):
        counsellor = assign_counsellor(summary.language, counsellors, load)
        if counsellor is not None:
            load[counsellor.counsellor_id] = load.get(counsellor.counsellor_id, 0) + 1
            chosen.append((summary, counsellor))
    return chosen


def assigned_from_queue(case: Case, counsellor_id: uuid.UUID, now: datetime) -> Case:
    """The waiting ``case`` now held by ``counsellor_id`` (its first counsellor, from the queue)."""
    return case.model_copy(update={"counsellor_id": counsellor_id, "counsellor_assigned_at": now})


def close_case(case: Case, now: datetime) -> Case:
    """The case closed (its settlement closed with an outcome); 409 unless the case is open."""
    if not case_allows(case.status, "close"):
        raise Conflict(f"case {case.case_id} is {case.status}: only an open case closes")
    return case.model_copy(update={"status": "closed", "updated_at": now})


def open_case(
    interest: InterestDeclared,
    entitlements: Sequence[Entitlement] = (),
    *,
    previous: Case | CaseSummary | None = None,
    counsellor_id: uuid.UUID | None = None,
    regions: Sequence[RegionScore] = (),
    offers: Sequence[SuggestedOffer] = (),
    now: datetime | None = None,
) -> Case:
    """The case for ``interest`` (opened, or updated when ``previous`` exists)."""
    return Case(
        case_id=case_id_for(interest.person_id),
        person_id=interest.person_id,
        status=case_status_for(interest, previous.status if previous is not None else None),
        language=interest.language,
        preferred_regions=interest.preferred_regions,
        opened_at=previous.opened_at if previous is not None else interest.declared_at,
        entitlements=list(entitlements),
        counsellor_id=counsellor_id,
        household_size=interest.household.size,
        regions=list(regions),
        offers=list(offers),
        interest_revision=interest.revision,
        # A repeat of the same revision (a retry, a replay) gives the same case.
        updated_at=previous.updated_at
        if previous is not None and previous.interest_revision == interest.revision
        else (now if previous is not None else None),
        counsellor_assigned_at=previous.counsellor_assigned_at
        if previous is not None and previous.counsellor_id == counsellor_id
        else None,
    )


def build_case(
    interest: InterestDeclared,
    offers: list[Offer],
    partners: Mapping[uuid.UUID, Partner],
    *,
    previous: Case | CaseSummary | None = None,
    counsellor_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Case:
    """The worker's whole work on one interest: entitlements, ranked regions and offers, the case."""
    regions = by_region(offers, local_date(interest.declared_at))
    ranked = rank_regions(interest, regions, dict(partners))
    best = [r.region for r in ranked[:3] if r.score > UNREACHABLE]
    return open_case(
        interest,
        entitlements(offers, facts_of(interest)),
        previous=previous,
        counsellor_id=counsellor_id,
        regions=ranked,
        offers=suggest_offers(interest, regions, best),
        now=now,
    )
