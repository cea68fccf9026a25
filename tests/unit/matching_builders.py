"""Builders of matching inputs for unit tests: people, partners, offers, cases, a market."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

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
    SettlementOffer,
)
from services.matching.domain import open_case
from services.matching.ranking import by_region, rank_regions, suggest_offers

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
TODAY = NOW.date()


def person(n: int, regions: list[str], **fields: Any) -> InterestDeclared:
    """Person number ``n`` (ids are stable), ranking ``regions``."""
    values: dict[str, Any] = {
        "person_id": UUID(int=n + 1),
        "immigration_status": ImmigrationStatus.PERMANENT_RESIDENT,
        "preferred_regions": regions,
        "language": "fr",
        "declared_at": NOW,
        "consents": Consents(contact=True, referral=True, share_contact=False),
        **fields,
    }
    return InterestDeclared(**values)


def partner(n: int, region: str, languages: tuple[str, ...] = ("fr",)) -> Partner:
    """A community organization welcoming newcomers in ``region``."""
    return Partner(
        partner_id=UUID(int=10_000 + n),
        name=f"Accueil {region}-{n}",
        kind="community_organization",
        regions=[region],
        contact_email=f"accueil{n}@example.org",
        registered_at=NOW,
        service_languages=list(languages),
    )


def _offer(n: int, kind: OfferKind, partner_id: UUID | None, title: str, **details: Any) -> Offer:
    return Offer(
        offer_id=UUID(int=20_000 + n),
        partner_id=partner_id,
        kind=kind,
        title=title,
        published_at=NOW,
        **details,
    )


def intake(n: int, of: Partner, places: int) -> Offer:
    """``of``'s intake capacity: ``places`` households a month."""
    capacity = IntakeCapacity(region=of.regions[0], households_per_month=places)
    return _offer(n, OfferKind.INTAKE_CAPACITY, of.partner_id, f"Accueil de {of.name}", intake=capacity)


def job(n: int, region: str, cnp: str, positions: int = 1, french: int | None = None) -> Offer:
    """A job offer for CNP ``cnp`` in ``region``."""
    details = JobOffer(
        start_date=TODAY,
        cnp=cnp,
        region=region,
        positions=positions,
        hours_per_week=37.5,
        hourly_wage=Decimal("28.50"),
        french_level_required=french,
    )
    return _offer(n, OfferKind.JOB, UUID(int=30_000 + n), f"Poste {cnp} ({region})", job=details)


def settlement(n: int, region: str, category: str, capacity: int = 5) -> Offer:
    """A settlement offer in ``region``."""
    details = SettlementOffer(start_date=TODAY, category=category, region=region, capacity=capacity)
    return _offer(n, OfferKind.SETTLEMENT, UUID(int=40_000 + n), f"{category} ({region})", settlement=details)


def case_for(profile: InterestDeclared, offers: list[Offer], partners: list[Partner]) -> Case:
    """The case the worker would open for ``profile`` (ranked with the same functions)."""
    regions = by_region(offers, TODAY)
    ranked = rank_regions(profile, regions, {p.partner_id: p for p in partners})
    return open_case(
        profile, regions=ranked, offers=suggest_offers(profile, regions, [r.region for r in ranked[:3]])
    )


def household(adults: int, *children: int) -> Household:
    return Household(adults=adults, children_ages=list(children))


def occupations(*codes: str, years: float = 5) -> list[Occupation]:
    return [Occupation(cnp=code, years=years) for code in codes]


__all__ = [
    "NOW",
    "TODAY",
    "case_for",
    "date",
    "household",
    "intake",
    "job",
    "occupations",
    "partner",
    "person",
    "settlement",
]
