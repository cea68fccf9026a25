"""Routes of matching-api for concertation rounds and referral plans.

Actions (accept, decline, override) are checked here for a quick 4xx, then
written to matching-commands.v1, where the matching worker decides them in
order with the rounds: a place is never given twice.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from services.common.auth import CurrentPrincipal, Principal, Role, require
from services.common.contracts import (
    CommandKey,
    Contact,
    InterestDeclared,
    MatchingCommand,
    Offer,
    OfferKey,
    OfferKind,
    PersonKey,
    Referral,
    ReferralKey,
    RoundCompleted,
    RoundKey,
    SettlementKey,
)
from services.common.errors import Forbidden, Rejected
from services.common.http import ApiRuntime, Runtime, found
from services.common.topics import (
    CONTACTS,
    INTERESTS,
    MATCHING_COMMANDS,
    OFFERS,
    REFERRALS,
    ROUNDS,
    SETTLEMENTS,
)

from .deps import PEOPLE_READERS, STAFF, load, may_see_person
from .lifecycle import check_referral
from .models import (
    ActionAccepted,
    DeclineIn,
    Explanation,
    OverrideIn,
    PartnerContact,
    PartnerReferralDetail,
    RoundRequested,
)
from .settlement import check_release
from .sharing import contact_shared, partner_view

router = APIRouter()

NOTICE_FR = (
    "Cette proposition a été faite par un traitement automatisé (ronde de concertation). "
    "Ses principaux facteurs sont indiqués ci-dessus. Vous pouvez demander à votre conseillère "
    "ou conseiller de la réviser : une personne l'examinera."
)
NOTICE_EN = (
    "This plan was made by automated processing (a concertation round). Its main factors are "
    "listed above. You may ask your counsellor to review it: a person will examine it."
)


def _command(runtime: ApiRuntime, principal: Principal, action: str, **fields: Any) -> MatchingCommand:
    command = MatchingCommand(
        command_id=uuid.uuid4(),
        action=action,
        by_role=principal.role.value,
        by_subject=principal.subject,
        issued_at=runtime.clock.now(),
        **fields,
    )
    event = {
        "run_round": "matching.RoundRequested",
        "request_review": "matching.ReferralReviewRequested",
    }.get(action, f"matching.Referral{action.title()}Requested")
    runtime.publish(MATCHING_COMMANDS, CommandKey(command_id=command.command_id), command, event)
    return command


@router.post("/rounds", status_code=status.HTTP_202_ACCEPTED, response_model=RoundRequested, tags=["rounds"])
def request_round(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Run a concertation round now (hub only); rounds also run on the worker's schedule."""
    require(principal, Role.HUB)
    round_id = uuid.uuid4()
    _command(runtime, principal, "run_round", round_id=round_id)
    return RoundRequested(round_id=round_id, round_url=f"/rounds/{round_id}")


