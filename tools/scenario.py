"""The foundation's scenario, played through the public HTTP APIs of a running stack.

The hub registers three partners and the Estrie concertation table, which
delegates the first partner to recruit in Montréal; five regional activities
are proposed for the same Saturday (the daily maximum is three, so two are
turned down with alternatives); a counsellor declares three people's interest. Then it waits until every
decision, case and email has happened. Used by ``make demo`` and by the
end-to-end test, which checks the outcome against what the services hold.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any, TypeVar

import httpx

from services.common.auth import Role, mint
from services.common.settings import Settings
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, StackConfig

T = TypeVar("T")

SATURDAY = date(2027, 3, 6)  # Salon de l'immigration et de l'intégration au Québec, illustrative

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
]

# (partner index, title, kind, regions); all want the same Saturday first.
PROPOSALS = [
    (0, "Kiosque de l'Estrie au Salon", "fair_kiosk", ["05"]),
    (1, "Saguenay–Lac-Saint-Jean booth", "fair_kiosk", ["02"]),
    (2, "Kiosque de La Vallée-du-Richelieu", "fair_kiosk", ["16"]),
    (0, "Séance d'information : vivre à Sherbrooke", "information_session", ["05"]),
    (1, "Speed recruiting in Alma", "speed_recruiting", ["02"]),
]

PEOPLE = [
    {
        "contact": {"name": "Amina Diallo", "email": "amina.diallo@personnes.example.net"},
        "consent_to_contact": True,
        "immigration_status": "permanent_resident",
        "occupation": "21231",
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
        "consent_to_contact": True,
        "immigration_status": "temporary_worker",
        "occupation": "72410",
        "french_level": 4,
        "preferred_regions": ["02"],
        "language": "en",
    },
    {
        "contact": {"name": "María José Pérez", "email": "mj.perez@personnes.example.net"},
        "consent_to_contact": True,
        "immigration_status": "protected_person",
        "preferred_regions": [],
        "language": "fr",
    },
]

EXPECTED_EMAILS = len(PROPOSALS) + len(PEOPLE)


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


def _eventually(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


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
    outcome = Outcome()
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
            json={"partner_id": delegate_id, "start": (SATURDAY - timedelta(days=90)).isoformat()},
        )
        response.raise_for_status()
        outcome.table = response.json()

        on_step("proposing activities for the same Saturday")
        proposal_ids = []
        for index, (partner, title, kind, regions) in enumerate(PROPOSALS):
            correlation_id = f"demo-proposal-{index + 1}"
            organizer = outcome.partners[partner]["partner_id"]
            role = Role.DELEGATE if organizer == delegate_id else Role.PARTNER
            response = http.post(
                f"{urls['events-api']}/proposals",
                headers={"X-Correlation-ID": correlation_id, **_as(role, organizer)},
                json={
                    "organizer_id": organizer,
                    "regions": regions,
                    "kind": kind,
                    "title": title,
                    "preferred_dates": [SATURDAY.isoformat()],
                },
            )
            response.raise_for_status()
            proposal_ids.append(response.json()["proposal_id"])
            outcome.correlation_ids.append(correlation_id)

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
                _eventually(partial(_found, http, url, hub), timeout, f"decision {proposal_id}")
            )

        on_step("waiting for the cases")
        for case_id in case_ids:
            url = f"{urls['matching-api']}/cases/{case_id}"
            outcome.cases.append(
                _eventually(partial(_found, http, url, counsellor), timeout, f"case {case_id}")
            )

    on_step("waiting for the emails")

    def new_emails() -> list[EmailMessage] | None:
        fresh = [m for m in _mailbox(config) if m["Message-ID"] not in seen_before]
        return fresh if len(fresh) >= EXPECTED_EMAILS else None

    outcome.emails = _eventually(new_emails, timeout, f"{EXPECTED_EMAILS} emails")
    outcome.seconds = time.monotonic() - started
    return outcome


def _found(http: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, Any] | None:
    response = http.get(url, headers=headers)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _mailbox(config: StackConfig) -> list[EmailMessage]:
    return read_mailbox(config.mail_dir) if config.mail_dir.exists() else []
