"""Concertation (pure): a round turns the current cases, offers and referrals into referral plans;
accept, decline and override change one plan.

A round reads a snapshot (``Market``) and returns new referrals; it never
exceeds a welcoming organization's capacity (``households_per_month`` minus
the places held by earlier referrals that are still proposed or accepted),
gives each household at most one organization, and is deterministic: the same
round id and the same snapshot give the same referrals (ids derived from both).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import (
    CalendarEntry,
    Case,
    Factor,
    InterestDeclared,
    Offer,
    Override,
    Partner,
    Referral,
    RoundCompleted,
    SuggestedActivity,
    SuggestedOffer,
    WelcomerUse,
)
from services.common.errors import Conflict

from .fast_placement import place_fast
from .lifecycle import case_allows, check_referral, referral_allows
from .placement import Organization, Seeker, fit
from .ranking import (
    MONTREAL,
    UNREACHABLE,
    JobFit,
    RegionOffers,
    by_region,
    preference_points,
    serves,
    settlement_score,
)
from .snapshot import RoundCase

NONE_DECLINED: frozenset[int] = frozenset()
REFERRAL_NAMESPACE = uuid.UUID("c0a4f1d2-6e0b-4a8e-9a3f-71d2b9e5c804")


def referral_id_for(round_id: UUID, case_id: UUID) -> UUID:
    """The id of a household's referral in a round."""
    return uuid.uuid5(REFERRAL_NAMESPACE, f"{round_id}|{case_id}")


@dataclass(frozen=True)
class Market:
    """The snapshot a round reads: people, cases, earlier referrals, offers, partners, calendar."""

    profiles: Mapping[UUID, InterestDeclared]
    cases: Mapping[UUID, Case | RoundCase]  # a round reads RoundCase (snapshot.read_cases)
    referrals: Sequence[Referral]
    offers: Sequence[Offer]
    partners: Mapping[UUID, Partner]
    calendar: Sequence[CalendarEntry] = ()


@dataclass(frozen=True)
class Limits:
    """How much one plan suggests, and how many plans may point at one job.

    There is no cap on the organizations a household proposes to: every region it accepts and
    every organization there with a place (see ``placement``)."""

    referrals_per_position: float = 2.0
    jobs: int = 3
    settlement: int = 3
    activities: int = 3


@dataclass(frozen=True)
class Outcome:
    """What a round produced."""

    referrals: list[Referral]
    result: RoundCompleted


@dataclass(frozen=True)
class Prepared:
    """A round's participants, numbered: household ``i`` is ``cases[i]`` (case id order),
    organization ``j`` is ``offers[j]`` (an intake capacity and its region, by region then offer id)."""

    cases: list[RoundCase]
    offers: list[tuple[str, Offer]]
    seekers: list[Seeker]
    organizations: list[Organization]
    regions: dict[str, RegionOffers]
    held: Counter[UUID | None]

    def fit(self, i: int, j: int) -> float | None:
        """How well household ``i`` fits organization ``j`` (None: it does not accept the region)."""
        seeker, organization = self.seekers[i], self.organizations[j]
        score = next((s for region, s in seeker.regions if region == organization.region), None)
        return None if score is None else fit(score, organization, seeker.language)

    def numbered(self, placed: Mapping[UUID, UUID | None]) -> dict[int, int | None]:
        """A placement by case id and offer id, in the round's numbers (everyone taking part)."""
        offer_number = {offer.offer_id: j for j, (_, offer) in enumerate(self.offers)}
        result: dict[int, int | None] = dict.fromkeys(range(len(self.cases)))
        for i, case in enumerate(self.cases):
            offer_id = placed.get(case.case_id)
            result[i] = offer_number[offer_id] if offer_id is not None else None
        return result


