"""The notifications worker's use cases: who is told what, for each record it reads.

Each handler looks up the records it needs in the worker's projection (contacts,
partners, tables, counsellors, interests, calendar), builds the emails' contexts
(contexts.py, digest.py) and hands each email to ``Delivery``, which sends it
at most once per ledger key (ledger.py).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from uuid import UUID

import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from services.common.clock import local_date
from services.common.contracts import (
    CalendarEntry,
    Case,
    ConcertationTable,
    Counsellor,
    CounsellorKey,
    InterestDeclared,
    Partner,
    PartnerKey,
    PersonKey,
    Referral,
    TableKey,
)
from services.common.page_links import PageLinks
from services.common.projection import Projection
from services.common.settings import DigestSettings, HubSettings
from services.common.streams import Received
from services.common.topics import CALENDAR, CONTACTS, COUNSELLORS, INTERESTS, PARTNERS, TABLES, TopicSpec

from . import contexts, ledger
from .delivery import Delivery, Email
from .digest import DigestDue, digest_context, upcoming
from .documents import DocumentsToBring

DIRECTORY_WAIT_S = 10.0
DIRECTORY_PATIENCE_S = 600.0  # how long a broker outage may hold an email before it is dead-lettered
log = structlog.get_logger(__name__)


class DirectoryBehind(RuntimeError):
    """The projection could not catch up, so whether a record exists is not known yet."""


class Directory:
    """Records of other services, from the worker's projection of their compacted topics."""

    def __init__(self, projection: Projection) -> None:
        self._projection = projection

    async def maybe(self, spec: TopicSpec, key: Any) -> Any | None:
        """The current record for ``key``, waiting (bounded) for the projection to catch up; or None."""
        return await asyncio.to_thread(self._projection.get_fresh, spec, key, DIRECTORY_WAIT_S)

    async def find(self, spec: TopicSpec, key: Any) -> Any:
        """Like ``maybe``, but a record that is not there is an error (the record is dead-lettered).

        While the projection cannot tell (it could not catch up: the broker is away), it waits
        and asks again, up to ``DIRECTORY_PATIENCE_S``: an outage delays the email, it does not
        dead-letter it (the fault run lost a case-opened email this way during a broker restart).
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(DirectoryBehind),
            wait=wait_exponential(multiplier=0.5, max=10),
            stop=stop_after_delay(DIRECTORY_PATIENCE_S),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                found, current = await asyncio.to_thread(self._projection.lookup, spec, key, DIRECTORY_WAIT_S)
                if found is None and not current:
                    log.warning("directory.behind", topic=spec.name)
                    raise DirectoryBehind(f"{spec.name} could not be read to its end")
        if found is None:
            raise LookupError(f"no {spec.name} record for {key!r}")
        return found

    def values(self, spec: TopicSpec) -> list[Any]:
        """Every current record of ``spec``'s topic (no waiting)."""
        return self._projection.values(spec)


def _tables_to_tell(
    tables: list[ConcertationTable], entry: CalendarEntry
) -> list[tuple[ConcertationTable, UUID]]:
    """The tables of the entry's regions that had a delegate (not the organizer) when it was decided.

    As of the decision, not of today: a decision read again (a replay, a recovery) tells the
    tables it told the first time, never a table created or delegated since."""
    decided_on = local_date(entry.decided_at)
    found = []
    for table in tables:
        delegate = table.delegate_on(decided_on)
        active = table.status == "active" and table.region in entry.regions
        existed = table.created_at <= entry.decided_at
        if active and existed and delegate is not None and delegate != entry.organizer_id:
            found.append((table, delegate))
    return found


