"""What a round reads of cases.v1 (pure): each case parsed into only what a round uses.

A round needs, of every case, its ids, status and counsellor, and for each region its kept points
(the factors the round does not recompute); of the households it places, also that region's
factors and the entitlements, for the plan. ``RoundCase`` parses those fields and validates them as
``Case`` does (same types, same schema version); the rest of the record (suggested offers, texts of
other fields) is skipped by the JSON parser without building Python objects.

Factors repeat from case to case (the same points and texts), so each distinct factor is one shared
object, and a region keeps a tuple, not a list of models: at 100,000 cases the whole ``Case`` held
millions of objects, most of the round's memory and, through the garbage collector's passes over
them, most of its parsing time (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple
from uuid import UUID

from pydantic import Field
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from services.common.contracts import Case, CaseKey, Entitlement, Factor
from services.common.contracts.base import RegionCode, Versioned

from .domain import case_id_for

RECOMPUTED = ("welcoming", "service_language")  # factors a round scores again from its snapshot


class RoundRegion(NamedTuple):
    """A region of a case: its code, the sum of its kept factors' points, and its factors."""

    region: str
    kept: float
    factors: tuple[Factor, ...]


class _FactorIn(TypedDict):
    factor: str
    points: float
    detail_fr: str
    detail_en: str


class _RegionIn(TypedDict):
    region: RegionCode
    factors: list[_FactorIn]


def kept_points(factors: Iterable[Factor]) -> float:
    """The points of a region's factors that a round keeps (in the case's order)."""
    return sum(f.points for f in factors if f.factor not in RECOMPUTED)


FactorKey = tuple[str, float, str, str]


class Shared:
    """One object for each distinct factor and each distinct region (code and factors) of one
    snapshot read: cases repeat them, and a round reads them only."""

    def __init__(self) -> None:
        self._factors: dict[FactorKey, Factor] = {}
        self._regions: dict[tuple[str, tuple[FactorKey, ...]], RoundRegion] = {}

    def region(self, found: _RegionIn) -> RoundRegion:
        keys = tuple((f["factor"], f["points"], f["detail_fr"], f["detail_en"]) for f in found["factors"])
        region = self._regions.get((found["region"], keys))
        if region is None:
            factors = tuple(self._factor(key) for key in keys)
            region = RoundRegion(found["region"], kept_points(factors), factors)
            self._regions[found["region"], keys] = region
        return region

    def _factor(self, key: FactorKey) -> Factor:
        factor = self._factors.get(key)
        if factor is None:
            factor = Factor(factor=key[0], points=key[1], detail_fr=key[2], detail_en=key[3])
            self._factors[key] = factor
        return factor


class RoundCase(NamedTuple):
    """A case on cases.v1 as a round reads it: the fields of ``Case`` that a round uses."""

    case_id: UUID
    person_id: UUID
    status: Literal["open", "closed", "withdrawn"]
    counsellor_id: UUID | None
    entitlements: tuple[Entitlement, ...]
    regions: tuple[RoundRegion, ...]

    @classmethod
    def of(cls, case: Case | RoundCase) -> RoundCase:
        """A full case as a round reads it (unchanged if it is one already)."""
        if isinstance(case, RoundCase):
            return case
        regions = tuple(RoundRegion(r.region, kept_points(r.factors), tuple(r.factors)) for r in case.regions)
        return cls(
            case.case_id, case.person_id, case.status, case.counsellor_id, tuple(case.entitlements), regions
        )

    @classmethod
    def parse(cls, raw: bytes, shared: Shared | None = None) -> RoundCase:
        """A case's record value (its JSON), validated as ``Case`` validates those fields."""
        found = _CaseIn.model_validate_json(raw)
        shared = shared or Shared()
        regions = tuple(shared.region(r) for r in found.regions)
        entitlements = tuple(found.entitlements)
        return cls(found.case_id, found.person_id, found.status, found.counsellor_id, entitlements, regions)


class _CaseIn(Versioned):
    case_id: UUID
    person_id: UUID
    status: Literal["open", "closed", "withdrawn"]
    counsellor_id: UUID | None = None
    entitlements: list[Entitlement] = Field(default_factory=list)
    regions: list[_RegionIn] = Field(default_factory=list)


def read_cases(
    records: Iterable[tuple[bytes | None, bytes | None]], people: Iterable[UUID]
) -> dict[UUID, RoundCase]:
    """The cases of ``people`` as last written, from cases.v1's (key, value) records in order.

    Only those cases are parsed, and only as ``RoundCase``: parsing is most of the cost of a read.
    """
    wanted = {CaseKey(case_id=case_id_for(person)).model_dump_json().encode() for person in people}
    latest: dict[bytes, bytes | None] = {}
    for key, value in records:
        if key in wanted:
            latest[key] = value
    shared = Shared()
    cases = (RoundCase.parse(raw, shared) for raw in latest.values() if raw is not None)
    return {case.person_id: case for case in cases}


SnapshotCase = Case | RoundCase  # a case in a round's snapshot: as the round reads it, or whole
