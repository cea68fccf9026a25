"""Routes of matching-api for intake: declare, update, withdraw and erase a person's interest; cases.

Contact data goes to contacts.v1 and nowhere else; interests.v1 carries the
pseudonymous person id. A refused request writes nothing.

A declaration writes the contact and the interest together (both sent at once, the
202 only once the broker acknowledged both). If either is not acknowledged the
client gets a 503 and both are tombstoned, so the person does not exist;
a retry then declares them once. Staff may send an ``Idempotency-Key``: the person
id is derived from it (and the caller), so a retry after a lost answer or a 503
names the same person, and one already recorded is answered again without writing
(docs/decisions.md, decision 24).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request, status

from services.common.auth import CurrentPrincipal, Role, mint, require
from services.common.contracts import (
    Case,
    CaseKey,
    Consents,
    Contact,
    FollowUpKey,
    InterestDeclared,
    MatchingCommand,
    MeasureKey,
    PersonKey,
)
from services.common.contracts.referrals import CommandKey
from services.common.errors import Conflict
from services.common.http import (
    ApiRuntime,
    IdempotencyKey,
    NotAllWritten,
    Runtime,
    Write,
    idempotent_id,
)
from services.common.kafka import KafkaUnavailable
from services.common.topics import CASES, CONTACTS, FOLLOWUPS, INTERESTS, MATCHING_COMMANDS, MEASURES

from .deps import PEOPLE_READERS, STAFF, Reference, load, may_see_person, self_registration_limit
from .domain import case_id_for
from .intake import check_profile
from .lifecycle import CaseStatus, case_allows, case_status_for
from .models import ConsentsIn, InterestCreate, InterestReceived, InterestUpdate, ProfileIn

router = APIRouter()
log = structlog.get_logger(__name__)


def _interest(
    person_id: uuid.UUID, profile: ProfileIn, consents: ConsentsIn, revision: int, runtime: ApiRuntime
) -> InterestDeclared:
    fields = profile.model_dump(exclude={"contact", "consents"})
    main = next((o.cnp for o in profile.occupations if o.cnp is not None), None)
    return InterestDeclared(
        person_id=person_id,
        declared_at=runtime.clock.now(),
        occupation=main,
        consents=Consents(**consents.model_dump()),
        revision=revision,
        **fields,
    )


# Person ids derived from a caller's Idempotency-Key live in their own namespace.
IDEMPOTENT_PEOPLE = uuid.UUID("6f1d2c1e-8a43-4b0e-9d7a-2f1c5b7e9a10")


def person_id_for(subject: str, idempotency_key: str | None) -> uuid.UUID:
    """A new person's id: random, or derived from the caller and their idempotency key so that
    a retry names the same person (pseudonymous either way: nothing of the contact goes in)."""
    return idempotent_id(IDEMPOTENT_PEOPLE, subject, idempotency_key)


def _received(person_id: uuid.UUID) -> InterestReceived:
    case_id = case_id_for(person_id)
    return InterestReceived(person_id=person_id, case_id=case_id, case_url=f"/cases/{case_id}")


async def _declare(
    body: InterestCreate, runtime: ApiRuntime, reference: Reference, person_id: uuid.UUID
) -> InterestReceived:
    check_profile(body, reference, runtime.clock.today())
    key = PersonKey(person_id=person_id)
    # ContactIn checked these fields with the contract's own constraints: not twice (an email
    # check is ~0.1 ms).
    contact = Contact.model_construct(
        person_id=person_id, language=body.language, **body.contact.model_dump()
    )
    interest = _interest(person_id, body, body.consents, 1, runtime)
    try:
        await runtime.publish_together(
            [
                Write(CONTACTS, key, contact, "matching.ContactRecorded"),
                Write(INTERESTS, key, interest, "matching.InterestDeclared"),
            ]
        )
    except NotAllWritten:
        await _undo(runtime, key)
        raise
    log.info("interest.declared", person_id=str(person_id))
    return _received(person_id)


async def _undo(runtime: ApiRuntime, key: PersonKey) -> None:
    """A declaration was not wholly acknowledged: tombstone both halves, so no person exists with
    only one (an interest without a contact opens a case nobody can reach; a contact without an
    interest is orphan personal data). Both, not only what was acknowledged: a write whose
    acknowledgement was lost may still be on the broker, and a tombstone of nothing is harmless.
    Best effort: if the broker is gone this fails too, and the person id is logged; an erasure
    request removes what is left."""
    undo = [
        Write(CONTACTS, key, None, "matching.ContactErased"),
        Write(INTERESTS, key, None, "matching.InterestErased"),
    ]
    try:
        await runtime.publish_together(undo)
    except KafkaUnavailable:
        log.warning("intake.half_written", person_id=str(key.person_id))


@router.post(
    "/interests", status_code=status.HTTP_202_ACCEPTED, response_model=InterestReceived, tags=["intake"]
)
async def declare_interest(
    body: InterestCreate,
    runtime: Runtime,
    principal: CurrentPrincipal,
    reference: Reference,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Declare a person's interest (a counsellor or the hub); the matching worker opens their case."""
    require(principal, *STAFF)
    person_id = person_id_for(principal.subject, idempotency_key)
    if idempotency_key is not None and _recorded(runtime, person_id):
        return _received(person_id)  # a retry of a declaration already recorded: nothing to write
    return await _declare(body, runtime, reference, person_id)