@router.get("/rounds/{round_id}", response_model=RoundCompleted, tags=["rounds"])
def get_round(round_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A round's result (404 until it is done); staff only."""
    require(principal, *STAFF)
    return load(runtime, ROUNDS, RoundKey(round_id=round_id), f"round {round_id} (yet)")


@router.get("/rounds", response_model=list[RoundCompleted], tags=["rounds"])
def list_rounds(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Every round's result, latest first; staff only."""
    require(principal, *STAFF)
    rounds: list[RoundCompleted] = runtime.projection.values(ROUNDS)
    return sorted(rounds, key=lambda r: r.started_at, reverse=True)


def _referral(runtime: ApiRuntime, referral_id: uuid.UUID) -> Referral:
    referral: Referral = load(
        runtime, REFERRALS, ReferralKey(referral_id=referral_id), f"referral {referral_id}"
    )
    return referral


@router.get("/referrals", response_model=list[Referral], tags=["referrals"])
def list_referrals(
    runtime: Runtime,
    principal: CurrentPrincipal,
    round_id: uuid.UUID | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    referral_status: Annotated[
        str | None, Query(alias="status", pattern="^(proposed|accepted|declined|cancelled)$")
    ] = None,
    counsellor_id: uuid.UUID | None = None,
) -> Any:
    """Referral plans by round, region, status and counsellor (staff only)."""
    require(principal, *STAFF)
    found: list[Referral] = runtime.projection.values(REFERRALS)
    if round_id is not None:
        found = [r for r in found if r.round_id == round_id]
    if region is not None:
        found = [r for r in found if r.region == region]
    if referral_status is not None:
        found = [r for r in found if r.status == referral_status]
    if counsellor_id is not None:
        found = [r for r in found if r.counsellor_id == counsellor_id]
    return sorted(found, key=lambda r: (r.issued_at, str(r.referral_id)))


@router.get("/people/{person_id}/referrals", response_model=list[Referral], tags=["referrals"])
def referrals_of(person_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A person's referral plans (staff, or the person)."""
    may_see_person(principal, person_id)
    found: list[Referral] = [r for r in runtime.projection.values(REFERRALS) if r.person_id == person_id]
    return sorted(found, key=lambda r: (r.issued_at, str(r.referral_id)))


@router.get("/referrals/{referral_id}", response_model=Referral, tags=["referrals"])
def get_referral(referral_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """One referral plan (staff, or the person it is for)."""
    require(principal, *PEOPLE_READERS)
    referral = _referral(runtime, referral_id)
    may_see_person(principal, referral.person_id)
    return referral


@router.get("/referrals/{referral_id}/factors", response_model=Explanation, tags=["referrals"])
def explain(referral_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The main factors of the decision, and the right to have a person review it (Law 25)."""
    require(principal, *PEOPLE_READERS)
    referral = _referral(runtime, referral_id)
    may_see_person(principal, referral.person_id)
    return Explanation(
        referral_id=referral.referral_id,
        automated=referral.decided_by == "round",
        decided_by=referral.decided_by,
        region=referral.region,
        factors=referral.factors,
        notice_fr=NOTICE_FR,
        notice_en=NOTICE_EN,
    )


def _not_lived(runtime: ApiRuntime, referral: Referral) -> None:
    """409 for a plan whose household has arrived in the region: close its case instead."""
    check_release(runtime.projection.get(SETTLEMENTS, SettlementKey(case_id=referral.case_id)), referral)


def _accepted(referral: Referral, action: str) -> ActionAccepted:
    return ActionAccepted(
        referral_id=referral.referral_id, action=action, referral_url=f"/referrals/{referral.referral_id}"
    )


@router.post(
    "/referrals/{referral_id}/accept",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ActionAccepted,
    tags=["referrals"],
)
def accept(referral_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The household accepts its plan (the person, or staff on their behalf)."""
    require(principal, *PEOPLE_READERS)
    referral = _referral(runtime, referral_id)
    may_see_person(principal, referral.person_id)
    check_referral(referral_id, referral.status, "accept")
    _command(runtime, principal, "accept", referral_id=referral_id)
    return _accepted(referral, "accept")


@router.post(
    "/referrals/{referral_id}/decline",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ActionAccepted,
    tags=["referrals"],
)
def decline(referral_id: uuid.UUID, body: DeclineIn, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The household declines; the place returns to the pool for the next round."""
    require(principal, *PEOPLE_READERS)
    referral = _referral(runtime, referral_id)
    may_see_person(principal, referral.person_id)
    check_referral(referral_id, referral.status, "decline")
    _not_lived(runtime, referral)
    _command(runtime, principal, "decline", referral_id=referral_id, reason=body.reason)
    return _accepted(referral, "decline")


@router.post(
    "/referrals/{referral_id}/review",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ActionAccepted,
    tags=["referrals"],
)
def request_review(referral_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The person asks a counsellor to review their plan (Law 25); the counsellor is emailed, and
    answers by overriding it or by telling the person it stands. Asking twice changes nothing."""
    require(principal, *PEOPLE_READERS)
    referral = _referral(runtime, referral_id)
    may_see_person(principal, referral.person_id)
    check_referral(referral_id, referral.status, "request_review")
    _command(runtime, principal, "request_review", referral_id=referral_id)
    return _accepted(referral, "request_review")


@router.post(
    "/referrals/{referral_id}/override",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ActionAccepted,
    tags=["referrals"],
)
def override(referral_id: uuid.UUID, body: OverrideIn, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """A counsellor reviews the automated plan: another welcoming organization, or none, with a reason."""
    require(principal, *STAFF)
    referral = _referral(runtime, referral_id)
    check_referral(referral_id, referral.status, "override")
    _not_lived(runtime, referral)
    if body.welcoming_offer_id is not None:
        offer: Offer | None = runtime.projection.get(OFFERS, OfferKey(offer_id=body.welcoming_offer_id))
        if offer is None or offer.kind is not OfferKind.INTAKE_CAPACITY or offer.status != "active":
            raise Rejected(
                "welcoming_offer_id", f"{body.welcoming_offer_id} is not an active intake capacity"
            )
    _command(
        runtime,
        principal,
        "override",
        referral_id=referral_id,
        welcoming_offer_id=body.welcoming_offer_id,
        reason=body.reason,
    )
    return _accepted(referral, "override")


@router.get("/partners/{partner_id}/referrals", response_model=list[PartnerReferralDetail], tags=["partners"])
def households_referred_to(partner_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The households referred to a welcoming partner (that partner, or the hub) — nobody else's."""
    _partner_only(principal, partner_id)
    found = [r for r in runtime.projection.values(REFERRALS) if r.welcoming_partner_id == partner_id]
    details = [_detail(runtime, r) for r in sorted(found, key=lambda r: (r.issued_at, str(r.referral_id)))]
    return [d for d in details if d is not None]


@router.get(
    "/partners/{partner_id}/referrals/{referral_id}", response_model=PartnerReferralDetail, tags=["partners"]
)
def household_referred_to(
    partner_id: uuid.UUID, referral_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal
) -> Any:
    """One household referred to the partner; 404 for a referral of another partner (no guessing ids)."""
    _partner_only(principal, partner_id)
    referral: Referral | None = runtime.projection.get(REFERRALS, ReferralKey(referral_id=referral_id))
    detail = _detail(runtime, referral) if referral and referral.welcoming_partner_id == partner_id else None
    return found(detail, f"no referral {referral_id} for partner {partner_id}")


def _partner_only(principal: Principal, partner_id: uuid.UUID) -> None:
    require(principal, Role.HUB, Role.PARTNER, Role.DELEGATE)
    if principal.role is not Role.HUB and not principal.acts_for(partner_id):
        raise Forbidden(f"a partner sees only the households referred to it, not partner {partner_id}'s")


def _detail(runtime: ApiRuntime, referral: Referral) -> PartnerReferralDetail | None:
    profile: InterestDeclared | None = runtime.projection.get(
        INTERESTS, PersonKey(person_id=referral.person_id)
    )
    view = partner_view(referral, profile) if profile is not None else None
    if view is None or profile is None:
        return None
    contact: Contact | None = None
    if contact_shared(profile):
        contact = runtime.projection.get(CONTACTS, PersonKey(person_id=referral.person_id))
    shared = PartnerContact(name=contact.name, email=contact.email, phone=contact.phone) if contact else None
    return PartnerReferralDetail(case_id=referral.case_id, referral=view, contact=shared)
