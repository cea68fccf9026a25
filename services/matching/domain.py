"""Matching domain (pure): a person's case from their declared interest.

A person has one case: its id is derived from the person id, and its opening
time is the first interest's time, so handling the same interest twice gives
the same case (idempotent by construction). An update of the interest updates
the case (new ranking, new entitlements) but keeps its counsellor.
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

from .entitlements import entitlements, facts_of
from .ranking import UNREACHABLE, by_region, rank_regions, suggest_offers

CASE_NAMESPACE = uuid.UUID("5b0d6b1e-7f0c-4c35-9d43-6c1f0a9e2c11")


class CaseSummary(BaseModel):
    """What the worker needs of a case it wrote: enough to update it and to count caseloads."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    case_id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["open", "closed", "withdrawn"]
    counsellor_id: uuid.UUID | None = None
    opened_at: datetime
    updated_at: datetime | None = None
    interest_revision: int = 1

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(
            case_id=case.case_id,
            person_id=case.person_id,
            status=case.status,
            counsellor_id=case.counsellor_id,
            opened_at=case.opened_at,
            updated_at=case.updated_at,
            interest_revision=case.interest_revision,
        )

    @property
    def held_by(self) -> uuid.UUID | None:
        """The counsellor this case counts against: only an open case takes a place in a caseload."""
        return self.counsellor_id if self.status == "open" else None


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
        status="withdrawn" if interest.withdrawn_at is not None else "open",
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
