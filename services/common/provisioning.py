"""Provisioning of the broker's principals and ACLs (docs/security.md).

``provision`` (tools/stack.py, with the admin principal) gives every process's principal its
SCRAM-SHA-512 password and exactly the ACLs the registry derives (services/common/principals.py),
removing any other ACL of those principals, then creates the registry's topics. ``grant_partner``
and ``revoke_partner`` do the same for one welcoming partner's consumer (partners-api, with the
``partners-provisioner`` principal: ALTER and DESCRIBE on the cluster are all they need).
``broker_acls`` reads back what the broker holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from .kafka import API_VERSION, AdminClient, client_options, ensure_topics
from .principals import PRINCIPALS, Acl, partner_acls, partner_principal, service_acls
from .settings import KafkaSettings
from .topics import REGISTRY

MECHANISM = ScramMechanism.SCRAM_SHA_512


def _admin(settings: KafkaSettings) -> AdminClient:
    return AdminClient(
        **client_options(settings),
        request_timeout_ms=max(settings.request_timeout_ms, 10000),
        api_version=API_VERSION,
        client_id="concerto-provision",
    )


def _to_kafka(acl: Acl) -> ACL:
    return ACL(
        principal=acl.principal,
        host="*",
        operation=ACLOperation[acl.operation],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(
            ResourceType[acl.resource], acl.name, ACLResourcePatternType[acl.pattern]
        ),
    )


def _from_kafka(acl: ACL) -> Acl:
    pattern = acl.resource_pattern
    return Acl(
        acl.principal,
        ResourceType(pattern.resource_type).name,
        pattern.resource_name,
        ACLResourcePatternType(pattern.pattern_type).name,
        ACLOperation(acl.operation).name,
    )


def _all_acls_filter(principal: str | None = None) -> ACLFilter:
    return ACLFilter(
        principal=principal,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )


def broker_acls(settings: KafkaSettings) -> set[Acl]:
    """Every ACL the broker holds."""
    admin = _admin(settings)
    try:
        found, error = admin.describe_acls(_all_acls_filter())
        if error is not None and error.errno != 0:
            raise RuntimeError(f"describe_acls failed: {error}")
        return {_from_kafka(acl) for acl in found}
    finally:
        admin.close()


def _set_acls(admin: AdminClient, principals: Iterable[str], wanted: Iterable[Acl]) -> None:
    """Make the ACLs of ``principals`` exactly ``wanted``."""
    wanted = set(wanted)
    for principal in principals:
        found, _ = admin.describe_acls(_all_acls_filter(principal))
        stale = [acl for acl in found if _from_kafka(acl) not in wanted]
        if stale:
            admin.delete_acls(stale)
    if not wanted:
        return
    result = admin.create_acls([_to_kafka(acl) for acl in sorted(wanted, key=repr)])
    if result["failed"]:
        raise RuntimeError(f"create_acls failed: {result['failed']}")


def _upsert_users(admin: AdminClient, passwords: Mapping[str, str]) -> None:
    result = admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(name, MECHANISM, password) for name, password in passwords.items()]
    )
    failed = {name: error for name, error in result.items() if error}
    if failed:
        raise RuntimeError(f"SCRAM credentials not set for {sorted(failed)}")


def provision(settings: KafkaSettings, passwords: Mapping[str, str]) -> None:
    """Every process's principal with its password (``passwords`` by process name) and its ACLs;
    the registry's topics. Idempotent: run at every stack start."""
    admin = _admin(settings)
    try:
        _upsert_users(admin, {who.name: passwords[who.name] for who in PRINCIPALS})
        _set_acls(admin, [who.user for who in PRINCIPALS], service_acls())
    finally:
        admin.close()
    ensure_topics(settings, REGISTRY)


def grant_partner(settings: KafkaSettings, partner_id: object, password: str) -> None:
    """A welcoming partner's consumer: its principal and password, READ on its own topic and group."""
    admin = _admin(settings)
    try:
        _upsert_users(admin, {partner_principal(partner_id): password})
        _set_acls(admin, [f"User:{partner_principal(partner_id)}"], partner_acls(partner_id))
    finally:
        admin.close()


def revoke_partner(settings: KafkaSettings, partner_id: object) -> None:
    """Cut a partner off: its ACLs and its credentials go (its open connections are refused next request)."""
    admin = _admin(settings)
    try:
        _set_acls(admin, [f"User:{partner_principal(partner_id)}"], [])
        admin.alter_user_scram_credentials(
            [UserScramCredentialDeletion(partner_principal(partner_id), MECHANISM)]
        )
    finally:
        admin.close()
