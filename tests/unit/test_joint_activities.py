"""Joint activities and actions on proposals: endorse, withdraw, reschedule, accept or decline joint."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from services.common.contracts import ActivityKind, ActivityProposed, CalendarCommand, CalendarRules
from services.events.commands import apply_command
from services.events.domain import decide
from tests.unit.calendar_fakes import NOW, SATURDAY, FakeCalendar, hours, proposal, rules


def _place(calendar: FakeCalendar, p: ActivityProposed, in_force: CalendarRules) -> str:
    calendar.keep_proposal(p)
    entry = decide(p, calendar, in_force, NOW)
    calendar.save(entry)
    return entry.status


def _act(
    calendar: FakeCalendar, p: ActivityProposed, action: str, in_force: CalendarRules, **more: object
) -> None:
    command = CalendarCommand.model_validate(
        {
            "command_id": uuid.uuid4(),
            "proposal_id": p.proposal_id,
            "action": action,
            "by_partner": None,
            "issued_at": NOW,
            **more,
        }
    )
    apply_command(command, calendar, in_force, NOW)


def _kiosk(region: str, **more: Any) -> ActivityProposed:
    return proposal(region, kind=ActivityKind.FAIR_KIOSK, **{"sectors": ["2"], "open_to_joint": True, **more})


def test_a_second_kiosk_for_the_same_audience_is_invited_to_join_the_first() -> None:
    calendar, in_force = FakeCalendar(), rules()
    host = _kiosk("05")
    _place(calendar, host, in_force)
    guest = decide(_kiosk("16"), calendar, in_force, NOW)
    assert (guest.status, guest.joint_with, guest.day) == ("joint_suggested", host.proposal_id, SATURDAY)


def test_a_kiosk_that_fits_nowhere_is_invited_to_join_one_near_its_dates() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1, joint_window_days=3)
    host = _kiosk("05")
    _place(calendar, host, in_force)
    _place(calendar, proposal("08", days=[SATURDAY + timedelta(days=1)]), in_force)
    guest = decide(_kiosk("16", days=[SATURDAY + timedelta(days=1)]), calendar, in_force, NOW)
    assert (guest.status, guest.joint_with, guest.day) == ("joint_suggested", host.proposal_id, SATURDAY)


def test_a_kiosk_with_room_on_another_day_than_its_neighbours_is_simply_scheduled() -> None:
    calendar, in_force = FakeCalendar(), rules()
    _place(calendar, _kiosk("05"), in_force)
    other_day = decide(_kiosk("16", days=[SATURDAY + timedelta(days=1)]), calendar, in_force, NOW)
    assert other_day.status == "scheduled"


def test_no_joint_is_suggested_for_another_audience_or_kind_or_far_away() -> None:
    calendar, in_force = FakeCalendar(), rules(joint_window_days=3)
    _place(calendar, _kiosk("05"), in_force)
    other_sector = decide(_kiosk("16", sectors=["6"], at=hours(1)), calendar, in_force, NOW)
    other_kind = decide(proposal("16", at=hours(2), sectors=["2"]), calendar, in_force, NOW)
    far = decide(_kiosk("16", days=[SATURDAY + timedelta(days=10)]), calendar, in_force, NOW)
    assert [e.status for e in (other_sector, other_kind, far)] == ["scheduled"] * 3


def test_accepting_a_joint_holds_the_guest_with_its_host_without_taking_a_place() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    host, guest = _kiosk("05"), _kiosk("16")
    _place(calendar, host, in_force)
    assert _place(calendar, guest, in_force) == "joint_suggested"
    _act(calendar, guest, "accept_joint", in_force)
    joined, hosting = calendar.entry(guest.proposal_id), calendar.entry(host.proposal_id)
    assert joined is not None
    assert hosting is not None
    assert (joined.status, joined.joint_with, joined.day) == ("scheduled", host.proposal_id, SATURDAY)
    assert hosting.joint_members == [guest.proposal_id]
    _act(calendar, guest, "accept_joint", in_force)  # twice is once
    hosting = calendar.entry(host.proposal_id)
    assert hosting is not None
    assert hosting.joint_members == [guest.proposal_id]


def test_declining_a_joint_decides_the_activity_on_its_own() -> None:
    calendar, in_force = FakeCalendar(), rules()
    _place(calendar, _kiosk("05"), in_force)
    guest = _kiosk("16", at=hours(2))
    _place(calendar, guest, in_force)
    _act(calendar, guest, "decline_joint", in_force)
    alone = calendar.entry(guest.proposal_id)
    assert alone is not None
    assert (alone.status, alone.joint_with) == ("scheduled", None)


def test_withdrawing_a_host_frees_its_day_and_its_guests_are_decided_again() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    host, guest = _kiosk("05"), _kiosk("16")
    _place(calendar, host, in_force)
    _place(calendar, guest, in_force)
    _act(calendar, guest, "accept_joint", in_force)
    _act(calendar, host, "withdraw", in_force)
    gone, freed = calendar.entry(host.proposal_id), calendar.entry(guest.proposal_id)
    assert gone is not None
    assert freed is not None
    assert gone.status == "withdrawn"
    assert (freed.status, freed.day, freed.joint_with) == ("scheduled", SATURDAY, None)
    assert len(calendar.on(SATURDAY)) == 1


def test_endorsing_schedules_a_waiting_proposal_once() -> None:
    calendar, in_force = FakeCalendar(), rules(endorsement_required=["bus_trip"])
    trip = proposal("08", kind=ActivityKind.BUS_TRIP)
    assert _place(calendar, trip, in_force) == "pending_endorsement"
    _act(calendar, trip, "endorse", in_force)
    _act(calendar, trip, "endorse", in_force)
    entry = calendar.entry(trip.proposal_id)
    assert entry is not None
    assert (entry.status, entry.day) == ("scheduled", SATURDAY)
    assert len(calendar.on(SATURDAY)) == 1


def test_rescheduling_moves_the_activity_and_frees_its_old_day() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    session = proposal("08")
    _place(calendar, session, in_force)
    later = SATURDAY + timedelta(days=7)
    _act(calendar, session, "reschedule", in_force, preferred_dates=[later])
    moved = calendar.entry(session.proposal_id)
    assert moved is not None
    assert moved.day == later
    assert calendar.on(SATURDAY) == []
    assert _place(calendar, proposal("09"), in_force) == "scheduled"


def test_accepting_a_joint_whose_host_left_decides_the_activity_on_its_own() -> None:
    """The organizer agreed to share one activity; if that host is gone, the proposal is decided on
    its own (docs/calendar.md) rather than sent to a second suggestion, even where one would fit."""
    calendar, in_force = FakeCalendar(), rules(max_per_day=2)
    host, other_host = _kiosk("05"), _kiosk("12", at=hours(1), open_to_joint=False)
    _place(calendar, host, in_force)
    _place(calendar, other_host, in_force)
    guest = _kiosk("16", at=hours(2))
    assert _place(calendar, guest, in_force) == "joint_suggested"
    suggested = calendar.entry(guest.proposal_id)
    assert suggested is not None
    assert suggested.joint_with is not None
    first_host = calendar.proposal(suggested.joint_with)
    assert first_host is not None
    _act(calendar, first_host, "withdraw", in_force)
    _act(calendar, guest, "accept_joint", in_force)
    decided = calendar.entry(guest.proposal_id)
    assert decided is not None
    assert decided.status != "joint_suggested"
    assert (decided.status, decided.joint_with, decided.day) == ("scheduled", None, SATURDAY)
    stored = calendar.proposal(guest.proposal_id)
    assert stored is not None
    assert stored.open_to_joint  # a later reschedule may suggest a joint activity again
