"""Messages of the notifications service: the audit trail of emails sent."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import Contract, Language, Versioned


class NotificationKey(Contract):
    """Key of notifications.v1: the email's Message-ID."""

    message_id: str = Field(description="RFC 5322 Message-ID of the email, deterministic.")


class EmailSent(Versioned):
    """An email was accepted by the SMTP server (notifications.v1, a fact).

    It names the recipient by id only: never the address, never the body.
    """

    message_id: str = Field(description="RFC 5322 Message-ID of the email.")
    template: str = Field(description="Template used, e.g. case_opened.")
    language: Language
    recipient_kind: Literal["person", "partner", "counsellor"] = Field(description="Who received it.")
    recipient_id: UUID = Field(description="Person id or partner id of the recipient.")
    source_event_id: str = Field(description="ce_id of the event that caused the email.")
    sent_at: datetime = Field(description="When the SMTP server accepted it (UTC).")
