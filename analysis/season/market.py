"""A synthetic market for comparisons and benchmarks (pure, seeded): people, welcoming
organizations, jobs and settlement offers over Québec's destination regions.

Regions differ in attractiveness (people's first choices concentrate on a few
regions, as they do in reality) and in places; organizations' capacities sum
to ``capacity_ratio`` times the number of households, so a round must choose.
The cases are what the matching worker would open (same ranking functions).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from services.common.contracts import (
    Case,
    Consents,
    Household,
    ImmigrationStatus,
    IntakeCapacity,
    InterestDeclared,
    JobOffer,
    Occupation,
    Offer,
    OfferKind,
    Partner,
)
from services.common.reference import load_reference
from services.matching.concertation import Market
from services.matching.domain import open_case
from services.matching.ranking import DESTINATIONS, by_region, rank_regions

NAMESPACE = uuid.UUID("8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a")
# Relative pull of each destination region (first choices concentrate on a few).
PULL = {"03": 9, "05": 7, "16": 8, "04": 5, "02": 4, "12": 4, "17": 3, "15": 3, "14": 3, "13": 3}


@dataclass(frozen=True)
class Size:
    """How big a synthetic market is."""

    people: int = 1000
    organizations: int = 40
    jobs: int = 150
    capacity_ratio: float = 0.6
    seed: int = 7


def _id(kind: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}-{n}")


def make_market(size: Size, now: datetime | None = None) -> Market:
    """A seeded market of ``size``: the same size and seed give the same market."""
    now = now or datetime(2026, 11, 30, 15, tzinfo=UTC)
    market = make_people_and_offers(size, now)
    return Market(market.profiles, dict(open_cases(market, now)), [], market.offers, market.partners)


def make_people_and_offers(size: Size, now: datetime) -> Market:
    """The market of ``make_market`` without its cases (``open_cases`` opens them one by one)."""
    rng = random.Random(size.seed)
    codes = [u.code for u in load_reference().cnp_unit_groups]
    regions = list(DESTINATIONS)
    weights = [PULL.get(r, 1) for r in regions]
    partners: dict[uuid.UUID, Partner] = {}
    offers: list[Offer] = []
    households = int(size.people)
    places = max(size.organizations, int(households * size.capacity_ratio))
    for n in range(size.organizations):
        region = regions[n % len(regions)] if n < len(regions) else rng.choices(regions, weights)[0]
        partner = Partner(
            partner_id=_id("partner", n),
            name=f"Organisme d'accueil {n}",
            kind="community_organization",
            regions=[region],
            contact_email=f"accueil{n}@example.org",
            registered_at=now,
            service_languages=["fr", "en"] if rng.random() < 0.4 else ["fr"],
        )
        partners[partner.partner_id] = partner
        share = places // size.organizations + (1 if n < places % size.organizations else 0)
        offers.append(
            Offer(
                offer_id=_id("intake", n),
                partner_id=partner.partner_id,
                kind=OfferKind.INTAKE_CAPACITY,
                title=f"Accueil {n}",
                published_at=now,
                intake=IntakeCapacity(region=region, households_per_month=share),
            )
        )
    for n in range(size.jobs):
        region = rng.choices(regions, weights)[0]
        offers.append(
            Offer(
                offer_id=_id("job", n),
                partner_id=_id("employer", n % 97),
                kind=OfferKind.JOB,
                title=f"Emploi {n}",
                published_at=now,
                job=JobOffer(
                    start_date=now.date(),
                    cnp=rng.choice(codes),
                    region=region,
                    positions=rng.randint(1, 4),
                    hours_per_week=37.5,
                    hourly_wage=Decimal("27.50"),
                    french_level_required=rng.choice([None, 5, 7, 9]),
                ),
            )
        )
    profiles = {}
    for n in range(size.people):
        ranked = _ranked_regions(rng, regions, weights)
        profile = InterestDeclared(
            person_id=_id("person", n),
            immigration_status=rng.choice(list(ImmigrationStatus)),
            preferred_regions=ranked,
            open_to_any_region=not ranked or rng.random() < 0.3,
            language="fr" if rng.random() < 0.75 else "en",
            declared_at=now,
            household=Household(
                adults=rng.choice([1, 1, 2]), children_ages=[rng.randint(0, 17)] * rng.choice([0, 0, 1, 2])
            ),
            occupations=[Occupation(cnp=rng.choice(codes), years=rng.randint(0, 15))],
            french_level=rng.randint(1, 12),
            consents=Consents(contact=True, referral=True, share_contact=rng.random() < 0.5),
        )
        profiles[profile.person_id] = profile
    return Market(profiles, {}, [], offers, partners)


def open_cases(market: Market, now: datetime) -> Iterator[tuple[uuid.UUID, Case]]:
    """Each person's case, as the matching worker would open it, one at a time (person id, case)."""
    grouped = by_region(market.offers, now.date())
    partners = dict(market.partners)
    for person_id, profile in market.profiles.items():
        yield person_id, open_case(profile, regions=rank_regions(profile, grouped, partners))


def _ranked_regions(rng: random.Random, regions: list[str], weights: list[int]) -> list[str]:
    wanted = rng.choice([0, 1, 2, 2, 3, 3])
    ranked: list[str] = []
    while len(ranked) < wanted:
        region = rng.choices(regions, weights)[0]
        if region not in ranked:
            ranked.append(region)
    return ranked
