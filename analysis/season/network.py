"""The regionalization network of a demo season: partners, concertation tables, offers, counsellors.

Every kind of body of data/partner_kinds.json is represented: the Montréal hub;
in each chosen region a community organization that welcomes households (it
publishes the region's intake capacity and a welcome program, and is its
table's delegate); provincial bodies, municipalities and MRCs (settlement
offers), and employers (job offers over the CNP codes of their sector). A kind
added to the data file later gets one partner too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.common.reference import CnpUnitGroup, Mrc, ReferenceData

from . import names
from .spec import REGION_WEIGHTS, Record, SeasonSpec, ascii_slug, french_of, new_id

AREA_CODES = {
    "01": "418", "02": "418", "03": "418", "04": "819", "05": "819", "06": "514", "07": "819", "08": "819",
    "09": "418", "10": "819", "11": "418", "12": "418", "13": "450", "14": "450", "15": "450", "16": "450",
    "17": "819",
}  # fmt: skip
# Equivalent territories (cities): "Ville de X", never "MRC de X".
CITIES = frozenset({
    "Les Îles-de-la-Madeleine", "Québec", "Lévis", "Shawinigan", "Trois-Rivières", "La Tuque", "Sherbrooke",
    "Longueuil", "Laval", "Montréal", "Mirabel", "Gatineau", "Rouyn-Noranda", "Saguenay",
})  # fmt: skip
HUB_NAME = "Carrefour Emplois en régions"
# Hourly wage range (CAD, illustrative) and French level usually asked, by TEER level.
WAGES = {0: (42, 65), 1: (34, 52), 2: (25, 36), 3: (20, 27), 4: (17.5, 22), 5: (16.75, 19.5)}
FRENCH_ASKED = {0: (7, 9), 1: (7, 9), 2: (5, 7), 3: (4, 6), 4: (3, 5), 5: (3, 4)}
SETTLEMENT = {
    "housing_help": "Aide à la recherche de logement et premier mois de loyer partagé pour les ménages "
    "qui s'installent (montants illustratifs).",
    "childcare": "Places réservées en service de garde éducatif pour les enfants des familles "
    "nouvellement arrivées.",
    "welcome_program": "Accueil personnalisé, visite du milieu, jumelage avec une famille d'ici et "
    "accompagnement pendant la première année.",
    "other": "Jumelage interculturel et activités de réseautage professionnel.",
}


@dataclass(frozen=True)
class Org:
    """A generated partner and what the rest of the season needs to know about it."""

    id: str
    kind: str
    name: str
    regions: tuple[str, ...]
    mrcs: tuple[str, ...]
    sector: str = ""  # employers: the CNP broad category (1st digit) they hire in


def destination_regions(rng: random.Random, spec: SeasonSpec) -> list[str]:
    """At least 10 destination regions (more for a larger network), heaviest first."""
    count = max(10, min(len(REGION_WEIGHTS), round(spec.partners / 3.3)))
    # Weighted sampling without replacement (Efraimidis–Spirakis keys).
    keyed = sorted(REGION_WEIGHTS, key=lambda r: rng.random() ** (1 / REGION_WEIGHTS[r]), reverse=True)
    return sorted(keyed[:count], key=lambda r: (-REGION_WEIGHTS[r], r))


class Network:
    """Draws the partners, tables, offers and counsellors of one season."""

    def __init__(self, rng: random.Random, spec: SeasonSpec, reference: ReferenceData) -> None:
        self.rng, self.spec, self.ref = rng, spec, reference
        self.regions = destination_regions(rng, spec)
        self.orgs: list[Org] = []
        self.partner_records: list[Record] = []
        self._names: set[str] = set()
        self._neqs: set[str] = set()

    # -- partners -------------------------------------------------------------

    def partners(self) -> list[Record]:
        """Every partner: the hub, a welcoming organization per region, then the other kinds."""
        kinds = [k.code for k in self.ref.partner_kinds]
        if "coordinating_hub" in kinds:
            self._add("coordinating_hub", ("06",), ("660",), HUB_NAME, ["fr", "en", "es", "ar"])
        for region in self.regions:
            self._add_in(region, "community_organization", names.COMMUNITY_PATTERNS)
        plan = {
            "provincial_body": max(1, self.spec.partners // 10),
            "municipality": max(1, self.spec.partners // 5),
        }
        for kind in kinds:
            if kind not in {"coordinating_hub", "community_organization", "employer", *plan}:
                plan[kind] = 1  # a kind added to data/partner_kinds.json: one of it
        for kind, count in plan.items():
            for index in range(count):
                if kind == "provincial_body":
                    self._provincial(index)
                else:
                    region = self.regions[index % len(self.regions)]
                    self._add_in(region, kind, _patterns(kind, self.ref))
        sectors = [str(d) for d in range(1, 10)]  # not 0: legislators and senior management
        self.rng.shuffle(sectors)
        for index in range(max(1, self.spec.partners - len(self.orgs))):
            sector = sectors[index % len(sectors)]
            region = self.rng.choices(self.regions, weights=[REGION_WEIGHTS[r] for r in self.regions])[0]
            self._add_in(region, "employer", names.EMPLOYER_PATTERNS[sector], sector)
        return self.partner_records

    def _provincial(self, index: int) -> None:
        first = self.regions[index % len(self.regions)]
        served: tuple[str, ...] = (first,)
        if self.rng.random() < 0.5:  # some regional directorates serve two regions
            second = self.regions[(index + len(self.regions) // 2) % len(self.regions)]
            served = tuple(sorted({first, second}))
        place = " et ".join(self.region_name(r) for r in served)
        pattern = names.PROVINCIAL_PATTERNS[index % len(names.PROVINCIAL_PATTERNS)]
        self._add("provincial_body", served, (), pattern.format(place=place), ["fr", "en"], neq=False)

    def _add_in(self, region: str, kind: str, patterns: tuple[str, ...], sector: str = "") -> None:
        mrcs = self.ref.mrcs_of(region)
        home = self.rng.choice(mrcs)
        served = [home]
        if kind == "community_organization":
            served += self.rng.sample(
                [m for m in mrcs if m != home], k=min(len(mrcs) - 1, self.rng.randint(0, 2))
            )
        for attempt in range(20):
            place = home if attempt < 10 else self.rng.choice(mrcs)
            name = french_of(self.rng.choice(_fitting(patterns, place)).format(place=place.name))
            if name not in self._names:
                break
        else:
            name = f"{name} ({len(self.orgs) + 1})"
        languages = ["fr", "en"] if self.rng.random() < 0.5 else ["fr"]
        if kind == "community_organization" and self.rng.random() < 0.5:
            languages.append(self.rng.choice(["es", "ar"]))
        self._add(kind, (region,), tuple(m.code for m in served), name, languages, sector=sector)

    def region_name(self, code: str) -> str:
        """The French name of region ``code``."""
        region = self.ref.region(code)
        return region.fr if region else code

    def _add(
        self,
        kind: str,
        regions: tuple[str, ...],
        mrcs: tuple[str, ...],
        name: str,
        languages: list[str],
        neq: bool = True,
        sector: str = "",
    ) -> None:
        org = Org(new_id(self.rng), kind, name, regions, mrcs, sector)
        self._names.add(name)
        self.orgs.append(org)
        body: Record = {
            "name": name,
            "kind": kind,
            "regions": list(regions),
            "mrcs": list(mrcs),
            "service_languages": languages,
            "contact_email": f"{_TAG.get(kind, 'contact')}.{ascii_slug(name)[:40].strip('-')}"
            f".{len(self.orgs):03d}@example.org",
            "contact_phone": f"+1 {AREA_CODES[regions[0]]} 555 01{self.rng.randrange(100):02d}",
            "language": "en" if kind == "employer" and self.rng.random() < 0.12 else "fr",
        }
        if neq and kind != "municipality":
            body["neq"] = self._neq()
        self.partner_records.append({"id": org.id, "body": body})

    def _neq(self) -> str:
        while True:
            neq = f"11{self.rng.randrange(10**8):08d}"
            if neq not in self._neqs:
                self._neqs.add(neq)
                return neq

    def of_kind(self, kind: str) -> list[Org]:
        return [o for o in self.orgs if o.kind == kind]

    def welcomer(self, region: str) -> Org:
        """The community organization that welcomes households in ``region``."""
        return next(o for o in self.orgs if o.kind == "community_organization" and region in o.regions)


_TAG = {
    "coordinating_hub": "coordination",
    "community_organization": "accueil",
    "provincial_body": "direction",
    "municipality": "attraction",
    "employer": "emplois",
}


def _fitting(patterns: tuple[str, ...], place: Mrc) -> tuple[str, ...]:
    """The patterns that suit ``place``: a city (equivalent territory) is never called an MRC, and back."""
    city = place.name in CITIES
    fitting = tuple(
        p for p in patterns if not (city and "MRC de" in p) and not (not city and "Ville de" in p)
    )
    return fitting or patterns


def _patterns(kind: str, reference: ReferenceData) -> tuple[str, ...]:
    if kind == "municipality":
        return names.MUNICIPALITY_PATTERNS
    label = next((k.fr for k in reference.partner_kinds if k.code == kind), kind)
    return (f"{label} de {{place}}",)


def unit_groups_by_sector(reference: ReferenceData) -> dict[str, list[CnpUnitGroup]]:
    """The CNP unit groups of data/cnp.json by broad category (1st digit)."""
    groups: dict[str, list[CnpUnitGroup]] = {}
    for unit in reference.cnp_unit_groups:
        groups.setdefault(unit.code[0], []).append(unit)
    return groups


def wage(rng: random.Random, teer: int) -> str:
    """An hourly wage for a job of ``teer``, as a decimal string (cents)."""
    low, high = WAGES[teer]
    return str(Decimal(rng.uniform(low, high)).quantize(Decimal("0.01")))


def window(rng: random.Random, start: date) -> dict[str, str | None]:
    """When an offer is open: from a day of the season's first month, closing 2–5 months later or never."""
    opens = start + timedelta(days=rng.randint(0, 28))
    closes = opens + timedelta(days=rng.randint(60, 150)) if rng.random() < 0.8 else None
    return {"start_date": opens.isoformat(), "closing_date": closes.isoformat() if closes else None}
