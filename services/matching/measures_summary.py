"""The hub's view of the aid people did not claim, per region (pure): aggregates only.

A measure is *unclaimed* while it is ``identified`` on a person's ledger: they are entitled to it
and it was neither applied for nor granted (paid and refused ones were claimed). Per region of the
accepted plans, and per measure in it, the view counts the people entitled, the people who have
not claimed, and sums the amounts expected of the unclaimed measures where one is known.

Any figure on fewer than ``MIN_PEOPLE`` (5) people is suppressed (``None``): a count below 5, and
a sum over fewer than 5 people's amounts. So is a count of people not claimed whose complement,
the people of the same row who claimed (entitled minus unclaimed), is 1 to 4: shown side by side,
the two counts would give it away; the amounts of a hidden count are hidden with it. A region or
measure with no one entitled is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from services.common.contracts import MeasureLedger
from services.common.contracts.base import RegionCode

MIN_PEOPLE = 5


class UnclaimedMeasure(BaseModel):
    """One measure in one region; ``None`` where the figure is on fewer than 5 people."""

    measure_code: str
    entitled_people: int | None = Field(description="People entitled to it (suppressed below 5).")
    unclaimed_people: int | None = Field(description="Of those, people who have not claimed it.")
    people_with_amount: int | None = Field(description="Unclaimed ones whose amount is known.")
    unclaimed_amount_cad: Decimal | None = Field(
        description="Sum of the known amounts not claimed (suppressed when known for fewer than 5)."
    )


class RegionUnclaimed(BaseModel):
    """A region's unclaimed aid: people entitled to some measure, those with one unclaimed."""

    region: RegionCode
    entitled_people: int | None
    unclaimed_people: int | None
    unclaimed_amount_cad: Decimal | None
    measures: list[UnclaimedMeasure]


def shown(count: int) -> int | None:
    """A count of people, or None when it is fewer than ``MIN_PEOPLE``."""
    return count if count >= MIN_PEOPLE else None


def unclaimed_shown(entitled: int, unclaimed: int) -> int | None:
    """The count of people not claimed, or None when it, or the people who claimed beside it
    (``entitled - unclaimed``, unless none), are fewer than ``MIN_PEOPLE``."""
    claimed = entitled - unclaimed
    return shown(unclaimed) if claimed == 0 or claimed >= MIN_PEOPLE else None


def _sum(amounts: Iterable[Decimal], people: int) -> Decimal | None:
    """A sum of amounts over ``people`` people, or None when they are fewer than ``MIN_PEOPLE``."""
    return sum(amounts, Decimal(0)) if people >= MIN_PEOPLE else None


def _measure(
    code: str, entitled: set[UUID], unclaimed: set[UUID], amounts: dict[UUID, Decimal]
) -> UnclaimedMeasure:
    waiting = unclaimed_shown(len(entitled), len(unclaimed))
    known = len(amounts) if waiting is not None else 0  # nothing of a hidden count, not even a bound
    return UnclaimedMeasure(
        measure_code=code,
        entitled_people=shown(len(entitled)),
        unclaimed_people=waiting,
        people_with_amount=shown(known),
        unclaimed_amount_cad=_sum(amounts.values(), known),
    )


def unclaimed_by_region(ledgers: Iterable[MeasureLedger]) -> list[RegionUnclaimed]:
    """Per region (by code), the aid entitled people have not claimed; figures on < 5 suppressed."""
    entitled: dict[str, dict[str, set[UUID]]] = defaultdict(lambda: defaultdict(set))
    unclaimed: dict[str, dict[str, set[UUID]]] = defaultdict(lambda: defaultdict(set))
    amounts: dict[str, dict[str, dict[UUID, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for ledger in ledgers:
        for entry in ledger.entries:
            entitled[ledger.region][entry.measure_code].add(ledger.person_id)
            if entry.status == "identified":
                unclaimed[ledger.region][entry.measure_code].add(ledger.person_id)
                if entry.expected_amount_cad is not None:
                    amounts[ledger.region][entry.measure_code][ledger.person_id] = entry.expected_amount_cad
    regions = []
    for region in sorted(entitled):
        measures = [
            _measure(code, entitled[region][code], unclaimed[region][code], amounts[region][code])
            for code in sorted(entitled[region])
        ]
        everyone: set[UUID] = set().union(*entitled[region].values())
        waiting: set[UUID] = set().union(*unclaimed[region].values())
        shown_waiting = unclaimed_shown(len(everyone), len(waiting))
        known = [amount for by_person in amounts[region].values() for amount in by_person.values()]
        with_amount = {person for by_person in amounts[region].values() for person in by_person}
        regions.append(
            RegionUnclaimed(
                region=region,
                entitled_people=shown(len(everyone)),
                unclaimed_people=shown_waiting,
                unclaimed_amount_cad=_sum(known, len(with_amount) if shown_waiting is not None else 0),
                measures=measures,
            )
        )
    return regions
