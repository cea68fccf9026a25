"""Follow-ups (pure): a household's answers at 3, 6, 12 and 24 months after its arrival.

Once the arrival is recorded on the settlement, and until its case is closed (lifecycle.py's
table: ``followup`` while ``arrived``), each follow-up may be answered from two weeks before its
day (services/common/followup_schedule.py), once: a follow-up is not answered again (409).
Refusals carry a stable code; the API checks them before it writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from services.common.contracts import FollowUpAnswered, FollowUpAnswers, FollowUpMonth, FollowUps, Settlement
from services.common.errors import Conflict, Rejected
from services.common.followup_schedule import due_days, opens_on
from services.common.messages import say

from .lifecycle import check_settlement, settlement_allows

AnsweredBy = Literal["hub", "partner", "delegate", "person"]


def check_answer(
    settlement: Settlement, current: FollowUps | None, month: FollowUpMonth, today: date
) -> date:
    """The day the follow-up is due, if it may be answered ``today`` (else 409, or 422 on ``month``)."""
    if not settlement_allows(settlement.status, "followup"):
        if settlement.arrived_on is None:
            raise Conflict(say("followup_before_arrival", case=settlement.case_id, status=settlement.status))
        check_settlement(settlement.case_id, settlement.status, "followup")  # closed: no longer followed
    assert settlement.arrived_on is not None  # the table allows a follow-up once arrived only
    due_on = due_days(settlement.arrived_on)[month]
    if today < opens_on(due_on):
        raise Rejected("month", say("followup_not_due", value=month, due=due_on, opens=opens_on(due_on)))
    if current is not None and any(done.month == month for done in current.answered):
        raise Conflict(say("followup_answered", case=settlement.case_id, value=month))
    return due_on


def answer(
    settlement: Settlement,
    current: FollowUps | None,
    month: FollowUpMonth,
    answers: FollowUpAnswers,
    by_role: AnsweredBy,
    today: date,
    now: datetime,
) -> FollowUps:
    """The case's follow-ups with ``month`` answered ``today`` (the checks of ``check_answer``)."""
    due_on = check_answer(settlement, current, month, today)
    assert settlement.arrived_on is not None  # checked
    done = FollowUpAnswered(
        month=month, due_on=due_on, answered_on=today, recorded_at=now, by_role=by_role, answers=answers
    )
    earlier = current.answered if current is not None else []
    return FollowUps(
        case_id=settlement.case_id,
        person_id=settlement.person_id,
        welcoming_partner_id=settlement.welcoming_partner_id,
        arrived_on=settlement.arrived_on,
        answered=sorted([*earlier, done], key=lambda d: d.month),
        updated_at=now,
    )
