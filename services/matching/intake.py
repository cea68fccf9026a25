"""Intake checks (pure): what a declaration of interest must satisfy beyond its field types.

Each check raises ``Rejected`` naming the field, before anything is written:
a refused request stores nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from services.common.errors import Rejected
from services.common.messages import say

from .models import ProfileIn
from .ranking import MONTREAL


class Codes(Protocol):
    """What the checks need of the reference data."""

    def is_region(self, code: str) -> bool: ...
    def cnp(self, code: str) -> object | None: ...


def check_profile(profile: ProfileIn, codes: Codes, today: date) -> None:
    """Refuse unknown CNP or region codes, Montréal as a destination, and dates that cannot be."""
    for index, occupation in enumerate(profile.occupations):
        # A title without a code is taken as said: a counsellor codes it later.
        if occupation.cnp is not None and codes.cnp(occupation.cnp) is None:
            raise Rejected(f"occupations.{index}.cnp", say("unknown_cnp", value=occupation.cnp))
    seen: set[str] = set()
    for index, region in enumerate(profile.preferred_regions):
        if not codes.is_region(region):
            raise Rejected(f"preferred_regions.{index}", say("unknown_region", value=region))
        if region == MONTREAL:
            raise Rejected(f"preferred_regions.{index}", say("montreal_not_destination"))
        if region in seen:
            raise Rejected(f"preferred_regions.{index}", say("ranked_twice", value=region))
        seen.add(region)
    if profile.arrival_date is not None and profile.arrival_date > today:
        raise Rejected("arrival_date", say("date_in_future", value=profile.arrival_date))
