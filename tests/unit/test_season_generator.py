"""The demo season generator: every body it writes is accepted by the APIs' own request models and
domain rules, it holds what the demo needs, and the same seed gives the same season.

Bodies are checked with the real pydantic request models (PartnerCreate, TableCreate,
DelegationCreate, OfferCreate, ProposalCreate, CounsellorIn, InterestCreate) and the partners,
events and matching domain functions the routes call, against the reference data in data/.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from analysis.season import Season, SeasonSpec, generate, next_monday
from services.common.clock import default_clock
from services.common.contracts import CalendarRules, ConcertationTable, Partner
from services.common.reference import load_reference
from services.events.domain import check_organizer
from services.events.models import ProposalCreate
from services.events.seed import default_rules
from services.matching.intake import check_profile
from services.matching.models import CounsellorIn, InterestCreate
from services.partners import domain
from services.partners.models import DelegationCreate, OfferCreate, PartnerCreate, TableCreate

START = next_monday(default_clock().today())
NOW = default_clock().now()


@pytest.fixture(scope="module")
def season() -> Season:
    return generate(SeasonSpec(seed=2026, start=START, people=1000))


@pytest.fixture(scope="module")
def partners(season: Season) -> dict[str, Partner]:
    """The generated partners as partners-api registers them (its domain checks kinds, regions, MRCs)."""
    ref = load_reference()
    registered: dict[str, Partner] = {}
    for record in season.records["partners"]:
        command = PartnerCreate.model_validate(record["body"])
        partner = domain.register_partner(command, uuid.UUID(record["id"]), NOW, ref, registered.values())
        registered[record["id"]] = partner
    return registered


@pytest.fixture(scope="module")
def tables(season: Season, partners: dict[str, Partner]) -> list[ConcertationTable]:
    """The generated tables as partners-api creates them, each with its delegation."""
    ref, by_uuid = load_reference(), {p.partner_id: p for p in partners.values()}
    created = []
    for record in season.records["tables"]:
        command = TableCreate.model_validate(record["body"])
        table = domain.create_table(command, uuid.UUID(record["id"]), NOW, ref, by_uuid)
        delegation = DelegationCreate.model_validate(record["delegation"])
        created.append(domain.delegate(table, delegation, NOW, by_uuid))
    return created


def test_every_partner_registers_and_every_kind_is_there(
    season: Season, partners: dict[str, Partner]
) -> None:
    kinds = Counter(p.kind for p in partners.values())
    assert set(kinds) == {k.code for k in load_reference().partner_kinds}
    assert 35 <= len(partners) <= 45
    destinations = {r for p in partners.values() for r in p.regions} - {"06"}
    assert len(destinations) >= 10
    assert [p.name for p in partners.values() if p.kind == "coordinating_hub"] == [
        "Carrefour Emplois en régions"
    ]
    assert all(p.contact_email.endswith("@example.org") for p in partners.values())
    assert all(" 555 01" in (p.contact_phone or "") for p in partners.values())
    neqs = [p.neq for p in partners.values() if p.neq]
    assert len(neqs) == len(set(neqs)) >= 25


def test_about_ten_tables_each_delegating_a_member(tables: list[ConcertationTable]) -> None:
    assert len(tables) == 10
    assert len({t.region for t in tables}) == 10  # one delegate per region
    for table in tables:
        delegate = table.delegate_on(START)
        assert delegate is not None
        assert delegate in table.members
    assert any(t.mrcs for t in tables), "one sub-regional (MRC) table"


def test_offers_are_published_as_the_api_would(season: Season, partners: dict[str, Partner]) -> None:
    ref = load_reference()
    kinds: Counter[str] = Counter()
    for record in season.records["offers"]:
        command = OfferCreate.model_validate(record["body"])
        assert str(command.partner_id) == record["publisher"]
        offer = domain.publish_offer(
            command, uuid.UUID(record["id"]), partners[record["publisher"]], NOW, ref
        )
        kinds[offer.kind.value] += 1
    assert kinds["job"] == 150
    assert kinds["settlement"] >= 15
    assert kinds["intake_capacity"] >= 10


def test_jobs_cover_many_cnp_codes_and_every_teer_level(season: Season) -> None:
    ref = load_reference()
    jobs = [o["body"]["job"] for o in season.records["offers"] if o["body"]["kind"] == "job"]
    assert all(ref.cnp(j["cnp"]) is not None for j in jobs)
    assert len({j["cnp"] for j in jobs}) >= 35
    assert {int(j["cnp"][1]) for j in jobs} == set(range(6))
    assert {j["french_level_required"] for j in jobs} - {None} <= set(range(1, 13))
    categories = {
        o["body"]["settlement"]["category"]
        for o in season.records["offers"]
        if o["body"]["kind"] == "settlement"
    }
    assert {"housing_help", "childcare", "welcome_program"} <= categories


def test_intake_capacity_is_clearly_lower_than_the_people(season: Season) -> None:
    capacity = sum(
        o["body"]["intake"]["households_per_month"]
        for o in season.records["offers"]
        if o["body"]["kind"] == "intake_capacity"
    )
    assert capacity == season.manifest["counts"]["intake_capacity_households"]
    assert 0.2 * len(season.records["people"]) < capacity < 0.6 * len(season.records["people"])


def test_proposals_come_from_delegates_and_crowd_the_same_prime_days(
    season: Season, partners: dict[str, Partner], tables: list[ConcertationTable]
) -> None:
    rules = CalendarRules.model_validate(season.rules)
    proposals = [ProposalCreate.model_validate(r["body"]) for r in season.records["proposals"]]
    assert len(proposals) == 60
    by_uuid = {p.partner_id: p for p in partners.values()}
    for proposal in proposals:
        endorsed = check_organizer(
            by_uuid[proposal.organizer_id], proposal.regions, tables, proposal.preferred_dates[0]
        )
        assert endorsed, "a delegate proposes for its own table's region"
        assert proposal.venue_id is None or rules.venue(proposal.venue_id) is not None
        for day in proposal.preferred_dates:
            assert START <= day <= date.fromisoformat(season.manifest["end"])
            assert day not in rules.blackout_dates
    firsts = Counter(p.preferred_dates[0] for p in proposals)
    prime = {date.fromisoformat(d) for d in season.manifest["fair_days"] + season.manifest["hot_saturdays"]}
    assert sum(n for day, n in firsts.items() if day in prime) >= 30, "many want the same prime days"
    assert firsts.most_common(1)[0][1] >= 5
    fair_days = [date.fromisoformat(d) for d in season.manifest["fair_days"]]
    assert fair_days
    assert all(d >= START for d in fair_days)
    assert set(fair_days) <= set(rules.fair_days)
    assert any(p.preferred_dates[0] in fair_days for p in proposals)
    assert len(set().union(*(p.regions for p in proposals))) == 10


def test_fair_days_of_the_reference_rules_are_kept_or_moved_by_whole_years(season: Season) -> None:
    original = default_rules().fair_days
    for day in CalendarRules.model_validate(season.rules).fair_days:
        assert any((day - o).days % 364 == 0 for o in original)
        assert day.weekday() in (4, 5)


def test_people_validate_against_the_intake_model(season: Season) -> None:
    ref = load_reference()
    people = [InterestCreate.model_validate(r["body"]) for r in season.records["people"]]
    assert len(people) == 1000
    for person in people:
        check_profile(person, ref, today=START)  # what matching-api checks beyond the types
    for person in people:
        assert person.contact.email.split("@")[1] in ("example.com", "example.org")
        assert person.contact.phone is None or " 555 01" in person.contact.phone
        assert "06" not in person.preferred_regions
        assert person.preferred_regions or person.open_to_any_region
        assert all(o.cnp is not None and ref.cnp(o.cnp) is not None for o in person.occupations)
        assert person.arrival_date is None or person.arrival_date < START
    french = sum(p.language == "fr" for p in people) / len(people)
    assert 0.70 <= french <= 0.80
    assert len({p.immigration_status for p in people}) == 6
    assert 0.8 < sum(p.consents.referral for p in people) / len(people) < 1
    assert 0.2 < sum(p.consents.share_contact for p in people) / len(people) < 0.6
    assert any(p.household.children_ages for p in people)
    assert any(p.household.adults == 2 for p in people)
    assert {p.french_level for p in people} >= set(range(1, 13))
    assert len({o.cnp for p in people for o in p.occupations}) >= 40
    assert len({p.contact.email for p in people}) == len(people)


def test_counsellors_are_valid_and_some_counsel_in_english(season: Season) -> None:
    counsellors = [CounsellorIn.model_validate(r["body"]) for r in season.records["counsellors"]]
    assert len(counsellors) == 12
    assert sum("en" in c.languages for c in counsellors) >= 4
    assert all(c.email.endswith("@example.org") for c in counsellors)


def test_the_same_seed_gives_the_same_season_and_more_people_keep_the_network() -> None:
    spec = SeasonSpec(seed=7, start=START, people=50)
    first, again = generate(spec), generate(spec)
    assert first.records == again.records
    assert first.rules == again.rules
    larger = generate(SeasonSpec(seed=7, start=START, people=80))
    assert larger.records["partners"] == first.records["partners"]
    assert larger.records["proposals"] == first.records["proposals"]
    assert larger.records["people"][:50] == first.records["people"]
    assert generate(SeasonSpec(seed=8, start=START, people=50)).records["people"] != first.records["people"]


def test_dates_follow_the_start_date() -> None:
    later = START + timedelta(weeks=30)
    season = generate(SeasonSpec(seed=2026, start=later, people=10))
    days = [d for r in season.records["proposals"] for d in r["body"]["preferred_dates"]]
    assert min(days) >= later.isoformat()
    moved = season.manifest["fair_days"]
    assert moved, "a fair moved into the season"
    assert set(moved) <= set(season.rules["fair_days"])
    assert min(moved) >= later.isoformat()


def test_a_season_that_needs_no_move_keeps_the_reference_rules() -> None:
    season = generate(SeasonSpec(seed=2026, start=date(2026, 11, 30), people=10))
    assert CalendarRules.model_validate(season.rules) == default_rules()


def test_a_season_round_trips_through_its_files(tmp_path: Path, season: Season) -> None:
    season.write(tmp_path)
    assert Season.read(tmp_path).records == season.records


def test_the_committed_demo_season_is_what_the_generator_gives() -> None:
    committed = Season.read(Path(__file__).resolve().parents[2] / "data" / "demo")
    given = committed.manifest["spec"]
    spec = SeasonSpec(**{**given, "start": date.fromisoformat(given["start"])})
    assert (spec.seed, spec.people) == (2026, 1000)
    regenerated = generate(spec)
    assert regenerated.records == committed.records
    assert regenerated.rules == committed.rules


def test_a_large_season_is_quick() -> None:
    began = time.process_time()
    season = generate(SeasonSpec(seed=1, start=START, people=20_000))
    assert len(season.records["people"]) == 20_000
    assert time.process_time() - began < 5  # 100,000 take about 2 s of CPU (docs/demo-season.md)
