"""Which regions a partner may act for (pure): the regions it serves, and never Montréal as a destination.

A partner publishes offers and proposes activities only for the regions it serves
(``Partner.regions``). Montréal (06) is where recruiting happens and where people
live now: it is never the region of an activity proposed for a destination, of an
offer, or of a household's destination. The partners and events domains ask these;
no route decides it. No Kafka, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from .contracts import Partner
from .errors import Forbidden, Rejected
from .messages import say

MONTREAL = "06"


Named = list[tuple[str, str]]
"""(field, region) pairs: where each region of a request is named."""


def indexed(field: str, regions: Iterable[str]) -> Named:
    """The regions of a list field, each named ``field.<index>``."""
    return [(f"{field}.{index}", region) for index, region in enumerate(regions)]


def check_destinations(named: Named) -> None:
    """Refuse Montréal as a destination (422 naming its field)."""
    for field, region in named:
        if region == MONTREAL:
            raise Rejected(field, say("montreal_not_destination"))


def check_served(partner: Partner, named: Named, by_itself: bool) -> None:
    """Refuse a region ``partner`` does not serve: 403 when the partner itself asks, else (the hub
    naming it) 422 on the region's field."""
    for field, region in named:
        if not partner.serves(region):
            reason = say(
                "region_not_served", partner=partner.name, region=region, served=", ".join(partner.regions)
            )
            if by_itself:
                raise Forbidden(reason)
            raise Rejected(field, reason)


def check_scope(partner: Partner | None, named: Named, by_itself: bool) -> None:
    """Both rules: no Montréal, and (when a partner acts) only the regions it serves."""
    check_destinations(named)
    if partner is not None:
        check_served(partner, named, by_itself)
