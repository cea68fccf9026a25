"""Ranking (pure): destination regions, offers and welcoming organizations scored for a person,
with the factors of each score so that every suggestion can be explained.

The scores are simple sums of named factors (points), chosen to be read by a
counsellor and by the person (Law 25: the main factors of an automated
decision), not learned weights:

- preference: the person's own ranking of regions comes first;
- job_match: the best job offer of the region for the person's occupations
  (same CNP unit group, same minor group, same broad category), French level
  against the job's requirement, open when the person can move;
- settlement: childcare for a household with children, housing help, welcome
  programs in the region;
- service_language: a welcoming organization that serves the person's language;
- welcoming: whether any organization of the region can welcome them now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal
from uuid import UUID

from services.common.contracts import Factor, InterestDeclared, Offer, Partner, RegionScore, SuggestedOffer

MONTREAL = "06"
DESTINATIONS = tuple(f"{code:02d}" for code in range(1, 18) if code != 6)
MAX_SUGGESTED_OFFERS = 5
MAX_OTHER_REGIONS = 8  # regions listed beyond those the person ranked (open to any)
UNREACHABLE = -50.0  # a region scored below this has no organization able to welcome the person


@lru_cache(maxsize=65536)
def _factor(name: str, points: float, fr: str, en: str) -> Factor:
    # Factors are frozen and repeat from person to person: one object for each (100,000 cases
    # hold millions of factors; sharing them keeps a round's market in memory).
    return Factor(factor=name, points=round(points, 2), detail_fr=fr, detail_en=en)


def preference_points(profile: InterestDeclared, region: str) -> Factor | None:
    """The person's own ranking of ``region``; None when they would not go there."""
    ranked = profile.preferred_regions
    if region in ranked:
        rank = ranked.index(region) + 1
        return _factor(
            "preference",
            max(40 - 8 * (rank - 1), 8),
            f"Choix n° {rank} de la personne",
            f"The person's choice no. {rank}",
        )
    if profile.open_to_any_region or not ranked:
        return _factor("preference", 4, "Ouverte à toute région", "Open to any region")
    return None


def job_score(profile: InterestDeclared, offer: Offer) -> tuple[float, list[Factor]]:
    """How well a job offer fits the person (0 = not suggested), and why."""
    return JobFit(profile).score(offer)


_OCCUPATION_TEXTS = {
    40.0: ("Même profession (CNP {})", "Same occupation (NOC {})"),
    20.0: ("Profession voisine (CNP {})", "Related occupation (NOC {})"),
    8.0: ("Même grand domaine (CNP {})", "Same broad field (NOC {})"),
}


class JobFit:
    """``job_score`` of one person for many offers: their occupations are read once."""

    __slots__ = ("level", "move", "occupations")

    def __init__(self, profile: InterestDeclared) -> None:
        experience = {o.cnp: o for o in profile.occupations}
        # Each code, main first, with its years and whether the person stays in that field.
        self.occupations = [
            (code, experience[code].years, experience[code].stays_in_field)
            if code in experience
            else (code, 0.0, True)
            for code in profile.cnp_codes
        ]
        self.move = profile.earliest_move_date
        self.level = profile.french_level

    def score(self, offer: Offer) -> tuple[float, list[Factor]]:
        """How well a job offer fits the person (0 = not suggested), and why."""
        job = offer.job
        assert job is not None
        move, closing = self.move, job.closing_date
        if move is not None and closing is not None and closing < move:
            return 0.0, []  # the job closes before the person can move
        occupation = self._best_occupation(job.cnp)
        if occupation is None:
            return 0.0, []
        points, years = occupation
        fr, en = _OCCUPATION_TEXTS[points]
        factors = [_factor("job_match", points, fr.format(job.cnp), en.format(job.cnp))]
        if years >= 2:
            factors.append(
                _factor(
                    "experience",
                    min(years, 10),
                    f"{years:g} ans d'expérience",
                    f"{years:g} years of experience",
                )
            )
        french = self._french(job.french_level_required)
        if french is False:
            return 0.0, []
        if french is not None:
            factors.append(french)
        return sum(f.points for f in factors), factors

    def points(self, offer: Offer) -> float:
        """``score(offer)``'s points alone, without building its factors (the same sum of the same
        rounded numbers, in the same order)."""
        job = offer.job
        assert job is not None
        move, closing = self.move, job.closing_date
        if move is not None and closing is not None and closing < move:
            return 0.0
        occupation = self._best_occupation(job.cnp)
        if occupation is None:
            return 0.0
        points, years = occupation
        found = [points]
        if years >= 2:
            found.append(round(min(years, 10), 2))
        required, level = job.french_level_required, self.level
        if required is not None:
            if level is None:
                found.append(0)
            elif level >= required:
                found.append(10)
            elif required - level <= 2:
                found.append(-10)
            else:
                return 0.0
        return sum(found)

    def _french(self, required: int | None) -> Factor | Literal[False] | None:
        """The French factor for a job's required level (None: none required; False: too far)."""
        level = self.level
        if required is None:
            return None
        if level is None:
            return _factor("french", 0, "Niveau de français à évaluer", "French level to be assessed")
        if level >= required:
            return _factor(
                "french",
                10,
                f"Français {level}/12 ≥ {required} requis",
                f"French {level}/12 ≥ {required} required",
            )
        if required - level <= 2:
            return _factor(
                "french",
                -10,
                f"Français {level}/12, {required} requis : francisation à prévoir",
                f"French {level}/12, {required} required: French courses to plan",
            )
        return False

    def _best_occupation(self, cnp: str) -> tuple[float, float] | None:
        """(points, years) of the person's occupation closest to ``cnp``: the first of the best."""
        best: tuple[float, float] | None = None
        for code, years, stays in self.occupations:
            if code == cnp and stays:
                found = (40.0, years)
            elif code[:3] == cnp[:3]:
                found = (20.0, years)
            elif code[0] == cnp[0] and cnp[1] >= code[1]:
                found = (8.0, 0.0)
            else:
                continue
            if best is None or found[0] > best[0]:
                best = found
        return best


