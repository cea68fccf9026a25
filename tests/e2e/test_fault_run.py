"""Faults everywhere while people and activities flow in: kill -9 of the three workers and of
matching-api (three times each) and a broker restart, during 2,000 declarations of interest and
200 activity proposals sent by concurrent clients through the public APIs. Nothing acknowledged
is lost, nothing is done twice, the calendar keeps its rules, every email arrives once.

Set up through the APIs with a generated season (analysis/season, loaded by tools/season:
partners, tables and their delegates, the season's calendar rules, offers, counsellors); its
people and proposals are the load. Each address is on a domain of this run, so the mailbox shows
exactly what it caused.
The figures go to var/test/artifacts/fault-run.json, passed or not; docs/reliability.md says
what they mean and what a client must do about retries.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from analysis.season import SeasonSpec, generate
from services.common.auth import AuthSettings, Role
from services.common.clock import default_clock
from services.common.cloudevents import header_dict
from services.common.contracts import CaseKey, PersonKey
from services.common.topics import (
    CALENDAR,
    CALENDAR_RULES,
    CASES,
    CONTACTS,
    DEADLETTER,
    EVENT_PROPOSALS,
    INTERESTS,
    TABLES,
)
from services.matching.domain import case_id_for
from tests.conftest import own_stack
from tests.e2e import fault_checks as checks
from tests.e2e.fault_load import BROKER, GIVE_UP_S, Clients, Faults, Request, Tally, run
from tests.support import check_restartable, read_topic
from tools.season.apis import Apis
from tools.season.load import Loader
from tools.season.play import lag, wait_for_workers
from tools.stack import PROCESSES, Stack
from tools.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.chaos, pytest.mark.timeout(1500)]

INTERESTS_SENT = 2000
PROPOSALS_SENT = 200
TARGETS = ("matching-worker", "events-worker", "notifications-worker", "matching-api")
# Each target three times, the broker once, in the middle; one fault per step of the load.
SCHEDULE = (*TARGETS, *TARGETS[:2], BROKER, *TARGETS[2:], *TARGETS)
RATE = 10.0  # requests per second, both APIs together: the load lasts about as long as the faults
CLIENTS = {"matching-api": 6, "events-api": 2}
CATCH_UP_S = 420.0


def _season(domain: str, run_id: str) -> Any:
    """A small network and this run's people and proposals, every address on ``domain``."""
    spec = SeasonSpec(
        seed=9, people=INTERESTS_SENT, proposals=PROPOSALS_SENT, partners=30, tables=8, jobs=60, counsellors=8
    )
    season = generate(spec)
    for n, record in enumerate(season.records["partners"]):
        record["body"]["contact_email"] = f"partner-{n}@{domain}"
        record["body"].pop("neq", None)  # NEQs are unique: a second run in the session would clash
    for n, record in enumerate(season.records["counsellors"]):
        record["body"]["email"] = f"counsellor-{n}@{domain}"
    for n, record in enumerate(season.records["people"]):
        record["body"]["contact"]["email"] = f"person-{n}@{domain}"
    for n, record in enumerate(season.records["proposals"]):
        record["body"]["title"] = f"{record['body']['title']} [{run_id}-{n}]"
    return season


def _set_up(season: Any, urls: dict[str, str]) -> Loader:
    """Partners, tables with their delegates, the season's rules, offers and counsellors."""
    apis = Apis(
        *(httpx.Client(base_url=urls[a], timeout=30) for a in ("partners-api", "events-api", "matching-api"))
    )
    loader = Loader(season, apis, AuthSettings(), parallel=4, today=default_clock().today())
    records = season.records
    loader.each("partners", records["partners"], loader.partner, parallel=False)
    loader.each("tables", records["tables"], loader.table, parallel=False)
    loader.rules()
    loader.each("offers", records["offers"], loader.offer, parallel=True)
    loader.counsellors(records["counsellors"])
    assert not loader.report.refusals, loader.report.refusals
    return loader


def _keyed(headers: dict[str, str]) -> dict[str, str]:
    """The headers with an Idempotency-Key of their own: every retry of the request sends it."""
    return headers | {"Idempotency-Key": str(uuid.uuid4())}


