"""notifications-worker: emails everyone concerned by a decision, a case, a referral or the week ahead
(entry point: ``python -m services.notifications.worker``).

It reads calendar.v1, cases.v1 and referrals.v1, looks up what it needs in its
own projection of contacts, partners, tables, counsellors, interests and the
calendar, and sends each email at most once per ledger key (ledger.py): a send
ledger (faust table) remembers what was sent, and the Message-ID is derived
from the same key so an SMTP server or client can recognise a repeat. A timer
triggers each table's weekly digest (digest.py), another the follow-up reminders
(followup_reminders.py, from its projection of settlements.v1), another the reminders of the
measures' deadlines (measure_reminders.py, from its projection of measures.v1). Each email sent is recorded on
notifications.v1 without its address or body. docs/notifications.md lists every
email.
"""

from __future__ import annotations

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import TableKey
from services.common.page_links import PageLinks
from services.common.projection import Projection
from services.common.settings import Settings
from services.common.streams import (
    DeadLetters,
    create_faust_app,
    handle_stream,
    publish,
    raw_topic,
    run_worker,
)
from services.common.topics import (
    CALENDAR,
    CASES,
    CONTACTS,
    COUNSELLORS,
    INTERESTS,
    MEASURES,
    NOTIFICATIONS,
    PARTNERS,
    REFERRALS,
    SETTLEMENTS,
    TABLES,
)

from .delivery import Delivery
from .digest import DIGEST_DUE, digests_due
from .documents import documents_to_bring
from .followup_handlers import add_followup_reminders
from .followup_reminders import FOLLOWUP_DUE
from .handlers import Directory, Notifier
from .ledger import digest_key
from .mailer import Mailer, SmtpMailer
from .measure_handlers import add_measure_reminders
from .measure_reminders import MEASURE_DUE
from .rendering import Renderer

SERVICE = "notifications-worker"
log = structlog.get_logger(__name__)


def create_app(settings: Settings, mailer: Mailer | None = None) -> faust.App:
    """The notifications worker's faust app."""
    app = create_faust_app("concerto-notifications-worker", settings)
    clock = settings.build_clock()
    calendar = raw_topic(app, CALENDAR)
    cases = raw_topic(app, CASES)
    referrals = raw_topic(app, REFERRALS)
    digest_due = raw_topic(app, DIGEST_DUE)
    notifications = raw_topic(app, NOTIFICATIONS)
    dead_letters = DeadLetters(app, SERVICE)
    # Keyed by ledger.py's keys; written to the partition of the record being handled.
    ledger = app.Table("send-ledger", default=None, partitions=CASES.partitions)
    projection = Projection(
        settings.kafka,
        [CONTACTS, PARTNERS, TABLES, COUNSELLORS, INTERESTS, CALENDAR, SETTLEMENTS, MEASURES, CASES],
        SERVICE,
        lazy=[CONTACTS, INTERESTS, CASES],  # one record per person, read once per email: kept as bytes
    )
    directory = Directory(projection)
    delivery = Delivery(
        app,
        ledger,
        notifications,
        mailer or SmtpMailer(settings.smtp),
        Renderer(),
        settings.smtp.sender,
        SERVICE,
        clock,
    )
    links = PageLinks(
        settings.auth.secret.get_secret_value(), clock, settings.web.public_url, settings.web.page_link_ttl_s
    )
    notifier = Notifier(directory, delivery, documents_to_bring(), links, settings.digest, settings.hub)
    schedule = settings.digest

    @app.task  # type: ignore[untyped-decorator]
    async def follow_directory() -> None:
        projection.start()

    @app.agent(cases, name="email-case-opened")
    async def email_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, CASES, notifier.on_case, dead_letters)

    @app.agent(calendar, name="email-proposal-decided")
    async def email_decisions(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, CALENDAR, notifier.on_decision, dead_letters)

    @app.agent(referrals, name="email-referrals")
    async def email_referrals(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, REFERRALS, notifier.on_referral, dead_letters)

    @app.agent(digest_due, name="email-weekly-digest")
    async def email_digests(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, DIGEST_DUE, notifier.on_digest_due, dead_letters)

    # Not on_leader: our apps run without faust's leader topic (topic_disable_leader), so no
    # worker would ever be the leader. Each worker's timer may trigger a table's digest; the
    # agent that owns the table's partition sends it once, whoever triggered it.
    @app.timer(interval=schedule.check_interval_s)  # type: ignore[untyped-decorator]
    async def trigger_digests() -> None:
        """Trigger the week's digest of every table due (digest.py: digests_due)."""
        if not projection.ready:
            return
        now = clock.now()
        due = digests_due(
            now,
            schedule,
            projection.values(TABLES),
            projection.values(CALENDAR),
            lambda table_id, week: delivery.already_sent(digest_key(table_id, week)),
        )
        for value in due:
            caused_by = f"{value.table_id}|{value.week}"
            meta = new_event("notifications.DigestDue", SERVICE, None, caused_by=caused_by, now=now)
            await publish(digest_due, DIGEST_DUE, TableKey(table_id=value.table_id), value, meta)
        if due:
            log.info("digest.due", week=due[0].week, tables=len(due))

    add_followup_reminders(app, settings, clock, projection, directory, delivery, dead_letters)
    add_measure_reminders(app, settings, clock, projection, directory, delivery, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE, internal=[DIGEST_DUE, FOLLOWUP_DUE, MEASURE_DUE])


if __name__ == "__main__":
    main()
