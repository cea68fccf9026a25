"""What the network of a demo season publishes: tables and delegations, offers, the hub's counsellors.

Intake capacities add up to ``capacity_share`` of the number of people (40 % by
default): rounds must choose whom each region welcomes.
"""

from __future__ import annotations

import random
from datetime import timedelta

from services.common.reference import CnpUnitGroup

from . import names
from .network import (
    CITIES,
    FRENCH_ASKED,
    SETTLEMENT,
    Network,
    Org,
    unit_groups_by_sector,
    wage,
    window,
)
from .spec import REGION_WEIGHTS, Record, ascii_slug, french_of, new_id

TEER_WEIGHTS = (1, 2, 3, 3, 3, 3)
"""Employers post fewer management jobs (TEER 0) than trade or labour jobs."""


def tables(net: Network) -> list[Record]:
    """One table per region, heaviest regions first; the last is sub-regional (one MRC).

    Each table delegates its region's welcoming organization, from eight weeks
    before the season (a region has one delegate: only it proposes the region's activities).
    """
    chosen = net.regions[: net.spec.tables]
    records: list[Record] = []
    for index, region in enumerate(chosen):
        delegate = net.welcomer(region)
        members = [o.id for o in net.orgs if region in o.regions and o.kind != "coordinating_hub"]
        body: Record = {"region": region, "members": members, "mrcs": []}
        sub_regional = index == len(chosen) - 1 and len(chosen) >= 5
        mrc = next((net.ref.mrc(code) for code in delegate.mrcs), None)
        if sub_regional and mrc is not None and mrc.name not in CITIES:
            body["name"] = french_of(f"Table de concertation en immigration de la MRC de {mrc.name}")
            body["mrcs"] = [mrc.code]
        else:
            body["name"] = f"Table régionale de concertation en immigration — {net.region_name(region)}"
        start = net.spec.start - timedelta(weeks=8)
        records.append(
            {
                "id": new_id(net.rng),
                "body": body,
                "delegation": {"partner_id": delegate.id, "start": start.isoformat()},
            }
        )
    return records


def delegates(table_records: list[Record]) -> dict[str, str]:
    """Each table's region → its delegate's generated id."""
    return {t["body"]["region"]: t["delegation"]["partner_id"] for t in table_records}


def jobs(net: Network) -> list[Record]:
    """``spec.jobs`` job offers from the employers, mostly in their sector; the first six: TEER 0 to 5."""
    rng, employers = net.rng, net.of_kind("employer")
    by_sector = unit_groups_by_sector(net.ref)
    everything = list(net.ref.cnp_unit_groups)
    records: list[Record] = []
    for index in range(net.spec.jobs):
        if index < 6:  # TEER level ``index``, from an employer of a sector that has one
            fitting = [e for e in employers if any(u.teer == index for u in by_sector.get(e.sector, []))]
            employer = rng.choice(fitting or employers)
            units = [u for u in by_sector.get(employer.sector, everything) if u.teer == index]
            units = units or [u for u in everything if u.teer == index]
        else:
            employer = employers[index % len(employers)]
            # Employers also hire outside their sector (office, transport, maintenance).
            units = everything if rng.random() < 0.15 else by_sector.get(employer.sector, everything)
        units = [u for u in units if u.code != "00010"] or units  # nobody hires legislators
        unit = rng.choices(units, weights=[TEER_WEIGHTS[u.teer] for u in units])[0]
        records.append(_job(net, employer, unit))
    return records


def _job(net: Network, employer: Org, unit: CnpUnitGroup) -> Record:
    rng = net.rng
    low, high = FRENCH_ASKED[unit.teer]
    job: Record = {
        **window(rng, net.spec.start),
        "cnp": unit.code,
        "region": employer.regions[0],
        "mrc": employer.mrcs[0],
        "positions": rng.randint(1, 3) if unit.teer <= 1 else rng.randint(1, 12),
        "hours_per_week": rng.choice([35.0, 37.5, 40.0, 40.0, 32.0, 25.0, 20.0]),
        "hourly_wage": wage(rng, unit.teer),
        "french_level_required": rng.randint(low, high) if rng.random() < 0.8 else None,
    }
    mrc = net.ref.mrc(employer.mrcs[0])
    title = f"{unit.title_fr} — {mrc.name if mrc else net.region_name(employer.regions[0])}"
    return _offer(net, employer, "job", title[:200], job=job)


