"""Every (status, action) pair of each entity's transition table, against the domain that applies it.

An allowed action leads to one of the statuses the table names; a refused one is refused (409)
or leaves the entity as it was. The tables are in services/events/lifecycle.py (proposal and
calendar entry) and services/matching/lifecycle.py (case, referral and settlement).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import get_args

import pytest

from services.common.contracts import (
    ActivityKind,
    ActivityProposed,
    CalendarCommand,
    CalendarRules,
    Milestone,
    Referral,
    Settlement,
    SettlementOutcome,
)
from services.common.contracts.events import DecisionStatus
from services.common.contracts.settlements import SettlementStatus
from services.common.errors import Conflict
from services.events import lifecycle as calendar_life
from services.events.commands import apply_command
from services.events.domain import decide
from services.matching import concertation, followups
from services.matching import lifecycle as matching_life
from services.matching import settlement as journey
from services.matching.domain import CaseSummary, close_case, open_case
from services.matching.state import People
from tests.unit.calendar_fakes import NOW, SATURDAY, FakeCalendar, proposal, rules
from tests.unit.matching_builders import NOW as MATCHING_NOW
from tests.unit.matching_builders import person
from tests.unit.test_concertation import LIMITS, two_places_one_taken

PROPOSAL_PAIRS = [(s, a) for s in get_args(DecisionStatus) for a in get_args(calendar_life.ProposalAction)]
REFERRAL_PAIRS = [
    (s, a) for s in get_args(matching_life.ReferralStatus) for a in get_args(matching_life.ReferralAction)
]
CASE_PAIRS = [(s, a) for s in get_args(matching_life.CaseStatus) for a in get_args(matching_life.CaseAction)]
SETTLEMENT_PAIRS = [
    (s, a) for s in get_args(SettlementStatus) for a in get_args(matching_life.SettlementAction)
]


def _kiosk(region: str) -> ActivityProposed:
    return proposal(region, kind=ActivityKind.FAIR_KIOSK, sectors=["2"], open_to_joint=True)


def _place(calendar: FakeCalendar, p: ActivityProposed, in_force: CalendarRules) -> None:
    calendar.keep_proposal(p)
    calendar.save(decide(p, calendar, in_force, NOW))


def _command(p: ActivityProposed, action: str) -> CalendarCommand:
    later = [SATURDAY + timedelta(days=7)] if action == "reschedule" else []
    return CalendarCommand.model_validate(
        {
            "command_id": uuid.uuid4(),
            "proposal_id": p.proposal_id,
            "action": action,
            "by_partner": None,
            "issued_at": NOW,
            "preferred_dates": later,
        }
    )


def _proposal_in(status: DecisionStatus) -> tuple[FakeCalendar, ActivityProposed, CalendarRules]:
    """A calendar holding one proposal whose entry is in ``status``, reached as people reach it."""
    calendar = FakeCalendar()
    in_force = rules(
        endorsement_required=[ActivityKind.SPEED_RECRUITING] if status == "pending_endorsement" else [],
        blackout_dates=[SATURDAY] if status == "not_possible" else [],
    )
    if status == "joint_suggested":
        _place(calendar, _kiosk("05"), in_force)
        subject = _kiosk("16")
    elif status == "pending_endorsement":
        subject = proposal("16", kind=ActivityKind.SPEED_RECRUITING)
    else:
        subject = proposal("16")
    _place(calendar, subject, in_force)
    if status == "withdrawn":
        apply_command(_command(subject, "withdraw"), calendar, in_force, NOW)
    entry = calendar.entry(subject.proposal_id)
    assert entry is not None
    assert entry.status == status
    return calendar, subject, in_force


@pytest.mark.parametrize(("status", "action"), PROPOSAL_PAIRS)
def test_each_action_on_a_proposal_leads_where_its_table_says(
    status: DecisionStatus, action: calendar_life.ProposalAction
) -> None:
    calendar, subject, in_force = _proposal_in(status)
    before = calendar.entry(subject.proposal_id)

    apply_command(_command(subject, action), calendar, in_force, NOW)

    after = calendar.entry(subject.proposal_id)
    assert after is not None
    targets = calendar_life.PROPOSAL[status].get(action)
    if targets is None:
        assert not calendar_life.allows(status, action)
        assert after == before  # refused: the worker leaves the entry as it was
    else:
        assert after.status in targets
        assert after != before


def test_the_calendar_entry_moves_are_made_only_on_a_scheduled_entry() -> None:
    for status in get_args(DecisionStatus):
        for move in get_args(calendar_life.EntryMove):
            assert calendar_life.entry_allows(status, move) == (status == "scheduled")
            if status == "scheduled":
                assert calendar_life.CALENDAR_ENTRY[status][move] == {"scheduled"}


def test_asking_for_a_review_is_recorded_once_and_a_review_clears_it() -> None:
    market, proposed, _ = two_places_one_taken()
    asked = concertation.request_review(proposed, NOW)
    assert asked.review_requested_at == NOW
    assert asked.status == "proposed"
    assert concertation.request_review(asked, NOW + timedelta(days=1)) is asked, (
        "asking twice changes nothing"
    )
    reviewed = concertation.override(asked, None, "Revu avec la personne", "c-7", market, LIMITS, NOW)
    assert reviewed.review_requested_at is None


@pytest.mark.parametrize(("status", "action"), REFERRAL_PAIRS)
def test_each_action_on_a_referral_leads_where_its_table_says(
    status: matching_life.ReferralStatus, action: matching_life.ReferralAction
) -> None:
    market, proposed, _ = two_places_one_taken()
    referral = proposed.model_copy(update={"status": status})
    targets = matching_life.REFERRAL[status].get(action)

    def apply() -> Referral:
        if action == "accept":
            return concertation.accept(referral, NOW)
        if action == "decline":
            return concertation.decline(referral, "trop loin", NOW)
        if action == "override":
            return concertation.override(referral, None, "Revu", "c-7", market, LIMITS, NOW)
        if action == "request_review":
            return concertation.request_review(referral, NOW)
        return concertation.cancel(referral, NOW)

    if targets is not None:
        assert apply().status in targets
    elif action == "cancel":
        assert apply() == referral  # a withdrawal leaves a plan already closed as it is
    else:
        with pytest.raises(Conflict, match=f"is {status}: {matching_life.REFERRAL_REFUSALS[action]}"):
            apply()


@pytest.mark.parametrize(("status", "action"), CASE_PAIRS)
def test_each_action_on_a_case_leads_where_its_table_says(
    status: matching_life.CaseStatus, action: matching_life.CaseAction
) -> None:
    interest = person(1, ["05"], withdrawn_at=MATCHING_NOW if status == "withdrawn" else None)
    case = open_case(interest, now=MATCHING_NOW).model_copy(update={"status": status})
    allowed = matching_life.case_allows(status, action)
    targets = matching_life.CASE[status].get(action, frozenset())
    if action == "assign_counsellor":
        assert CaseSummary.of(case).waiting == allowed
    elif action == "refer":
        people = People()
        people.wrote(CaseSummary.of(case))
        people.read_interest(interest.person_id, interest.model_dump_json().encode(), (0, 0))
        assert (interest.person_id in people.taking_part()) == allowed
    elif action == "erase":
        assert targets == {"erased"}  # every case may be erased: a tombstone, whatever its status
    elif action == "close":
        if allowed:
            assert close_case(case, MATCHING_NOW).status in targets
        else:
            with pytest.raises(Conflict, match="only an open case closes"):
                close_case(case, MATCHING_NOW)
        # Closed, it stays closed whatever the interest says next (an update, a replay).
        closed = case.model_copy(update={"status": "closed"})
        assert open_case(interest.model_copy(update={"revision": 2}), previous=closed).status == "closed"
    elif allowed:
        revision = interest.model_copy(
            update={"revision": 2, "withdrawn_at": MATCHING_NOW if action == "withdraw" else None}
        )
        assert open_case(revision, previous=case, now=MATCHING_NOW).status in targets
    else:  # the routes refuse to update, withdraw or change the contact of a person who withdrew
        assert status != "open"


def _settlement_in(status: SettlementStatus) -> tuple[Referral, Settlement]:
    """A settlement in ``status``, reached as a welcoming partner reaches it, milestone by milestone."""
    _, proposed, _ = two_places_one_taken()
    accepted = concertation.accept(proposed, MATCHING_NOW)
    settlement = journey.open_settlement(accepted, MATCHING_NOW)
    assert settlement is not None
    today = MATCHING_NOW.date()
    steps: dict[str, Milestone] = {
        "contacted": "first_contact",
        "visited": "exploratory_visit",
        "moving": "move",
        "arrived": "arrival",
    }
    if status in steps:
        settlement = journey.record(settlement, steps[status], today, "partner", today, MATCHING_NOW)
    elif status == "closed":
        settlement = journey.close(settlement, "unreachable", today, None, "hub", today, MATCHING_NOW)
    assert settlement.status == status
    return accepted, settlement


@pytest.mark.parametrize(("status", "action"), SETTLEMENT_PAIRS)
def test_each_action_on_a_settlement_leads_where_its_table_says(
    status: SettlementStatus, action: matching_life.SettlementAction
) -> None:
    plan, settlement = _settlement_in(status)
    today = MATCHING_NOW.date()
    targets = matching_life.SETTLEMENT[status].get(action)

    def apply() -> str:
        if action == "close":
            outcome: SettlementOutcome = "settled_in_region" if status == "arrived" else "back_in_montreal"
            return journey.close(settlement, outcome, today, None, "partner", today, MATCHING_NOW).status
        if action == "release":
            journey.check_release(settlement, plan)
            return "released"
        if action == "erase":
            return "erased"  # a tombstone, whatever the status
        if action == "followup":
            followups.check_answer(settlement, None, 3, today + timedelta(days=100))
            return settlement.status
        return journey.record(settlement, action, today, "partner", today, MATCHING_NOW).status

    if targets is not None:
        assert apply() in targets
    else:
        with pytest.raises(Conflict):
            apply()


@pytest.mark.parametrize("status", get_args(SettlementStatus))
def test_a_case_closes_as_settled_in_the_region_only_once_the_household_arrived(
    status: SettlementStatus,
) -> None:
    _, settlement = _settlement_in(status)
    today = MATCHING_NOW.date()

    def settle() -> Settlement:
        return journey.close(settlement, "settled_in_region", today, None, "partner", today, MATCHING_NOW)

    if status == "arrived":
        assert settle().outcome == "settled_in_region"
    else:
        with pytest.raises(Conflict):
            settle()