def _requests(season: Any, loader: Loader) -> list[Request]:
    """Interests and proposals, interleaved evenly, each with its Idempotency-Key."""
    counsellor = loader.headers(Role.COUNSELLOR)
    interests = [
        (n / INTERESTS_SENT, Request(n, "matching-api", "/interests", r["body"], _keyed(counsellor)))
        for n, r in enumerate(season.records["people"])
    ]
    proposals = []
    for n, record in enumerate(season.records["proposals"]):
        body = loader.resolve(record["body"])
        headers = _keyed(loader.headers(Role.DELEGATE, body["organizer_id"]))
        proposals.append(((n + 0.5) / PROPOSALS_SENT, Request(n, "events-api", "/proposals", body, headers)))
    return [request for _, request in sorted(interests + proposals, key=lambda p: p[0])]


def _probes(season: Any, loader: Loader, urls: dict[str, str], domain: str) -> dict[str, Any]:
    """One write per API, for while the broker is down: each answers its status."""
    person = {**season.records["people"][0]["body"]}
    person["contact"] = {**person["contact"], "email": f"probe@{domain}"}
    proposal = loader.resolve(season.records["proposals"][0]["body"])
    partner = {
        "name": f"Sonde {domain}",
        "kind": "community_organization",
        "regions": ["05"],
        "contact_email": f"probe-partner@{domain}",
    }
    writes = {
        "partners-api": ("/partners", partner, loader.headers(Role.HUB)),
        "events-api": (
            "/proposals",
            {**proposal, "title": proposal["title"].replace("]", "-probe]")},
            loader.headers(Role.DELEGATE, proposal["organizer_id"]),
        ),
        "matching-api": ("/interests", person, loader.headers(Role.COUNSELLOR)),
    }

    def probe(api: str) -> str:
        path, body, headers = writes[api]
        try:
            return str(httpx.post(urls[api] + path, json=body, headers=headers, timeout=60).status_code)
        except httpx.HTTPError as exc:
            return type(exc).__name__

    return {api: (lambda a=api: probe(a)) for api in writes}


@pytest.fixture(scope="module")
def everything() -> Iterator[Stack]:
    """Every process on a broker of this run's own: what it expects (every email, every case's
    counsellor) is computed from its world alone, so no other test's cases or counsellors may be
    there (the crash test's 1,000 cases fill caseloads, and the queue then assigns later)."""
    with own_stack("fault-run") as private:
        yield private


def test_faults_on_every_process_and_the_broker_lose_nothing_and_repeat_nothing(
    everything: Stack, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:8]
    domain = f"fault-{run_id}.example.net"
    bootstrap = everything.config.bootstrap
    urls = {p.name: everything.config.url(p) for p in PROCESSES if p.is_api}
    check_restartable(everything.config.kafka_port)
    figures: dict[str, Any] = {"run": run_id, "passed": False}
    report = everything.config.var / "artifacts" / "fault-run.json"
    try:
        season = _season(domain, run_id)
        loader = _set_up(season, urls)
        requests = _requests(season, loader)
        dead_letters_before = checks.end_offsets(bootstrap, DEADLETTER.name)
        figures["setup_seconds"] = round(time.monotonic() - started, 1)

        tally = Tally(time.monotonic())
        faults = Faults(everything, tally, _probes(season, loader, urls, domain))
        clients = Clients(urls, CLIENTS, tally)
        try:
            run(requests, SCHEDULE, clients, faults, RATE)
        finally:
            clients.close(GIVE_UP_S + 60)
            figures["load_seconds"] = round(time.monotonic() - tally.started, 1)
            _figures_of_the_load(figures, requests, tally, faults)

        caught_up = time.monotonic()
        # A worker that never catches up fails the test, after the checks: they say what it cost.
        figures["caught_up"] = True
        try:
            wait_for_workers(bootstrap, CATCH_UP_S)
        except TimeoutError:
            figures["caught_up"] = False
        figures["workers_behind_at_the_end"] = lag(bootstrap)
        figures["catch_up_seconds"] = round(time.monotonic() - caught_up, 1)

        expected = _check_interests(figures, requests, bootstrap, domain)
        expected |= _check_proposals(figures, requests, bootstrap, run_id)
        mailbox = checks.Mailbox(everything.config.mail_dir, domain)
        _check_emails(figures, expected, mailbox, 180 if figures["caught_up"] else 10)
        dead = [
            r
            for r in read_topic(bootstrap, DEADLETTER.name)
            if r.offset >= dead_letters_before.get(r.partition, 0)
        ]
        figures["dead_lettered"] = [header_dict(r.headers) for r in dead]
        figures["records_checked"] = sum(
            figures[k]["records_checked"] for k in ("interests", "proposals", "emails")
        )
        _assert_figures(figures)
        figures["passed"] = True
    except BaseException as exc:
        figures["failure"] = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        figures["seconds"] = round(time.monotonic() - started, 1)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(figures, indent=2, default=str))
        # Printed at the end of the session (tests/conftest.py, pytest_terminal_summary).
        record_property("figures", json.dumps(figures, indent=1, default=str))


