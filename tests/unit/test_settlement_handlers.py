"""The matching worker's settlement handlers without a broker: from an accepted plan to a closed case.

The handlers (services/matching/settlement_handlers.py, called by handlers.py in the order of
matching-commands.v1) run against the in-memory publisher; the same journey over a real broker and
the API is tests/integration/test_settlements.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.common.clock import local_date
from services.common.contracts import Referral, Settlement
from services.common.topics import CASES, FOLLOWUPS, MEASURES, REFERRALS, SETTLEMENTS
from services.matching.domain import case_id_for
from tests.unit.matching_builders import NOW, person
from tests.unit.test_matching_handlers import WELCOME, Worker

TODAY = local_date(NOW)
PERSONAL = {"name", "email", "phone"}


async def accepted(worker: Worker) -> Referral:
    someone = person(1, ["05"])
    await worker.interest(someone, someone.person_id)
    await worker.command("run_round", round_id=uuid.uuid4())
    (referral,) = worker.referrals()
    await worker.command("accept", referral_id=referral.referral_id, by_role="person")
    return referral


async def milestone(worker: Worker, referral: Referral, which: str, days: int = 0) -> None:
    on = (TODAY + timedelta(days=days)).isoformat()
    await worker.command("milestone", case_id=referral.case_id, milestone=which, on=on, by_role="partner")


def settlements(worker: Worker) -> list[Settlement | None]:
    return [s.value for s in worker.published.on(SETTLEMENTS.name)]


async def test_an_accepted_plan_begins_its_settlement_once() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await worker.command("accept", referral_id=referral.referral_id)  # refused: accepted already

    [opened] = settlements(worker)
    assert opened is not None
    assert (opened.status, opened.referral_id, opened.welcoming_partner_id) == (
        "awaiting_contact",
        referral.referral_id,
        WELCOME.partner_id,
    )
    assert worker.published.types(SETTLEMENTS.name) == ["matching.SettlementOpened"]


async def test_four_milestones_then_a_close_close_the_case_and_free_its_counsellor() -> None:
    worker = Worker()
    referral = await accepted(worker)
    person_id = referral.person_id
    assert sum(worker.people.caseload().values()) == 1

    for which in ("first_contact", "exploratory_visit", "move", "arrival"):
        await milestone(worker, referral, which)
    await worker.command(
        "close",
        case_id=referral.case_id,
        outcome="settled_in_region",
        on=TODAY.isoformat(),
        by_role="partner",
    )

    statuses = [s.status for s in settlements(worker) if s is not None]
    assert statuses == ["awaiting_contact", "contacted", "visited", "moving", "arrived", "closed"]
    last = settlements(worker)[-1]
    assert last is not None
    assert (last.outcome, [s.by_role for s in last.steps]) == ("settled_in_region", ["partner"] * 5)
    assert worker.published.types(CASES.name)[-1] == "matching.CaseClosed"
    assert worker.published.on(CASES.name)[-1].value.status == "closed"
    summary = worker.people.summary(person_id)
    assert summary is not None
    assert summary.status == "closed"
    assert sum(worker.people.caseload().values()) == 0  # a closed case holds no place


async def test_a_closed_case_stays_closed_when_the_interest_changes_again() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await worker.command(
        "close", case_id=referral.case_id, outcome="unreachable", on=TODAY.isoformat(), by_role="hub"
    )
    someone = person(1, ["05"]).model_copy(update={"revision": 2})

    await worker.interest(someone, someone.person_id)

    assert worker.published.on(CASES.name)[-1].value.status == "closed"


async def test_a_step_refused_when_decided_in_order_writes_nothing_and_is_done_once() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "exploratory_visit")
    written = len(worker.published.sent)

    await milestone(worker, referral, "first_contact")  # backwards: the API checked, the state moved since
    await milestone(worker, referral, "move", days=1000)  # too far ahead
    await milestone(worker, referral, "arrival", days=1)  # tomorrow
    await worker.command("milestone", case_id=uuid.uuid4(), milestone="arrival", on=TODAY.isoformat())

    assert len(worker.published.sent) == written
    # The round (its command and its id), the acceptance, the visit, and the four refused.
    assert len(worker.done) == 8


async def test_a_plan_declined_before_the_arrival_releases_its_settlement() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "first_contact")

    await worker.command("decline", referral_id=referral.referral_id, reason="emploi à Montréal")

    assert settlements(worker)[-1] is None
    assert worker.published.types(SETTLEMENTS.name)[-1] == "matching.SettlementReleased"
    assert [r.status for r in worker.referrals()] == ["declined"]


async def test_an_arrived_household_s_plan_is_neither_declined_nor_cancelled_by_a_withdrawal() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "arrival")

    await worker.command("decline", referral_id=referral.referral_id)
    await worker.command("withdraw", person_id=referral.person_id)

    assert [r.status for r in worker.referrals()] == ["accepted"]
    assert worker.published.types(REFERRALS.name)[-1] == "matching.ReferralAccepted"
    last = settlements(worker)[-1]
    assert last is not None
    assert last.status == "arrived"


async def test_an_erasure_tombstones_the_settlement_the_follow_ups_and_the_measures_with_the_case() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "exploratory_visit")

    await worker.command("erase", person_id=referral.person_id)

    assert settlements(worker)[-1] is None
    assert worker.published.types(SETTLEMENTS.name)[-1] == "matching.SettlementErased"
    assert worker.published.on(SETTLEMENTS.name)[-1].key.case_id == case_id_for(referral.person_id)
    [followups] = worker.published.on(FOLLOWUPS.name)
    assert (followups.key.case_id, followups.value) == (case_id_for(referral.person_id), None)
    [ledger] = worker.published.on(MEASURES.name)
    assert (ledger.key.case_id, ledger.value) == (case_id_for(referral.person_id), None)
    assert worker.settlement_book == {}
    await milestone(worker, referral, "arrival")  # after the erasure: refused, nothing written
    assert settlements(worker)[-1] is None


async def test_settlements_carry_no_contact_data() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "first_contact")

    for value in settlements(worker):
        assert value is not None
        assert not PERSONAL & set(value.model_dump())


async def test_a_close_replayed_after_a_crash_closes_the_case_it_left_open() -> None:
    worker = Worker()
    referral = await accepted(worker)
    opened = settlements(worker)[-1]
    assert opened is not None
    # The settlement was written closed, then the worker stopped before the case was closed.
    closed = opened.model_copy(update={"status": "closed", "outcome": "unreachable", "closed_on": TODAY})
    worker.settlement_book[str(closed.case_id)] = closed.model_dump_json()

    await worker.command(
        "close", case_id=referral.case_id, outcome="unreachable", on=TODAY.isoformat(), by_role="partner"
    )

    assert worker.published.types(CASES.name)[-1] == "matching.CaseClosed"
    assert settlements(worker)[-1] == opened  # nothing more written on settlements.v1


async def test_a_follow_up_answered_is_recorded_on_the_settlement_once_without_its_answers() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "arrival")
    written = len(settlements(worker))

    for month in (6, 3, 6):  # the second 6 is a replay of the command: nothing more
        await worker.command("followup", case_id=referral.case_id, followup_month=month, on=TODAY.isoformat())

    last = settlements(worker)[-1]
    assert last is not None
    assert last.followups_answered == [3, 6]
    assert len(settlements(worker)) == written + 2
    assert worker.published.types(SETTLEMENTS.name)[-1] == "matching.FollowUpRecorded"
    assert worker.published.on(FOLLOWUPS.name) == []  # the answers are matching-api's to write


async def test_a_follow_up_after_the_erasure_writes_nothing() -> None:
    worker = Worker()
    referral = await accepted(worker)
    await milestone(worker, referral, "arrival")
    await worker.command("erase", person_id=referral.person_id)

    await worker.command("followup", case_id=referral.case_id, followup_month=3, on=TODAY.isoformat())

    assert settlements(worker)[-1] is None
