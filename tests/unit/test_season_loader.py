"""The season loader against fake APIs: dependency order, who signs each request, server ids in
place of generated ones, 503 retried, refusals reported with what they leave out.

The loader against the real APIs and broker: tests/integration/test_season_loader.py.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from analysis.season import Season, SeasonSpec, generate, next_monday
from services.common.auth import AuthSettings, verify
from services.common.clock import default_clock
from tools.season.apis import Apis
from tools.season.load import Loader

START = next_monday(default_clock().today())


@dataclass
class Answer:
    """A fake HTTP answer."""

    status_code: int
    body: Any = None

    @property
    def text(self) -> str:
        return json.dumps(self.body)

    def json(self) -> Any:
        return self.body


@dataclass(frozen=True)
class Call:
    api: str
    method: str
    path: str
    role: str
    subject: str
    bound: str | None
    body: Any


Override = Callable[[str, str, Any], Answer | None]


@dataclass
class FakeApi:
    """Answers like the real API does when all goes well, unless ``override`` says otherwise."""

    name: str
    calls: list[Call]
    rules: dict[str, Any]
    override: Override = field(default=lambda method, path, body: None)

    def _call(self, method: str, path: str, body: Any, headers: Mapping[str, str]) -> Answer:
        principal = verify(AuthSettings(), headers["Authorization"].removeprefix("Bearer "))
        bound = str(principal.partner_id) if principal.partner_id else None
        self.calls.append(Call(self.name, method, path, principal.role.value, principal.subject, bound, body))
        return self.override(method, path, body) or self._normal(method, path)

    def _normal(self, method: str, path: str) -> Answer:
        new = str(uuid.uuid4())
        normal = {
            "/partners": Answer(201, {"partner_id": new}),
            "/tables": Answer(201, {"table_id": new}),
            "/offers": Answer(201, {"offer_id": new}),
            "/proposals": Answer(202, {"proposal_id": new}),
            "/counsellors": Answer(201, {"counsellor_id": new}),
            "/interests": Answer(202, {"person_id": new, "case_id": str(uuid.uuid4())}),
            "/rules": Answer(200, self.rules),
        }
        if path.endswith("/delegations"):
            return Answer(201, {"table_id": path.split("/")[2]})
        return normal[path]

    def get(self, url: str, *, headers: Mapping[str, str]) -> Answer:
        return self._call("GET", url, None, headers)

    def post(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Answer:
        return self._call("POST", url, json, headers)

    def put(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Answer:
        return self._call("PUT", url, json, headers)


@pytest.fixture(scope="module")
def season() -> Season:
    return generate(SeasonSpec(seed=11, start=START, people=5))


def load(season: Season, **overrides: Override) -> tuple[Loader, list[Call]]:
    calls: list[Call] = []
    apis = {
        name: FakeApi(name, calls, season.rules, overrides.get(name, lambda m, p, b: None))
        for name in ("partners", "events", "matching")
    }
    loader = Loader(season, Apis(**apis), AuthSettings(), parallel=1, attempts=4)
    loader.run()
    return loader, calls


def test_everything_is_posted_in_dependency_order_by_who_may_post_it(season: Season) -> None:
    loader, calls = load(season)
    step_of = [c.path.split("/")[1] for c in calls]  # /tables/{id}/delegations counts as tables
    order = ["partners", "tables", "rules", "offers", "proposals", "counsellors", "interests"]
    for before, after in itertools.pairwise(order):
        last = max(i for i, s in enumerate(step_of) if s == before)
        assert last < min(i for i, s in enumerate(step_of) if s == after), f"{before} before {after}"
    roles = {(c.path.split("/")[1], c.role) for c in calls}
    assert roles == {
        ("partners", "hub"),
        ("tables", "hub"),
        ("rules", "hub"),
        ("offers", "partner"),
        ("proposals", "delegate"),
        ("counsellors", "hub"),
        ("interests", "counsellor"),
    }
    ids = loader.report.ids
    for call in calls:
        if call.path == "/offers":
            assert call.bound == call.body["partner_id"]
            assert call.body["partner_id"] in ids.values()
        if call.path == "/proposals":
            assert call.bound == call.body["organizer_id"] in ids.values()
        if call.path == "/tables":
            assert all(member in ids.values() for member in call.body["members"])
    assert loader.report.created == {
        "partners": 40,
        "tables": 10,
        "delegations": 10,
        "offers": len(season.records["offers"]),
        "proposals": 60,
        "counsellors": 12,
        "people": 5,
    }
    assert loader.report.refusals == []
    assert not [c for c in calls if c.method == "PUT"], "the rules in force are the season's already"


def test_people_are_declared_by_a_counsellor_the_loader_created(season: Season) -> None:
    loader, calls = load(season)
    counsellor_ids = {loader.report.ids[r["id"]] for r in season.records["counsellors"]}
    subjects = {c.subject for c in calls if c.path == "/interests"}
    assert len(subjects) == 1
    assert subjects <= counsellor_ids


def test_a_503_is_retried_until_the_api_answers(season: Season) -> None:
    unavailable = iter([Answer(503, {"detail": "Kafka is unreachable"})] * 2)

    def flaky(method: str, path: str, body: Any) -> Answer | None:
        return next(unavailable, None) if path == "/partners" else None

    loader, calls = load(season, partners=flaky)
    assert [c.path for c in calls[:3]] == ["/partners"] * 3
    assert loader.report.created["partners"] == 40
    assert loader.report.refusals == []


def test_a_refused_partner_is_reported_and_what_needs_it_is_skipped(season: Season) -> None:
    delegate = season.records["tables"][0]["delegation"]["partner_id"]
    name = next(p["body"]["name"] for p in season.records["partners"] if p["id"] == delegate)

    def refuse_one(method: str, path: str, body: Any) -> Answer | None:
        if path == "/partners" and body["name"] == name:
            return Answer(422, {"detail": [{"loc": ["body", "neq"], "msg": "bad NEQ"}]})
        return None

    loader, _ = load(season, partners=refuse_one)
    refusals = loader.report.refusals
    assert refusals[0].step == "partners"
    assert (refusals[0].generated_id, refusals[0].status, refusals[0].reason) == (
        delegate,
        422,
        "body.neq: bad NEQ",
    )
    skipped = {r.step for r in refusals[1:]}
    assert skipped == {"tables", "offers", "proposals"}
    assert all(r.status is None and delegate in r.reason for r in refusals[1:])
    region = season.records["tables"][0]["body"]["region"]
    wanted = [p for p in season.records["proposals"] if p["body"]["regions"] == [region]]
    assert loader.report.created["proposals"] == 60 - len(wanted)


def test_a_partner_already_registered_is_reused(season: Season) -> None:
    existing = str(uuid.uuid4())

    def known(method: str, path: str, body: Any) -> Answer | None:
        if path == "/partners" and body["kind"] == "coordinating_hub":
            return Answer(409, {"detail": "NEQ already registered", "existing": existing})
        return None

    loader, _ = load(season, partners=known)
    hub = next(p["id"] for p in season.records["partners"] if p["body"]["kind"] == "coordinating_hub")
    assert loader.report.ids[hub] == existing
    assert loader.report.existing["partners"] == 1
    assert loader.report.refusals == []


def test_counsellors_are_skipped_with_a_note_while_the_endpoint_is_missing(season: Season) -> None:
    def missing(method: str, path: str, body: Any) -> Answer | None:
        return Answer(404, {"detail": "Not Found"}) if path == "/counsellors" else None

    loader, calls = load(season, matching=missing)
    assert [c.path for c in calls].count("/counsellors") == 1
    assert any("counsellors skipped" in note for note in loader.report.notes)
    assert loader.report.created["people"] == 5
    assert loader.report.refusals == []


def test_rules_that_differ_are_published_by_the_hub(season: Season) -> None:
    def other_rules(method: str, path: str, body: Any) -> Answer | None:
        if path == "/rules" and method == "GET":
            return Answer(200, {**season.rules, "fair_days": []})
        return None

    _loader, calls = load(season, events=other_rules)
    [put] = [c for c in calls if c.method == "PUT"]
    assert (put.path, put.role, put.body) == ("/rules", "hub", season.rules)


def test_an_api_that_never_answers_is_reported_after_the_retries(season: Season) -> None:
    first_offer = season.records["offers"][0]["body"]["job"]

    def unreachable(method: str, path: str, body: Any) -> Answer | None:
        if path == "/offers" and body.get("job") == first_offer:
            raise httpx.ConnectError("connection refused")
        return None

    loader, calls = load(season, partners=unreachable)
    assert [c.body.get("job") for c in calls if c.path == "/offers"].count(first_offer) == 4
    [refusal] = loader.report.refusals
    assert (refusal.step, refusal.status, refusal.reason) == ("offers", None, "no answer: connection refused")
    assert loader.report.created["offers"] == len(season.records["offers"]) - 1
