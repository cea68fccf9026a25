"""FastAPI dependencies of partners-api: the reference data, the clock, loading entities."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from services.common.auth import Principal, Role
from services.common.errors import Forbidden
from services.common.http import ApiRuntime, found
from services.common.reference import ReferenceData
from services.common.topics import TopicSpec


def get_reference(request: Request) -> ReferenceData:
    """The reference data loaded when the app was created."""
    reference: ReferenceData = request.app.state.reference
    return reference


Reference = Annotated[ReferenceData, Depends(get_reference)]


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def load(runtime: ApiRuntime, spec: TopicSpec, key: Any, what: str) -> Any:
    """The current state of an entity, or 404."""
    return found(runtime.projection.get(spec, key), f"no {what}")


def may_act_for(principal: Principal, partner_id: Any) -> None:
    """The hub acts for every partner; a partner or delegate only for itself (else 403)."""
    if principal.role is Role.HUB or (partner_id is not None and principal.acts_for(partner_id)):
        return
    raise Forbidden(f"role {principal.role.value} may not act for partner {partner_id}")
