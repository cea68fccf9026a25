"""Routes of events-api for proposals: propose an activity, then endorse, withdraw, reschedule,
accept or decline a joint activity.

Each action is checked here for a quick 4xx (who may act, and what the proposal's status
allows: lifecycle.py), then written to calendar-commands.v1, where the events worker decides
it in order with the proposals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.cloudevents import new_event
from services.common.contracts import (
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    ConcertationTable,
    PartnerKey,
    ProposalKey,
)
from services.common.errors import Conflict, Forbidden, Rejected
from services.common.http import ApiRuntime, IdempotencyKey, Runtime, found, idempotent_id
from services.common.logging import current_correlation_id
from services.common.messages import say
from services.common.topics import CALENDAR, CALENDAR_COMMANDS, EVENT_PROPOSALS, PARTNERS, TABLES

from .domain import check_organizer, region_delegates
from .lifecycle import ProposalAction, allows
from .models import CommandReceived, ProposalCreate, ProposalReceived, Reschedule
from .routes_rules import rules_in_force

SERVICE = "events-api"
# Proposal ids derived from a caller's Idempotency-Key live in their own namespace.
IDEMPOTENT_PROPOSALS = uuid.UUID("3b8e2f6a-51c4-4d7e-a0b9-8c2d1e4f7a63")

router = APIRouter(tags=["proposals"])


def _check_dates(days: list[date], field: str, today: date) -> None:
    for index, day in enumerate(days):
        if day < today:
            raise Rejected(f"{field}.{index}", say("date_in_past", value=day))


def _is_delegate_for(principal: Principal, entry: CalendarEntry, runtime: ApiRuntime) -> bool:
    if principal.partner_id is None:
        return False
    tables: list[ConcertationTable] = runtime.projection.values(TABLES)
    today = runtime.clock.today()
    return any(principal.partner_id in region_delegates(r, tables, today) for r in entry.regions)


@router.post("/proposals", status_code=status.HTTP_202_ACCEPTED, response_model=ProposalReceived)
def propose(
    body: ProposalCreate,
    runtime: Runtime,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Propose an activity (a partner or delegate for itself; the hub for any organizer).

    Where a region's table delegates an organization, only that delegate proposes for the
    region, and its proposals carry the table's endorsement. With an ``Idempotency-Key`` a
    retry names the same proposal and is decided once (docs/decisions.md, decision 28).
    """
    require(principal, Role.HUB, Role.PARTNER, Role.DELEGATE)
    if not principal.is_hub and not principal.acts_for(body.organizer_id):
        raise Forbidden(say("proposes_for_itself"))
    _check_dates(body.preferred_dates, "preferred_dates", runtime.clock.today())
    rules = rules_in_force(runtime)
    if body.venue_id is not None and (rules is None or rules.venue(body.venue_id) is None):
        raise Rejected("venue_id", say("unknown_venue", value=body.venue_id))
    timeout = runtime.settings.kafka.read_your_writes_timeout_s
    organizer = runtime.projection.get_fresh(PARTNERS, PartnerKey(partner_id=body.organizer_id), timeout)
    if principal.role is Role.DELEGATE:
        # Acting as a table's delegate: make sure a delegation made an instant ago is seen.
        runtime.projection.catch_up(timeout)
    tables = runtime.projection.values(TABLES)
    endorsed = check_organizer(
        organizer, body.regions, tables, body.preferred_dates[0], by_itself=not principal.is_hub
    )
    proposal_id = idempotent_id(IDEMPOTENT_PROPOSALS, principal.subject, idempotency_key)
    received = ProposalReceived(
        proposal_id=proposal_id, endorsed=endorsed, decision_url=f"/calendar/{proposal_id}"
    )
    key = ProposalKey(proposal_id=proposal_id)
    if idempotency_key is not None and runtime.projection.get(CALENDAR, key) is not None:
        return received  # a retry of a proposal already decided: nothing to write
    proposal = ActivityProposed(
        proposal_id=proposal_id,
        proposed_at=runtime.clock.now(),
        endorsed=endorsed,
        language=organizer.language if organizer is not None else None,  # its decision's language
        **body.model_dump(),
    )
    # A retry's record carries the same event id as the first, so the worker, which decides
    # each event id once, decides the proposal once whichever of the two it reads first.
    meta = None
    if idempotency_key is not None:
        meta = new_event(
            "events.ActivityProposed",
            SERVICE,
            current_correlation_id(),
            caused_by=f"idempotency-key/{proposal_id}",
            now=runtime.clock.now(),
        )
    runtime.publish(EVENT_PROPOSALS, key, proposal, "events.ActivityProposed", meta)
    return received


def _act(
    proposal_id: uuid.UUID,
    action: ProposalAction,
    principal: Principal,
    runtime: ApiRuntime,
    preferred_dates: list[date] | None = None,
) -> CommandReceived:
    entry: CalendarEntry = found(
        runtime.projection.get(CALENDAR, ProposalKey(proposal_id=proposal_id)),
        f"no decision yet for {proposal_id}",
    )
    if action == "endorse":
        if not principal.is_hub and not _is_delegate_for(principal, entry, runtime):
            raise Forbidden(say("endorse_forbidden"))
    elif not principal.is_hub and not principal.acts_for(entry.organizer_id):
        raise Forbidden(say("organizer_only"))
    if not allows(entry.status, action):
        raise Conflict(
            say("wrong_status", action=action.replace("_", " "), status=entry.status.replace("_", " "))
        )
    command = CalendarCommand(
        command_id=uuid.uuid4(),
        proposal_id=proposal_id,
        action=action,
        by_partner=None if principal.is_hub else principal.partner_id,
        preferred_dates=preferred_dates or [],
        issued_at=runtime.clock.now(),
    )
    event = "events." + "".join(part.title() for part in action.split("_")) + "Requested"
    runtime.publish(CALENDAR_COMMANDS, ProposalKey(proposal_id=proposal_id), command, event)
    return CommandReceived(
        command_id=command.command_id,
        proposal_id=proposal_id,
        action=action,
        decision_url=f"/calendar/{proposal_id}",
    )


def _command_route(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(path, status_code=status.HTTP_202_ACCEPTED, response_model=CommandReceived)


@_command_route("/proposals/{proposal_id}/endorse")
def endorse(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The region's table (its delegate) or the hub endorses a proposal waiting for it."""
    return _act(proposal_id, "endorse", principal, runtime)


@_command_route("/proposals/{proposal_id}/withdraw")
def withdraw(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The organizer (or the hub) withdraws a proposal; its place and its joint guests are freed."""
    return _act(proposal_id, "withdraw", principal, runtime)


@_command_route("/proposals/{proposal_id}/reschedule")
def reschedule(
    proposal_id: uuid.UUID, body: Reschedule, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """The organizer (or the hub) asks for new dates; the proposal is decided again."""
    _check_dates(body.preferred_dates, "preferred_dates", runtime.clock.today())
    return _act(proposal_id, "reschedule", principal, runtime, body.preferred_dates)


@_command_route("/proposals/{proposal_id}/accept-joint")
def accept_joint(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The organizer accepts to hold its activity jointly with the one suggested."""
    return _act(proposal_id, "accept_joint", principal, runtime)


@_command_route("/proposals/{proposal_id}/decline-joint")
def decline_joint(proposal_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The organizer declines the joint activity; the proposal is decided on its own."""
    return _act(proposal_id, "decline_joint", principal, runtime)
