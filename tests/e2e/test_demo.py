"""`make demo` end to end on a small season: its own broker, SMTP sink and six processes, the season
loaded through the APIs, a round, the report; then the report's figures are checked against what
the services hold, and the HTML report is opened in headless Chromium (screenshot kept in
var/test/artifacts/)."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from rich.console import Console

from analysis.season import SeasonSpec
from services.common.clock import default_clock
from tests.support import TEST_ROOT, bearer, ports_from, read_topic
from tools.demo import Played, play_season
from tools.report.screenshot import ChromiumMissing, screenshot
from tools.stack import PROCESSES, Stack, StackConfig

pytestmark = pytest.mark.e2e

SPEC = SeasonSpec(seed=7, people=60, partners=20, tables=6, jobs=30, proposals=24, counsellors=4)
ARTIFACTS = TEST_ROOT / "test" / "artifacts"
HUB = bearer("hub")


@dataclass
class Demo:
    """The demo played, and its stack still running so the test can ask the services."""

    played: Played
    config: StackConfig
    api: dict[str, httpx.Client]

    def get(self, process: str, path: str, **params: Any) -> Any:
        response = self.api[process].get(path, headers=HUB, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    var = TEST_ROOT / "test-demo"
    shutil.rmtree(var, ignore_errors=True)
    config = StackConfig(
        var=var,
        kafka_port=ports_from(27392, 2),
        smtp_port=ports_from(27325, 1),
        http_base=ports_from(27400, 5),
        extra_env={"CONCERTO_MATCHING__ROUND_INTERVAL_S": "0"},
    )
    stack = Stack(config)
    console = Console(file=io.StringIO(), width=120)
    api = {p.name: httpx.Client(base_url=config.url(p), timeout=30) for p in PROCESSES if p.is_api}
    try:
        played = play_season(SPEC, config, console, stop=False, stack=stack)
        yield Demo(played, config, api)
    finally:
        for client in api.values():
            client.close()
        stack.down()


def test_the_season_is_generated_from_today_and_loaded_whole(demo: Demo) -> None:
    season = demo.played.report.season
    assert date.fromisoformat(season["start"]) > default_clock().today()
    assert (demo.config.var / "season" / "people.json").exists()
    loaded = demo.played.loaded
    assert not loaded.refusals
    assert loaded.created["people"] == SPEC.people
    assert loaded.created["proposals"] == SPEC.proposals
    assert demo.played.markdown.exists()
    assert demo.played.html.exists()


def test_the_round_in_the_report_is_the_one_matching_holds(demo: Demo) -> None:
    report = demo.played.report
    held = demo.get("matching-api", f"/rounds/{demo.played.round_id}")
    for figure in ("households", "referred", "first_choice", "unmatched"):
        assert report.round[figure] == held[figure], figure
    referrals = demo.get("matching-api", "/referrals", round_id=demo.played.round_id)
    assert len(referrals) == held["referred"] > 0
    by_region = Counter(r["region"] for r in referrals)
    assert {g.region: g.referred for g in report.regions} == {
        w["region"]: by_region[w["region"]] for w in held["welcomers"]
    }
    intake = demo.get("partners-api", "/offers", kind="intake_capacity")
    capacity = Counter[str]()
    for offer in intake:
        capacity[offer["intake"]["region"]] += offer["intake"]["households_per_month"]
    assert {g.region: g.capacity for g in report.regions} == dict(capacity)
    assert report.routing.round.placed == held["referred"]
    assert report.routing.round.blocking == 0
    assert report.routing.competing.participants == held["households"]


def test_the_calendar_in_the_report_is_the_one_events_holds(demo: Demo) -> None:
    report = demo.played.report
    calendar = demo.get("events-api", "/calendar")
    assert len(calendar) == SPEC.proposals
    assert not [e for e in calendar if e["status"] == "joint_suggested"]  # every organizer answered
    assert report.statuses == Counter(e["status"] for e in calendar)
    scheduled = [e for e in calendar if e["status"] == "scheduled"]
    assert report.scheduled == len(scheduled)
    assert sum(d.places + d.online + d.joined for d in report.days) == len(scheduled)
    hosts = [e for e in scheduled if e["joint_members"]]
    assert len(report.joints) == len(hosts)
    assert report.calendar_sides[0].joined == sum(1 for e in scheduled if e["joint_with"])
    assert report.calendar_sides[0].metrics.days_over_capacity == 0
    assert report.calendar_sides[0].metrics.rule_violations == 0
    wanted_first = sum(1 for e in scheduled if e["preference_rank"] == 1 and not e["joint_with"])
    assert len(report.moved) == len(calendar) - wanted_first
    # Priority on contested days: the places given to endorsed activities are those events holds.
    assert report.priority is not None
    assert report.priority.window_hours == demo.get("events-api", "/rules")["priority_window_hours"]
    assert len(report.priority.displaced) == sum(1 for e in calendar if e.get("displaced_from"))
    assert "Priority on contested days" in demo.played.html.read_text()
    assert "Endorsed ones on their first choice" in demo.played.html.read_text()


def test_the_emails_in_the_report_are_the_audit_records_and_the_mailbox(demo: Demo) -> None:
    report = demo.played.report
    records = [json.loads(r.value) for r in read_topic(demo.config.bootstrap, "notifications.v1")]
    assert report.emails == Counter((r["template"], r["language"]) for r in records)
    assert report.emails[("case_opened", "fr")] + report.emails[("case_opened", "en")] == SPEC.people
    assert report.mail_files == len(list(demo.config.mail_dir.glob("*.eml"))) == len(records)


def test_the_entitlements_in_the_report_are_those_of_the_cases(demo: Demo) -> None:
    report = demo.played.report
    cases = demo.get("matching-api", "/cases")
    assert report.cases == len(cases) == SPEC.people
    found = Counter((e["measure_code"], e["status"]) for c in cases for e in c["entitlements"])
    assert {(m.code, "entitled"): m.entitled for m in report.measures if m.entitled} == {
        key: n for key, n in found.items() if key[1] == "entitled"
    }
    assert {(m.code, "possible"): m.possible for m in report.measures if m.possible} == {
        key: n for key, n in found.items() if key[1] == "possible"
    }
    assert report.entitled_people == sum(
        1 for c in cases if any(e["status"] == "entitled" for e in c["entitlements"])
    )


def test_the_report_is_pseudonymous(demo: Demo) -> None:
    people = json.loads((demo.config.var / "season" / "people.json").read_text(encoding="utf-8"))
    counsellors = json.loads((demo.config.var / "season" / "counsellors.json").read_text(encoding="utf-8"))
    secrets = [p["body"]["contact"]["name"] for p in people] + [p["body"]["contact"]["email"] for p in people]
    secrets += [c["body"]["name"] for c in counsellors] + [c["body"]["email"] for c in counsellors]
    for path in (demo.played.markdown, demo.played.html):
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path


def test_the_html_report_opens_in_headless_chromium(demo: Demo) -> None:
    text = demo.played.html.read_text(encoding="utf-8")
    assert text.count("<svg") == 4
    png = ARTIFACTS / "demo-report.png"
    png.unlink(missing_ok=True)
    try:
        screenshot(demo.played.html, png, width=1200, height=1600)
    except ChromiumMissing as missing:
        pytest.fail(str(missing))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a rendered page, not a blank one
