"""Pydantic contracts of every message on Concerto's topics, one module per writing service."""

from .base import SCHEMA_VERSION, Contract, Versioned
from .events import ActivityKind, ActivityProposed, CalendarEntry, ProposalKey
from .matching import Case, CaseKey, Contact, ImmigrationStatus, InterestDeclared, PersonKey
from .notifications import EmailSent, NotificationKey
from .partners import Partner, PartnerKey

__all__ = [
    "SCHEMA_VERSION",
    "ActivityKind",
    "ActivityProposed",
    "CalendarEntry",
    "Case",
    "CaseKey",
    "Contact",
    "Contract",
    "EmailSent",
    "ImmigrationStatus",
    "InterestDeclared",
    "NotificationKey",
    "Partner",
    "PartnerKey",
    "PersonKey",
    "ProposalKey",
    "Versioned",
]
