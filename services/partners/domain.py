"""Partners domain: registering an organization of the regionalization network (pure)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.common.contracts import Partner

from .models import PartnerCreate


def register_partner(command: PartnerCreate, partner_id: UUID, now: datetime) -> Partner:
    """The new partner's full state; regions are kept in the order given, without repeats."""
    return Partner(
        partner_id=partner_id,
        name=command.name,
        kind=command.kind,
        regions=list(dict.fromkeys(command.regions)),
        contact_email=command.contact_email,
        language=command.language,
        status="active",
        registered_at=now,
    )
