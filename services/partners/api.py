"""partners-api: register partners and read them back (entry point: ``python -m services.partners.api``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, status

from services.common.contracts import Partner, PartnerKey
from services.common.http import Runtime, create_api, found, serve
from services.common.settings import Settings
from services.common.topics import PARTNERS

from .domain import register_partner
from .models import PartnerCreate

SERVICE = "partners-api"


def create_app(settings: Settings) -> FastAPI:
    """The partners API, reading partners.v1 into its projection."""
    app = create_api(
        title="Concerto — partners",
        description="Organizations of the regionalization network / Organismes du réseau de régionalisation.",
        settings=settings,
        service=SERVICE,
        reads=[PARTNERS],
    )

    @app.post("/partners", status_code=status.HTTP_201_CREATED, response_model=Partner, tags=["partners"])
    def register(body: PartnerCreate, runtime: Runtime) -> Any:
        """Register a partner; answered once partners.v1 acknowledged it."""
        partner = register_partner(body, uuid.uuid4(), datetime.now(UTC))
        runtime.publish(
            PARTNERS, PartnerKey(partner_id=partner.partner_id), partner, "partners.PartnerRegistered"
        )
        return partner

    @app.get("/partners", response_model=list[Partner], tags=["partners"])
    def list_partners(runtime: Runtime, region: str | None = None) -> Any:
        """Every partner, optionally those serving one region."""
        partners: list[Partner] = runtime.projection.values(PARTNERS)
        if region is not None:
            partners = [p for p in partners if region in p.regions]
        return sorted(partners, key=lambda p: (p.name, str(p.partner_id)))

    @app.get("/partners/{partner_id}", response_model=Partner, tags=["partners"])
    def get_partner(partner_id: uuid.UUID, runtime: Runtime) -> Any:
        """One partner."""
        return found(
            runtime.projection.get(PARTNERS, PartnerKey(partner_id=partner_id)), f"no partner {partner_id}"
        )

    return app


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
