"""The people of a demo season: intake bodies for POST /interests (profile, contact, consents).

Distributions are illustrative, chosen to look like a season of the Montréal
hub: mostly permanent residents, workers and students; about three in four
contacted in French; households of one to five; occupations over every TEER
level, studies that go with them; French levels over the whole 1–12 scale
(higher for French speakers); ranked regions, or open to any. Nine in ten agree
to be referred; fewer let the regional partner see their contact data.

Fast enough for benchmarks: 100,000 people take a few seconds.
"""

from __future__ import annotations

import gc
import random
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from services.common.reference import ReferenceData

from . import names
from .spec import REGION_WEIGHTS, Record, ascii_slug, new_id

STATUSES = {
    "permanent_resident": 40, "temporary_worker": 20, "protected_person": 11,
    "international_student": 10, "asylum_seeker": 8, "citizen": 11,
}  # fmt: skip
FRENCH_SHARE = {
    "maghreb": 0.9, "west_africa": 0.9, "central_africa": 0.9, "haiti": 0.95, "latin_america": 0.65,
    "france_belgium": 1.0, "south_asia": 0.35, "east_asia": 0.45, "philippines": 0.3, "middle_east": 0.7,
    "eastern_europe": 0.5,
}  # fmt: skip
STUDIES_BY_TEER = {
    0: ("bachelor", "master", "master", "doctorate"),
    1: ("bachelor", "bachelor", "master", "doctorate"),
    2: ("college", "college", "vocational", "bachelor"),
    3: ("vocational", "vocational", "secondary", "college"),
    4: ("secondary", "secondary", "vocational", "college"),
    5: ("none", "secondary", "secondary", "vocational"),
}
# Occupations regulated by a professional order (ordre professionnel): recognition may be under way.
REGULATED = frozenset({"31102", "31301", "32101", "11100", "41220", "41221", "21231"})
ENGLISH = ("none", "basic", "intermediate", "advanced")
SUPPORT = ("none",) * 6 + ("social_assistance", "employment_insurance")
SUPPORT_ASYLUM = ("social_assistance", "none")  # asylum seekers: social assistance more often


