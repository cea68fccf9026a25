"""Routes of partners-api for offers: jobs, settlement offers, intake capacities, support measures."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import Offer, OfferKey, OfferKind, Partner, PartnerKey
from services.common.errors import Rejected
from services.common.http import ApiRuntime, Runtime
from services.common.messages import say
from services.common.topics import OFFERS, PARTNERS

from . import domain
from .deps import Reference, load, may_act_for
from .models import OfferCreate, OfferUpdate

router = APIRouter(tags=["offers"])
PUBLISHERS = (Role.HUB, Role.PARTNER, Role.DELEGATE)


def _offer(runtime: ApiRuntime, offer_id: uuid.UUID) -> Offer:
    offer: Offer = load(runtime, OFFERS, OfferKey(offer_id=offer_id), f"offer {offer_id}")
    return offer


@router.post("/offers", status_code=status.HTTP_201_CREATED, response_model=Offer)
def publish(body: OfferCreate, runtime: Runtime, principal: CurrentPrincipal, places: Reference) -> Any:
    """Publish an offer: a partner for itself, the hub for any partner (naming it in `partner_id`)."""
    require(principal, *PUBLISHERS)
    partner_id = body.partner_id or principal.partner_id
    if partner_id is None:
        raise Rejected("partner_id", say("hub_names_partner"))
    may_act_for(principal, partner_id)
    publisher: Partner = load(runtime, PARTNERS, PartnerKey(partner_id=partner_id), f"partner {partner_id}")
    by_itself = not principal.is_hub
    offer = domain.publish_offer(body, uuid.uuid4(), publisher, runtime.clock.now(), places, by_itself)
    runtime.publish(OFFERS, OfferKey(offer_id=offer.offer_id), offer, "partners.OfferPublished")
    return offer


@router.get("/offers", response_model=list[Offer])
def list_offers(
    runtime: Runtime,
    principal: CurrentPrincipal,
    kind: OfferKind | None = None,
    region: str | None = None,
    partner_id: uuid.UUID | None = None,
    include_withdrawn: bool = False,
) -> Any:
    """Offers, filtered by kind, region and publishing partner (active ones unless asked)."""
    offers: list[Offer] = runtime.projection.values(OFFERS)
    if not include_withdrawn:
        offers = [o for o in offers if o.status == "active"]
    if kind is not None:
        offers = [o for o in offers if o.kind == kind]
    if region is not None:
        offers = [o for o in offers if o.region in (region, None)]
    if partner_id is not None:
        offers = [o for o in offers if o.partner_id == partner_id]
    return sorted(offers, key=lambda o: (o.kind.value, o.title, str(o.offer_id)))


@router.get("/offers/{offer_id}", response_model=Offer)
def get_offer(offer_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """One offer."""
    return _offer(runtime, offer_id)


@router.put("/offers/{offer_id}", response_model=Offer)
def revise(
    offer_id: uuid.UUID, body: OfferUpdate, runtime: Runtime, principal: CurrentPrincipal, places: Reference
) -> Any:
    """Change an offer's title and details: its publisher or the hub."""
    current = _offer(runtime, offer_id)
    may_act_for(principal, current.partner_id)
    publisher: Partner | None = None
    if current.partner_id is not None:
        key = PartnerKey(partner_id=current.partner_id)
        publisher = load(runtime, PARTNERS, key, f"partner {current.partner_id}")
    by_itself = not principal.is_hub
    offer = domain.revise_offer(current, body, runtime.clock.now(), places, publisher, by_itself)
    runtime.publish(OFFERS, OfferKey(offer_id=offer_id), offer, "partners.OfferRevised")
    return offer


@router.post("/offers/{offer_id}/withdraw", response_model=Offer)
def withdraw(offer_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Withdraw an offer: its publisher or the hub."""
    current = _offer(runtime, offer_id)
    may_act_for(principal, current.partner_id)
    offer = domain.withdraw_offer(current, runtime.clock.now())
    runtime.publish(OFFERS, OfferKey(offer_id=offer_id), offer, "partners.OfferWithdrawn")
    return offer
