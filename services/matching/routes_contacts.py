"""Routes of matching-api that hand a person's contact data to staff, and the log of those reads.

Every answer that carries a name, an email or a phone to a staff member is first recorded on
contact-access.v1 (who, when, whose by id, for what page), and only once the broker has
acknowledged that record is the data returned: no read goes unrecorded (Law 25,
accountability). The record never carries the data itself. The hub lists the records.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import AccessKey, Case, Contact, ContactAccessed, PersonKey
from services.common.http import ApiRuntime, Runtime
from services.common.topics import CASES, CONTACT_ACCESS, CONTACTS

from .deps import STAFF, load, may_see_person
from .domain import case_id_for

router = APIRouter(tags=["contacts"])
log = structlog.get_logger(__name__)

Purpose = Annotated[str, Query(min_length=1, max_length=200, description="The page or program asking.")]


class ContactFound(BaseModel):
    """A person found by name in the reader's caseload (hub: every case)."""

    person_id: uuid.UUID
    case_id: uuid.UUID
    name: str


def _record(runtime: ApiRuntime, principal: Principal, person_id: uuid.UUID, purpose: str) -> None:
    access_id = uuid.uuid4()
    record = ContactAccessed(
        access_id=access_id,
        person_id=person_id,
        by_role="hub" if principal.role is Role.HUB else "counsellor",
        by_subject=principal.subject,
        purpose=purpose,
        accessed_at=runtime.clock.now(),
    )
    runtime.publish(CONTACT_ACCESS, AccessKey(access_id=access_id), record, "matching.ContactAccessed")


@router.get("/people/{person_id}/contact", response_model=Contact)
def read_contact(
    person_id: uuid.UUID, purpose: Purpose, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """A person's name, email and phone, for staff; the read is recorded first (contact-access.v1)."""
    require(principal, *STAFF)
    may_see_person(principal, person_id)
    contact: Contact = load(runtime, CONTACTS, PersonKey(person_id=person_id), f"person {person_id}")
    _record(runtime, principal, person_id, purpose)
    log.info("contact.read", person_id=str(person_id), by_role=principal.role.value)
    return contact


@router.get("/contacts/search", response_model=list[ContactFound])
def search_contacts(
    q: Annotated[str, Query(min_length=2, max_length=100)],
    purpose: Purpose,
    runtime: Runtime,
    principal: CurrentPrincipal,
) -> Any:
    """People whose name contains ``q``: a counsellor's own cases, the hub's every case. Each
    person found is a read of their contact data, recorded like one."""
    require(principal, *STAFF)
    wanted = q.casefold()
    found: list[ContactFound] = []
    cases: list[Case] = runtime.projection.values(CASES)
    for case in cases:
        if principal.role is Role.COUNSELLOR and str(case.counsellor_id) != principal.subject:
            continue
        contact = runtime.projection.get(CONTACTS, PersonKey(person_id=case.person_id))
        if contact is not None and wanted in contact.name.casefold():
            found.append(
                ContactFound(person_id=case.person_id, case_id=case_id_for(case.person_id), name=contact.name)
            )
    for person in found[:50]:
        _record(runtime, principal, person.person_id, purpose)
    return found[:50]


@router.get("/contact-access", response_model=list[ContactAccessed])
def list_contact_access(
    runtime: Runtime,
    principal: CurrentPrincipal,
    person_id: Annotated[uuid.UUID | None, Query()] = None,
    by_subject: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Staff reads of contact data, newest first (the hub only)."""
    require(principal, Role.HUB)
    records: list[ContactAccessed] = runtime.projection.values(CONTACT_ACCESS)
    if person_id is not None:
        records = [r for r in records if r.person_id == person_id]
    if by_subject is not None:
        records = [r for r in records if r.by_subject == by_subject]
    return sorted(records, key=lambda r: r.accessed_at, reverse=True)[:500]
