"""The notifications worker's follow-up reminders: the timer and the agent around followup_reminders.py.

The timer triggers a reminder (``FollowUpDue``, keyed by case); here it is sent once per
(case, month, recipient), if the follow-up is still not answered when the agent reads it: to the
welcoming partner in its language, or to the hub's coordinators. Neither says anything of the
person but the case's reference.
"""

from __future__ import annotations

import uuid
from typing import Any

import faust
import structlog

from services.common.clock import Clock
from services.common.cloudevents import new_event
from services.common.contracts import Partner, PartnerKey, Settlement, SettlementKey
from services.common.projection import Projection
from services.common.settings import HubSettings, Settings
from services.common.streams import Received, handle_stream, publish, raw_topic
from services.common.topics import PARTNERS, SETTLEMENTS

from .delivery import Delivery, Email
from .followup_reminders import (
    FOLLOWUP_DUE,
    TEMPLATES,
    FollowUpDue,
    reminder_context,
    reminder_key,
    reminders_due,
    still_due,
)
from .handlers import Directory

log = structlog.get_logger(__name__)


class FollowUpReminders:
    """Sends each follow-up reminder once (see the module's docstring)."""

    def __init__(self, directory: Directory, delivery: Delivery, hub: HubSettings) -> None:
        self._directory = directory
        self._delivery = delivery
        self._hub = hub
        self._hub_id = uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{hub.email}")  # as the waiting-case alert

    async def on_due(self, record: Received) -> None:
        """A reminder triggered by the timer: sent unless already sent, or answered since."""
        due: FollowUpDue = record.value
        key = reminder_key(due.case_id, due.month, due.to)
        if self._delivery.already_sent(key):
            return
        settlement: Settlement | None = await self._directory.maybe(
            SETTLEMENTS, SettlementKey(case_id=due.case_id)
        )
        if settlement is None or not still_due(settlement, due):
            log.info("followup.reminder_not_due", case_id=str(due.case_id), month=due.month, to=due.to)
            return
        partner: Partner = await self._directory.find(
            PARTNERS, PartnerKey(partner_id=settlement.welcoming_partner_id)
        )
        template = TEMPLATES[due.to]
        if due.to == "partner":
            context = reminder_context(settlement, due, partner, partner.language)
            email = Email(
                key, template, partner.language, "partner", partner.partner_id, partner.contact_email, context
            )
        else:
            hub = self._hub
            context = reminder_context(settlement, due, partner, hub.language)
            email = Email(key, template, hub.language, "counsellor", self._hub_id, hub.email, context)
        await self._delivery.deliver(email, record.event_id, record.correlation_id)


def add_followup_reminders(
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
    followup_due = raw_topic(app, FOLLOWUP_DUE)
    reminders = FollowUpReminders(directory, delivery, settings.hub)

    @app.agent(followup_due, name="email-followup-reminders")
    async def email_followup_reminders(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, FOLLOWUP_DUE, reminders.on_due, dead_letters)

    # Like the digests': not on_leader (no worker is the leader); every worker's timer may trigger,
    # and the agent owning the case's partition sends each reminder once.
    @app.timer(interval=settings.followups.check_interval_s)  # type: ignore[untyped-decorator]
    async def trigger_followup_reminders() -> None:
        """Trigger the follow-up reminders due today (Montréal's date on the one clock)."""
        if not (settings.followups.enabled and projection.ready):
            return
        now = clock.now()
        due = reminders_due(clock.today(), projection.values(SETTLEMENTS), delivery.already_sent)
        for value in due:
            caused_by = f"{value.case_id}|{value.month}|{value.to}"
            meta = new_event("notifications.FollowUpDue", service, None, caused_by=caused_by, now=now)
            await publish(followup_due, FOLLOWUP_DUE, SettlementKey(case_id=value.case_id), value, meta)
        if due:
            log.info("followup.reminders_due", reminders=len(due))