def _recorded(runtime: ApiRuntime, person_id: uuid.UUID) -> bool:
    key = PersonKey(person_id=person_id)
    return (
        runtime.projection.get(INTERESTS, key) is not None
        and runtime.projection.get(CONTACTS, key) is not None
    )


@router.post(
    "/self/interests",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterestReceived,
    tags=["intake"],
    dependencies=[Depends(self_registration_limit)],
    responses={429: {"description": "Too many registrations from this address; see Retry-After."}},
)
async def register_myself(
    body: InterestCreate, runtime: Runtime, reference: Reference, request: Request
) -> Any:
    """A person registers themselves, giving consent purpose by purpose; the answer carries their token."""
    # No idempotency key here: the answer carries the person's token, which a replayed key would hand out.
    received = await _declare(body, runtime, reference, uuid.uuid4())
    days = runtime.settings.matching.person_token_days
    ttl = int(timedelta(days=days).total_seconds())
    token = mint(runtime.settings.auth, str(received.person_id), Role.PERSON, ttl_s=ttl)
    return received.model_copy(update={"token": token})


def _current(runtime: ApiRuntime, person_id: uuid.UUID) -> InterestDeclared:
    interest: InterestDeclared = load(
        runtime, INTERESTS, PersonKey(person_id=person_id), f"person {person_id}"
    )
    return interest


