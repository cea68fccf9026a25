"""The foundation's scenario, played through the public HTTP APIs of a running stack.

The hub registers four partners and the Estrie concertation table, which
delegates the first to recruit in Montréal. Six activities are proposed for the
same Saturday (three places a day, two at once, a week between two activities of
one region): the Estrie kiosk is scheduled at once (its table's delegate
proposes it); two other kiosks wait for the hub's endorsement, and one of them,
for the same audience as the Estrie kiosk, is invited to join it and accepts (one
pavilion, no extra place); an Abitibi session takes the last place; two more
are turned down with alternatives. A counsellor declares three people's
interest. Then it waits until every decision, case and email has happened. Used
by ``make demo`` and by the end-to-end test, which checks the outcome against
what the services hold.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any

import httpx

from services.common.auth import Role, mint
from services.common.clock import default_clock
from services.common.settings import Settings
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, StackConfig
from tools.waiting import eventually


def scenario_saturday(today: date) -> date:
    """The Saturday of the fair the scenario plays (a Salon de l'immigration, illustrative): the
    first Saturday eight weeks or more after ``today``, so the scenario plays on any date."""
    start = today + timedelta(weeks=8)
    return start + timedelta(days=(5 - start.weekday()) % 7)


PARTNERS = [
    {
        "name": "Place aux jeunes en région — Estrie",
        "kind": "community_organization",
        "regions": ["05"],
        "contact_email": "estrie@partenaires.example.org",
        "language": "fr",
    },
    {
        "name": "Saguenay–Lac-Saint-Jean Newcomer Services",
        "kind": "community_organization",
        "regions": ["02"],
        "contact_email": "slsj@partenaires.example.org",
        "language": "en",
    },
    {
        "name": "MRC de La Vallée-du-Richelieu",
        "kind": "municipality",
        "regions": ["16"],
        "contact_email": "immigration@vallee-du-richelieu.example.org",
        "language": "fr",
    },
    {
        "name": "Carrefour jeunesse-emploi d'Abitibi-Est",
        "kind": "community_organization",
        "regions": ["08"],
        "contact_email": "abitibi@partenaires.example.org",
        "language": "fr",
    },
]


@dataclass(frozen=True)
class Proposed:
    """One activity of the scenario, and what should become of it."""

    partner: int
    title: str
    kind: str
    region: str
    start: str
    minutes: int
    venue: str
    sectors: tuple[str, ...]
    expected: str  # final status
    emails: int  # emails its organizer gets about it


PROPOSALS = [
    Proposed(
        0,
        "Kiosque de l'Estrie au Salon",
        "fair_kiosk",
        "05",
        "10:00",
        180,
        "palais-des-congres",
        ("2",),
        "scheduled",
        2,
    ),  # decided, then "an activity joins yours"
    Proposed(
        1,
        "Saguenay–Lac-Saint-Jean booth",
        "fair_kiosk",
        "02",
        "10:00",
        180,
        "palais-des-congres",
        ("7",),
        "scheduled",
        2,
    ),  # pending endorsement, then endorsed
    Proposed(
        2,
        "Kiosque de La Vallée-du-Richelieu",
        "fair_kiosk",
        "16",
        "10:00",
        180,
        "palais-des-congres",
        ("2",),
        "scheduled",
        3,
    ),  # pending, joint suggested, joined
    Proposed(
        3,
        "Vivre et travailler en Abitibi",
        "information_session",
        "08",
        "14:00",
        120,
        "grande-bibliotheque",
        (),
        "scheduled",
        1,
    ),
    Proposed(
        0,
        "Séance d'information : vivre à Sherbrooke",
        "information_session",
        "05",
        "16:30",
        90,
        "grande-bibliotheque",
        (),
        "not_possible",
        1,
    ),
    Proposed(
        1,
        "Speed recruiting in Alma",
        "speed_recruiting",
        "02",
        "15:00",
        120,
        "place-bonaventure",
        ("7",),
        "not_possible",
        1,
    ),
]
ENDORSED_BY_THE_HUB = (1, 2)
JOINS = 2  # accepts the joint activity suggested

PEOPLE = [
    {
        "contact": {"name": "Amina Diallo", "email": "amina.diallo@personnes.example.net"},
        "consents": {"contact": True, "referral": True, "share_contact": False},
        "immigration_status": "permanent_resident",
        "occupations": [{"cnp": "21231", "years": 5}],
        "french_level": 8,
        "preferred_regions": ["05", "16"],
        "language": "fr",
    },
    {
        "contact": {
            "name": "Rahul Mehta",
            "email": "rahul.mehta@personnes.example.net",
            "phone": "+1 514 555 0142",
        },
        "consents": {"contact": True, "referral": True, "share_contact": False},
        "immigration_status": "temporary_worker",
        "occupations": [{"cnp": "72410", "years": 5}],
        "french_level": 4,
        "preferred_regions": ["02"],
        "language": "en",
    },
    {
        "contact": {"name": "María José Pérez", "email": "mj.perez@personnes.example.net"},
        "consents": {"contact": True, "referral": True, "share_contact": False},
        "immigration_status": "protected_person",
        "preferred_regions": [],
        "language": "fr",
    },
]

EXPECTED_EMAILS = sum(p.emails for p in PROPOSALS) + len(PEOPLE)


@dataclass
class Outcome:
    """What the scenario did and what the system answered."""

    partners: list[dict[str, Any]] = field(default_factory=list)
    table: dict[str, Any] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)
    correlation_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    saturday: date = date.min
    """The day every activity is proposed for (``scenario_saturday`` of the clock's today)."""


def _as(role: Role, partner_id: str | None = None) -> dict[str, str]:
    """The Authorization header of someone with ``role`` (tokens signed with this machine's settings)."""
    token = mint(Settings().auth, f"demo-{role.value}", role, uuid.UUID(partner_id) if partner_id else None)
    return {"Authorization": f"Bearer {token}"}


def play(
    config: StackConfig, on_step: Callable[[str], None] = lambda _: None, timeout: float = 60
) -> Outcome:
    """Play the scenario against the stack's APIs and wait for every effect."""
    started = time.monotonic()
    seen_before = {m["Message-ID"] for m in _mailbox(config)}
    with httpx.Client(timeout=15) as http:
        story = _Story(config, http, timeout)
        on_step("registering partners")
        story.register_partners()
        on_step("the Estrie table delegating its recruiter")
        story.delegate_the_estrie_recruiter()
        on_step("three kiosks proposed for the same Saturday")
        for index in range(3):
            story.propose(index)
        on_step("the hub endorsing the kiosks waiting for it")
        story.endorse()
        on_step("a kiosk joining the Estrie pavilion")
        story.join_the_pavilion()
        on_step("more activities for the same Saturday")
        for index in range(3, len(PROPOSALS)):
            story.propose(index)
        on_step("people declaring interest")
        story.declare_interests()
        on_step("waiting for the calendar decisions")
        story.wait_for_decisions()
        on_step("waiting for the cases")
        story.wait_for_cases()
    on_step("waiting for the emails")
    outcome = story.outcome
    outcome.emails = eventually(
        partial(_new_emails, config, seen_before), timeout, f"{EXPECTED_EMAILS} emails"
    )
    outcome.seconds = time.monotonic() - started
    return outcome


class _Story:
    """The scenario's steps, in the order ``play`` tells them; each waits for what it caused."""

    def __init__(self, config: StackConfig, http: httpx.Client, timeout: float) -> None:
        self.http, self.timeout = http, timeout
        self.hub, self.counsellor = _as(Role.HUB), _as(Role.COUNSELLOR)
        self.urls = {p.name: config.url(p) for p in PROCESSES if p.is_api}
        self.outcome = Outcome(saturday=scenario_saturday(default_clock().today()))
        self.proposal_ids: list[str] = []
        self.case_ids: list[str] = []

    def _post(self, api: str, path: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
        response = self.http.post(f"{self.urls[api]}{path}", json=body, headers=headers)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def _calendar(self, index: int) -> str:
        return f"{self.urls['events-api']}/calendar/{self.proposal_ids[index]}"

    def register_partners(self) -> None:
        for body in PARTNERS:
            self.outcome.partners.append(self._post("partners-api", "/partners", self.hub, body))

    @property
    def delegate_id(self) -> str:
        return str(self.outcome.partners[0]["partner_id"])

    def delegate_the_estrie_recruiter(self) -> None:
        table = {
            "name": "Table de concertation en immigration de l'Estrie",
            "region": "05",
            "members": [self.delegate_id],
        }
        table_id = self._post("partners-api", "/tables", self.hub, table)["table_id"]
        start = self.outcome.saturday - timedelta(days=90)
        delegation = {"partner_id": self.delegate_id, "start": start.isoformat()}
        self.outcome.table = self._post(
            "partners-api", f"/tables/{table_id}/delegations", self.hub, delegation
        )

    def propose(self, index: int) -> None:
        proposed = PROPOSALS[index]
        correlation_id = f"demo-proposal-{index + 1}"
        organizer = self.outcome.partners[proposed.partner]["partner_id"]
        role = Role.DELEGATE if organizer == self.delegate_id else Role.PARTNER
        body = {
            "organizer_id": organizer,
            "regions": [proposed.region],
            "kind": proposed.kind,
            "title": proposed.title,
            "preferred_dates": [self.outcome.saturday.isoformat()],
            "start_time": proposed.start,
            "duration_minutes": proposed.minutes,
            "venue_id": proposed.venue,
            "sectors": list(proposed.sectors),
            "expected_attendance": 200,
        }
        headers = {"X-Correlation-ID": correlation_id, **_as(role, organizer)}
        self.proposal_ids.append(self._post("events-api", "/proposals", headers, body)["proposal_id"])
        self.outcome.correlation_ids.append(correlation_id)
        # One at a time, so the story reads in order (the calendar would cope with them at once).
        eventually(partial(_found, self.http, self._calendar(index), self.hub), self.timeout, "a decision")

    def _wait_for(self, index: int, status: str, negate: bool = False) -> None:
        check = partial(_status_is, self.http, self._calendar(index), self.hub, status, negate)
        eventually(check, self.timeout, f"proposal {index + 1}")

    def endorse(self) -> None:
        for index in ENDORSED_BY_THE_HUB:
            self._post("events-api", f"/proposals/{self.proposal_ids[index]}/endorse", self.hub)
            self._wait_for(index, "pending_endorsement", negate=True)

    def join_the_pavilion(self) -> None:
        joiner = self.outcome.partners[PROPOSALS[JOINS].partner]["partner_id"]
        path = f"/proposals/{self.proposal_ids[JOINS]}/accept-joint"
        self._post("events-api", path, _as(Role.PARTNER, joiner))
        self._wait_for(JOINS, "scheduled")

    def declare_interests(self) -> None:
        for index, person in enumerate(PEOPLE):
            correlation_id = f"demo-interest-{index + 1}"
            headers = {"X-Correlation-ID": correlation_id, **self.counsellor}
            self.case_ids.append(self._post("matching-api", "/interests", headers, person)["case_id"])
            self.outcome.correlation_ids.append(correlation_id)

    def wait_for_decisions(self) -> None:
        for index, proposal_id in enumerate(self.proposal_ids):
            found = partial(_found, self.http, self._calendar(index), self.hub)
            self.outcome.decisions.append(eventually(found, self.timeout, f"decision {proposal_id}"))

    def wait_for_cases(self) -> None:
        for case_id in self.case_ids:
            url = f"{self.urls['matching-api']}/cases/{case_id}"
            found = partial(_found, self.http, url, self.counsellor)
            self.outcome.cases.append(eventually(found, self.timeout, f"case {case_id}"))


def _new_emails(config: StackConfig, seen_before: set[str]) -> list[EmailMessage] | None:
    """This run's emails to the scenario's partners and people, once all are there (counsellors and
    other runs get emails of their own)."""
    ours = {str(p["contact_email"]) for p in PARTNERS} | {str(p["contact"]["email"]) for p in PEOPLE}  # type: ignore[index]
    fresh = [m for m in _mailbox(config) if m["Message-ID"] not in seen_before and str(m["To"]) in ours]
    return fresh if len(fresh) >= EXPECTED_EMAILS else None


def _found(http: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, Any] | None:
    response = http.get(url, headers=headers)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _status_is(
    http: httpx.Client, url: str, headers: dict[str, str], status: str, negate: bool = False
) -> bool:
    found = _found(http, url, headers)
    return found is not None and (found["status"] == status) != negate


def _mailbox(config: StackConfig) -> list[EmailMessage]:
    return read_mailbox(config.mail_dir) if config.mail_dir.exists() else []
