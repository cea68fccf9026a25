"""A welcoming partner's credentials for its own stream at the broker (docs/security.md).

The partner's principal ``partner-<id>`` may read ``partner-referrals.<id>.v1`` with the consumer
group ``partner-<id>``, nothing else (services/common/principals.py: ``partner_acls``). Each issue
makes a new password and replaces the old one at the broker (a rotation); deactivation revokes
them. The password is shown once, in the answer: Concerto never logs, publishes nor keeps it; the
broker keeps only its SCRAM salted hash.

``Provisioner`` is the port: ``KafkaProvisioner`` in production, a fake in unit tests.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Protocol

from kafka.errors import KafkaError
from pydantic import BaseModel, Field

from services.common.contracts import Partner
from services.common.errors import Conflict
from services.common.kafka import SASL_MECHANISM, KafkaUnavailable
from services.common.messages import say
from services.common.principals import partner_principal
from services.common.provisioning import grant_partner, revoke_partner
from services.common.settings import KafkaSettings, ProvisionerSettings
from services.common.topics import partner_referrals


class Provisioner(Protocol):
    """Grants and revokes a partner's stream credentials at the broker; raises ``KafkaUnavailable``
    when the broker does not answer (the API says 503)."""

    def grant(self, partner_id: uuid.UUID, password: str) -> None: ...

    def revoke(self, partner_id: uuid.UUID) -> None: ...


class KafkaProvisioner:
    """The broker's SCRAM users and ACLs, through the provisioner principal's admin client."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings

    def grant(self, partner_id: uuid.UUID, password: str) -> None:
        try:
            grant_partner(self.settings, partner_id, password)
        except (KafkaError, RuntimeError) as exc:
            # Never the password in the message: only the partner's id and the broker's error.
            failed = f"credentials of partner {partner_id} not granted: {type(exc).__name__}"
            raise KafkaUnavailable(failed) from exc

    def revoke(self, partner_id: uuid.UUID) -> None:
        try:
            revoke_partner(self.settings, partner_id)
        except (KafkaError, RuntimeError) as exc:
            failed = f"credentials of partner {partner_id} not revoked: {type(exc).__name__}"
            raise KafkaUnavailable(failed) from exc


class UnsecuredBroker:
    """A broker without authentication (``security_protocol`` PLAINTEXT, as in development on
    Docker Compose): no partner has credentials there, so none are issued (409) and a deactivation
    has nothing to revoke."""

    def grant(self, partner_id: uuid.UUID, password: str) -> None:
        raise Conflict(say("broker_not_secured"), existing=str(partner_id))

    def revoke(self, partner_id: uuid.UUID) -> None:
        return None


def provisioner_for(settings: KafkaSettings) -> Provisioner:
    """The broker's provisioning for these settings: none when the broker is not secured."""
    return UnsecuredBroker() if settings.security_protocol == "PLAINTEXT" else KafkaProvisioner(settings)


class StreamCredentials(BaseModel):
    """A partner's credentials for its stream, shown once: keep the password in a secret store."""

    username: str = Field(description="The partner's principal at the broker, `partner-<partner id>`.")
    password: str = Field(description="Its password: shown this once, never kept by Concerto.")
    topic: str = Field(description="The partner's topic, `partner-referrals.<partner id>.v1` (READ only).")
    group: str = Field(description="The partner's consumer group, `partner-<partner id>`.")
    bootstrap: str = Field(description="The broker's address, host:port[,host:port].")
    mechanism: str = Field(description="SASL mechanism, over TLS (security protocol SASL_SSL).")
    ca_note: str = Field(description="Which certificate authority to trust for the broker's certificate.")


def issue(
    partner: Partner,
    provisioner: Provisioner,
    settings: ProvisionerSettings,
    bootstrap: str,
    new_password: Callable[[], str] = lambda: secrets.token_urlsafe(32),
) -> StreamCredentials:
    """New credentials for ``partner``'s stream; the previous password stops working. 409 for a
    deactivated partner (its credentials were revoked with it)."""
    if partner.status != "active":
        raise Conflict(say("partner_deactivated", value=partner.partner_id), existing=str(partner.partner_id))
    password = new_password()
    provisioner.grant(partner.partner_id, password)
    return StreamCredentials(
        username=partner_principal(partner.partner_id),
        password=password,
        topic=partner_referrals(partner.partner_id).name,
        group=partner_principal(partner.partner_id),
        bootstrap=settings.public_bootstrap or bootstrap,
        mechanism=SASL_MECHANISM,
        ca_note=settings.ca_note,
    )