@router.get("/people/{person_id}/interest", response_model=InterestDeclared, tags=["intake"])
def get_interest(person_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A person's declared interest (staff, or the person themselves); 404 once erased."""
    may_see_person(principal, person_id)
    return _current(runtime, person_id)


@router.put(
    "/people/{person_id}/interest",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterestReceived,
    tags=["intake"],
)
def update_interest(
    person_id: uuid.UUID,
    body: InterestUpdate,
    runtime: Runtime,
    principal: CurrentPrincipal,
    reference: Reference,
) -> Any:
    """Replace a person's profile; the worker updates their case (the counsellor stays)."""
    may_see_person(principal, person_id)
    check_profile(body, reference, runtime.clock.today())
    with runtime.write_lock:
        current = _current(runtime, person_id)
        if not case_allows(_case_status(runtime, current), "update"):
            raise Conflict(
                f"person {person_id}'s case is {_case_status(runtime, current)}: nothing to update"
            )
        consents = body.consents or ConsentsIn.model_validate(
            current.consents.model_dump() if current.consents else {}
        )
        interest = _interest(person_id, body, consents, current.revision + 1, runtime)
        runtime.publish(INTERESTS, PersonKey(person_id=person_id), interest, "matching.InterestUpdated")
    case_id = case_id_for(person_id)
    return InterestReceived(
        person_id=person_id, case_id=case_id, case_url=f"/cases/{case_id}", revision=interest.revision
    )


def _case_status(runtime: ApiRuntime, current: InterestDeclared) -> CaseStatus:
    """The status of the person's case: the interest's, unless the case was closed (after its move)."""
    case: Case | None = runtime.projection.get(CASES, CaseKey(case_id=case_id_for(current.person_id)))
    return case_status_for(current, case.status if case is not None else None)


def _command(runtime: ApiRuntime, command: MatchingCommand, event_type: str) -> None:
    runtime.publish(MATCHING_COMMANDS, CommandKey(command_id=command.command_id), command, event_type)


@router.post(
    "/people/{person_id}/withdraw",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterestReceived,
    tags=["intake"],
)
def withdraw(person_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The person no longer wishes to move: their case closes and any live referral is cancelled."""
    may_see_person(principal, person_id)
    with runtime.write_lock:
        current = _current(runtime, person_id)
        if not case_allows(_case_status(runtime, current), "withdraw"):
            raise Conflict(f"person {person_id}'s case is {_case_status(runtime, current)}: no withdrawal")
        withdrawn = current.model_copy(
            update={"withdrawn_at": runtime.clock.now(), "revision": current.revision + 1}
        )
        runtime.publish(INTERESTS, PersonKey(person_id=person_id), withdrawn, "matching.InterestWithdrawn")
        _command(
            runtime,
            _person_command("withdraw", person_id, principal, runtime.clock.now()),
            "matching.PersonWithdrew",
        )
    case_id = case_id_for(person_id)
    return InterestReceived(
        person_id=person_id, case_id=case_id, case_url=f"/cases/{case_id}", revision=withdrawn.revision
    )


def _person_command(action: str, person_id: uuid.UUID, principal: Any, now: datetime) -> MatchingCommand:
    return MatchingCommand(
        command_id=uuid.uuid4(),
        action=action,
        person_id=person_id,
        by_role=principal.role.value,
        by_subject=principal.subject,
        issued_at=now,
    )


@router.delete("/people/{person_id}", status_code=status.HTTP_202_ACCEPTED, tags=["intake"])
def erase(person_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> dict[str, str]:
    """Erase a person on request (Law 25): tombstones on contacts, interests, cases, referrals,
    settlements, follow-ups and measures."""
    require(principal, Role.HUB, Role.COUNSELLOR, Role.PERSON)
    may_see_person(principal, person_id)
    _current(runtime, person_id)
    key = PersonKey(person_id=person_id)
    with runtime.write_lock:
        runtime.publish(CONTACTS, key, None, "matching.ContactErased")
        runtime.publish(INTERESTS, key, None, "matching.InterestErased")
        # The follow-ups' answers (personal data) go now; the worker tombstones them again in order.
        case_key = FollowUpKey(case_id=case_id_for(person_id))
        runtime.publish(FOLLOWUPS, case_key, None, "matching.FollowUpsErased")
        runtime.publish(MEASURES, MeasureKey(case_id=case_key.case_id), None, "matching.MeasuresErased")
        _command(
            runtime,
            _person_command("erase", person_id, principal, runtime.clock.now()),
            "matching.PersonErased",
        )
    log.info("person.erasure_requested", person_id=str(person_id))
    return {"person_id": str(person_id), "status": "erasing"}


@router.get("/cases/{case_id}", response_model=Case, tags=["cases"])
def get_case(case_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """One case (404 until the worker has opened it, and once erased): staff, or the person."""
    require(principal, *PEOPLE_READERS)
    case: Case = load(runtime, CASES, CaseKey(case_id=case_id), f"case {case_id}")
    may_see_person(principal, case.person_id)
    return case


@router.get("/cases", response_model=list[Case], tags=["cases"])
def list_cases(
    runtime: Runtime,
    principal: CurrentPrincipal,
    counsellor_id: Annotated[uuid.UUID | None, Query()] = None,
    case_status: Annotated[str | None, Query(alias="status", pattern="^(open|closed|withdrawn)$")] = None,
) -> Any:
    """Cases, by counsellor and status (staff only), oldest first."""
    require(principal, *STAFF)
    cases: list[Case] = runtime.projection.values(CASES)
    if counsellor_id is not None:
        cases = [c for c in cases if c.counsellor_id == counsellor_id]
    if case_status is not None:
        cases = [c for c in cases if c.status == case_status]
    return sorted(cases, key=lambda c: (c.opened_at, str(c.case_id)))