def settlement_score(profile: InterestDeclared, offer: Offer) -> tuple[float, list[Factor]]:
    """How useful a settlement offer is to the household (0 = not suggested), and why."""
    settlement = offer.settlement
    assert settlement is not None
    if settlement.capacity <= 0:
        return 0.0, []
    children = len(profile.household.children_ages)
    young = sum(age < 6 for age in profile.household.children_ages)
    match settlement.category:
        case "childcare" if young:
            factor = _factor(
                "settlement", 8, f"Garde pour {young} enfant(s)", f"Childcare for {young} child(ren)"
            )
        case "housing_help":
            points = 5 if profile.household.size >= 3 else 3
            factor = _factor("settlement", points, "Aide au logement", "Housing help")
        case "welcome_program":
            factor = _factor("settlement", 2 + children, "Programme d'accueil", "Welcome program")
        case _:
            return 0.0, []
    return factor.points, [factor]


@dataclass(frozen=True)
class RegionOffers:
    """What a region offers, grouped once for all the people being ranked."""

    jobs: tuple[Offer, ...] = ()
    settlement: tuple[Offer, ...] = ()
    welcomers: tuple[Offer, ...] = ()
    by_category: dict[str, tuple[Offer, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Offer]] = {}
        for offer in self.jobs:
            assert offer.job is not None
            index.setdefault(offer.job.cnp[0], []).append(offer)
        self.by_category.update({category: tuple(found) for category, found in index.items()})

    def jobs_for(self, codes: Sequence[str]) -> tuple[Offer, ...]:
        """The jobs that can fit someone with these CNP codes: those of the same broad category."""
        categories = sorted({code[0] for code in codes})
        return tuple(offer for category in categories for offer in self.by_category.get(category, ()))


def by_region(offers: Iterable[Offer], today: date) -> dict[str, RegionOffers]:
    """Active, open offers grouped by region (measures are not grouped: they are entitlements)."""
    grouped: dict[str, dict[str, list[Offer]]] = {}
    for offer in offers:
        region = offer.region
        if offer.status != "active" or region is None or region == MONTREAL:
            continue
        window = offer.job or offer.settlement
        if window is not None and window.closing_date is not None and window.closing_date < today:
            continue
        slot = {"job": "jobs", "settlement": "settlement", "intake_capacity": "welcomers"}.get(
            offer.kind.value
        )
        if slot is not None:
            grouped.setdefault(region, {}).setdefault(slot, []).append(offer)
    return {
        region: RegionOffers(
            jobs=_in_order(slots.get("jobs", [])),
            settlement=_in_order(slots.get("settlement", [])),
            welcomers=_in_order(slots.get("welcomers", [])),
        )
        for region, slots in grouped.items()
    }


