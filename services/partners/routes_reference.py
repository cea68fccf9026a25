"""Read-only reference data (data/): regions, MRCs, CNP 2021 sample, French scale, kinds of partner.

Public: no token needed, nothing personal here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.common.http import found
from services.common.reference import CnpUnitGroup, FrenchLevel, Mrc, PartnerKind, Region

from .deps import Reference

router = APIRouter(prefix="/reference", tags=["reference"])


@router.get("/regions", response_model=list[Region])
def regions(reference: Reference) -> Any:
    """Québec's 17 administrative regions (ISQ codes)."""
    return list(reference.regions)


@router.get("/regions/{code}/mrcs", response_model=list[Mrc])
def mrcs_of_region(code: str, reference: Reference) -> Any:
    """The MRCs and equivalent territories of one region."""
    found(reference.region(code), f"no region {code}")
    return list(reference.mrcs_of(code))


@router.get("/mrcs", response_model=list[Mrc])
def mrcs(reference: Reference, region: str | None = None) -> Any:
    """Every MRC and equivalent territory (ministry 3-digit codes), optionally of one region."""
    return [m for m in reference.mrcs if region is None or m.region == region]


@router.get("/cnp", response_model=list[CnpUnitGroup])
def cnp(reference: Reference, teer: int | None = None) -> Any:
    """The CNP 2021 (NOC 2021) sample shipped with Concerto, optionally of one TEER level."""
    return [u for u in reference.cnp_unit_groups if teer is None or u.teer == teer]


@router.get("/french-levels", response_model=list[FrenchLevel])
def french_levels(reference: Reference) -> Any:
    """The 12 levels of the Échelle québécoise des niveaux de compétence en français."""
    return list(reference.french_levels)


@router.get("/partner-kinds", response_model=list[PartnerKind])
def partner_kinds(reference: Reference) -> Any:
    """Kinds of partner organization (data: new kinds are added to data/partner_kinds.json)."""
    return list(reference.partner_kinds)
