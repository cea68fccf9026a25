"""The topic registry: every topic, its key and value models, its single writer.

This is the one place a topic is declared. Topics are created from it at
start-up (``kafka.ensure_topics``), the AsyncAPI document is generated from it,
and publishers refuse to write a model the registry does not name for a topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .contracts import (
    AccessKey,
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    CalendarRules,
    Case,
    CaseKey,
    CommandKey,
    ConcertationTable,
    Contact,
    ContactAccessed,
    Contract,
    Counsellor,
    CounsellorKey,
    EmailSent,
    FollowUpKey,
    FollowUps,
    InterestDeclared,
    MatchingCommand,
    MeasureKey,
    MeasureLedger,
    NotificationKey,
    Offer,
    OfferKey,
    Partner,
    PartnerKey,
    PartnerReferral,
    PersonKey,
    ProposalKey,
    Referral,
    ReferralKey,
    RoundCompleted,
    RoundKey,
    RulesKey,
    Settlement,
    SettlementKey,
    TableKey,
    Versioned,
)


@dataclass(frozen=True)
class TopicSpec:
    """One topic: name, contracts, writer and layout."""

    name: str
    key_model: type[Contract] | None
    value_model: type[Versioned] | None
    writer: str
    partitions: int
    compacted: bool
    description: str
    retention_days: int = 30

    @property
    def config(self) -> dict[str, str]:
        """Broker-side topic configuration."""
        if self.compacted:
            # Compacted entity topics: the latest state per key is kept forever.
            return {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}
        return {"cleanup.policy": "delete", "retention.ms": str(self.retention_days * 24 * 3600 * 1000)}


PARTNERS = TopicSpec(
    "partners.v1",
    PartnerKey,
    Partner,
    "partners",
    3,
    True,
    "Every partner organization, full current state.",
)
TABLES = TopicSpec(
    "tables.v1",
    TableKey,
    ConcertationTable,
    "partners",
    3,
    True,
    "Concertation tables: members and delegations (with history), full current state.",
)
OFFERS = TopicSpec(
    "offers.v1",
    OfferKey,
    Offer,
    "partners",
    3,
    True,
    "Job and settlement offers, intake capacities and support measures, full current state.",
)
EVENT_PROPOSALS = TopicSpec(
    "event-proposals.v1",
    ProposalKey,
    ActivityProposed,
    "events",
    1,
    False,
    "Proposals of recruitment activities in Montréal. One partition: decisions never race.",
)
CALENDAR_COMMANDS = TopicSpec(
    "calendar-commands.v1",
    ProposalKey,
    CalendarCommand,
    "events",
    1,
    False,
    "Actions on proposals (endorse, withdraw, reschedule, accept or decline a joint activity), "
    "decided in order with the proposals.",
)
CALENDAR_RULES = TopicSpec(
    "calendar-rules.v1",
    RulesKey,
    CalendarRules,
    "events",
    1,
    True,
    "The calendar's rules in force (daily and slot capacity, spacing, blackout dates, venues, endorsement).",
)
CALENDAR = TopicSpec(
    "calendar.v1",
    ProposalKey,
    CalendarEntry,
    "events",
    4,
    True,
    "The coordinated calendar: the decision on each proposal, full current state.",
)
INTERESTS = TopicSpec(
    "interests.v1",
    PersonKey,
    InterestDeclared,
    "matching",
    4,
    True,
    "Each person's declared interest, current state (no personal contact data); "
    "an update is a new record, a withdrawal sets withdrawn_at, an erasure is a tombstone.",
)
CONTACTS = TopicSpec(
    "contacts.v1",
    PersonKey,
    Contact,
    "matching",
    4,
    True,
    "Personal contact data, keyed by pseudonymous person id. The only topic with contact data "
    "(name, email, phone); the follow-ups' answers are on followups.v1.",
)
CASES = TopicSpec(
    "cases.v1",
    CaseKey,
    Case,
    "matching",
    4,
    True,
    "Cases held by the Montréal hub, full current state.",
)
COUNSELLORS = TopicSpec(
    "counsellors.v1",
    CounsellorKey,
    Counsellor,
    "matching",
    1,
    True,
    "Counsellors of the Montréal hub: languages and caseload cap, full current state.",
)
MATCHING_COMMANDS = TopicSpec(
    "matching-commands.v1",
    CommandKey,
    MatchingCommand,
    "matching",
    1,
    False,
    "Rounds requested, actions on referrals (accept, decline, override, erase) and on settlements "
    "(milestone, close). "
    "One partition: decided in order, so no place is given twice.",
)
REFERRALS = TopicSpec(
    "referrals.v1",
    ReferralKey,
    Referral,
    "matching",
    4,
    True,
    "Referral plans: region, welcoming partner, offers, activities, entitlements, counsellor "
    "(pseudonymous), full current state.",
)
ROUNDS = TopicSpec(
    "rounds.v1",
    RoundKey,
    RoundCompleted,
    "matching",
    1,
    True,
    "The result of each concertation round: households, referrals, places used per welcomer.",
)
SETTLEMENTS = TopicSpec(
    "settlements.v1",
    SettlementKey,
    Settlement,
    "matching",
    4,
    True,
    "Each household's settlement after its accepted plan: first contact, exploratory visit, move "
    "date, arrival, and the case's outcome (pseudonymous ids and dates only), full current state; "
    "a tombstone on erasure.",
)
FOLLOWUPS = TopicSpec(
    "followups.v1",
    FollowUpKey,
    FollowUps,
    "matching",
    4,
    True,
    "Each household's follow-ups at 3, 6, 12 and 24 months after its arrival: the answers (personal "
    "data, on this topic only), full current state per case; a tombstone on erasure.",
)
MEASURES = TopicSpec(
    "measures.v1",
    MeasureKey,
    MeasureLedger,
    "matching",
    4,
    True,
    "Each case's measures ledger: every support measure the person is entitled to, identified, applied "
    "for, granted, paid or refused, who handles it, its deadline and amounts (pseudonymous ids only, "
    "never contact data), full current state per case; a tombstone on erasure.",
)
NOTIFICATIONS = TopicSpec(
    "notifications.v1",
    NotificationKey,
    EmailSent,
    "notifications",
    3,
    False,
    "Audit trail of every email sent: recipient id, template, language, Message-ID.",
)
CONTACT_ACCESS = TopicSpec(
    "contact-access.v1",
    AccessKey,
    ContactAccessed,
    "matching",
    1,
    False,
    "Every read of a person's contact data by staff: who, when, whose (by id), from which page; "
    "kept two years for the hub to account for it (Law 25). Never the data itself.",
    retention_days=2 * 365,
)
DEADLETTER = TopicSpec(
    "deadletter.v1",
    None,
    None,
    "any consumer",
    1,
    False,
    "Records a consumer could not parse or handle: the original key and value, "
    "the reason and origin in headers (dlq_reason, dlq_topic, dlq_partition, dlq_offset, dlq_consumer).",
)

REGISTRY: tuple[TopicSpec, ...] = (
    PARTNERS,
    TABLES,
    OFFERS,
    EVENT_PROPOSALS,
    CALENDAR_COMMANDS,
    CALENDAR_RULES,
    CALENDAR,
    INTERESTS,
    CONTACTS,
    CASES,
    COUNSELLORS,
    MATCHING_COMMANDS,
    REFERRALS,
    ROUNDS,
    SETTLEMENTS,
    FOLLOWUPS,
    MEASURES,
    NOTIFICATIONS,
    CONTACT_ACCESS,
    DEADLETTER,
)

PARTNER_REFERRALS_PATTERN = "partner-referrals.{partner_id}.v1"


def partner_referrals(partner_id: object) -> TopicSpec:
    """The topic of the households referred to one welcoming partner (it alone reads it).

    One topic per partner, so that the broker's ACLs can give each partner's
    principal READ on its own topic and nothing else.
    """
    return TopicSpec(
        PARTNER_REFERRALS_PATTERN.format(partner_id=partner_id),
        ReferralKey,
        PartnerReferral,
        "matching",
        1,
        True,
        "The households referred to one welcoming partner: only what each person consented to share.",
    )


def by_name(name: str) -> TopicSpec:
    """The registered topic called ``name``."""
    for spec in REGISTRY:
        if spec.name == name:
            return spec
    raise KeyError(f"no topic named {name!r} in the registry")


def written_by(service: str) -> Iterator[TopicSpec]:
    """The topics whose single writer is ``service``."""
    return (spec for spec in REGISTRY if spec.writer == service)
