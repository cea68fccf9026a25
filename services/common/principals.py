"""Who may do what at the broker: one principal per process, its ACLs derived from the topic registry.

Each Concerto process that talks to Kafka authenticates as its own SCRAM-SHA-512 user (its process
name). What it may do follows from the registry (services/common/topics.py): WRITE on the topics
whose writer is its service and which this process writes, READ on those it consumes (and on those
it writes: it reads its own writes), and, for a faust worker, everything on the topics and consumer
groups prefixed with its app id (its group, its tables' changelogs, its internal topics). Every
worker may write deadletter.v1. Nothing else: the broker's authorizer denies what no ACL allows
(``allow.everyone.if.no.acl.found=false``). tools/stack.py provisions these ACLs with the admin
principal; tests/integration/test_broker_security.py checks that the broker holds exactly them.
A welcoming partner's principal (``partner_acls``) may read its own topic, with a group of its own;
partners-api grants and revokes those with the ``partners-provisioner`` principal (ALTER and DESCRIBE
on the cluster, nothing else).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .topics import (
    CALENDAR,
    CALENDAR_COMMANDS,
    CALENDAR_RULES,
    CASES,
    CONTACT_ACCESS,
    CONTACTS,
    COUNSELLORS,
    DEADLETTER,
    EVENT_PROPOSALS,
    FOLLOWUPS,
    INTERESTS,
    MATCHING_COMMANDS,
    MEASURES,
    NOTIFICATIONS,
    OFFERS,
    PARTNER_REFERRALS_PATTERN,
    PARTNERS,
    REFERRALS,
    REGISTRY,
    ROUNDS,
    SETTLEMENTS,
    TABLES,
    TopicSpec,
)

PARTNER_TOPIC_PREFIX = PARTNER_REFERRALS_PATTERN.split("{", 1)[0]
"""``partner-referrals.``: every partner's own topic starts so (the matching worker writes them)."""

PARTNER_PRINCIPAL_PREFIX = "partner-"
"""A partner's principal is ``partner-<id>``; its consumer group is ``partner-<id>``."""


@dataclass(frozen=True)
class Acl:
    """One ALLOW rule: ``principal`` may do ``operation`` on ``resource`` (TOPIC or GROUP) ``name``,
    the name itself (LITERAL) or every name starting with it (PREFIXED)."""

    principal: str
    resource: str
    name: str
    pattern: str
    operation: str


@dataclass(frozen=True)
class Principal:
    """One process's identity at the broker."""

    name: str
    service: str
    writes: tuple[TopicSpec, ...] = ()
    reads: tuple[TopicSpec, ...] = ()
    app_id: str | None = None  # a faust worker's app id: its group and internal topics' prefix
    write_prefixes: tuple[str, ...] = ()  # topics created on first use (a partner's own topic)
    cluster: tuple[str, ...] = ()  # operations on the cluster (the provisioner's ALTER, DESCRIBE)

    @property
    def user(self) -> str:
        return f"User:{self.name}"


PROVISIONER = "partners-provisioner"
"""partners-api's second principal, for partners' stream credentials only: it may create SCRAM users
and ACLs (ALTER on the cluster), so it could grant anyone anything; only partners-api holds it."""

CLUSTER_NAME = "kafka-cluster"
"""The one name Kafka gives the CLUSTER resource in ACLs."""

