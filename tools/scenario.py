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
    hub, counsellor = _as(Role.HUB), _as(Role.COUNSELLOR)
    urls = {p.name: config.url(p) for p in PROCESSES if p.is_api}
    outcome = Outcome(saturday=scenario_saturday(default_clock().today()))
    saturday = outcome.saturday
    seen_before = {m["Message-ID"] for m in _mailbox(config)}
    with httpx.Client(timeout=15) as http:
        on_step("registering partners")
        for body in PARTNERS:
            response = http.post(f"{urls['partners-api']}/partners", json=body, headers=hub)
            response.raise_for_status()
            outcome.partners.append(response.json())

        on_step("the Estrie table delegating its recruiter")
        delegate_id = outcome.partners[0]["partner_id"]
        response = http.post(
            f"{urls['partners-api']}/tables",
            headers=hub,
            json={
                "name": "Table de concertation en immigration de l'Estrie",
                "region": "05",
                "members": [delegate_id],
            },
        )
        response.raise_for_status()
        outcome.table = response.json()
        response = http.post(
            f"{urls['partners-api']}/tables/{outcome.table['table_id']}/delegations",
            headers=hub,
            json={"partner_id": delegate_id, "start": (saturday - timedelta(days=90)).isoformat()},
        )
        response.raise_for_status()
        outcome.table = response.json()

        def propose(index: int) -> None:
            proposed = PROPOSALS[index]
            correlation_id = f"demo-proposal-{index + 1}"
            organizer = outcome.partners[proposed.partner]["partner_id"]
            role = Role.DELEGATE if organizer == delegate_id else Role.PARTNER
            response = http.post(
                f"{urls['events-api']}/proposals",
                headers={"X-Correlation-ID": correlation_id, **_as(role, organizer)},
                json={
                    "organizer_id": organizer,
                    "regions": [proposed.region],
                    "kind": proposed.kind,
                    "title": proposed.title,
                    "preferred_dates": [saturday.isoformat()],
                    "start_time": proposed.start,
                    "duration_minutes": proposed.minutes,
                    "venue_id": proposed.venue,
                    "sectors": list(proposed.sectors),
                    "expected_attendance": 200,
                },
            )
            response.raise_for_status()
            proposal_ids.append(response.json()["proposal_id"])
            outcome.correlation_ids.append(correlation_id)
            # One at a time, so the story reads in order (the calendar would cope with them at once).
            url = f"{urls['events-api']}/calendar/{proposal_ids[-1]}"
            eventually(partial(_found, http, url, hub), timeout, "a decision")

        def wait_for(index: int, status: str, negate: bool = False) -> None:
            url = f"{urls['events-api']}/calendar/{proposal_ids[index]}"
            eventually(partial(_status_is, http, url, hub, status, negate), timeout, f"proposal {index + 1}")

        proposal_ids: list[str] = []
        on_step("three kiosks proposed for the same Saturday")
        for index in range(3):
            propose(index)

        on_step("the hub endorsing the kiosks waiting for it")
        for index in ENDORSED_BY_THE_HUB:
            response = http.post(f"{urls['events-api']}/proposals/{proposal_ids[index]}/endorse", headers=hub)
            response.raise_for_status()
            wait_for(index, "pending_endorsement", negate=True)

        on_step("a kiosk joining the Estrie pavilion")
        joiner = outcome.partners[PROPOSALS[JOINS].partner]["partner_id"]
        response = http.post(
            f"{urls['events-api']}/proposals/{proposal_ids[JOINS]}/accept-joint",
            headers=_as(Role.PARTNER, joiner),
        )
        response.raise_for_status()
        wait_for(JOINS, "scheduled")

        on_step("more activities for the same Saturday")
        for index in range(3, len(PROPOSALS)):
            propose(index)

        on_step("people declaring interest")
        case_ids = []
        for index, person in enumerate(PEOPLE):
            correlation_id = f"demo-interest-{index + 1}"
            response = http.post(
                f"{urls['matching-api']}/interests",
                headers={"X-Correlation-ID": correlation_id, **counsellor},
                json=person,
            )
            response.raise_for_status()
            case_ids.append(response.json()["case_id"])
            outcome.correlation_ids.append(correlation_id)

        on_step("waiting for the calendar decisions")
        for proposal_id in proposal_ids:
            url = f"{urls['events-api']}/calendar/{proposal_id}"
            outcome.decisions.append(
                eventually(partial(_found, http, url, hub), timeout, f"decision {proposal_id}")
            )

        on_step("waiting for the cases")
        for case_id in case_ids:
            url = f"{urls['matching-api']}/cases/{case_id}"
            outcome.cases.append(
                eventually(partial(_found, http, url, counsellor), timeout, f"case {case_id}")
            )

    on_step("waiting for the emails")

    # Only this scenario's partners and people: counsellors and other runs get emails of their own.
    ours = {str(p["contact_email"]) for p in PARTNERS} | {str(p["contact"]["email"]) for p in PEOPLE}  # type: ignore[index]

    def new_emails() -> list[EmailMessage] | None:
        fresh = [m for m in _mailbox(config) if m["Message-ID"] not in seen_before and str(m["To"]) in ours]
        return fresh if len(fresh) >= EXPECTED_EMAILS else None

    outcome.emails = eventually(new_emails, timeout, f"{EXPECTED_EMAILS} emails")
    outcome.seconds = time.monotonic() - started
    return outcome


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
