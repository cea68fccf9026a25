"""The notifications worker's measure reminders: the timer and the agent around measure_reminders.py.

The timer triggers a reminder (``MeasureDue``, keyed by case); here it is sent once per (case,
measure, deadline), if the measure is still open with that deadline when the agent reads it: to
the welcoming partner in its language, to the counsellor holding the case, or to the hub's
coordinators (also when no counsellor holds the case). None says anything of the person but the
case's reference.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import faust
import structlog

from services.common.clock import Clock
from services.common.cloudevents import new_event
from services.common.contracts import (
    Case,
    CaseKey,
    Counsellor,
    CounsellorKey,
    MeasureEntry,
    MeasureKey,
    MeasureLedger,
    Partner,
    PartnerKey,
    Settlement,
    SettlementKey,
)
from services.common.projection import Projection
from services.common.settings import HubSettings, Settings
from services.common.streams import Received, handle_stream, publish, raw_topic
from services.common.topics import CASES, COUNSELLORS, MEASURES, PARTNERS, SETTLEMENTS

from .delivery import Delivery, Email
from .handlers import Directory
from .measure_reminders import (
    MEASURE_DUE,
    TEMPLATE,
    MeasureDue,
    reminder_context,
    reminder_key,
    reminders_due,
    still_due,
)

log = structlog.get_logger(__name__)


class MeasureReminders:
    """Sends each measure reminder once (see the module's docstring)."""

    def __init__(self, directory: Directory, delivery: Delivery, hub: HubSettings) -> None:
        self._directory = directory
        self._delivery = delivery
        self._hub = hub
        self._hub_id = uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{hub.email}")  # as the waiting-case alert

    async def _counsellor(self, case: Case | None) -> Counsellor | None:
        if case is None or case.counsellor_id is None:
            return None
        found: Counsellor | None = await self._directory.maybe(
            COUNSELLORS, CounsellorKey(counsellor_id=case.counsellor_id)
        )
        return found if found is not None and found.active else None

    def _name(self, case: Case | None, entry: MeasureEntry, language: str) -> str:
        for entitlement in case.entitlements if case is not None else []:
            if entitlement.measure_code == entry.measure_code:
                return entitlement.name_fr if language == "fr" else entitlement.name_en
        return entry.measure_code

    async def on_due(self, record: Received) -> None:
        """A reminder triggered by the timer: sent unless already sent, or no longer due."""
        due: MeasureDue = record.value
        key = reminder_key(due.case_id, due.measure_code, due.deadline)
        if self._delivery.already_sent(key):
            return
        ledger: MeasureLedger | None = await self._directory.maybe(MEASURES, MeasureKey(case_id=due.case_id))
        settlement: Settlement | None = await self._directory.maybe(
            SETTLEMENTS, SettlementKey(case_id=due.case_id)
        )
        entry = still_due(ledger, settlement, due)
        if settlement is None or entry is None:
            log.info("measure.reminder_not_due", case_id=str(due.case_id), measure=due.measure_code)
            return
        partner: Partner = await self._directory.find(
            PARTNERS, PartnerKey(partner_id=settlement.welcoming_partner_id)
        )
        case: Case | None = await self._directory.maybe(CASES, CaseKey(case_id=due.case_id))
        counsellor = await self._counsellor(case) if entry.handled_by == "counsellor" else None
        kind: Literal["partner", "counsellor"] = "counsellor"
        if entry.handled_by == "partner":
            kind, language, who, address = (
                "partner",
                partner.language,
                partner.partner_id,
                partner.contact_email,
            )
        elif counsellor is not None:
            language = "fr" if "fr" in counsellor.languages else "en"
            who, address = counsellor.counsellor_id, str(counsellor.email)
        else:  # the hub, or a counsellor's measure with no counsellor holding the case
            language, who, address = self._hub.language, self._hub_id, self._hub.email
        name = self._name(case, entry, language)
        context = reminder_context(settlement, entry, name, partner.name, language)
        email = Email(key, TEMPLATE, language, kind, who, address, context)
        await self._delivery.deliver(email, record.event_id, record.correlation_id)


def add_measure_reminders(
    app: faust.App,
    settings: Settings,
    clock: Clock,
    projection: Projection,
    directory: Directory,
    delivery: Delivery,
    dead_letters: Any,
) -> None:
    """Wire the reminders into the worker: a timer that triggers them, an agent that sends them."""
    service = "notifications-worker"
    measure_due = raw_topic(app, MEASURE_DUE)
    reminders = MeasureReminders(directory, delivery, settings.hub)

    @app.agent(measure_due, name="email-measure-reminders")
    async def email_measure_reminders(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, MEASURE_DUE, reminders.on_due, dead_letters)

    # Like the follow-ups': every worker's timer may trigger, the agent owning the case's partition
    # sends each reminder once.
    @app.timer(interval=settings.followups.check_interval_s)  # type: ignore[untyped-decorator]
    async def trigger_measure_reminders() -> None:
        """Trigger the measure reminders due today (Montréal's date on the one clock)."""
        if not (settings.followups.enabled and projection.ready):
            return
        now = clock.now()
        settlements = {s.case_id: s for s in projection.values(SETTLEMENTS)}
        due = reminders_due(clock.today(), projection.values(MEASURES), settlements, delivery.already_sent)
        for value in due:
            caused_by = f"{value.case_id}|{value.measure_code}|{value.deadline}"
            meta = new_event("notifications.MeasureDue", service, None, caused_by=caused_by, now=now)
            await publish(measure_due, MEASURE_DUE, MeasureKey(case_id=value.case_id), value, meta)
        if due:
            log.info("measure.reminders_due", reminders=len(due))