def prepare(market: Market, today: date) -> Prepared:
    """Who takes part in a round, the regions each household accepts (in its order, with its
    score there), and the places each organization has left."""
    regions = by_region(market.offers, today)
    held = Counter(r.welcoming_offer_id for r in market.referrals if r.holds_a_place)
    busy = {r.person_id for r in market.referrals if r.holds_a_place}
    declined: dict[UUID, set[UUID | None]] = {}
    for r in market.referrals:
        if r.status == "declined":
            declined.setdefault(r.person_id, set()).add(r.welcoming_offer_id)
    taking_part = _taking_part(market, busy)
    welcomers = _welcomers(regions, market.partners, held)
    numbered = [
        (region, offer, partner, places)
        for region in sorted(welcomers)
        for offer, partner, places in welcomers[region]
    ]
    number = {offer.offer_id: j for j, (_, offer, _, _) in enumerate(numbered)}
    organizations = [
        Organization(region, places, frozenset(lang for lang in ("fr", "en") if serves(partner, lang)))
        for region, _, partner, places in numbered
    ]
    welcome = _WelcomeNow(welcomers)
    seekers = []
    for case, profile in taking_part:
        refused = declined.get(case.person_id) if declined else None
        seekers.append(
            Seeker(
                regions=welcome.rescore(case, profile),
                language=profile.language,
                declined=frozenset(number[o] for o in refused if o in number) if refused else NONE_DECLINED,
            )
        )
    return Prepared(
        cases=[case for case, _ in taking_part],
        offers=[(region, offer) for region, offer, _, _ in numbered],
        seekers=seekers,
        organizations=organizations,
        regions=regions,
        held=held,
    )


def _taking_part(market: Market, busy: set[UUID]) -> list[tuple[RoundCase, InterestDeclared]]:
    """The cases a round considers, by case id, with their person's interest: open, consenting,
    without a live plan."""
    found = []
    profiles = market.profiles
    referable: dict[str, bool] = {}  # case_allows(status, "refer"), asked once per status
    for person, case in market.cases.items():
        allowed = referable.get(case.status)
        if allowed is None:
            allowed = referable[case.status] = case_allows(case.status, "refer")
        if not allowed or (busy and person in busy):
            continue
        profile = profiles.get(person)
        if profile is not None and profile.takes_part_in_rounds:
            found.append(
                (case.case_id.int, case if isinstance(case, RoundCase) else RoundCase.of(case), profile)
            )
    found.sort(key=lambda item: item[0])  # case ids are unique
    return [(case, profile) for _, case, profile in found]


def run_round(round_id: UUID, market: Market, limits: Limits, now: datetime, requested_by: str) -> Outcome:
    """One concertation round over ``market``: referral plans for the households it places."""
    prepared = prepare(market, local_date(now))
    matched = place_fast(prepared.seekers, prepared.organizations)
    fits = {i: prepared.fit(i, j) or 0.0 for i, j in enumerate(matched) if j is not None}
    placed = sorted(
        ((i, j) for i, j in enumerate(matched) if j is not None),
        key=lambda pair: (-fits[pair[0]], pair[0]),
    )
    # The households' lists are no longer needed: the plans are built without them.
    households = len(prepared.seekers)
    prepared = dataclasses.replace(prepared, seekers=[], organizations=[])
    suggested = _Suggested.from_referrals(market.referrals, {o.offer_id: o for o in market.offers}, limits)
    referrals = [
        _plan(
            round_id,
            prepared.cases[i],
            market,
            prepared.offers[j][1],
            prepared.regions,
            suggested,
            limits,
            now,
        )
        for i, j in placed
    ]
    referrals.sort(key=lambda r: r.referral_id.int)
    referred = Counter(r.welcoming_offer_id for r in referrals)
    result = RoundCompleted(
        round_id=round_id,
        requested_by=requested_by,
        started_at=now,
        households=households,
        referred=len(referrals),
        first_choice=sum(r.preference_rank == 1 for r in referrals),
        unmatched=households - len(referrals),
        welcomers=[
            WelcomerUse(
                offer_id=offer.offer_id,
                partner_id=offer.partner_id,
                region=region,
                capacity=offer.intake.households_per_month if offer.intake else 0,
                held_before=prepared.held[offer.offer_id],
                referred=referred[offer.offer_id],
            )
            for region, offer in prepared.offers
        ],
        duration_ms=0.0,
    )
    return Outcome(referrals, result)


def _welcomers(
    regions: Mapping[str, RegionOffers], partners: Mapping[UUID, Partner], held: Counter[UUID | None]
) -> dict[str, list[tuple[Offer, Partner | None, int]]]:
    """Each region's welcoming organizations with places left, and their partner."""
    found: dict[str, list[tuple[Offer, Partner | None, int]]] = {}
    for region, offers in regions.items():
        for offer in offers.welcomers:
            partner = partners.get(offer.partner_id) if offer.partner_id else None
            if offer.intake is None or (partner is not None and partner.status != "active"):
                continue
            left = offer.intake.households_per_month - held[offer.offer_id]
            found.setdefault(region, []).append((offer, partner, max(left, 0)))
    return found


