"""End to end: every process started on its own, from HTTP requests to emails received over SMTP.

Plays tools/scenario.py (the same scenario as `make demo`) against the six
processes, the real broker and the SMTP sink, then checks the outcome against
what the services and the mailbox hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time

import httpx
import pytest

from services.common.clock import MONTREAL
from services.common.topics import REGISTRY
from tests.conftest import own_stack
from tests.support import bearer, log_events, read_topic
from tools.scenario import JOINS, PEOPLE, PROPOSALS, Outcome, play
from tools.stack import PROCESSES, WEB, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def everything() -> Iterator[Stack]:
    """Every process on a broker of this module's own: the scenario's tables delegate regions that
    other tests propose for, and its checks read whole topics and logs."""
    with own_stack("slice") as private:
        yield private


@pytest.fixture(scope="module")
def outcome(everything: Stack) -> Outcome:
    return play(everything.config, timeout=60)


def test_every_api_is_healthy_and_documents_itself(everything: Stack) -> None:
    assert httpx.get(everything.config.url(WEB) + "/health").json() == {"status": "ok"}  # pages, not an API
    for process in (p for p in PROCESSES if p.is_api and p is not WEB):
        url = everything.config.url(process)
        assert httpx.get(f"{url}/health").json() == {"status": "ok", "kafka": "ok", "projection": "ready"}
        assert httpx.get(f"{url}/docs").status_code == 200
        assert httpx.get(f"{url}/openapi.json").json()["paths"]


def test_the_calendar_keeps_the_daily_maximum_pools_kiosks_and_offers_alternatives(
    outcome: Outcome, everything: Stack
) -> None:
    assert [d["status"] for d in outcome.decisions] == [p.expected for p in PROPOSALS]
    host, guest = outcome.decisions[0], outcome.decisions[JOINS]
    assert guest["joint_with"] == host["proposal_id"]
    assert guest["day"] == outcome.saturday.isoformat()
    for refused in (d for d in outcome.decisions if d["status"] == "not_possible"):
        assert refused["alternatives"]
        assert all(day > outcome.saturday.isoformat() for day in refused["alternatives"])
    calendar_api = next(p for p in PROCESSES if p.name == "events-api")
    url = f"{everything.config.url(calendar_api)}/calendar"
    saturday = httpx.get(url, params={"day": outcome.saturday.isoformat()}, headers=bearer("hub")).json()
    places = [e for e in saturday if e["status"] == "scheduled" and e["joint_with"] is None]
    assert len(places) == everything.config.max_activities_per_day
    [hosting] = [e for e in saturday if e["proposal_id"] == host["proposal_id"]]
    assert hosting["joint_members"] == [guest["proposal_id"]]


def test_a_region_feed_lists_its_scheduled_activities_as_icalendar(
    outcome: Outcome, everything: Stack
) -> None:
    from icalendar import Calendar

    calendar_api = next(p for p in PROCESSES if p.name == "events-api")
    response = httpx.get(f"{everything.config.url(calendar_api)}/feeds/regions/05.ics")  # no token: public
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in feed.walk("VEVENT")]
    assert "Kiosque de l'Estrie au Salon" in summaries
    assert "Séance d'information : vivre à Sherbrooke" not in summaries  # refused: not in the feed
    [event] = [e for e in feed.walk("VEVENT") if str(e["summary"]) == "Kiosque de l'Estrie au Salon"]
    # Ten o'clock in Montréal, with that day's offset (-05:00 in winter, -04:00 in summer).
    assert event.decoded("dtstart") == datetime.combine(outcome.saturday, time(10), tzinfo=MONTREAL)
    assert str(event["location"]) == "Palais des congrès de Montréal"


def test_every_person_gets_a_case_and_one_email_in_their_language(outcome: Outcome) -> None:
    assert [c["language"] for c in outcome.cases] == [p["language"] for p in PEOPLE]
    assert len({c["case_id"] for c in outcome.cases}) == len(PEOPLE)
    for person in PEOPLE:
        contact = person["contact"]
        assert isinstance(contact, dict)
        received = [m for m in outcome.emails if m["To"] == contact["email"]]
        assert len(received) == 1
        [message] = received
        expected = (
            "Votre dossier Concerto est ouvert"
            if person["language"] == "fr"
            else "Your Concerto file is open"
        )
        assert message["Subject"] == expected
        text = message.get_body(("plain",))
        assert text is not None
        assert contact["name"] in text.get_content()


def test_every_organizer_is_told_each_decision_once(outcome: Outcome) -> None:
    addresses = {p["contact_email"] for p in outcome.partners}
    per_partner = Counter(str(m["To"]) for m in outcome.emails if str(m["To"]) in addresses)
    expected: Counter[str] = Counter()
    for proposed in PROPOSALS:
        expected[outcome.partners[proposed.partner]["contact_email"]] += proposed.emails
    assert per_partner == expected
    assert len({m["Message-ID"] for m in outcome.emails}) == len(outcome.emails)
    subjects = {str(m["Subject"]) for m in outcome.emails}
    assert "Activité conjointe proposée : Kiosque de La Vallée-du-Richelieu" in subjects
    assert "Une activité se joint à la vôtre : Kiosque de l'Estrie au Salon" in subjects
    assert "Waiting for the table's endorsement: Saguenay–Lac-Saint-Jean booth" in subjects


def test_the_correlation_id_follows_a_request_into_every_process_it_touches(
    outcome: Outcome, everything: Stack
) -> None:
    correlation_id = "demo-interest-2"
    assert correlation_id in outcome.correlation_ids
    for name in ("matching-api", "matching-worker", "notifications-worker"):
        events = log_events(everything.log_path(name))
        assert any(e.get("correlation_id") == correlation_id for e in events), name


def test_no_personal_data_in_logs_or_in_topics_other_than_contacts(
    outcome: Outcome, everything: Stack
) -> None:
    assert outcome.emails
    secrets = []
    for person in PEOPLE:
        contact = person["contact"]
        assert isinstance(contact, dict)
        secrets += [str(v) for v in contact.values()]
    for log in sorted(everything.log_dir.glob("*.log")):
        if log.name == "mailsink.log":
            continue  # the SMTP server's own console, which holds no message
        text = log.read_text(encoding="utf-8", errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{log.name} contains personal data"
    for spec in REGISTRY:
        if spec.name in ("contacts.v1", "deadletter.v1"):
            continue
        for record in read_topic(everything.config.bootstrap, spec.name):
            raw = (record.key or b"") + (record.value or b"")
            assert not [s for s in secrets if s.encode() in raw], f"{spec.name} contains personal data"


def test_cases_carry_the_entitlements_of_the_partners_measure_catalogue(outcome: Outcome) -> None:
    by_status = [{e["measure_code"]: e["status"] for e in case["entitlements"]} for case in outcome.cases]
    amina, rahul, _ = by_status
    assert amina["public_employment_services"] == "entitled"
    assert amina["exploratory_trip"] == "entitled"
    assert rahul["public_employment_services"] == "not_entitled"  # temporary worker, since 2025-02-01
    [amina_email] = [m for m in outcome.emails if m["To"] == "amina.diallo@personnes.example.net"]
    text = amina_email.get_body(("plain",))
    assert text is not None
    assert "- Séjour exploratoire en région" in text.get_content()
