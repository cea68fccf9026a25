"""events-api: propose activities and read the coordinated calendar
(entry point: ``python -m services.events.api``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import ActivityProposed, CalendarEntry, PartnerKey, ProposalKey
from services.common.errors import Forbidden
from services.common.http import Runtime, create_api, found, serve
from services.common.settings import Settings
from services.common.topics import CALENDAR, EVENT_PROPOSALS, PARTNERS, TABLES

from .domain import check_organizer
from .models import ProposalCreate, ProposalReceived

SERVICE = "events-api"


def create_app(settings: Settings) -> FastAPI:
    """The events API, reading partners.v1 (organizers) and calendar.v1 (decisions)."""
    app = create_api(
        title="Concerto — events",
        description="The coordinated calendar of recruitment activities in Montréal / "
        "Le calendrier concerté des activités de recrutement à Montréal.",
        settings=settings,
        service=SERVICE,
        reads=[PARTNERS, TABLES, CALENDAR],
    )

    @app.post(
        "/proposals",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ProposalReceived,
        tags=["calendar"],
    )
    def propose(body: ProposalCreate, runtime: Runtime, principal: CurrentPrincipal) -> Any:
        """Propose an activity (a partner or delegate for itself; the hub for any organizer).

        The events worker decides it in order and publishes the decision to calendar.v1.
        """
        require(principal, Role.HUB, Role.PARTNER, Role.DELEGATE)
        if not principal.is_hub and not principal.acts_for(body.organizer_id):
            raise Forbidden("a partner proposes activities for itself only")
        organizer = runtime.projection.get_fresh(
            PARTNERS, PartnerKey(partner_id=body.organizer_id), settings.kafka.read_your_writes_timeout_s
        )
        tables = runtime.projection.values(TABLES)
        check_organizer(organizer, body.regions, tables, body.preferred_dates[0])
        proposal = ActivityProposed(
            proposal_id=uuid.uuid4(), proposed_at=datetime.now(UTC), **body.model_dump()
        )
        key = ProposalKey(proposal_id=proposal.proposal_id)
        runtime.publish(EVENT_PROPOSALS, key, proposal, "events.ActivityProposed")
        return ProposalReceived(
            proposal_id=proposal.proposal_id, decision_url=f"/calendar/{proposal.proposal_id}"
        )

    @app.get("/calendar", response_model=list[CalendarEntry], tags=["calendar"])
    def calendar(runtime: Runtime, principal: CurrentPrincipal) -> Any:
        """Every decided proposal, scheduled ones by day."""
        entries: list[CalendarEntry] = runtime.projection.values(CALENDAR)
        return sorted(entries, key=lambda e: (e.day is None, e.day, e.title, str(e.proposal_id)))

    @app.get("/calendar/{proposal_id}", response_model=CalendarEntry, tags=["calendar"])
    def decision(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
        """The decision on one proposal (404 until it is decided)."""
        entry = runtime.projection.get(CALENDAR, ProposalKey(proposal_id=proposal_id))
        return found(entry, f"no decision yet for {proposal_id}")

    return app


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