class _MinusScore(dict[float, float]):
    """-round(kept + now, 2) for each kept sum (of one region and language), computed once."""

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now

    def __missing__(self, kept: float) -> float:
        minus = self[kept] = -round(kept + self.now, 2)
        return minus


class _WelcomeNow:
    """A case's regions rescored with who can welcome now.

    A case is ranked when it opens or is updated; since then organizations may have
    published, filled or withdrawn places. The person's preference, job and settlement
    factors are kept; the welcoming and service-language factors are recomputed from the
    round's snapshot, and someone open to any region also considers the regions that
    gained a welcoming organization since.
    """

    def __init__(self, welcomers: Mapping[str, list[tuple[Offer, Partner | None, int]]]) -> None:
        serving = {
            region: {lang: any(serves(p, lang) for _, p, _ in found) for lang in ("fr", "en")}
            for region, found in welcomers.items()
            if any(o.intake is not None and o.intake.households_per_month > 0 for o, _, _ in found)
        }
        # The service-language factor now, by language and region (the regions where someone can
        # welcome, never Montréal): +5 if a welcomer of the region serves the language, else -10.
        self._points = {
            lang: {region: 5.0 if by[lang] else -10.0 for region, by in serving.items() if region != MONTREAL}
            for lang in ("fr", "en")
        }
        self._scores = {
            lang: {region: _MinusScore(now) for region, now in points.items()}
            for lang, points in self._points.items()
        }
        # Open to any: a region missing from the case counts 4 preference points.
        self._unlisted = {
            lang: [(region, -round(4.0 + points[region], 2)) for region in sorted(points)]
            for lang, points in self._points.items()
        }

    def rescore(self, case: Case | RoundCase, profile: InterestDeclared) -> list[tuple[str, float]]:
        """(region, score) of every region the household accepts and where someone can welcome it,
        in its order: the regions it ranked, by its rank (never by score), then — open to any —
        the others by score, then region code (it said nothing among those).

        A region's score is its kept points (the factors of the case not recomputed: preference, job,
        settlement) plus the service-language factor now, rounded to 0.01."""
        if not isinstance(case, RoundCase):
            case = RoundCase.of(case)
        ranked = profile.preferred_regions
        rank = {region: n for n, region in enumerate(ranked)}
        unranked = len(ranked)
        open_to_any = profile.open_to_any_region or not ranked
        points, scores = self._points[profile.language], self._scores[profile.language]
        # (rank, -score, region): the order to sort by.
        found = [
            (rank.get(region, unranked), minus[kept], region)
            for region, kept, _ in case.regions
            if (open_to_any or region in rank) and (minus := scores.get(region)) is not None
        ]
        # The regions of the case: all of them when open to any; else, the ranked ones that
        # someone can welcome in are all in ``found``.
        listed = (
            {region for region, _, _ in case.regions} if open_to_any else {region for *_, region in found}
        )
        # A region the person ranked is always in the case; one missing (an older case) keeps
        # its preference points. Open to any: the regions that gained a welcomer since count too.
        for region in ranked:
            if region not in listed and region in points:
                preference = preference_points(profile, region)
                if preference is not None:
                    found.append((rank[region], -round(preference.points + points[region], 2), region))
        if open_to_any:
            found.extend(
                (unranked, minus, region)
                for region, minus in self._unlisted[profile.language]
                if region not in listed and region not in rank
            )
        found.sort()
        return [(region, -minus) for _, minus, region in found if -minus > UNREACHABLE]


# A job or settlement offer that could be suggested: (-score, offer id as text) — the order they
# are taken in — then the offer, its kind, and how to get its points and factors (a SuggestedOffer,
# and a job's factors, are made only for the ones taken).
Candidate = tuple[float, str, Offer, str, Callable[[], tuple[float, list[Factor]]]]


