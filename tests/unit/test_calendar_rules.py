"""The calendar's decisions on proposals, rule by rule (pure: an in-memory calendar)."""

from __future__ import annotations

from datetime import date, time, timedelta

from services.common.contracts import ActivityKind, ActivityProposed, CalendarRules, Venue
from services.events.domain import decide
from tests.unit.calendar_fakes import NOW, SATURDAY, FakeCalendar, hours, proposal, rules


def _place(calendar: FakeCalendar, p: ActivityProposed, in_force: CalendarRules) -> str:
    calendar.keep_proposal(p)
    entry = decide(p, calendar, in_force, NOW)
    calendar.save(entry)
    return entry.status


def test_a_free_first_choice_is_scheduled_as_first_choice() -> None:
    entry = decide(proposal(), FakeCalendar(), rules(), NOW)
    assert (entry.status, entry.day, entry.preference_rank) == ("scheduled", SATURDAY, 1)


def test_a_fourth_activity_on_a_full_saturday_goes_to_its_second_choice() -> None:
    calendar, in_force = FakeCalendar(), rules()
    for n, region in enumerate(["02", "04", "08"]):
        assert _place(calendar, proposal(region, at=hours(n)), in_force) == "scheduled"
    fourth = decide(proposal("09", [SATURDAY, SATURDAY + timedelta(days=7)]), calendar, in_force, NOW)
    assert (fourth.status, fourth.preference_rank) == ("scheduled", 2)


def test_when_every_preferred_date_is_full_the_nearest_feasible_days_are_offered() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    _place(calendar, proposal("02"), in_force)
    _place(calendar, proposal("04", [SATURDAY + timedelta(days=1)]), in_force)
    refused = decide(proposal("08"), calendar, in_force, NOW)
    assert refused.status == "not_possible"
    assert refused.alternatives == [SATURDAY + timedelta(days=d) for d in (2, 3, 4)]
    assert "des 1 activités régionales permises" in refused.reason  # the organizer's language: French
    assert refused.reason.startswith("Impossible tel que demandé : ")
    assert (refused.reason_code, refused.language) == ("decision_not_possible", "fr")


def test_no_more_than_the_slot_maximum_run_at_the_same_time() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_slot=2)
    _place(calendar, proposal("02", at=time(10, 0)), in_force)
    _place(calendar, proposal("04", at=time(11, 0)), in_force)
    overlapping = decide(proposal("08", at=time(11, 30)), calendar, in_force, NOW)
    later = decide(proposal("08", at=time(14, 0)), calendar, in_force, NOW)
    assert overlapping.status == "not_possible"
    assert "ont déjà lieu à ce moment" in overlapping.reason
    assert later.status == "scheduled"


def test_two_activities_of_one_region_keep_their_distance() -> None:
    calendar, in_force = FakeCalendar(), rules(min_days_same_region=7)
    _place(calendar, proposal("05"), in_force)
    too_close = decide(proposal("05", [SATURDAY + timedelta(days=3)]), calendar, in_force, NOW)
    far_enough = decide(proposal("05", [SATURDAY + timedelta(days=7)]), calendar, in_force, NOW)
    other_region = decide(proposal("16", [SATURDAY + timedelta(days=3)]), calendar, in_force, NOW)
    assert too_close.status == "not_possible"
    assert "la région 05" in too_close.reason
    assert far_enough.status == "scheduled"
    assert other_region.status == "scheduled"


def test_activities_for_the_same_sector_keep_their_distance() -> None:
    calendar, in_force = FakeCalendar(), rules(min_days_same_sector=2)
    _place(calendar, proposal("02", sectors=["21"]), in_force)
    same_sector = decide(proposal("04", sectors=["21231"], open_to_joint=False), calendar, in_force, NOW)
    other_sector = decide(proposal("04", sectors=["31"], open_to_joint=False), calendar, in_force, NOW)
    assert same_sector.status == "not_possible"
    assert other_sector.status == "scheduled"