PRINCIPALS: tuple[Principal, ...] = (
    Principal("partners-api", "partners", writes=(PARTNERS, TABLES, OFFERS)),
    Principal(PROVISIONER, "partners", cluster=("ALTER", "DESCRIBE")),
    Principal(
        "events-api",
        "events",
        writes=(EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES),
        reads=(PARTNERS, TABLES, CALENDAR),
    ),
    Principal(
        "matching-api",
        "matching",
        writes=(INTERESTS, CONTACTS, COUNSELLORS, MATCHING_COMMANDS, CONTACT_ACCESS, FOLLOWUPS, MEASURES),
        reads=(CASES, REFERRALS, ROUNDS, OFFERS, SETTLEMENTS),
    ),
    Principal(
        "events-worker",
        "events",
        writes=(CALENDAR,),
        reads=(EVENT_PROPOSALS, CALENDAR_COMMANDS, CALENDAR_RULES),
        app_id="concerto-events-worker",
    ),
    Principal(
        "matching-worker",
        "matching",
        writes=(CASES, REFERRALS, ROUNDS, SETTLEMENTS, MATCHING_COMMANDS, FOLLOWUPS, MEASURES),
        reads=(INTERESTS, OFFERS, PARTNERS, COUNSELLORS, CALENDAR),
        app_id="concerto-matching-worker",
        write_prefixes=(PARTNER_TOPIC_PREFIX,),
    ),
    Principal(
        "notifications-worker",
        "notifications",
        writes=(NOTIFICATIONS,),
        reads=(
            CALENDAR,
            CASES,
            REFERRALS,
            CONTACTS,
            PARTNERS,
            TABLES,
            COUNSELLORS,
            INTERESTS,
            SETTLEMENTS,
            MEASURES,
        ),
        app_id="concerto-notifications-worker",
    ),
)

PRINCIPAL_PREFIXES: tuple[str, ...] = tuple(who.name for who in PRINCIPALS)
"""The processes' principals (the broker also holds partners' ACLs)."""

ADMIN = "admin"
"""The admin principal: a super user, for provisioning and the tools (deadletters, offset resets)."""


def principal(name: str) -> Principal:
    """The principal of the process called ``name``."""
    for candidate in PRINCIPALS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no principal {name!r}")


def _topic_acls(who: Principal) -> Iterator[Acl]:
    for spec in who.writes:
        yield Acl(who.user, "TOPIC", spec.name, "LITERAL", "WRITE")
    for name in sorted({spec.name for spec in (*who.writes, *who.reads)}):
        yield Acl(who.user, "TOPIC", name, "LITERAL", "READ")
    for prefix in who.write_prefixes:
        for operation in ("WRITE", "CREATE", "DESCRIBE"):
            yield Acl(who.user, "TOPIC", prefix, "PREFIXED", operation)


def acls_of(who: Principal) -> list[Acl]:
    """Every ACL of one process's principal, derived from the registry."""
    acls = list(_topic_acls(who))
    acls += [Acl(who.user, "CLUSTER", CLUSTER_NAME, "LITERAL", operation) for operation in who.cluster]
    if who.app_id is not None:
        acls.append(Acl(who.user, "TOPIC", DEADLETTER.name, "LITERAL", "WRITE"))
        for operation in ("READ", "WRITE", "CREATE", "DESCRIBE", "DESCRIBE_CONFIGS"):
            acls.append(Acl(who.user, "TOPIC", who.app_id, "PREFIXED", operation))
        acls.append(Acl(who.user, "GROUP", who.app_id, "PREFIXED", "READ"))
    return acls


def service_acls() -> list[Acl]:
    """The ACLs of every process's principal."""
    return [acl for who in PRINCIPALS for acl in acls_of(who)]


def partner_principal(partner_id: object) -> str:
    """The SCRAM user of one welcoming partner's consumer."""
    return f"{PARTNER_PRINCIPAL_PREFIX}{partner_id}"


def partner_acls(partner_id: object) -> list[Acl]:
    """A partner may read its own topic, with a consumer group of its own; nothing else."""
    user = f"User:{partner_principal(partner_id)}"
    topic = PARTNER_REFERRALS_PATTERN.format(partner_id=partner_id)
    return [
        Acl(user, "TOPIC", topic, "LITERAL", "READ"),
        Acl(user, "GROUP", partner_principal(partner_id), "LITERAL", "READ"),
    ]


def unowned(registry: Iterable[TopicSpec] = REGISTRY) -> list[str]:
    """Registry topics no process may write (deadletter.v1 is the workers'): must be empty."""
    written = {spec.name for who in PRINCIPALS for spec in who.writes} | {DEADLETTER.name}
    return [spec.name for spec in registry if spec.name not in written]