@dataclass
class _Suggested:
    """How many live referrals already suggest each offer, and how many each may have."""

    used: Counter[UUID]
    room: dict[UUID, int]
    ids: dict[UUID, str]  # each offer's id as text, the tie rule of ``take``
    # Suggestions alike (offer, kind, points, the same factor objects) are one frozen object shared
    # by the plans: 60,000 plans suggest a few thousand offers.
    made: dict[tuple[UUID, str, float, tuple[int, ...]], SuggestedOffer] = field(default_factory=dict)

    @classmethod
    def from_referrals(
        cls, referrals: Sequence[Referral], offers: Mapping[UUID, Offer], limits: Limits
    ) -> _Suggested:
        used: Counter[UUID] = Counter()
        for referral in referrals:
            if referral.holds_a_place:
                used.update(s.offer_id for s in [*referral.jobs, *referral.settlement])
        room = {}
        for offer_id, offer in offers.items():
            places = (
                offer.job.positions if offer.job else offer.settlement.capacity if offer.settlement else 0
            )
            room[offer_id] = math.floor(places * limits.referrals_per_position)
        return cls(used, room, {offer_id: str(offer_id) for offer_id in offers})

    def candidate(
        self, offer: Offer, kind: str, points: float, scored: Callable[[], tuple[float, list[Factor]]]
    ) -> Candidate:
        text = self.ids.get(offer.offer_id) or str(offer.offer_id)
        return (-round(points, 2), text, offer, kind, scored)

    def _made(self, offer: Offer, kind: str, points: float, factors: list[Factor]) -> SuggestedOffer:
        # The factors are the ranking's shared objects; the suggestion kept here holds them, so an
        # id in a key is never another object's.
        key = (offer.offer_id, kind, points, tuple(id(f) for f in factors))
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = _suggestion(offer, kind, points, factors)
        return made

    def take(self, candidates: list[Candidate], limit: int) -> list[SuggestedOffer]:
        """The best ``limit`` candidates (score, then offer id as text) that have room left."""
        chosen: list[SuggestedOffer] = []
        for _, _, offer, kind, scored in sorted(candidates, key=lambda c: (c[0], c[1])):
            if len(chosen) == limit:
                break
            if self.used[offer.offer_id] < self.room.get(offer.offer_id, 0):
                self.used[offer.offer_id] += 1
                chosen.append(self._made(offer, kind, *scored()))
        return chosen


def _plan(
    round_id: UUID,
    case: RoundCase,
    market: Market,
    welcomer: Offer,
    regions: Mapping[str, RegionOffers],
    suggested: _Suggested,
    limits: Limits,
    now: datetime,
) -> Referral:
    profile = market.profiles[case.person_id]
    assert welcomer.intake is not None
    region = welcomer.intake.region
    offers = regions.get(region, RegionOffers())
    jobs, settlement = _offers_for(profile, offers, suggested)
    partner = market.partners.get(welcomer.partner_id) if welcomer.partner_id else None
    return Referral(
        referral_id=referral_id_for(round_id, case.case_id),
        round_id=round_id,
        case_id=case.case_id,
        person_id=case.person_id,
        household_size=profile.household.size,
        region=region,
        welcoming_partner_id=welcomer.partner_id,
        welcoming_offer_id=welcomer.offer_id,
        preference_rank=profile.preferred_regions.index(region) + 1
        if region in profile.preferred_regions
        else None,
        jobs=suggested.take(jobs, limits.jobs),
        settlement=suggested.take(settlement, limits.settlement),
        activities=activities_for(profile, region, market.calendar, local_date(now), limits.activities),
        entitlements=[e for e in case.entitlements if e.status != "not_entitled"],
        counsellor_id=case.counsellor_id,
        factors=_factors(case, region, partner, profile.language),
        status="proposed",
        decided_by="round",
        issued_at=now,
        updated_at=now,
    )


def _offers_for(
    profile: InterestDeclared, offers: RegionOffers, suggested: _Suggested
) -> tuple[list[Candidate], list[Candidate]]:
    jobs, settlement = [], []
    fit = JobFit(profile)
    for offer in offers.jobs_for(profile.cnp_codes):
        points = fit.points(offer)
        if points > 0:
            jobs.append(suggested.candidate(offer, "job", points, functools.partial(fit.score, offer)))
    for offer in offers.settlement:
        points, factors = settlement_score(profile, offer)
        if points > 0:
            scored = functools.partial(_as_scored, points, factors)
            settlement.append(suggested.candidate(offer, "settlement", points, scored))
    return jobs, settlement


def _as_scored(points: float, factors: list[Factor]) -> tuple[float, list[Factor]]:
    return points, factors


def _suggestion(offer: Offer, kind: str, points: float, factors: list[Factor]) -> SuggestedOffer:
    assert offer.region is not None
    return SuggestedOffer(
        offer_id=offer.offer_id,
        partner_id=offer.partner_id,
        kind=kind,
        title=offer.title,
        region=offer.region,
        score=round(points, 2),
        factors=factors,
    )


