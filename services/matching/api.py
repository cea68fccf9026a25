"""matching-api: intake of people's interest, and their cases
(entry point: ``python -m services.matching.api``).

The contact data goes to contacts.v1 and nowhere else; interests.v1 carries the
pseudonymous person id only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import FastAPI, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import Case, CaseKey, Contact, InterestDeclared, PersonKey
from services.common.http import Runtime, create_api, found, serve
from services.common.kafka import KafkaUnavailable
from services.common.settings import Settings
from services.common.topics import CASES, CONTACTS, INTERESTS

from .domain import case_id_for
from .models import InterestCreate, InterestReceived

SERVICE = "matching-api"
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The matching API, reading cases.v1 into its projection."""
    app = create_api(
        title="Concerto — matching",
        description="Intake and cases of people moving to Québec's regions / "
        "Accueil des personnes et dossiers.",
        settings=settings,
        service=SERVICE,
        reads=[CASES],
    )

    @app.post(
        "/interests", status_code=status.HTTP_202_ACCEPTED, response_model=InterestReceived, tags=["intake"]
    )
    def declare_interest(body: InterestCreate, runtime: Runtime, principal: CurrentPrincipal) -> Any:
        """Declare a person's interest (a counsellor or the hub); the matching worker opens their case."""
        require(principal, Role.COUNSELLOR, Role.HUB)
        person_id = uuid.uuid4()
        key = PersonKey(person_id=person_id)
        contact = Contact(person_id=person_id, language=body.language, **body.contact.model_dump())
        interest = InterestDeclared(
            person_id=person_id,
            declared_at=datetime.now(UTC),
            **body.model_dump(exclude={"contact", "consent_to_contact"}),
        )
        runtime.publish(CONTACTS, key, contact, "matching.ContactRecorded")
        try:
            runtime.publish(INTERESTS, key, interest, "matching.InterestDeclared")
        except KafkaUnavailable:
            _forget_contact(runtime, key)
            raise
        log.info("interest.declared", person_id=str(person_id))
        case_id = case_id_for(person_id)
        return InterestReceived(person_id=person_id, case_id=case_id, case_url=f"/cases/{case_id}")

    @app.get("/cases/{case_id}", response_model=Case, tags=["cases"])
    def get_case(case_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
        """One case (404 until the worker has opened it); counsellors and the hub."""
        require(principal, Role.COUNSELLOR, Role.HUB)
        return found(runtime.projection.get(CASES, CaseKey(case_id=case_id)), f"no case {case_id}")

    return app


def _forget_contact(runtime: Runtime, key: PersonKey) -> None:
    """The interest was not recorded: tombstone the contact so no orphan personal data stays.

    Best effort: if the broker is gone this fails too, and the orphan contact is
    never used (nothing refers to it); erasure (issue #5) removes it for good.
    """
    try:
        runtime.publisher.publish(CONTACTS, key, None, "matching.ContactErased")
    except KafkaUnavailable:
        log.warning("contact.orphaned", person_id=str(key.person_id))


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