class People:
    """Draws people one by one from precomputed choices (fast for large seasons)."""

    def __init__(self, rng: random.Random, reference: ReferenceData, start: date) -> None:
        self.rng, self.start = rng, start
        # Cumulative weights, computed once: ``choices`` is then cheap per person.
        self.origins = list(names.ORIGIN_WEIGHTS)
        self.origin_weights = list(accumulate(names.ORIGIN_WEIGHTS.values()))
        self.statuses, self.status_weights = list(STATUSES), list(accumulate(STATUSES.values()))
        self.regions = list(REGION_WEIGHTS)
        self.region_weights = list(accumulate(REGION_WEIGHTS.values()))
        units = list(reference.cnp_unit_groups)
        self.cnp = [(u.code, u.teer) for u in units]
        # More people in TEER 1–3 occupations than in management or short demonstration.
        self.cnp_weights = list(accumulate((1, 3, 4, 3, 2, 2)[teer] for _, teer in self.cnp))
        self.before = [(start - timedelta(days=n)).isoformat() for n in range(5001)]
        self.after = [(start + timedelta(days=n)).isoformat() for n in range(181)]

    def person(self, index: int) -> Record:
        """The ``index``-th person's intake body."""
        rng = self.rng
        origin = rng.choices(self.origins, cum_weights=self.origin_weights)[0]
        given_names, family_names = names.ORIGINS[origin]
        given, family = rng.choice(given_names), rng.choice(family_names)
        french = rng.random() < FRENCH_SHARE[origin]
        status = rng.choices(self.statuses, cum_weights=self.status_weights)[0]
        occupations, teer = self._occupations()
        body: dict[str, Any] = {
            "contact": self._contact(given, family, index),
            "consents": self._consents(),
            "immigration_status": status,
            "household": self._household(),
            "occupations": occupations,
            "french_level": self._french(french),
            "english_level": rng.choice(ENGLISH[1:] if not french else ENGLISH),
            "language": "fr" if french else "en",
        }
        if status != "citizen":
            body["arrival_date"] = self.before[rng.randint(14, 1800)]
        elif rng.random() < 0.5:  # citizens arrived years ago (naturalized), when they say
            body["arrival_date"] = self.before[rng.randint(1500, 5000)]
        if teer is not None:
            body["studies"] = rng.choice(STUDIES_BY_TEER[teer])
            if occupations[0]["cnp"] in REGULATED:
                body["credential_recognition_in_progress"] = rng.random() < 0.5
        if rng.random() < 0.9:
            body["age"] = min(64, max(18, round(rng.gauss(34, 9))))
        body.update(self._preferences())
        if rng.random() < 0.75:
            body["driving_licence"] = rng.random() < 0.65
        if rng.random() < 0.6:
            body["earliest_move_date"] = self.after[rng.randint(0, 180)]
        if rng.random() < 0.7:
            body["income_support"] = rng.choice(SUPPORT_ASYLUM if status == "asylum_seeker" else SUPPORT)
        return body

    def _contact(self, given: str, family: str, index: int) -> dict[str, str]:
        rng = self.rng
        local = f"{ascii_slug(given, '.')}.{ascii_slug(family, '.')}.{index + 1}"
        contact = {"name": f"{given} {family}", "email": f"{local}@{rng.choice(names.EMAIL_DOMAINS)}"}
        if rng.random() < 0.8:
            contact["phone"] = f"+1 {rng.choice(names.AREA_CODES)} 555 01{rng.randrange(100):02d}"
        return contact

    def _consents(self) -> dict[str, bool]:
        referral = self.rng.random() < 0.9
        return {"contact": True, "referral": referral, "share_contact": referral and self.rng.random() < 0.45}

    def _household(self) -> dict[str, Any]:
        rng = self.rng
        adults = 2 if rng.random() < 0.45 else 1
        children = rng.choice((0, 1, 1, 2, 2, 3)) if adults == 2 else (1 if rng.random() < 0.15 else 0)
        return {"adults": adults, "children_ages": sorted(rng.randint(0, 17) for _ in range(children))}

    def _occupations(self) -> tuple[list[dict[str, Any]], int | None]:
        rng = self.rng
        if rng.random() < 0.12:
            return [], None
        count = 1 if rng.random() < 0.75 else 2
        # Distinct, in the order drawn (the main one first); never a set: its order changes between runs.
        chosen = list(dict.fromkeys(rng.choices(self.cnp, cum_weights=self.cnp_weights, k=count)))
        occupations = [
            {"cnp": code, "years": round(rng.uniform(0, 20) * 2) / 2, "stays_in_field": rng.random() < 0.8}
            for code, _ in chosen
        ]
        return occupations, chosen[0][1]

    def _french(self, french: bool) -> int | None:
        rng = self.rng
        if rng.random() < 0.08:
            return None  # not assessed yet
        return rng.randint(7, 12) if french else rng.choice((1, 1, 2, 3, 3, 4, 5, 6, 7))

    def _preferences(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.15:
            return {"preferred_regions": [], "open_to_any_region": True}
        ranked: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            region = rng.choices(self.regions, cum_weights=self.region_weights)[0]
            if region not in ranked:
                ranked.append(region)
        return {"preferred_regions": ranked, "open_to_any_region": rng.random() < 0.2}


def people(rng: random.Random, reference: ReferenceData, start: date, count: int) -> list[Record]:
    """``count`` people, each with a generated id and an intake body."""
    drawer = People(rng, reference, start)
    # The records hold no cycles: the collector's passes over 100,000 new dicts would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [{"id": new_id(rng), "body": drawer.person(index)} for index in range(count)]
    finally:
        if collecting:
            gc.enable()