def activities_for(
    profile: InterestDeclared, region: str, calendar: Sequence[CalendarEntry], today: date, limit: int
) -> list[SuggestedActivity]:
    """Upcoming scheduled activities in Montréal for the person: their region's first, then their sector's."""
    codes = profile.cnp_codes

    def relevant(entry: CalendarEntry) -> bool:
        by_sector = not entry.sectors or any(c.startswith(s) for c in codes for s in entry.sectors)
        return region in entry.regions or (by_sector and bool(entry.sectors))

    upcoming = [
        e
        for e in calendar
        if e.status == "scheduled"
        and e.day is not None
        and e.day >= today
        and e.start_time is not None
        and relevant(e)
    ]
    upcoming.sort(key=lambda e: (region not in e.regions, e.day, e.start_time, str(e.proposal_id)))
    return [
        SuggestedActivity(
            proposal_id=e.proposal_id,
            title=e.title,
            kind=e.kind.value,
            day=e.day,
            start=e.start_time,
            regions=e.regions,
        )
        for e in upcoming[:limit]
        if e.day is not None and e.start_time is not None
    ]


def _factors(case: RoundCase, region: str, partner: Partner | None, language: str) -> list[Factor]:
    scored = next((r for r in case.regions if r.region == region), None)
    factors = list(scored.factors) if scored is not None else []
    factors.append(_welcoming(partner.name if partner is not None else "—", serves(partner, language)))
    return factors


@functools.lru_cache(maxsize=8192)
def _welcoming(name: str, served: bool) -> Factor:
    # One frozen factor per organization and language served, shared by its plans.
    return Factor(
        factor="welcoming",
        points=10 if served else 0,
        detail_fr=f"Place d'accueil chez {name}",
        detail_en=f"A place to be welcomed at {name}",
    )


def accept(referral: Referral, now: datetime) -> Referral:
    """The household accepts its plan."""
    check_referral(referral.referral_id, referral.status, "accept")
    return referral.model_copy(update={"status": "accepted", "updated_at": now})


def decline(referral: Referral, reason: str | None, now: datetime) -> Referral:
    """The household declines; its place returns to the pool for the next round."""
    check_referral(referral.referral_id, referral.status, "decline")
    return referral.model_copy(update={"status": "declined", "decline_reason": reason, "updated_at": now})


def cancel(referral: Referral, now: datetime) -> Referral:
    """The person withdrew: a live plan is cancelled and its place returns to the pool."""
    if not referral_allows(referral.status, "cancel"):
        return referral
    return referral.model_copy(update={"status": "cancelled", "updated_at": now})


def request_review(referral: Referral, now: datetime) -> Referral:
    """The person asks a counsellor to review the plan; asking again changes nothing."""
    check_referral(referral.referral_id, referral.status, "request_review")
    if referral.review_requested_at is not None:
        return referral
    return referral.model_copy(update={"review_requested_at": now, "updated_at": now})


def override(
    referral: Referral,
    target: Offer | None,
    reason: str,
    counsellor: str,
    market: Market,
    limits: Limits,
    now: datetime,
) -> Referral:
    """A counsellor reviews an automated plan: another welcoming organization (with room), or none."""
    check_referral(referral.referral_id, referral.status, "override")
    review = Override(
        counsellor_id=counsellor,
        reason=reason,
        at=now,
        previous_partner_id=referral.welcoming_partner_id,
        previous_region=referral.region,
    )
    common = {"decided_by": "counsellor", "override": review, "review_requested_at": None, "updated_at": now}
    if target is None:
        return referral.model_copy(update={**common, "status": "cancelled"})
    if target.intake is None or target.status != "active":
        raise Conflict(f"offer {target.offer_id} is not an active intake capacity")
    held = sum(
        1
        for r in market.referrals
        if r.holds_a_place
        and r.welcoming_offer_id == target.offer_id
        and r.referral_id != referral.referral_id
    )
    if held >= target.intake.households_per_month:
        raise Conflict(
            f"offer {target.offer_id} has no place left ({held} of {target.intake.households_per_month})"
        )
    case = RoundCase.of(market.cases[referral.person_id])
    others = [r for r in market.referrals if r.referral_id != referral.referral_id]
    plan = _plan(
        referral.round_id,
        case,
        Market(market.profiles, market.cases, others, market.offers, market.partners, market.calendar),
        target,
        by_region(market.offers, local_date(now)),
        _Suggested.from_referrals(others, {o.offer_id: o for o in market.offers}, limits),
        limits,
        now,
    )
    return plan.model_copy(
        update={
            **common,
            "referral_id": referral.referral_id,
            "status": "proposed",
            "issued_at": referral.issued_at,
        }
    )