def _figures_of_the_load(
    figures: dict[str, Any], requests: list[Request], tally: Tally, faults: Faults
) -> None:
    figures["faults"] = {t: sum(f.target == t for f in faults.injected) for t in dict.fromkeys(SCHEDULE)}
    figures["timeline"] = [vars(f) for f in faults.injected]
    for api, kind in (("matching-api", "interests"), ("events-api", "proposals")):
        mine = [r for r in requests if r.api == api]
        figures[f"{kind}_sent"] = {
            "requests": len(mine),
            "acknowledged": sum(r.answer is not None for r in mine),
            "attempts": sum(len(r.answers) for r in mine),
            "never_acknowledged": [(r.index, r.answers[-3:]) for r in mine if r.answer is None],
        }
    figures["answers"] = {api: dict(counter) for api, counter in tally.answers.items()}
    figures["answered_503"] = tally.count(lambda a: a == "503")
    figures["answered_5xx_other_than_503"] = tally.other_server_errors()
    broker = next((f for f in faults.injected if f.target == BROKER), None)
    if broker is not None and "stopped_at" in broker.notes:
        down = (broker.notes["stopped_at"], broker.notes.get("started_at", float("inf")))
        figures["broker_restart"] = {
            **broker.notes,
            "load_503_while_down": sum(down[0] <= t <= down[1] for t in tally.unavailable_at),
            # Seconds from the broker's start to each API's first acknowledged write of the load.
            "writes_again_after_s": {
                api: None if (t := tally.first_acknowledged(api, down[1])) is None else round(t - down[1], 1)
                for api in CLIENTS
            },
        }


def _check_interests(
    figures: dict[str, Any], requests: list[Request], bootstrap: str, domain: str
) -> set[str]:
    """Every acknowledged person has exactly one case; the emails the cases cause."""
    contacts = checks.by_key(bootstrap, CONTACTS)
    # A person's first contact record can be a tombstone: a declaration whose writes timed out
    # during the broker outage is undone, and its retry (same Idempotency-Key, same person)
    # writes the contact again.
    people = {
        key.person_id: email
        for key, seen in contacts.items()
        if (email := next((s.value.email for s in seen if s.value is not None), None)) is not None
        and email.endswith("@" + domain)
    }
    interests = checks.by_key(bootstrap, INTERESTS)
    recorded = {
        p for p in people if any(s.value is not None for s in interests.get(PersonKey(person_id=p), []))
    }
    cases = checks.by_key(bootstrap, CASES)

    def case_of(person_id: uuid.UUID) -> list[checks.Seen]:
        return cases.get(CaseKey(case_id=case_id_for(person_id)), [])

    acknowledged = {
        uuid.UUID(r.answer["person_id"]) for r in requests if r.api == "matching-api" and r.answer
    }
    per_address = Counter(people[p] for p in recorded)
    figures["interests"] = {
        "acknowledged": len(acknowledged),
        "recorded": len(recorded),
        "recorded_without_acknowledgement": len(recorded - acknowledged),
        "addresses_recorded_twice_by_retries": sum(n > 1 for n in per_address.values()),
        "contacts_without_interest": len(set(people) - recorded),
        "lost": sorted(
            str(p)
            for p in acknowledged
            if p not in recorded or not checks.distinct_events(checks.since_erasure(case_of(p)))
        ),
        "duplicated": sorted(
            str(p) for p in recorded if checks.distinct_events(checks.since_erasure(case_of(p))) > 1
        ),
        "cases_erased_by_an_undone_declaration": sum(
            any(s.value is None for s in case_of(p)) for p in recorded
        ),
        "unacknowledged_without_case": sum(
            not checks.distinct_events(case_of(p)) for p in recorded - acknowledged
        ),
        "case_records": sum(len(case_of(p)) for p in recorded),
        "case_records_repeated": sum(checks.repeats(case_of(p)) for p in recorded),
    }
    figures["interests"]["records_checked"] = len(recorded) + figures["interests"]["case_records"]
    return checks.expected_case_emails([case_of(p) for p in recorded])