class Notifier:
    """Decides who gets which email for each record, and sends it through ``Delivery``."""

    def __init__(
        self,
        directory: Directory,
        delivery: Delivery,
        documents: DocumentsToBring,
        links: PageLinks,
        digest: DigestSettings,
        hub: HubSettings | None = None,
    ) -> None:
        self._directory = directory
        self._delivery = delivery
        self._documents = documents
        self._links = links
        self._digest = digest
        self._hub = hub or HubSettings()
        # The hub's coordinators are one recipient on notifications.v1: an id derived from their address.
        self._hub_id = uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{self._hub.email}")

    async def _send(self, record: Received, email: Email) -> None:
        await self._delivery.deliver(email, record.event_id, record.correlation_id)

    async def _counsellor(self, counsellor_id: UUID | None) -> Counsellor | None:
        if counsellor_id is None:
            return None
        found: Counsellor | None = await self._directory.maybe(
            COUNSELLORS, CounsellorKey(counsellor_id=counsellor_id)
        )
        return found

    # -- calendar.v1 ----------------------------------------------------------------

    async def on_decision(self, record: Received) -> None:
        """A calendar decision: to its organizer, and to its regions' tables through their delegates."""
        entry: CalendarEntry | None = record.value
        if entry is None:
            return
        organizer = await self._directory.find(PARTNERS, PartnerKey(partner_id=entry.organizer_id))
        template = "proposal_decided"
        await self._send(
            record,
            Email(
                ledger.decision_key(record.event_id, template, organizer.partner_id),
                template,
                organizer.language,
                "partner",
                organizer.partner_id,
                organizer.contact_email,
                contexts.decision_context(entry, organizer),
            ),
        )
        for table, delegate_id in _tables_to_tell(self._directory.values(TABLES), entry):
            delegate = await self._directory.find(PARTNERS, PartnerKey(partner_id=delegate_id))
            context = {
                **contexts.decision_context(entry, organizer, delegate.language),
                "table": table.name,
                "delegate": delegate.name,
            }
            template = "proposal_decided_table"
            key = ledger.decision_key(record.event_id, template, delegate.partner_id)
            await self._send(
                record,
                Email(
                    key,
                    template,
                    delegate.language,
                    "partner",
                    delegate.partner_id,
                    delegate.contact_email,
                    context,
                ),
            )

    # -- cases.v1 -------------------------------------------------------------------

    async def on_case(self, record: Received) -> None:
        """An open case: the person once per case; its counsellor once per (case, counsellor).

        A case no counsellor holds waits in the queue: the person's email says so, the hub is
        alerted once per case, and the person is written to again when a counsellor takes it.
        """
        case: Case | None = record.value
        if case is None or case.status != "open":
            return
        counsellor = await self._counsellor(case.counsellor_id)
        person = PersonKey(person_id=case.person_id)
        key = ledger.case_opened_key(case.case_id, case.person_id)
        if not self._delivery.was_sent(key, "case_opened", case.person_id):
            contact = await self._directory.find(CONTACTS, person)
            interest: InterestDeclared | None = await self._directory.maybe(INTERESTS, person)
            link = self._links.url(case.person_id, "file")
            context = contexts.case_opened_context(case, contact, interest, counsellor, self._documents, link)
            email = Email(
                key, "case_opened", contact.language, "person", case.person_id, contact.email, context
            )
            await self._send(record, email)
        elif counsellor is not None and case.counsellor_assigned_at is not None:
            # It waited (the case-opened email said so): the person learns who holds it now.
            assigned = ledger.counsellor_assigned_key(case.case_id, counsellor.counsellor_id, case.person_id)
            if not self._delivery.was_sent(assigned, "counsellor_assigned", case.person_id):
                contact = await self._directory.find(CONTACTS, person)
                link = self._links.url(case.person_id, "file")
                context = contexts.counsellor_assigned_context(case, contact, counsellor, link)
                email = Email(
                    assigned,
                    "counsellor_assigned",
                    contact.language,
                    "person",
                    case.person_id,
                    contact.email,
                    context,
                )
                await self._send(record, email)
        if case.counsellor_id is None:
            hub = self._hub
            email = Email(
                ledger.case_waiting_key(case.case_id),
                "case_waiting_hub",
                hub.language,
                "counsellor",
                self._hub_id,
                hub.email,
                contexts.case_waiting_context(case, hub.language),
            )
            await self._send(record, email)
        if counsellor is not None:
            email = Email(
                ledger.counsellor_case_key(case.case_id, counsellor.counsellor_id),
                "counsellor_new_case",
                counsellor.languages[0],
                "counsellor",
                counsellor.counsellor_id,
                counsellor.email,
                contexts.counsellor_case_context(case, counsellor),
            )
            await self._send(record, email)

    # -- referrals.v1 ---------------------------------------------------------------

    async def on_referral(self, record: Received) -> None:
        """A referral plan: to the person when issued or reviewed; to the partners it concerns."""
        referral: Referral | None = record.value
        if referral is None:
            return
        counsellor = await self._counsellor(referral.counsellor_id)
        partner: Partner | None = None
        if referral.welcoming_partner_id is not None:
            partner = await self._directory.find(
                PARTNERS, PartnerKey(partner_id=referral.welcoming_partner_id)
            )
        reviewed = referral.decided_by == "counsellor"
        if referral.status == "proposed" or (reviewed and referral.status == "cancelled"):
            await self._to_person(record, referral, partner, counsellor)
        if referral.status == "proposed" and referral.review_requested_at is not None and counsellor:
            await self._review_requested(record, referral, counsellor)
        if partner is not None and referral.status == "proposed":
            await self._to_welcoming_partner(record, referral, partner, counsellor)
        elif partner is not None:
            await self._update_partner(record, referral, partner, referral.status)
        previous = referral.override.previous_partner_id if referral.override else None
        if previous is not None and previous != referral.welcoming_partner_id:
            # A counsellor referred the household elsewhere: its former partner is told.
            former = await self._directory.find(PARTNERS, PartnerKey(partner_id=previous))
            await self._update_partner(record, referral, former, "moved")

    async def _to_person(
        self, record: Received, referral: Referral, partner: Partner | None, counsellor: Counsellor | None
    ) -> None:
        key = ledger.referral_key(referral, referral.status, "referral_plan", referral.person_id)
        if self._delivery.was_sent(key, "referral_plan", referral.person_id):
            return
        contact = await self._directory.find(CONTACTS, PersonKey(person_id=referral.person_id))
        link = self._links.url(referral.person_id, "plan" if referral.region else "file")
        context = contexts.referral_person_context(referral, contact, partner, counsellor, link)
        email = Email(
            key, "referral_plan", contact.language, "person", referral.person_id, contact.email, context
        )
        await self._send(record, email)

    async def _review_requested(self, record: Received, referral: Referral, counsellor: Counsellor) -> None:
        """The person asked for a review: their counsellor is told, once per plan and decision."""
        key = ledger.referral_key(referral, "review", "review_requested", counsellor.counsellor_id)
        if self._delivery.was_sent(key, "review_requested", counsellor.counsellor_id):
            return
        context = contexts.review_requested_context(
            referral, counsellor, self._links.staff_case(referral.case_id)
        )
        email = Email(
            key,
            "review_requested",
            counsellor.languages[0],
            "counsellor",
            counsellor.counsellor_id,
            counsellor.email,
            context,
        )
        await self._send(record, email)

    async def _to_welcoming_partner(
        self, record: Received, referral: Referral, partner: Partner, counsellor: Counsellor | None
    ) -> None:
        key = ledger.referral_key(referral, "proposed", "referral_partner", partner.partner_id)
        if self._delivery.was_sent(key, "referral_partner", partner.partner_id):
            return
        person = PersonKey(person_id=referral.person_id)
        interest: InterestDeclared = await self._directory.find(INTERESTS, person)
        shares = interest.consents is not None and interest.consents.share_contact
        contact = await self._directory.find(CONTACTS, person) if shares else None
        context = contexts.referral_partner_context(referral, partner, interest, contact, counsellor)
        email = Email(
            key,
            "referral_partner",
            partner.language,
            "partner",
            partner.partner_id,
            partner.contact_email,
            context,
        )
        await self._send(record, email)

    async def _update_partner(
        self, record: Received, referral: Referral, partner: Partner, change: str
    ) -> None:
        template = "referral_partner_update"
        email = Email(
            ledger.referral_key(referral, change, template, partner.partner_id),
            template,
            partner.language,
            "partner",
            partner.partner_id,
            partner.contact_email,
            contexts.referral_update_context(referral, partner, change),
        )
        await self._send(record, email)

    # -- the weekly digest (the worker's internal trigger) ---------------------------------

    async def on_digest_due(self, record: Received) -> None:
        """A table's weekly digest, through its delegate, once per (table, ISO week)."""
        due: DigestDue = record.value
        key = ledger.digest_key(due.table_id, due.week)
        if self._delivery.already_sent(key):
            return
        table: ConcertationTable = await self._directory.find(TABLES, TableKey(table_id=due.table_id))
        delegate_id = table.delegate_on(due.as_of)
        if table.status != "active" or delegate_id is None:
            return
        days = self._digest.horizon_days
        activities = upcoming(self._directory.values(CALENDAR), table.region, due.as_of, days)
        if not activities:
            log.info("digest.nothing_upcoming", table_id=str(table.table_id), week=due.week)
            return
        delegate: Partner | None = await self._directory.maybe(PARTNERS, PartnerKey(partner_id=delegate_id))
        if delegate is None:
            # Not dead-lettered: the next check of the schedule triggers it again.
            log.warning("digest.delegate_unknown", table_id=str(table.table_id), week=due.week)
            return
        organizers = {p.partner_id: p for p in self._directory.values(PARTNERS)}
        context = digest_context(table, delegate, activities, organizers, due.as_of, days)
        email = Email(
            key,
            "weekly_digest",
            delegate.language,
            "partner",
            delegate.partner_id,
            delegate.contact_email,
            {**context, "week": due.week},
        )
        await self._send(record, email)
