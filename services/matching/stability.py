"""Stability judged on what people said (pure): the checker of a round's placement.

It reads only the raw snapshot — each case and interest (ranked regions, open to any, language,
the case's factors), each organization's intake offer, partner and places, the earlier plans —
and the placement to judge. It never uses the lists a round builds for itself, so a round that
prunes candidates (a cap, a rotation, flattened ranks) is caught. docs/matching.md states the rule:

A household h taking part and a welcoming organization o **block** when
- h accepts o's region (it ranked it, or it is open to any region) and never declined o;
- h strictly prefers o to what it got: nothing; or a region it ranked better (an unranked region
  counts below every ranked one, and h is indifferent among unranked ones); or, in the same region,
  an organization that serves its language when its own does not, or, both alike, a lower offer id;
- o would take h: it has a place left after the round, or it holds a household placed this round
  that it fits less — a lower fit, or the same fit and a higher case id.

fit(h, o) = h's score of o's region (its case's factors, with the service-language factor taken
from who can welcome now: +5 if a welcomer of the region serves h's language, −10 if none does;
a region missing from the case counts its preference points: by rank, or 4 for open to any)
+ 10 when o serves h's language, rounded to 0.01.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.common.contracts import InterestDeclared, Offer, Partner

from .concertation import Market
from .ranking import MONTREAL, by_region, preference_points, serves
from .snapshot import SnapshotCase

RECOMPUTED = ("welcoming", "service_language")


@dataclass(frozen=True)
class Blocking:
    """A household and an organization who would both rather be together than as placed."""

    person_id: UUID
    offer_id: UUID
    same_region: bool


@dataclass(frozen=True)
class Welcome:
    """A welcoming organization: its intake offer, region, partner and places left before the round."""

    offer: Offer
    region: str
    partner: Partner | None
    places: int  # left before the round


def _welcomers(market: Market, today: date) -> list[Welcome]:
    held = Counter(r.welcoming_offer_id for r in market.referrals if r.holds_a_place)
    found = []
    for region, offers in sorted(by_region(market.offers, today).items()):
        for offer in offers.welcomers:
            partner = market.partners.get(offer.partner_id) if offer.partner_id else None
            if offer.intake is None or (partner is not None and partner.status != "active"):
                continue
            places = offer.intake.households_per_month - held[offer.offer_id]
            found.append(Welcome(offer, region, partner, places))
    return found


def taking_part(market: Market) -> list[SnapshotCase]:
    """The cases a round must consider: open, consenting, without a live plan."""
    busy = {r.person_id for r in market.referrals if r.holds_a_place}
    return [
        case
        for person, case in market.cases.items()
        if case.status == "open"
        and person not in busy
        and person in market.profiles
        and market.profiles[person].takes_part_in_rounds
    ]


def accepts(profile: InterestDeclared, region: str) -> bool:
    """Whether the person said they would go to ``region``."""
    ranked = profile.preferred_regions
    return region != MONTREAL and (region in ranked or profile.open_to_any_region or not ranked)


def _rank(profile: InterestDeclared, region: str) -> int:
    ranked = profile.preferred_regions
    return ranked.index(region) if region in ranked else len(ranked)


def _base(case: SnapshotCase, profile: InterestDeclared, region: str) -> float:
    for scored in case.regions:
        if scored.region == region:
            return sum(f.points for f in scored.factors if f.factor not in RECOMPUTED)
    points = preference_points(profile, region)
    return points.points if points is not None else 0.0


class Judge:
    """What the snapshot says: the organizations with their places, the households taking part,
    and how well each household fits each organization."""

    def __init__(self, market: Market, today: date) -> None:
        self.market = market
        self.welcomers = _welcomers(market, today)
        self.open_regions = {
            w.region for w in self.welcomers if w.offer.intake and w.offer.intake.households_per_month > 0
        }
        self._service = {
            (region, language): 5.0
            if any(serves(w.partner, language) for w in self.welcomers if w.region == region)
            else -10.0
            for region in self.open_regions
            for language in ("fr", "en")
        }
        self.cases = {c.person_id: c for c in taking_part(market)}
        self.declined = {
            (r.person_id, r.welcoming_offer_id) for r in market.referrals if r.status == "declined"
        }
        self._fits: dict[tuple[UUID, UUID], float] = {}

    def service_points(self, region: str, language: str) -> float:
        """The service-language factor now: +5 if a welcomer of the region serves ``language``."""
        return self._service[region, language]

    def region_score(self, case: SnapshotCase, region: str) -> float:
        """The household's score of ``region`` now (no organization's language bonus)."""
        profile = self.market.profiles[case.person_id]
        return round(_base(case, profile, region) + self.service_points(region, profile.language), 2)

    def fit(self, case: SnapshotCase, w: Welcome) -> float:
        """fit(h, o), as the module's docstring defines it."""
        key = (case.case_id, w.offer.offer_id)
        if key not in self._fits:
            language = self.market.profiles[case.person_id].language
            bonus = 10.0 if serves(w.partner, language) else 0.0
            self._fits[key] = round(self.region_score(case, w.region) + bonus, 2)
        return self._fits[key]

    def acceptable(self, case: SnapshotCase, w: Welcome) -> bool:
        """Whether the household would go to ``w`` at all (its region accepted, not declined)."""
        profile = self.market.profiles[case.person_id]
        return (
            w.places > 0
            and w.region in self.open_regions
            and accepts(profile, w.region)
            and (case.person_id, w.offer.offer_id) not in self.declined
        )

    def said_better(self, case: SnapshotCase, w: Welcome, own: Welcome | None) -> bool:
        """Whether the household strictly prefers ``w`` to ``own`` by what it said."""
        if own is None:
            return True
        profile = self.market.profiles[case.person_id]
        if w.region != own.region:
            return _rank(profile, w.region) < _rank(profile, own.region)
        here, there = serves(w.partner, profile.language), serves(own.partner, profile.language)
        return here > there or (here == there and w.offer.offer_id.int < own.offer.offer_id.int)

    def takes_over(self, w: Welcome, case: SnapshotCase, other: SnapshotCase) -> bool:
        """Whether ``w`` would rather hold ``case`` than ``other``: a higher fit, or equal and a
        lower case id."""
        return (self.fit(case, w), -case.case_id.int) > (self.fit(other, w), -other.case_id.int)


def blocking_pairs(market: Market, placed: Mapping[UUID, UUID | None], today: date) -> list[Blocking]:
    """Every blocking pair of a placement (person id → welcoming offer id of this round's plans)."""
    judge = Judge(market, today)
    by_offer = {w.offer.offer_id: w for w in judge.welcomers}
    members: dict[UUID, list[SnapshotCase]] = {w.offer.offer_id: [] for w in judge.welcomers}
    for person, offer_id in placed.items():
        if offer_id is not None:
            members[offer_id].append(judge.cases[person])

    def would_take(w: Welcome, case: SnapshotCase) -> bool:
        held = members[w.offer.offer_id]
        return len(held) < w.places or any(judge.takes_over(w, case, other) for other in held)

    found = []
    for person, case in sorted(judge.cases.items(), key=lambda item: item[1].case_id.int):
        offer_id = placed.get(person)
        own = by_offer[offer_id] if offer_id is not None else None
        for w in judge.welcomers:
            if w is own or not judge.acceptable(case, w):
                continue
            if judge.said_better(case, w, own) and would_take(w, case):
                same = own is not None and own.region == w.region
                found.append(Blocking(person, w.offer.offer_id, same))
    return found


def blocked_households(pairs: list[Blocking]) -> int:
    """How many households are in at least one blocking pair."""
    return len({p.person_id for p in pairs})
