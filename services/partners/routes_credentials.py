"""Route of partners-api giving a welcoming partner its stream credentials (docs/partners-api.md)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from services.common.auth import CurrentPrincipal
from services.common.contracts import Partner, PartnerKey
from services.common.http import Runtime
from services.common.topics import PARTNERS

from .deps import Stream, load, may_act_for
from .stream_credentials import StreamCredentials, issue

router = APIRouter(tags=["partners"])


@router.post(
    "/partners/{partner_id}/stream-credentials",
    status_code=status.HTTP_201_CREATED,
    response_model=StreamCredentials,
    responses={409: {"description": "The partner is deactivated (`partner_deactivated`)."}},
)
def new_stream_credentials(
    partner_id: uuid.UUID, runtime: Runtime, principal: CurrentPrincipal, stream: Stream, response: Response
) -> Any:
    """New credentials to read the partner's own topic at the broker: the hub, or the partner itself.

    The password is in this answer only (Concerto keeps nothing of it): asking again makes a new
    one and the previous one stops working (a rotation)."""
    may_act_for(principal, partner_id)
    settings = runtime.settings
    # Under the write lock: a deactivation running meanwhile revokes after this grant, not before.
    with runtime.write_lock:
        partner: Partner = load(runtime, PARTNERS, PartnerKey(partner_id=partner_id), f"partner {partner_id}")
        credentials = issue(partner, stream, settings.provisioner, settings.kafka.bootstrap_servers)
    response.headers["Cache-Control"] = "no-store"
    return credentials
