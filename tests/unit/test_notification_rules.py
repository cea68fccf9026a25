"""The rules behind the emails, without sending any: once-only keys, the digest's schedule and content,
and the way dates and times are written."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from services.common.contracts import Delegation, ImmigrationStatus
from services.common.settings import DigestSettings
from services.notifications import ledger
from services.notifications.digest import DigestDue, digests_due, due_week, iso_week, tables_due, upcoming
from services.notifications.documents import documents_to_bring
from services.notifications.formatting import clock, long_date, ordinal
from tests import email_samples as samples

MONTREAL = "America/Toronto"


def test_a_referral_rewritten_without_a_new_decision_keeps_its_key() -> None:
    first = samples.referral()
    rewritten = first.model_copy(update={"updated_at": first.updated_at + timedelta(hours=3)})

    assert ledger.referral_key(first, "proposed", "referral_plan", first.person_id) == ledger.referral_key(
        rewritten, "proposed", "referral_plan", first.person_id
    )


def test_each_new_status_or_review_of_a_referral_is_a_new_email() -> None:
    plan = samples.referral()
    reviewed = samples.referral("counsellor")
    reviewed_again = reviewed.model_copy(
        update={"override": reviewed.override.model_copy(update={"at": samples.NOW + timedelta(days=1)})}  # type: ignore[union-attr]
    )
    keys = {
        ledger.referral_key(plan, "proposed", "referral_plan", plan.person_id),
        ledger.referral_key(plan, "accepted", "referral_partner_update", samples.SANC_ID),
        ledger.referral_key(reviewed, "proposed", "referral_plan", plan.person_id),
        ledger.referral_key(reviewed_again, "proposed", "referral_plan", plan.person_id),
        ledger.referral_key(plan, "proposed", "referral_partner", samples.SANC_ID),
    }
    assert len(keys) == 5


def test_a_case_is_announced_once_to_its_person_and_once_to_each_counsellor_it_is_given_to() -> None:
    case = samples.case()
    other = samples.COUNSELLOR_ID.int + 1

    assert ledger.case_opened_key(case.case_id, case.person_id).startswith(str(case.case_id))
    assert ledger.counsellor_case_key(case.case_id, samples.COUNSELLOR_ID) != ledger.counsellor_case_key(
        case.case_id, type(samples.COUNSELLOR_ID)(int=other)
    )


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (datetime(2027, 3, 1, 11, 59, tzinfo=UTC), None),  # Monday 6:59 in Montréal (UTC-5)
        (datetime(2027, 3, 1, 12, 0, tzinfo=UTC), "2027-W09"),  # Monday 7:00
        (datetime(2027, 3, 5, 18, 0, tzinfo=UTC), "2027-W09"),  # Friday: still that week's digest
        (datetime(2027, 3, 8, 4, 30, tzinfo=UTC), "2027-W09"),  # Sunday 23:30 in Montréal
        (datetime(2027, 3, 8, 5, 30, tzinfo=UTC), None),  # Monday 0:30 in Montréal: next week, not yet
    ],
)
def test_the_digest_is_due_from_monday_seven_in_montreal_to_the_end_of_the_week(
    now: datetime, due: str | None
) -> None:
    assert due_week(now, weekday=1, hour=7, timezone=MONTREAL) == due


def test_monday_at_midnight_makes_the_digest_due_at_once() -> None:
    assert due_week(datetime(2027, 3, 1, 5, 0, tzinfo=UTC), 1, 0, MONTREAL) == iso_week(date(2027, 3, 1))


def test_upcoming_activities_are_the_regions_scheduled_ones_in_the_window() -> None:
    found = upcoming(samples.DIGEST_ENTRIES, "05", date(2027, 3, 1), 14)

    assert [e.day for e in found] == [date(2027, 3, 1), date(2027, 3, 3), date(2027, 3, 6)]
    assert upcoming(samples.DIGEST_ENTRIES, "05", date(2027, 3, 2), 4) == [found[1]]
    assert upcoming(samples.DIGEST_ENTRIES, "17", date(2027, 3, 1), 14) == [found[0]]


def test_only_active_tables_with_a_delegate_and_upcoming_activities_get_a_digest() -> None:
    table = samples.table()
    dissolved = table.model_copy(update={"status": "dissolved"})
    no_delegate = table.model_copy(update={"delegations": []})
    ended = table.model_copy(
        update={
            "delegations": [
                Delegation(partner_id=samples.SANC_ID, start=date(2026, 1, 1), end=date(2026, 12, 31))
            ]
        }
    )
    elsewhere = table.model_copy(update={"region": "08"})
    tables = [table, dissolved, no_delegate, ended, elsewhere]

    assert tables_due(tables, samples.DIGEST_ENTRIES, date(2027, 3, 1), 14) == [table]
    assert tables_due(tables, samples.DIGEST_ENTRIES, date(2027, 5, 1), 14) == []


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (date(2027, 3, 1), "lundi 1er mars 2027", "Monday, March 1, 2027"),
        (date(2026, 12, 25), "vendredi 25 décembre 2026", "Friday, December 25, 2026"),
        (date(2027, 8, 15), "dimanche 15 août 2027", "Sunday, August 15, 2027"),
    ],
)
def test_dates_are_written_in_canadian_french_and_english(value: date, fr: str, en: str) -> None:
    assert long_date(value, "fr") == fr
    assert long_date(value, "en") == en


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (time(10, 0), "10 h", "10 a.m."),
        (time(18, 30), "18 h 30", "6:30 p.m."),
        (time(12, 5), "12 h 05", "12:05 p.m."),
        (time(0, 15), "0 h 15", "12:15 a.m."),
    ],
)
def test_times_are_written_in_canadian_french_and_english(value: time, fr: str, en: str) -> None:
    assert clock(value, "fr") == fr
    assert clock(value, "en") == en


def test_ordinals() -> None:
    assert [ordinal(n, "fr") for n in (1, 2, 3)] == ["1er", "2e", "3e"]
    assert [ordinal(n, "en") for n in (1, 2, 3, 11, 21)] == ["1st", "2nd", "3rd", "11th", "21st"]


def test_every_immigration_status_has_documents_to_bring_in_both_languages() -> None:
    documents = documents_to_bring()
    asylum = documents.for_status(ImmigrationStatus.ASYLUM_SEEKER, "fr")
    unknown = documents.for_status(None, "en")

    assert "Votre document de demandeur d'asile" in asylum
    assert len(unknown) == len(documents.common)
    assert all(d.fr != d.en for ds in documents.by_status.values() for d in ds)


def test_the_timer_triggers_each_due_tables_digest_once_the_weeks_hour_came() -> None:
    table = samples.table()
    other = table.model_copy(update={"table_id": uuid.uuid4(), "name": "Une autre table"})
    schedule = DigestSettings(weekday=1, hour=7)
    monday_six, monday_eight = (datetime(2027, 3, 1, h, 0, tzinfo=ZoneInfo(MONTREAL)) for h in (6, 8))
    sent = {(other.table_id, "2027-W09")}

    def known(table_id: UUID, week: str) -> bool:
        return (table_id, week) in sent

    assert digests_due(monday_six, schedule, [table, other], samples.DIGEST_ENTRIES, known) == []
    due = digests_due(monday_eight, schedule, [table, other], samples.DIGEST_ENTRIES, known)
    assert due == [DigestDue(table_id=table.table_id, week="2027-W09", as_of=date(2027, 3, 1))]
    off = schedule.model_copy(update={"enabled": False})
    assert digests_due(monday_eight, off, [table], samples.DIGEST_ENTRIES, known) == []
