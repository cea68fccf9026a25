"""The season loader against the real APIs (in process) and the real broker, with the workers running:
a small season goes in through the public APIs, and the services hold it afterwards.

Other tests of the session register tables with delegates of their own; where one already delegates
a region, the season's proposals for that region are refused, with that reason, as they should be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.season import Season, SeasonSpec, generate, next_monday
from services.common.auth import AuthSettings
from services.common.clock import default_clock
from services.common.settings import Settings
from tests.conftest import own_stack, settings_of
from tests.support import bearer, eventually
from tools.season.apis import Apis, LoadReport
from tools.season.load import Loader
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.integration
HUB = bearer("hub")
COUNSELLOR = bearer("counsellor")


@pytest.fixture(scope="module")
def workers() -> Iterator[Stack]:
    """This module's own broker and workers: the season's tables delegate most regions, which would
    stop every other test from proposing there (only a region's delegate proposes)."""
    with own_stack("season-loader", [p for p in PROCESSES if not p.is_api]) as private:
        yield private


@pytest.fixture(scope="module")
def settings(workers: Stack) -> Settings:
    """The in-process APIs of this module talk to its own broker."""
    return settings_of(workers)


@pytest.fixture(scope="module")
def season() -> Season:
    return generate(SeasonSpec(seed=30, start=next_monday(default_clock().today()), people=30))


def _delegated_regions(partners: TestClient) -> set[str]:
    tables = partners.get("/tables", headers=HUB).json()
    return {t["region"] for t in tables if any(d["end"] is None for d in t["delegations"])}


@pytest.fixture(scope="module")
def loaded(
    workers: Stack, partners: TestClient, events: TestClient, matching: TestClient, season: Season
) -> tuple[LoadReport, set[str]]:
    delegated_elsewhere = _delegated_regions(partners)
    report = Loader(season, Apis(partners, events, matching), AuthSettings(), parallel=4).run()
    return report, delegated_elsewhere


def _ids(season: Season, report: LoadReport, name: str) -> set[str]:
    return {report.ids[r["id"]] for r in season.records[name] if r["id"] in report.ids}


def test_the_network_is_registered(
    partners: TestClient, season: Season, loaded: tuple[LoadReport, Any]
) -> None:
    report, _ = loaded
    assert report.created["partners"] + report.existing["partners"] == 40
    assert (report.created["tables"], report.created["delegations"]) == (10, 10)
    assert report.created["offers"] == len(season.records["offers"])
    assert not [r for r in report.refusals if r.step != "proposals"]

    held = {p["partner_id"] for p in partners.get("/partners", headers=HUB).json()}
    assert _ids(season, report, "partners") <= held
    tables = {t["table_id"]: t for t in partners.get("/tables", headers=HUB).json()}
    for record in season.records["tables"]:
        table = tables[report.ids[record["id"]]]
        delegate = report.ids[record["delegation"]["partner_id"]]
        assert table["delegations"][-1]["partner_id"] == delegate
        assert delegate in table["members"]
    offers = {o["offer_id"]: o for o in partners.get("/offers", headers=HUB).json()}
    assert _ids(season, report, "offers") <= set(offers)
    kinds = Counter(offers[report.ids[r["id"]]]["kind"] for r in season.records["offers"])
    assert kinds["job"] == 150
    assert kinds["intake_capacity"] == len(
        [r for r in season.records["offers"] if r["body"]["kind"] == "intake_capacity"]
    )


def test_every_proposal_is_decided_in_the_calendar(
    events: TestClient, season: Season, loaded: tuple[LoadReport, set[str]]
) -> None:
    report, delegated_elsewhere = loaded
    refused = [r for r in report.refusals if r.step == "proposals"]
    for refusal in refused:
        record = next(p for p in season.records["proposals"] if p["id"] == refusal.generated_id)
        assert refusal.status == 422
        assert "a délégué le partenaire" in refusal.reason  # the APIs answer in French by default
        assert record["body"]["regions"][0] in delegated_elsewhere
    assert report.created["proposals"] + len(refused) == 60
    assert report.created["proposals"] >= 30

    def decisions() -> list[dict[str, Any]] | None:
        found = [events.get(f"/calendar/{pid}", headers=HUB) for pid in _ids(season, report, "proposals")]
        return [f.json() for f in found] if all(f.status_code == 200 for f in found) else None

    entries = eventually(decisions, 90, "a decision on every proposal")
    statuses = Counter(e["status"] for e in entries)
    assert statuses["scheduled"] >= 10
    assert statuses["scheduled"] < len(entries), "the crowded prime days cannot all be granted"
    held = [
        e for e in entries if e["status"] == "scheduled" and not e["joint_with"] and e["kind"] != "webinar"
    ]
    days = Counter(e["day"] for e in held)
    assert max(days.values()) <= 3  # the rules' daily capacity held


def test_every_person_gets_a_case(
    matching: TestClient, season: Season, loaded: tuple[LoadReport, set[str]]
) -> None:
    report, _ = loaded
    assert report.created["people"] == 30
    assert report.created["counsellors"] == 12
    counsellors = {c["counsellor_id"]: c for c in matching.get("/counsellors", headers=HUB).json()}
    assert _ids(season, report, "counsellors") <= set(counsellors)

    def cases() -> list[dict[str, Any]] | None:
        found = [matching.get(f"/cases/{case}", headers=COUNSELLOR) for case in report.cases.values()]
        return [f.json() for f in found] if all(f.status_code == 200 for f in found) else None

    opened = eventually(cases, 90, "a case for every person")
    assert len(opened) == 30
    by_person = {c["person_id"]: c for c in opened}
    for record in season.records["people"]:
        case = by_person[report.ids[record["id"]]]
        assert case["language"] == record["body"]["language"]
        assert case["preferred_regions"] == record["body"]["preferred_regions"]
        if case["counsellor_id"] is not None:  # the hub's counsellors (other tests' too) take the cases
            assert case["language"] in counsellors[case["counsellor_id"]]["languages"]
    assert any(case["counsellor_id"] in _ids(season, report, "counsellors") for case in opened)
