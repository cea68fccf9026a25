"""Every (status, action) pair of each entity's transition table, against the domain that applies it.

An allowed action leads to one of the statuses the table names; a refused one is refused (409)
or leaves the entity as it was. The tables are in services/events/lifecycle.py (proposal and
calendar entry) and services/matching/lifecycle.py (case and referral).
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
    Referral,
)
from services.common.contracts.events import DecisionStatus
from services.common.errors import Conflict
from services.events import lifecycle as calendar_life
from services.events.commands import apply_command
from services.events.domain import decide
from services.matching import concertation
from services.matching import lifecycle as matching_life
from services.matching.domain import CaseSummary, open_case
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
    elif allowed:
        revision = interest.model_copy(
            update={"revision": 2, "withdrawn_at": MATCHING_NOW if action == "withdraw" else None}
        )
        assert open_case(revision, previous=case, now=MATCHING_NOW).status in targets
    else:  # the routes refuse to update, withdraw or change the contact of a person who withdrew
        assert status != "open"
