"""Generate a demo season from the reference data in data/ and a seed: the same spec, the same files."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from typing import Any

from services.common.reference import ReferenceData, load_reference

from . import activities, offers
from .network import Network
from .people import people
from .spec import Season, SeasonSpec


def generate(spec: SeasonSpec, reference: ReferenceData | None = None) -> Season:
    """The season ``spec`` describes. Parts draw from their own generators, so a larger
    population leaves the network and the calendar unchanged."""
    ref = reference or load_reference()
    net = Network(random.Random(f"{spec.seed}/network"), spec, ref)
    partner_records = net.partners()
    table_records = offers.tables(net)
    offer_records = [
        *offers.jobs(net),
        *offers.settlement(net),
        *offers.intake(net, spec.people, spec.capacity_share),
    ]

    given_rules = activities.reference_rules()
    days = activities.plan_days(random.Random(f"{spec.seed}/days"), spec.start, spec.end, given_rules)
    rules = activities.season_rules(given_rules, days)
    net.rng = random.Random(f"{spec.seed}/proposals")
    proposal_records = activities.proposals(net, days, offers.delegates(table_records), spec.proposals)

    records = {
        "partners": partner_records,
        "tables": table_records,
        "offers": offer_records,
        "proposals": proposal_records,
        "counsellors": offers.counsellors(random.Random(f"{spec.seed}/counsellors"), spec.counsellors),
        "people": people(random.Random(f"{spec.seed}/people"), ref, spec.start, spec.people),
    }
    return Season(manifest=manifest(spec, days, records), rules=rules, records=records)


def manifest(
    spec: SeasonSpec, days: activities.Days, records: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """What the season is: how it was made, its dates, and its counts (written to season.json)."""
    offer_kinds = Counter(o["body"]["kind"] for o in records["offers"])
    capacity = sum(
        o["body"]["intake"]["households_per_month"]
        for o in records["offers"]
        if o["body"]["kind"] == "intake_capacity"
    )
    return {
        "generator": "python -m tools.season generate",
        "spec": {**asdict(spec), "start": spec.start.isoformat()},
        "seed": spec.seed,
        "start": spec.start.isoformat(),
        "end": max(spec.end, days.end).isoformat(),
        "weeks": spec.weeks,
        "fair_days": [d.isoformat() for d in days.fair_days],
        "hot_saturdays": [d.isoformat() for d in days.hot_saturdays],
        "counts": {
            "partners": len(records["partners"]),
            "partner_kinds": dict(Counter(p["body"]["kind"] for p in records["partners"])),
            "regions": sorted({r for p in records["partners"] for r in p["body"]["regions"]}),
            "tables": len(records["tables"]),
            "offers": dict(offer_kinds),
            "intake_capacity_households": capacity,
            "proposals": len(records["proposals"]),
            "counsellors": len(records["counsellors"]),
            "people": len(records["people"]),
        },
        "note": "Fictitious: every name, email (example.com / example.org) and phone number (555-01xx) is "
        "made up. Regenerate before the start date passes: the APIs refuse dates in the past.",
    }
