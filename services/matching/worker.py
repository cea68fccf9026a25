"""matching-worker: opens and updates cases, and runs concertation rounds
(entry point: ``python -m services.matching.worker``).

Two agents:

- ``open-cases`` (interests.v1): for each interest, the case with a counsellor
  (language, lowest caseload under a cap), the person's entitlements, and the
  destination regions and offers ranked with their factors; an update keeps
  the counsellor, a withdrawal frees them, a tombstone (erasure) erases the case.
  When no counsellor has room the case waits; each place freed (a withdrawal, an
  erasure) or added (a counsellor added or given room, seen by a timer) goes to
  the oldest waiting case, before any newer interest.
- ``concertation`` (matching-commands.v1, one partition, in order): rounds,
  and accept / decline / override / withdraw / erase on referral plans. Each
  plan goes to referrals.v1 and to its welcoming partner's own topic.

Offers, partners, counsellors and the calendar come from a projection. Of
cases and interests the worker keeps only summaries and record bytes
(state.People, loaded at start); a round reads cases.v1 when it runs. Referral
plans are kept in a faust table.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import faust
import structlog

from services.common.cloudevents import new_event
from services.common.contracts import (
    Case,
    CaseKey,
    CommandKey,
    InterestDeclared,
    MatchingCommand,
    Referral,
    ReferralKey,
    RoundKey,
)
from services.common.errors import Conflict
from services.common.kafka import ensure_topics, read_record, read_topic
from services.common.projection import Projection
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
from services.common.topics import (
    CALENDAR,
    CASES,
    COUNSELLORS,
    INTERESTS,
    MATCHING_COMMANDS,
    OFFERS,
    PARTNERS,
    REFERRALS,
    ROUNDS,
    TopicSpec,
    partner_referrals,
)

from . import concertation
from .domain import (
    CaseSummary,
    assign_counsellor,
    assign_waiting,
    assigned_from_queue,
    build_case,
    case_id_for,
    has_room,
)
from .lifecycle import case_allows, case_status_for, referral_allows
from .sharing import partner_view
from .state import People, ReferralBook

SERVICE = "matching-worker"
READY_WAIT_S = 30.0
CATCH_UP_S = 10.0
LOAD_TIMEOUT_S = 900.0  # reading cases.v1 and interests.v1 at start-up, or cases.v1 for a round
SCHEDULE_NAMESPACE = uuid.UUID("0f7e3c55-2b1a-4d9e-8c6f-5a4b3c2d1e0f")
ACTION_EVENTS = {
    "accept": "matching.ReferralAccepted",
    "decline": "matching.ReferralDeclined",
    "override": "matching.ReferralOverridden",
}
log = structlog.get_logger(__name__)


def scheduled_round_id(interval_s: float, at: float) -> uuid.UUID:
    """The id of the scheduled round of the period containing ``at`` (seconds since the epoch).

    One id per period: two workers, or one restarted, asking for the same round
    ask for one round (the concertation agent runs a round id once).
    """
    return uuid.uuid5(SCHEDULE_NAMESPACE, f"{interval_s}|{int(at // interval_s)}")


def next_period_start(interval_s: float, at: float) -> float:
    """When the period after the one containing ``at`` begins (seconds since the epoch)."""
    return (int(at // interval_s) + 1) * interval_s


def create_app(settings: Settings) -> faust.App:
    """The matching worker's faust app."""
    # Cases are ~13 KiB: 5 ms of linger puts several in one produce request (a socket write each).
    app = create_faust_app("concerto-matching-worker", settings, producer_linger_s=0.005)
    clock = settings.build_clock()
    limits = concertation.Limits(
        referrals_per_position=settings.matching.referrals_per_position,
        jobs=settings.matching.jobs_per_plan,
        settlement=settings.matching.settlement_per_plan,
        activities=settings.matching.activities_per_plan,
    )
    interests = raw_topic(app, INTERESTS)
    commands = raw_topic(app, MATCHING_COMMANDS)
    topics = {spec.name: raw_topic(app, spec) for spec in (CASES, REFERRALS, ROUNDS, MATCHING_COMMANDS)}
    dead_letters = DeadLetters(app, SERVICE)
    world = Projection(settings.kafka, [OFFERS, PARTNERS, COUNSELLORS, CALENDAR], SERVICE)
    bootstrap = settings.kafka.bootstrap_servers
    people = People()
    loaded = asyncio.Event()
    book = ReferralBook(app.Table("referral-book", default=None, partitions=MATCHING_COMMANDS.partitions))
    # Commands decided (by command id) and rounds run (by round id): a replay decides nothing twice.
    done = app.Table("commands-done", default=None, partitions=MATCHING_COMMANDS.partitions)
    partner_topics: dict[str, Any] = {}

    async def ready() -> None:
        if not world.ready and not await asyncio.to_thread(world.wait_ready, READY_WAIT_S):
            raise TimeoutError("the matching worker's projection did not load in time")
        await loaded.wait()

    async def send(spec: TopicSpec, key: Any, value: Any, meta: Any) -> asyncio.Future[Any]:
        topic = topics.get(spec.name) or partner_topics.get(spec.name)
        if topic is None:  # a partner's topic, created (compacted, one partition) on first use
            await asyncio.to_thread(ensure_topics, settings.kafka, [spec])
            topic = partner_topics[spec.name] = raw_topic(app, spec)
        return await publish(topic, spec, key, value, meta)

    async def write_case(case: Case, meta: Any) -> None:
        people.wrote(CaseSummary.of(case))
        delivered = await send(CASES, CaseKey(case_id=case.case_id), case, meta)

        def locate(future: asyncio.Future[Any]) -> None:
            if not future.cancelled() and future.exception() is None:
                people.located(case.person_id, (future.result().partition, future.result().offset))

        delivered.add_done_callback(locate)

    async def read_case(person_id: uuid.UUID) -> Case | None:
        """One case as last written: its record read at its offset (all of cases.v1 if not yet known)."""
        at = people.case_at(person_id)
        if at is not None:
            record = await asyncio.to_thread(read_record, bootstrap, CASES.name, *at)
            if record is not None and record.value is not None:
                case: Case = Case.model_validate_json(record.value)
                return case
        key = CaseKey(case_id=case_id_for(person_id)).model_dump_json().encode()
        records = await asyncio.to_thread(read_topic, bootstrap, CASES.name, LOAD_TIMEOUT_S)
        latest = next((r for r in reversed(records) if r.key == key), None)
        return None if latest is None or latest.value is None else Case.model_validate_json(latest.value)

    # -- interests → cases, and the queue of cases waiting for a counsellor -------

    # One case write at a time between the interests and the queue: a case given a counsellor
    # from the queue is read, then rewritten, and must not overwrite a newer revision.
    assigning = asyncio.Lock()

    async def move_queue(correlation_id: str | None) -> None:
        """Give the places free now to the oldest waiting cases (with ``assigning`` held)."""
        counsellors = world.values(COUNSELLORS)
        waiting = people.waiting()
        if not waiting or not has_room(counsellors, people.caseload()):
            return
        for summary, counsellor in assign_waiting(waiting, counsellors, people.caseload()):
            if people.case_at(summary.person_id) is None:
                continue  # its record is not acknowledged yet: the next move takes it
            case = await read_case(summary.person_id)
            if (
                case is None
                or people.summary(summary.person_id) != summary
                or CaseSummary.of(case) != summary
            ):
                continue  # erased or rewritten meanwhile: the next move decides again
            taken = assigned_from_queue(case, counsellor.counsellor_id, clock.now())
            cause = f"queue/{case.case_id}/{counsellor.counsellor_id}"
            meta = new_event(
                "matching.CounsellorAssigned", SERVICE, correlation_id, caused_by=cause, now=clock.now()
            )
            await write_case(taken, meta)
            log.info(
                "case.counsellor_assigned",
                case_id=str(case.case_id),
                counsellor_id=str(counsellor.counsellor_id),
                waited_s=round((taken.counsellor_assigned_at - case.opened_at).total_seconds())
                if taken.counsellor_assigned_at
                else None,
            )

    async def on_interest(record: Received) -> None:
        await ready()
        async with assigning:
            await move_queue(record.correlation_id)  # the places free now go to who waited first
            await case_of_interest(record)
            await move_queue(record.correlation_id)  # a withdrawal or an erasure frees a place

    async def case_of_interest(record: Received) -> None:
        person_id = record.key.person_id
        case_id = case_id_for(person_id)
        meta = new_event(
            "matching.CaseUpdated", SERVICE, record.correlation_id, caused_by=record.event_id, now=clock.now()
        )
        interest: InterestDeclared | None = record.value
        if people.superseded(person_id, (record.partition, record.offset)):
            log.info("interest.superseded", case_id=str(case_id), offset=record.offset)
            return  # a replay: a later record of this person's interest was read already
        people.read_interest(person_id, record.raw_value, (record.partition, record.offset))
        if interest is None:  # erasure
            people.erase_case(person_id)
            await send(CASES, CaseKey(case_id=case_id), None, meta)
            log.info("case.erased", case_id=str(case_id))
            return
        previous = people.summary(person_id)
        if previous is not None and previous.interest_revision == interest.revision:
            withdrawn = interest.withdrawn_at is not None
            if withdrawn == (previous.status == "withdrawn"):
                log.info("case.already_up_to_date", case_id=str(case_id), revision=interest.revision)
                return  # a retry or a replay of a revision the case already reflects
        counsellor_id = previous.counsellor_id if previous else None
        if counsellor_id is None and case_allows(case_status_for(interest), "assign_counsellor"):
            chosen = assign_counsellor(interest.language, world.values(COUNSELLORS), people.caseload())
            counsellor_id = chosen.counsellor_id if chosen else None
        partners = {p.partner_id: p for p in world.values(PARTNERS)}
        case = build_case(
            interest,
            world.values(OFFERS),
            partners,
            previous=previous,
            counsellor_id=counsellor_id,
            now=clock.now(),
        )
        meta = new_event(
            "matching.CaseOpened" if previous is None else "matching.CaseUpdated",
            SERVICE,
            record.correlation_id,
            caused_by=record.event_id,
            now=clock.now(),
        )
        await write_case(case, meta)
        log.info(
            "case.opened" if previous is None else "case.updated",
            case_id=str(case.case_id),
            status=case.status,
            counsellor_id=str(counsellor_id) if counsellor_id else None,
            entitled=sum(e.status == "entitled" for e in case.entitlements),
            regions=len(case.regions),
        )

    # -- commands → rounds and referrals -------------------------------------------

    def market(cases: dict[uuid.UUID, Case], excluding_round: uuid.UUID | None = None) -> concertation.Market:
        return concertation.Market(
            profiles=_profiles_of(cases),
            cases=cases,
            referrals=[r for r in book if r.round_id != excluding_round],
            offers=world.values(OFFERS),
            partners={p.partner_id: p for p in world.values(PARTNERS)},
            calendar=world.values(CALENDAR),
        )

    async def issue(referral: Referral, record: Received, event_type: str) -> None:
        book.put(referral)
        cause = f"{record.event_id}/{referral.referral_id}"
        meta = new_event(event_type, SERVICE, record.correlation_id, caused_by=cause, now=clock.now())
        key = ReferralKey(referral_id=referral.referral_id)
        await send(REFERRALS, key, referral, meta)
        if referral.welcoming_partner_id is not None:
            profile = people.profile(referral.person_id)
            if profile is not None:
                spec = partner_referrals(referral.welcoming_partner_id)
                await send(spec, key, partner_view(referral, profile), meta)
        previous = referral.override.previous_partner_id if referral.override else None
        if previous is not None and previous != referral.welcoming_partner_id:
            # The organization it was first referred to no longer sees the household.
            await send(partner_referrals(previous), key, None, meta)

    async def run_round(command: MatchingCommand, record: Received) -> None:
        assert command.round_id is not None
        if done.get(f"round|{command.round_id}") is not None:
            log.info("round.already_done", round_id=str(command.round_id))
            return
        await asyncio.to_thread(world.catch_up, CATCH_UP_S)
        started = time.perf_counter()
        await (await app.maybe_start_producer()).flush()  # the cases written so far are on cases.v1
        cases = await asyncio.to_thread(read_cases)
        # A round repeated after a crash ignores its own earlier referrals: same inputs, same plans.
        snapshot = await asyncio.to_thread(market, cases, command.round_id)
        now = clock.now()
        outcome = await asyncio.to_thread(
            concertation.run_round, command.round_id, snapshot, limits, now, command.by_role
        )
        for referral in outcome.referrals:
            await issue(referral, record, "matching.ReferralIssued")
        elapsed = (time.perf_counter() - started) * 1000
        result = outcome.result.model_copy(update={"duration_ms": round(elapsed, 1)})
        meta = new_event(
            "matching.RoundCompleted",
            SERVICE,
            record.correlation_id,
            caused_by=record.event_id,
            now=clock.now(),
        )
        await send(ROUNDS, RoundKey(round_id=command.round_id), result, meta)
        done[f"round|{command.round_id}"] = now.isoformat()
        log.info(
            "round.completed",
            round_id=str(command.round_id),
            households=result.households,
            referred=result.referred,
            first_choice=result.first_choice,
            duration_ms=result.duration_ms,
        )

    async def on_referral_action(command: MatchingCommand, record: Received) -> None:
        assert command.referral_id is not None
        referral = book.get(command.referral_id)
        if referral is None:
            raise LookupError(f"no referral {command.referral_id}")
        now = clock.now()
        if command.action == "accept":
            changed = concertation.accept(referral, now)
        elif command.action == "decline":
            changed = concertation.decline(referral, command.reason, now)
        else:
            case = await read_case(referral.person_id)
            if case is None:
                raise Conflict(f"no case for the person of referral {referral.referral_id}")
            snapshot = await asyncio.to_thread(market, {case.person_id: case})
            target = next((o for o in snapshot.offers if o.offer_id == command.welcoming_offer_id), None)
            if command.welcoming_offer_id is not None and target is None:
                raise Conflict(f"no offer {command.welcoming_offer_id}")
            reason = command.reason or ""
            changed = concertation.override(
                referral, target, reason, command.by_subject, snapshot, limits, now
            )
        await issue(changed, record, ACTION_EVENTS[command.action])

    async def on_person(command: MatchingCommand, record: Received) -> None:
        assert command.person_id is not None
        now = clock.now()
        for referral in book.of_person(command.person_id):
            key = ReferralKey(referral_id=referral.referral_id)
            if command.action == "withdraw":
                if referral_allows(referral.status, "cancel"):
                    await issue(concertation.cancel(referral, now), record, "matching.ReferralCancelled")
                continue
            cause = f"{record.event_id}/{referral.referral_id}"
            meta = new_event(
                "matching.ReferralErased", SERVICE, record.correlation_id, caused_by=cause, now=clock.now()
            )
            await send(REFERRALS, key, None, meta)
            if referral.welcoming_partner_id is not None:
                await send(partner_referrals(referral.welcoming_partner_id), key, None, meta)
            book.drop(referral.referral_id)
        if command.action == "erase":
            case_id = case_id_for(command.person_id)
            people.erase_case(command.person_id)
            meta = new_event(
                "matching.CaseErased",
                SERVICE,
                record.correlation_id,
                caused_by=record.event_id,
                now=clock.now(),
            )
            await send(CASES, CaseKey(case_id=case_id), None, meta)
            log.info("person.erased", case_id=str(case_id))
            async with assigning:
                await move_queue(record.correlation_id)  # the erased case's place goes to who waits

    async def on_command(record: Received) -> None:
        await ready()
        command: MatchingCommand = record.value
        if done.get(f"command|{command.command_id}") is not None:
            log.info("command.already_done", action=command.action, command_id=str(command.command_id))
            return
        try:
            if command.action == "run_round":
                await run_round(command, record)
            elif command.action in ("accept", "decline", "override"):
                await on_referral_action(command, record)
            else:
                await on_person(command, record)
        except Conflict as refused:
            # The API checked first; the state changed in between. Nothing to redo: say why.
            log.warning("command.refused", action=command.action, reason=str(refused))
        done[f"command|{command.command_id}"] = clock.now().isoformat()

    # -- wiring ---------------------------------------------------------------------

    def read_cases() -> dict[uuid.UUID, Case]:
        """The cases that may take part in a round, as last written on cases.v1 (its snapshot).

        Only the open cases of people who agreed to be referred are parsed (the summaries
        and the interests say which): parsing is most of the cost of reading them.
        """
        wanted = {
            CaseKey(case_id=case_id_for(person)).model_dump_json().encode() for person in people.taking_part()
        }
        latest: dict[bytes, bytes | None] = {}
        for record in read_topic(bootstrap, CASES.name, LOAD_TIMEOUT_S):
            if record.key in wanted:
                latest[record.key] = record.value
        cases = (Case.model_validate_json(raw) for raw in latest.values() if raw is not None)
        return {case.person_id: case for case in cases}

    def _profiles_of(cases: dict[uuid.UUID, Case]) -> dict[uuid.UUID, InterestDeclared]:
        found = {person: people.profile(person) for person in cases}
        return {person: profile for person, profile in found.items() if profile is not None}

    @app.task  # type: ignore[untyped-decorator]
    async def follow_world() -> None:
        world.start()
        started = time.perf_counter()
        await asyncio.to_thread(people.load, bootstrap, LOAD_TIMEOUT_S)
        log.info("state.ready", people=len(people), seconds=round(time.perf_counter() - started, 1))
        loaded.set()

    # A counsellor added, given room or made active is seen here (their record is on
    # counsellors.v1, which the projection follows): the queue moves within a check.
    @app.timer(interval=settings.matching.queue_check_s)  # type: ignore[untyped-decorator]
    async def queue_check() -> None:
        if loaded.is_set() and world.ready:
            async with assigning:
                await move_queue(None)

    interval = settings.matching.round_interval_s
    if interval > 0:
        # Every matching-worker process runs this loop; none is a leader (faust's leader election
        # is off: ``topic_disable_leader``). At each period's start each one asks for the round of
        # that period, keyed by its id (``scheduled_round_id``); the concertation agent reads
        # matching-commands.v1 (one partition) in order and runs a round id once ("done" table),
        # so N processes, or one restarted, give one round per period.
        @app.task  # type: ignore[untyped-decorator]
        async def scheduled_rounds() -> None:
            await ready()
            asked: float | None = None
            while not app.should_stop:
                start = next_period_start(interval, clock.timestamp())
                if asked is not None and start <= asked:
                    start = asked + interval  # a pinned clock: still one request per period
                await asyncio.sleep(max(start - clock.timestamp(), 0.0))
                await request_round(scheduled_round_id(interval, start))
                asked = start

    async def request_round(round_id: uuid.UUID) -> None:
        command = MatchingCommand(
            command_id=round_id,
            action="run_round",
            round_id=round_id,
            by_role="schedule",
            by_subject="schedule",
            issued_at=clock.now(),
        )
        meta = new_event("matching.RoundRequested", SERVICE, None, now=clock.now())
        await send(MATCHING_COMMANDS, CommandKey(command_id=round_id), command, meta)
        log.info("round.requested", round_id=str(round_id), by="schedule")

    @app.agent(interests, name="open-cases")
    async def open_cases(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, INTERESTS, on_interest, dead_letters)

    @app.agent(commands, name="concertation")
    async def concert(stream: faust.StreamT[bytes]) -> None:
        await handle_stream(stream, MATCHING_COMMANDS, on_command, dead_letters)

    return app


def main() -> None:
    settings = Settings()
    run_worker(create_app(settings), settings, SERVICE)


if __name__ == "__main__":
    main()