def test_blackout_and_past_dates_are_never_scheduled() -> None:
    in_force = rules(blackout_dates=[SATURDAY])
    assert decide(proposal(), FakeCalendar(), in_force, NOW).status == "not_possible"
    past = decide(proposal(days=[date(2026, 11, 1)]), FakeCalendar(), rules(), NOW)
    assert past.status == "not_possible"
    assert "est passé" in past.reason


def test_a_venue_must_exist_and_hold_everyone_there_at_once() -> None:
    hall = Venue(venue_id="grande-bibliotheque", name="Grande Bibliothèque", capacity=300)
    calendar, in_force = FakeCalendar(), rules(venues=[hall])
    unknown = decide(proposal(venue_id="nowhere"), calendar, in_force, NOW)
    too_big = decide(proposal(venue_id=hall.venue_id, expected_attendance=500), calendar, in_force, NOW)
    assert "lieu inconnu" in unknown.reason
    assert "accueillerait 500 personnes" in too_big.reason
    _place(calendar, proposal("02", venue_id=hall.venue_id, expected_attendance=200), in_force)
    crowded = decide(proposal("04", venue_id=hall.venue_id, expected_attendance=150), calendar, in_force, NOW)
    fits = decide(proposal("04", venue_id=hall.venue_id, expected_attendance=100), calendar, in_force, NOW)
    assert "accueillerait 350 personnes à ce moment (capacité 300)" in crowded.reason
    assert fits.status == "scheduled"


def test_a_redelivered_proposal_keeps_its_place_and_takes_no_second_one() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    first = proposal("02", [SATURDAY, SATURDAY + timedelta(days=7)])
    _place(calendar, first, in_force)
    again = decide(first, calendar, in_force, NOW)
    assert (again.status, again.day) == ("scheduled", SATURDAY)
    assert len(calendar.on(SATURDAY)) == 1


def test_a_kind_that_needs_endorsement_waits_for_it() -> None:
    in_force = rules(endorsement_required=["bus_trip"])
    waiting = decide(proposal(kind=ActivityKind.BUS_TRIP), FakeCalendar(), in_force, NOW)
    endorsed = decide(proposal(kind=ActivityKind.BUS_TRIP, endorsed=True), FakeCalendar(), in_force, NOW)
    assert waiting.status == "pending_endorsement"
    assert endorsed.status == "scheduled"


def test_the_slot_maximum_counts_what_runs_at_one_moment_not_every_overlap() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_slot=2)
    _place(calendar, proposal("02", at=time(9, 0)), in_force)  # 9:00–11:00
    _place(calendar, proposal("04", at=time(11, 30)), in_force)  # 11:30–13:30
    bridging = decide(proposal("08", at=time(10, 0), duration_minutes=240), calendar, in_force, NOW)
    assert bridging.status == "scheduled"  # never more than two at once
    third_at_ten = decide(proposal("09", at=time(10, 30)), calendar, in_force, NOW)
    calendar.save(bridging)
    assert decide(proposal("09", at=time(10, 30)), calendar, in_force, NOW).status == "not_possible"
    assert third_at_ten.status == "scheduled"  # before the bridging session was held


def test_a_webinar_takes_none_of_montreals_places() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    _place(calendar, proposal("02"), in_force)
    online = decide(proposal("04", kind=ActivityKind.WEBINAR), calendar, in_force, NOW)
    assert online.status == "scheduled"


def test_a_decision_is_explained_in_its_organizers_language() -> None:
    calendar, in_force = FakeCalendar(), rules(max_per_day=1)
    _place(calendar, proposal("02"), in_force)
    english = decide(proposal("08", language="en"), calendar, in_force, NOW)
    french = decide(proposal("08", language="fr"), calendar, in_force, NOW)
    day = SATURDAY.isoformat()
    assert english.reason == f"Not possible as asked: {day}: {day} already has 1 of 1 regional activities"
    assert french.reason == (
        f"Impossible tel que demandé : {day} : le {day} compte déjà 1 des 1 activités régionales permises"
    )
    assert english.reason_code == french.reason_code == "decision_not_possible"
    scheduled = decide(proposal("09", [SATURDAY + timedelta(days=1)], language="en"), calendar, in_force, NOW)
    assert (scheduled.reason, scheduled.language) == ("Scheduled on the first choice.", "en")