def _in_order(offers: list[Offer]) -> tuple[Offer, ...]:
    return tuple(sorted(offers, key=lambda o: o.offer_id.int))


def serves(partner: Partner | None, language: str) -> bool:
    """Whether a welcoming partner serves people in ``language``."""
    if partner is None:
        return language == "fr"
    return language in partner.service_languages or (language == "fr" and not partner.service_languages)


def rank_regions(
    profile: InterestDeclared, regions: dict[str, RegionOffers], partners: dict[UUID, Partner]
) -> list[RegionScore]:
    """Every destination the person would consider, best first, with the factors of each score.

    A region the person ranked is always listed (unreachable ones say why); for someone
    open to any region, the regions where nobody can welcome them are left out.
    """
    scored = []
    codes = profile.cnp_codes
    fit = JobFit(profile)
    for region in DESTINATIONS:
        preference = preference_points(profile, region)
        if preference is None:
            continue
        offers = regions.get(region, RegionOffers())
        factors = [preference]
        jobs = [fit.score(job) for job in offers.jobs_for(codes)]
        best_job = max(jobs, key=lambda scored_job: scored_job[0], default=(0.0, []))
        if best_job[0] > 0:
            points = best_job[0] / 2
            main = best_job[1][0]
            factors.append(_factor("job_match", points, main.detail_fr, main.detail_en))
        settlement = sorted((settlement_score(profile, o)[0] for o in offers.settlement), reverse=True)
        if settlement and settlement[0] > 0:
            factors.append(
                _factor("settlement", sum(settlement[:2]), "Aide à l'installation", "Settlement help")
            )
        open_places = [
            w for w in offers.welcomers if w.intake is not None and w.intake.households_per_month > 0
        ]
        if not open_places:
            factors.append(
                _factor(
                    "welcoming",
                    -100,
                    "Aucun organisme d'accueil disponible",
                    "No welcoming organization available",
                )
            )
        elif any(
            serves(partners.get(w.partner_id) if w.partner_id else None, profile.language)
            for w in open_places
        ):
            factors.append(
                _factor("service_language", 5, "Accueil dans sa langue", "Welcome in their language")
            )
        else:
            factors.append(
                _factor("service_language", -10, "Accueil en français seulement", "Welcome in French only")
            )
        score = round(sum(f.points for f in factors), 2)
        if score <= UNREACHABLE and region not in profile.preferred_regions:
            continue  # open to any, but nobody can welcome them there: not worth listing
        scored.append(RegionScore(region=region, score=score, factors=factors))
    # The person's own order first, then the score; ties by region code (deterministic).
    ordered = sorted(scored, key=lambda r: (-r.factors[0].points, -r.score, r.region))
    # Someone open to any region keeps the regions they ranked and the best others, not all 16.
    ranked = [r for r in ordered if r.region in profile.preferred_regions]
    others = [r for r in ordered if r.region not in profile.preferred_regions][:MAX_OTHER_REGIONS]
    return sorted([*ranked, *others], key=ordered.index)


def suggest_offers(
    profile: InterestDeclared,
    regions: dict[str, RegionOffers],
    region_codes: Sequence[str],
    limit: int = MAX_SUGGESTED_OFFERS,
) -> list[SuggestedOffer]:
    """The best job and settlement offers in ``region_codes`` for the person, best first."""
    found: list[SuggestedOffer] = []
    fit = JobFit(profile)
    for region in region_codes:
        offers = regions.get(region, RegionOffers())
        for offer in offers.jobs_for(profile.cnp_codes):
            points, factors = fit.score(offer)
            if points > 0:
                found.append(_suggestion(offer, "job", region, points, factors))
        for offer in offers.settlement:
            points, factors = settlement_score(profile, offer)
            if points > 0:
                found.append(_suggestion(offer, "settlement", region, points, factors))
    found.sort(key=lambda s: (-s.score, s.kind, str(s.offer_id)))
    jobs = [s for s in found if s.kind == "job"][:limit]
    settlement = [s for s in found if s.kind == "settlement"][:limit]
    return jobs + settlement


def _suggestion(offer: Offer, kind: str, region: str, points: float, factors: list[Factor]) -> SuggestedOffer:
    return SuggestedOffer(
        offer_id=offer.offer_id,
        partner_id=offer.partner_id,
        kind=kind,
        title=offer.title,
        region=region,
        score=round(points, 2),
        factors=factors,
    )
