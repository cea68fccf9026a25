"""Pydantic contracts of every message on Concerto's topics, one module per writing service."""

from .base import SCHEMA_VERSION, Contract, Versioned
from .events import (
    ActivityKind,
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    CalendarRules,
    ProposalKey,
    RulesKey,
    Venue,
)
from .matching import Case, CaseKey, Contact, Entitlement, ImmigrationStatus, InterestDeclared, PersonKey
from .notifications import EmailSent, NotificationKey
from .offers import (
    Condition,
    IntakeCapacity,
    JobOffer,
    Offer,
    OfferKey,
    OfferKind,
    SettlementOffer,
    SupportMeasure,
)
from .partners import Partner, PartnerKey
from .tables import ConcertationTable, Delegation, TableKey

__all__ = [
    "SCHEMA_VERSION",
    "ActivityKind",
    "ActivityProposed",
    "CalendarCommand",
    "CalendarEntry",
    "CalendarRules",
    "Case",
    "CaseKey",
    "ConcertationTable",
    "Condition",
    "Contact",
    "Contract",
    "Delegation",
    "EmailSent",
    "Entitlement",
    "ImmigrationStatus",
    "IntakeCapacity",
    "InterestDeclared",
    "JobOffer",
    "NotificationKey",
    "Offer",
    "OfferKey",
    "OfferKind",
    "Partner",
    "PartnerKey",
    "PersonKey",
    "ProposalKey",
    "RulesKey",
    "SettlementOffer",
    "SupportMeasure",
    "TableKey",
    "Venue",
    "Versioned",
]
