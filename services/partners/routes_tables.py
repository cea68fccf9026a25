"""Routes of partners-api for concertation tables and their delegations."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import ConcertationTable, Partner, TableKey
from services.common.http import ApiRuntime, Runtime
from services.common.topics import PARTNERS, TABLES

from . import domain
from .deps import Reference, load
from .models import DelegationCreate, MembersUpdate, TableCreate

router = APIRouter(tags=["tables"])
DISSOLVED: dict[int | str, dict[str, Any]] = {
    409: {"description": "The table is dissolved (`existing` is its path): it takes no member or delegate."}
}


def _partners(runtime: ApiRuntime) -> dict[uuid.UUID, Partner]:
    return {p.partner_id: p for p in runtime.projection.values(PARTNERS)}


def _table(runtime: ApiRuntime, table_id: uuid.UUID) -> ConcertationTable:
    table: ConcertationTable = load(runtime, TABLES, TableKey(table_id=table_id), f"table {table_id}")
    return table


def _save(runtime: ApiRuntime, table: ConcertationTable, event: str) -> ConcertationTable:
    runtime.publish(TABLES, TableKey(table_id=table.table_id), table, event)
    return table


@router.post("/tables", status_code=status.HTTP_201_CREATED, response_model=ConcertationTable)
def create(body: TableCreate, runtime: Runtime, principal: CurrentPrincipal, places: Reference) -> Any:
    """Create a regional (no MRCs) or sub-regional concertation table (hub only)."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        table = domain.create_table(body, uuid.uuid4(), runtime.clock.now(), places, _partners(runtime))
        return _save(runtime, table, "partners.TableCreated")


@router.get("/tables", response_model=list[ConcertationTable])
def list_tables(runtime: Runtime, principal: CurrentPrincipal, region: str | None = None) -> Any:
    """Concertation tables, optionally of one region."""
    tables: list[ConcertationTable] = runtime.projection.values(TABLES)
    if region is not None:
        tables = [t for t in tables if t.region == region]
    return sorted(tables, key=lambda t: (t.region, t.name))


@router.get("/tables/{table_id}", response_model=ConcertationTable)
def get_table(table_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """One table, with its members and every delegation (history)."""
    return _table(runtime, table_id)


@router.put("/tables/{table_id}/members", response_model=ConcertationTable, responses=DISSOLVED)
def set_members(
    table_id: uuid.UUID, body: MembersUpdate, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """Replace the table's members (hub only); the current delegate must stay a member."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        table = domain.set_members(
            _table(runtime, table_id), body.members, runtime.clock.now(), _partners(runtime)
        )
        return _save(runtime, table, "partners.TableMembersChanged")


@router.post(
    "/tables/{table_id}/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConcertationTable,
    responses=DISSOLVED,
)
def delegate(
    table_id: uuid.UUID, body: DelegationCreate, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """Delegate an active member to recruit in Montréal for the table (hub only); the running one ends."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        table = domain.delegate(_table(runtime, table_id), body, runtime.clock.now(), _partners(runtime))
        return _save(runtime, table, "partners.DelegateChanged")


@router.post("/tables/{table_id}/dissolve", response_model=ConcertationTable)
def dissolve(table_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Dissolve a table (hub only): kept with status `dissolved`, its delegation ends that day.

    Its region's partners then propose without it (or through the region's other tables'
    delegates). Dissolving a dissolved table changes nothing."""
    require(principal, Role.HUB)
    with runtime.write_lock:
        current = _table(runtime, table_id)
        table = domain.dissolve_table(current, runtime.clock.now())
        if table is current:
            return current
        return _save(runtime, table, "partners.TableDissolved")
