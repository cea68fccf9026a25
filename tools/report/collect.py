"""What the running services hold after a season, read back through their APIs and topics.

The report is made of this and nothing else: the calendar and its rules (events-api), the
proposals as the events worker received them (event-proposals.v1), the round, its referral
plans and the cases (matching-api), the people's declared profiles (interests.v1: the
round's own inputs, pseudonymous), offers and partners (partners-api), and the audit
records of the emails sent (notifications.v1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from services.common.auth import AuthSettings, Role
from services.common.contracts import (
    ActivityProposed,
    CalendarEntry,
    CalendarRules,
    Case,
    EmailSent,
    InterestDeclared,
    Offer,
    Partner,
    Referral,
    RoundCompleted,
)
from services.common.kafka import read_topic
from services.common.topics import EVENT_PROPOSALS, INTERESTS, NOTIFICATIONS
from tools.season.play import token

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Observed:
    """Everything the report shows, as the services hold it."""

    rules: CalendarRules
    calendar: list[CalendarEntry]
    proposals: list[ActivityProposed]
    round: RoundCompleted
    referrals: list[Referral]
    cases: list[Case]
    profiles: list[InterestDeclared]
    offers: list[Offer]
    partners: list[Partner]
    emails: list[EmailSent]
    mail_files: int


def latest(bootstrap: str, topic: str, model: type[M]) -> list[M]:
    """The current value of each key of ``topic`` (tombstones drop the key), parsed with ``model``."""
    current: dict[bytes, bytes | None] = {}
    for record in read_topic(bootstrap, topic):
        current[record.key] = record.value
    return [model.model_validate_json(value) for value in current.values() if value is not None]


def every(bootstrap: str, topic: str, model: type[M]) -> list[M]:
    """Every record of a fact topic, parsed with ``model``."""
    return [model.model_validate_json(r.value) for r in read_topic(bootstrap, topic) if r.value is not None]


def _get(client: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(path, headers=headers, params=params)
    response.raise_for_status()
    return response.json()


def observe(
    apis: dict[str, httpx.Client], bootstrap: str, auth: AuthSettings, round_id: str, mail_dir: Path
) -> Observed:
    """Read the season back from the services (``apis`` by process name: partners-api, events-api…)."""
    hub = token(auth, Role.HUB)
    events, matching, partners = apis["events-api"], apis["matching-api"], apis["partners-api"]
    return Observed(
        rules=CalendarRules.model_validate(_get(events, "/rules", hub)),
        calendar=[CalendarEntry.model_validate(e) for e in _get(events, "/calendar", hub)],
        proposals=latest(bootstrap, EVENT_PROPOSALS.name, ActivityProposed),
        round=RoundCompleted.model_validate(_get(matching, f"/rounds/{round_id}", hub)),
        referrals=[Referral.model_validate(r) for r in _get(matching, "/referrals", hub, round_id=round_id)],
        cases=[Case.model_validate(c) for c in _get(matching, "/cases", hub)],
        profiles=latest(bootstrap, INTERESTS.name, InterestDeclared),
        offers=[Offer.model_validate(o) for o in _get(partners, "/offers", hub, include_withdrawn=True)],
        partners=[
            Partner.model_validate(p) for p in _get(partners, "/partners", hub, include_deactivated=True)
        ],
        emails=every(bootstrap, NOTIFICATIONS.name, EmailSent),
        mail_files=len(list(mail_dir.glob("*.eml"))) if mail_dir.exists() else 0,
    )
