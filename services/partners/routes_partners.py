"""Routes of partners-api for partner organizations."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import ConcertationTable, Partner, PartnerKey, TableKey
from services.common.http import Runtime
from services.common.topics import PARTNERS, TABLES

from . import domain
from .deps import Reference, Stream, load, may_act_for
from .models import PartnerCreate, PartnerUpdate

router = APIRouter(tags=["partners"])
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "A partner with this NEQ is already registered (`existing` is its id)."}
}


def _folded(text: str) -> str:
    """Lower case without accents, so "montreal" finds "Montréal"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=Partner, responses=CONFLICT)
def register(body: PartnerCreate, runtime: Runtime, principal: CurrentPrincipal, places: Reference) -> Any:
    """Register a partner (hub only). 409 if its NEQ is already registered."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        partners: list[Partner] = runtime.projection.values(PARTNERS)
        partner = domain.register_partner(body, uuid.uuid4(), runtime.clock.now(), places, partners)
        runtime.publish(
            PARTNERS, PartnerKey(partner_id=partner.partner_id), partner, "partners.PartnerRegistered"
        )
    return partner


@router.get("/partners", response_model=list[Partner])
def list_partners(
    runtime: Runtime,
    principal: CurrentPrincipal,
    region: str | None = None,
    kind: str | None = None,
    table: uuid.UUID | None = None,
    language: str | None = None,
    q: str | None = None,
    include_deactivated: bool = False,
) -> Any:
    """Partners, filtered by region, kind, concertation table, language of service, or text in the name."""
    partners: list[Partner] = runtime.projection.values(PARTNERS)
    if not include_deactivated:
        partners = [p for p in partners if p.status == "active"]
    if region is not None:
        partners = [p for p in partners if region in p.regions]
    if kind is not None:
        partners = [p for p in partners if p.kind == kind]
    if language is not None:
        partners = [p for p in partners if language in p.service_languages]
    if table is not None:
        found_table: ConcertationTable = load(runtime, TABLES, TableKey(table_id=table), f"table {table}")
        partners = [p for p in partners if p.partner_id in found_table.members]
    if q:
        needle = _folded(q)
        partners = [p for p in partners if needle in _folded(p.name)]
    return sorted(partners, key=lambda p: (_folded(p.name), str(p.partner_id)))


@router.get("/partners/{partner_id}", response_model=Partner)
def get_partner(partner_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """One partner."""
    return load(runtime, PARTNERS, PartnerKey(partner_id=partner_id), f"partner {partner_id}")


@router.patch("/partners/{partner_id}", response_model=Partner, responses=CONFLICT)
def update(
    partner_id: uuid.UUID,
    body: PartnerUpdate,
    runtime: Runtime,
    principal: CurrentPrincipal,
    places: Reference,
) -> Any:
    """Change a partner's record: the hub, or the partner itself."""
    may_act_for(principal, partner_id)
    with runtime.write_lock:
        current: Partner = load(runtime, PARTNERS, PartnerKey(partner_id=partner_id), f"partner {partner_id}")
        partners: list[Partner] = runtime.projection.values(PARTNERS)
        by_itself = not principal.is_hub
        partner = domain.update_partner(current, body, runtime.clock.now(), places, partners, by_itself)
        runtime.publish(PARTNERS, PartnerKey(partner_id=partner_id), partner, "partners.PartnerUpdated")
    return partner


@router.post("/partners/{partner_id}/deactivate", response_model=Partner)
def deactivate(partner_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal, stream: Stream) -> Any:
    """Deactivate a partner (hub only); it stays readable with status `deactivated`.

    Its stream credentials are revoked first: if the broker does not answer, nothing is recorded
    and the answer is 503, so the hub retries (never a deactivated partner still reading).
    Its delegations end that day: a table whose delegate is deactivated has none until the hub
    delegates another member, so its members can propose for themselves meanwhile."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        now = runtime.clock.now()
        current: Partner = load(runtime, PARTNERS, PartnerKey(partner_id=partner_id), f"partner {partner_id}")
        partner = domain.deactivate_partner(current, now)
        stream.revoke(partner_id)
        runtime.publish(PARTNERS, PartnerKey(partner_id=partner_id), partner, "partners.PartnerDeactivated")
        tables: list[ConcertationTable] = runtime.projection.values(TABLES)
        for table in tables:
            ended = domain.end_delegations_of(table, partner_id, now)
            if ended is not None:
                runtime.publish(TABLES, TableKey(table_id=table.table_id), ended, "partners.DelegationEnded")
    return partner