def _check_proposals(
    figures: dict[str, Any], requests: list[Request], bootstrap: str, run_id: str
) -> set[str]:
    """Every acknowledged proposal has exactly one decision; the calendar keeps its rules."""
    proposals = checks.by_key(bootstrap, EVENT_PROPOSALS)
    mine = {key.proposal_id for key, seen in proposals.items() if f"[{run_id}-" in seen[0].value.title}
    decisions = checks.by_key(bootstrap, CALENDAR)

    by_id = {key.proposal_id: seen for key, seen in decisions.items()}
    acknowledged = {
        uuid.UUID(r.answer["proposal_id"]) for r in requests if r.api == "events-api" and r.answer
    }
    entries = list(checks.latest(decisions).values())
    rules = checks.latest(checks.by_key(bootstrap, CALENDAR_RULES))
    [in_force] = rules.values()
    tables = list(checks.latest(checks.by_key(bootstrap, TABLES)).values())
    breaches = checks.calendar_breaches(entries, in_force, default_clock().today())
    busiest = checks.places_by_day(entries).most_common(1)
    figures["proposals"] = {
        "acknowledged": len(acknowledged),
        "recorded": len(mine),
        "recorded_without_acknowledgement": len(mine - acknowledged),
        "lost": sorted(
            str(p) for p in acknowledged if p not in mine or not checks.distinct_events(by_id.get(p, []))
        ),
        "duplicated": sorted(str(p) for p in mine if checks.distinct_events(by_id.get(p, [])) > 1),
        "decision_records": sum(len(by_id.get(p, [])) for p in mine),
        "decision_records_repeated": sum(checks.repeats(by_id.get(p, [])) for p in mine),
        "statuses": dict(Counter(by_id[p][-1].value.status for p in mine if p in by_id)),
    }
    figures["proposals"]["records_checked"] = len(mine) + figures["proposals"]["decision_records"]
    figures["calendar"] = {
        "entries": len(entries),
        "max_per_day": in_force.max_per_day,
        "busiest_day": [str(busiest[0][0]), busiest[0][1]] if busiest else None,
        "breaches": breaches[:20],
    }
    return checks.expected_decision_emails([by_id.get(p, []) for p in mine], tables, default_clock().today())


def _check_emails(figures: dict[str, Any], expected: set[str], mailbox: checks.Mailbox, wait: float) -> None:
    """Every expected email arrived (waiting for the last ones), none other; repeats counted."""
    with contextlib.suppress(TimeoutError):  # what is missing is counted below
        eventually(lambda: expected <= set(mailbox.received()), wait, f"{len(expected)} emails")
    time.sleep(3)  # anything sent twice after the last one shows now
    received = mailbox.received()
    figures["emails"] = {
        "expected": len(expected),
        "distinct_received": len(received),
        "missing": len(expected - set(received)),
        "unexpected": len(set(received) - expected),
        "repeated_with_same_message_id": sum(n - 1 for n in received.values()),
        "records_checked": sum(received.values()),
    }


def _assert_figures(figures: dict[str, Any]) -> None:
    assert figures["caught_up"], (
        f"workers behind after {CATCH_UP_S:.0f}s: {figures['workers_behind_at_the_end']}"
    )
    for kind in ("interests_sent", "proposals_sent"):
        assert not figures[kind]["never_acknowledged"], figures[kind]
    assert figures["answered_5xx_other_than_503"] == {}, figures["answers"]
    assert all(figures["faults"][t] >= 3 for t in TARGETS), figures["faults"]
    broker = figures["broker_restart"]
    assert set(broker["writes_while_down"].values()) == {"503"}, broker
    assert broker["same_processes"], broker
    for kind in ("interests", "proposals"):
        assert not figures[kind]["lost"], figures[kind]
        assert not figures[kind]["duplicated"], figures[kind]
        # Every request carries an Idempotency-Key: a retry after a lost answer names the same record.
        assert figures[kind]["recorded_without_acknowledgement"] == 0, figures[kind]
    assert figures["interests"]["addresses_recorded_twice_by_retries"] == 0, figures["interests"]
    assert not figures["calendar"]["breaches"], figures["calendar"]
    emails = figures["emails"]
    assert emails["missing"] == 0, emails
    assert emails["unexpected"] == 0, emails
    assert emails["repeated_with_same_message_id"] <= figures["faults"]["notifications-worker"], emails
    assert not figures["dead_lettered"], figures["dead_lettered"]
