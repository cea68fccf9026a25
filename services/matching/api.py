"""matching-api: intake of people's interest, cases, counsellors, concertation rounds, referral plans
and the settlements that follow them (entry point: ``python -m services.matching.api``).

The contact data goes to contacts.v1 and nowhere else; every other topic
carries the pseudonymous person id only. Reads come from this API's projection
of the matching topics (rebuilt from Kafka at start-up).
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI

from services.common.http import create_api, serve
from services.common.reference import load_reference
from services.common.settings import Settings
from services.common.topics import (
    CASES,
    CONTACT_ACCESS,
    CONTACTS,
    COUNSELLORS,
    FOLLOWUPS,
    INTERESTS,
    MEASURES,
    OFFERS,
    REFERRALS,
    ROUNDS,
    SETTLEMENTS,
)

from . import (
    routes_contacts,
    routes_counsellors,
    routes_followups,
    routes_intake,
    routes_measures,
    routes_referrals,
    routes_settlements,
)
from .deps import RateLimit

SERVICE = "matching-api"
log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The matching API."""
    app = create_api(
        title="Concerto — matching",
        description="Intake, cases, counsellors, concertation rounds, referral plans and settlements / "
        "Accueil des personnes, dossiers, rondes de concertation, plans d'orientation et installation.",
        settings=settings,
        service=SERVICE,
        reads=[
            INTERESTS,
            CONTACTS,
            CASES,
            COUNSELLORS,
            REFERRALS,
            ROUNDS,
            OFFERS,
            CONTACT_ACCESS,
            SETTLEMENTS,
            FOLLOWUPS,
            MEASURES,
        ],
        # One record per person on each of these, read one at a time: kept as bytes (projection.py).
        lazy=[INTERESTS, CONTACTS, CASES],
    )
    app.state.reference = load_reference()
    app.state.self_registration_limit = RateLimit(settings.matching.self_registration_limit)
    routers = (
        routes_intake,
        routes_counsellors,
        routes_referrals,
        routes_settlements,
        routes_followups,
        routes_measures,
    )
    for module in (*routers, routes_contacts):
        app.include_router(module.router)
    return app


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
