"""notifications-worker: emails everyone concerned by a decision or a new case
(entry point: ``python -m services.notifications.worker``).

It reads calendar.v1 and cases.v1, looks up addresses in its own projection of
contacts.v1 and partners.v1, and sends each email at most once per (source
event, template, recipient): a send ledger (faust table) remembers what was
sent, and the Message-ID is derived from the same key so an SMTP server or
client can recognise a repeat. Each email sent is recorded on notifications.v1
without its address or body.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import (
    CalendarEntry,
    Case,
    ConcertationTable,
    EmailSent,
    NotificationKey,
    Partner,
    PartnerKey,
    PersonKey,
)
from services.common.projection import Projection
from services.common.reference import region_names
from services.common.settings import Settings
from services.common.streams import (
    DeadLetters,
    Received,
    create_faust_app,
    handle_stream,
    publish,
    raw_topic,
    run_worker,
)
from services.common.topics import CALENDAR, CASES, CONTACTS, NOTIFICATIONS, PARTNERS, TABLES

from .mailer import Mailer, SmtpMailer
from .rendering import Renderer, build_message, message_id_for

SERVICE = "notifications-worker"
DIRECTORY_WAIT_S = 10.0
log = structlog.get_logger(__name__)


class Directory:
    """Addresses of people and partners, from the worker's projection of contacts and partners."""

    def __init__(self, projection: Projection) -> None:
        self._projection = projection

    async def find(self, spec: Any, key: Any) -> Any:
        """The current record for ``key``, waiting (bounded) for the projection to catch up."""
        found = await asyncio.to_thread(self._projection.get_fresh, spec, key, DIRECTORY_WAIT_S)
        if found is None:
            raise LookupError(f"no {spec.name} record for {key!r}")
        return found


def _decision_context(
    entry: CalendarEntry, organizer: Partner, language: str | None = None
) -> dict[str, Any]:
    names = region_names(language or organizer.language)
    return {
        "organizer": organizer.name,
        "title": entry.title,
        "status": entry.status,
        "day": entry.day.isoformat() if entry.day else None,
        "rank": entry.preference_rank,
        "alternatives": [d.isoformat() for d in entry.alternatives],
        "regions": [names.get(code, code) for code in entry.regions],
        "change": entry.change,
        "joint": entry.joint_with is not None,
    }


def _tables_to_tell(
    tables: list[ConcertationTable], entry: CalendarEntry
) -> list[tuple[ConcertationTable, UUID]]:
    """The tables of the entry's regions with a delegate today who is not the organizer."""
    today = datetime.now(UTC).date()
    found = []
    for table in tables:
        delegate = table.delegate_on(today)
        if (
            table.status == "active"
            and table.region in entry.regions
            and delegate not in (None, entry.organizer_id)
        ):
            assert delegate is not None
            found.append((table, delegate))
    return found


def _measure_names(case: Case, status: str, language: str) -> list[str]:
    return [e.name_fr if language == "fr" else e.name_en for e in case.entitlements if e.status == status]


def create_app(settings: Settings, mailer: Mailer | None = None) -> faust.App:
    """The notifications worker's faust app."""
    app = create_faust_app("concerto-notifications-worker", settings)
    calendar = raw_topic(app, CALENDAR)
    cases = raw_topic(app, CASES)
    notifications = raw_topic(app, NOTIFICATIONS)
    dead_letters = DeadLetters(app, SERVICE)
    # Keyed by "event id|template|recipient id"; written to the partition of the event being handled.
    ledger = app.Table("send-ledger", default=None, partitions=CASES.partitions)
    projection = Projection(settings.kafka, [CONTACTS, PARTNERS, TABLES], SERVICE)
    directory = Directory(projection)
    smtp: Mailer = mailer or SmtpMailer(settings.smtp)
    renderer = Renderer()

    async def deliver(
        record: Received,
        template: str,
        language: str,
        recipient_kind: str,
        recipient_id: UUID,
        address: str,
        context: dict[str, Any],
    ) -> None:
        ledger_key = f"{record.event_id}|{template}|{recipient_id}"
        if ledger.get(ledger_key) is not None:
            log.info("email.already_sent", template=template, recipient_id=str(recipient_id))
            return
        message_id = message_id_for(ledger_key)
        now = datetime.now(UTC)
        rendered = renderer.render(template, language, context)
        message = build_message(
            rendered,
            sender=settings.smtp.sender,
            to=address,
            message_id=message_id,
            language=language,
            sent=now,
        )
        await smtp.send(message)
        ledger[ledger_key] = message_id
        # Make the ledger durable now, not at the next commit: a crash after this point
        # cannot send this email again (see docs/reliability.md for the window before it).
        await app.producer.flush()
        sent = EmailSent(
            message_id=message_id,
            template=template,
            language=language,
            recipient_kind=recipient_kind,
            recipient_id=recipient_id,
            source_event_id=record.event_id,
            sent_at=now,
        )
        meta = new_event("notifications.EmailSent", SERVICE, record.correlation_id, caused_by=ledger_key)
        await publish(notifications, NOTIFICATIONS, NotificationKey(message_id=message_id), sent, meta)
        log.info("email.sent", template=template, language=language, recipient_id=str(recipient_id))

    async def on_case(record: Received) -> None:
        case: Case | None = record.value
        if case is None or case.status != "open":
            return  # an erased case (tombstone) or a case no longer open: nobody to tell
        contact = await directory.find(CONTACTS, PersonKey(person_id=case.person_id))
        names = region_names(contact.language)
        context = {
            "name": contact.name,
            "case_ref": str(case.case_id)[:8].upper(),
            "regions": [names.get(code, code) for code in case.preferred_regions],
            "entitled": _measure_names(case, "entitled", contact.language),
            "possible": _measure_names(case, "possible", contact.language),
        }
        await deliver(
            record, "case_opened", contact.language, "person", case.person_id, contact.email, context
        )

    async def on_decision(record: Received) -> None:
        entry: CalendarEntry | None = record.value
        if entry is None:
            return  # a tombstone: nothing was decided
        organizer = await directory.find(PARTNERS, PartnerKey(partner_id=entry.organizer_id))
        await deliver(
            record,
            "proposal_decided",
            organizer.language,
            "partner",
            organizer.partner_id,
            organizer.contact_email,
            _decision_context(entry, organizer),
        )
        # The region's concertation table is told too, through its delegate in Montréal.
        for table, delegate_id in _tables_to_tell(projection.values(TABLES), entry):
            delegate = await directory.find(PARTNERS, PartnerKey(partner_id=delegate_id))
            context = {**_decision_context(entry, organizer, delegate.language), "table": table.name}
            await deliver(
                record,
                "proposal_decided_table",
                delegate.language,
                "partner",
                delegate.partner_id,
                delegate.contact_email,
                {**context, "delegate": delegate.name},
            )

    @app.task  # type: ignore[untyped-decorator]
    async def follow_directory() -> None:
        projection.start()

    @app.agent(cases, name="email-case-opened")
    async def email_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, CASES, on_case, dead_letters)

    @app.agent(calendar, name="email-proposal-decided")
    async def email_decisions(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, CALENDAR, on_decision, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
