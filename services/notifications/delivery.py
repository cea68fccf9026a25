"""Sending one email once: check the send ledger, render, send over SMTP, record, audit.

The ledger (a faust table) is written and flushed to Kafka right after the SMTP
server accepts the message, before the record's offset can be committed; see
docs/reliability.md for the one window this leaves. Each email sent is recorded
on notifications.v1 by recipient id, template and language: never the address
or the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import faust
import structlog

from services.common.clock import Clock, SystemClock
from services.common.cloudevents import new_event
from services.common.contracts import EmailSent, NotificationKey
from services.common.streams import publish
from services.common.topics import NOTIFICATIONS

from .mailer import Mailer
from .rendering import Renderer, build_message, message_id_for

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Email:
    """One email to send: what, in which language, to whom, and what makes it once-only."""

    ledger_key: str
    template: str
    language: Literal["fr", "en"]
    recipient_kind: Literal["person", "partner", "counsellor"]
    recipient_id: UUID
    address: str
    context: dict[str, Any]


class Delivery:
    """Sends emails at most once per ledger key, and audits each one."""

    def __init__(
        self,
        app: faust.App,
        ledger: Any,
        notifications: Any,
        mailer: Mailer,
        renderer: Renderer,
        sender: str,
        service: str,
        clock: Clock | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self._app = app
        self._ledger = ledger
        self._notifications = notifications
        self._mailer = mailer
        self._renderer = renderer
        self._sender = sender
        self._service = service

    def already_sent(self, ledger_key: str) -> bool:
        """Whether the email with this key was sent (as far as this worker's partitions know)."""
        return self._ledger.get(ledger_key) is not None

    def was_sent(self, ledger_key: str, template: str, recipient_id: UUID) -> bool:
        """Like ``already_sent``, and says so in the log: a handler skips the lookups of a sent email."""
        if not self.already_sent(ledger_key):
            return False
        log.info("email.already_sent", template=template, recipient_id=str(recipient_id))
        return True

    async def deliver(self, email: Email, source_event_id: str, correlation_id: str | None) -> bool:
        """Send ``email`` unless its key is in the ledger; True when it was sent now."""
        if self.was_sent(email.ledger_key, email.template, email.recipient_id):
            return False
        message_id = message_id_for(email.ledger_key)
        now = self.clock.now()
        rendered = self._renderer.render(email.template, email.language, email.context)
        message = build_message(
            rendered,
            sender=self._sender,
            to=email.address,
            message_id=message_id,
            language=email.language,
            sent=now,
        )
        await self._mailer.send(message)
        self._ledger[email.ledger_key] = message_id
        # Make the ledger durable now, not at the next commit: a crash after this point
        # cannot send this email again (see docs/reliability.md for the window before it).
        await self._app.producer.flush()
        sent = EmailSent(
            message_id=message_id,
            template=email.template,
            language=email.language,
            recipient_kind=email.recipient_kind,
            recipient_id=email.recipient_id,
            source_event_id=source_event_id,
            sent_at=now,
        )
        meta = new_event(
            "notifications.EmailSent", self._service, correlation_id, caused_by=email.ledger_key, now=now
        )
        await publish(self._notifications, NOTIFICATIONS, NotificationKey(message_id=message_id), sent, meta)
        log.info(
            "email.sent",
            template=email.template,
            language=email.language,
            recipient_id=str(email.recipient_id),
        )
        return True
