"""Provisioning of the broker's principals and ACLs: services/common/provisioning.py (partners-api
grants partners' credentials with it too); kept here for the tools and tests that import it."""

from services.common.provisioning import broker_acls, grant_partner, provision, revoke_partner

__all__ = ["broker_acls", "grant_partner", "provision", "revoke_partner"]
