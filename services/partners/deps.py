"""FastAPI dependencies of partners-api: who may act for a partner (shared ones: common.deps)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.common.auth import Principal, Role
from services.common.deps import Reference as Reference
from services.common.deps import load as load
from services.common.errors import Forbidden
from services.common.messages import say

from .stream_credentials import Provisioner


async def get_provisioner(request: Request) -> Provisioner:
    """The broker's provisioning of partners' stream credentials, wired by ``create_app``."""
    provisioner: Provisioner = request.app.state.provisioner
    return provisioner


Stream = Annotated[Provisioner, Depends(get_provisioner)]


def may_act_for(principal: Principal, partner_id: Any) -> None:
    """The hub acts for every partner; a partner or delegate only for itself (else 403)."""
    if principal.role is Role.HUB or (partner_id is not None and principal.acts_for(partner_id)):
        return
    raise Forbidden(say("may_not_act_for", role=principal.role.value, value=partner_id))