def settlement(net: Network) -> list[Record]:
    """Housing help and childcare places (municipalities), welcome programs (community organizations)."""
    rng = net.rng
    records: list[Record] = []
    for org in net.of_kind("municipality"):
        categories = ["housing_help"] + (["childcare"] if rng.random() < 0.6 else [])
        for category in categories:
            records.append(_settlement(net, org, category, rng.randint(5, 30)))
    for org in net.of_kind("community_organization"):
        records.append(_settlement(net, org, "welcome_program", rng.randint(10, 60)))
        if rng.random() < 0.3:
            records.append(_settlement(net, org, "other", rng.randint(10, 40)))
    return records


def _settlement(net: Network, org: Org, category: str, capacity: int) -> Record:
    titles = {
        "housing_help": "Aide au logement des nouveaux arrivants",
        "childcare": "Places en service de garde pour familles nouvellement arrivées",
        "welcome_program": "Programme d'accueil et d'accompagnement",
        "other": "Jumelage interculturel",
    }
    details: Record = {
        **window(net.rng, net.spec.start),
        "category": category,
        "region": org.regions[0],
        "mrc": org.mrcs[0] if org.mrcs else None,
        "capacity": capacity,
        "description": SETTLEMENT[category],
    }
    mrc = net.ref.mrc(org.mrcs[0]) if org.mrcs else None
    place = mrc.name if mrc else org.regions[0]
    return _offer(net, org, "settlement", f"{titles[category]} — {place}", settlement=details)


def intake(net: Network, people: int, share: float) -> list[Record]:
    """The welcoming organizations' intake capacities (households a month): ``share`` × people in all."""
    welcomers = [net.welcomer(r) for r in net.regions]
    total = max(len(welcomers), round(people * share))
    weights = [REGION_WEIGHTS[o.regions[0]] * net.rng.uniform(0.7, 1.3) for o in welcomers]
    exact = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(x)) for x in exact]
    # Largest remainders get what rounding down left, so the sum is exactly the total.
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - int(exact[i]), reverse=True):
        if sum(counts) >= total:
            break
        counts[i] += 1
    records = []
    for org, count in zip(welcomers, counts, strict=True):
        details = {"region": org.regions[0], "mrcs": [], "households_per_month": min(count, 10_000)}
        records.append(
            _offer(net, org, "intake_capacity", f"Accueil de ménages — {org.name}"[:200], intake=details)
        )
    return records


def _offer(net: Network, publisher: Org, kind: str, title: str, **details: Record) -> Record:
    body: Record = {"partner_id": publisher.id, "kind": kind, "title": title, **details}
    return {"id": new_id(net.rng), "publisher": publisher.id, "body": body}


def counsellors(rng: random.Random, count: int) -> list[Record]:
    """The hub's counsellors: professional names, languages (most French, some English), caseload caps."""
    pairs = [(g, f) for g in names.COUNSELLOR_GIVEN for f in names.COUNSELLOR_FAMILY]
    chosen = rng.sample(pairs, k=min(count, len(pairs)))
    records = []
    for index, (given, family) in enumerate(chosen):
        languages = ["fr", "en"] if index % 3 != 2 else ["fr"]
        if index % 6 == 5:
            languages = ["en"]
        body = {
            "name": f"{given} {family}",
            "email": f"{ascii_slug(given, '.')}.{ascii_slug(family, '.')}@example.org",
            "languages": languages,
            "max_cases": rng.choice([40, 50, 60, 60, 80, 100, 120]),
        }
        records.append({"id": new_id(rng), "body": body})
    return records
