"""partners-api: the registry of partners, concertation tables, delegations and offers
(entry point: ``python -m services.partners.api``).

Who may do what (bearer tokens, see services/common/auth.py):

| action | hub | counsellor | partner / delegate |
|---|---|---|---|
| read partners, tables, offers | yes | yes | yes |
| register, deactivate partners; create tables, members, delegations | yes | no | no |
| change a partner's record | yes | no | its own only |
| new stream credentials (rotation) | yes | no | its own only |
| publish, change, withdraw offers | yes (any partner's) | no | its own only |
| read reference data (/reference/…) | anyone, no token needed |
"""

from __future__ import annotations

import threading

import structlog
from fastapi import FastAPI

from services.common.http import ApiRuntime, create_api, serve
from services.common.reference import load_reference
from services.common.settings import Settings
from services.common.topics import OFFERS, PARTNERS, TABLES

from . import routes_credentials, routes_offers, routes_partners, routes_reference, routes_tables
from .catalogue import seed_default_measures
from .stream_credentials import Provisioner, provisioner_for

SERVICE = "partners-api"
log = structlog.get_logger(__name__)


def create_app(settings: Settings, provisioner: Provisioner | None = None) -> FastAPI:
    """The partners API, reading partners.v1, tables.v1 and offers.v1 into its projection.

    ``provisioner`` grants and revokes partners' stream credentials: by default at the broker, with
    the provisioner principal (``settings.provisioner``)."""

    async def on_start(app: FastAPI, runtime: ApiRuntime) -> None:
        # The default support-measure catalogue is published once the projection
        # knows what is already there (so a restart publishes nothing twice).
        threading.Thread(
            target=seed_default_measures, args=(runtime,), name="seed-measures", daemon=True
        ).start()

    app = create_api(
        title="Concerto — partners",
        description="Organizations of the regionalization network, tables, delegations and offers / "
        "Organismes du réseau, tables de concertation, délégations et offres.",
        settings=settings,
        service=SERVICE,
        reads=[PARTNERS, TABLES, OFFERS],
        on_start=on_start,
    )
    app.state.reference = load_reference()
    if provisioner is None and settings.environment == "production" and not settings.provisioner.username:
        # Its own principal may not provision: every deactivation would answer 503. Refuse to start.
        raise ValueError("CONCERTO_PROVISIONER__USERNAME and __PASSWORD(_FILE) are required in production")
    app.state.provisioner = provisioner or provisioner_for(settings.provisioner.kafka(settings.kafka))
    for module in (routes_partners, routes_credentials, routes_tables, routes_offers, routes_reference):
        app.include_router(module.router)
    return app


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
