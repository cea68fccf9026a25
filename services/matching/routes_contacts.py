"""Routes of matching-api for a person's contact data: reading it (staff, or the person
themselves), changing it, and the log of staff reads.

Every answer that carries a name, an email or a phone to a staff member is first recorded on
contact-access.v1 (who, when, whose by id, for what page), and only once the broker has
acknowledged that record is the data returned: no read goes unrecorded (Law 25,
accountability). The record never carries the data itself. The hub lists the records. A
person reading their own contact data is not a staff read: nothing is recorded.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import (
    AccessKey,
    Case,
    CaseKey,
    Contact,
    ContactAccessed,
    InterestDeclared,
    PersonKey,
)
from services.common.errors import Conflict
from services.common.http import ApiRuntime, Runtime
from services.common.topics import CASES, CONTACT_ACCESS, CONTACTS, INTERESTS

from .deps import PEOPLE_READERS, STAFF, load, may_see_person
from .domain import case_id_for
from .lifecycle import CaseStatus, case_allows, case_status_for
from .models import ContactChange, InterestReceived

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
    """A person's name, email and phone: for staff, the read is recorded first (contact-access.v1);
    a person reads only their own, unrecorded."""
    require(principal, *PEOPLE_READERS)
    may_see_person(principal, person_id)
    contact: Contact = load(runtime, CONTACTS, PersonKey(person_id=person_id), f"person {person_id}")
    if principal.role in STAFF:
        _record(runtime, principal, person_id, purpose)
    log.info("contact.read", person_id=str(person_id), by_role=principal.role.value)
    return contact


@router.put(
    "/people/{person_id}/contact",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterestReceived,
    responses={409: {"description": "The person withdrew: their contact details no longer change."}},
)
def change_contact(
    person_id: uuid.UUID, body: ContactChange, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """Replace a person's name, email, phone and the language of their messages (staff, or the
    person themselves). A new language is also their case's: the interest gets a new revision
    with it, and the counsellor stays."""
    require(principal, *PEOPLE_READERS)
    may_see_person(principal, person_id)
    key = PersonKey(person_id=person_id)
    with runtime.write_lock:
        interest: InterestDeclared = load(runtime, INTERESTS, key, f"person {person_id}")
        load(runtime, CONTACTS, key, f"person {person_id}")
        # The interest says so at once; the case only once the worker handled the withdrawal.
        if interest.withdrawn_at is not None or not case_allows(
            _case_status(runtime, interest), "change_contact"
        ):
            raise Conflict(f"person {person_id} withdrew: their contact details no longer change")
        contact = Contact(person_id=person_id, **body.model_dump())
        runtime.publish(CONTACTS, key, contact, "matching.ContactChanged")
        revision = interest.revision
        if body.language != interest.language:
            revision += 1
            changed = interest.model_copy(update={"language": body.language, "revision": revision})
            runtime.publish(INTERESTS, key, changed, "matching.InterestUpdated")
    log.info("contact.changed", person_id=str(person_id), by_role=principal.role.value)
    case_id = case_id_for(person_id)
    return InterestReceived(
        person_id=person_id, case_id=case_id, case_url=f"/cases/{case_id}", revision=revision
    )


def _case_status(runtime: ApiRuntime, interest: InterestDeclared) -> CaseStatus:
    """The case's status once the worker opened it, else the one its interest gives."""
    case: Case | None = runtime.projection.get(CASES, CaseKey(case_id=case_id_for(interest.person_id)))
    return case.status if case is not None else case_status_for(interest)


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
