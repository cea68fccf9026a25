"""Settlement (pure): a household's journey after it accepted its plan, milestone by milestone, to a
closed case with an outcome.

A settlement begins when a plan is accepted (``open_settlement``). The welcoming organization, or
the hub, records the first contact, the exploratory visit, the move date and the arrival
(``record``), then closes it with an outcome (``close``). Which step each status allows is
lifecycle.py's table; this module adds the rules on days, each refused with a 422 naming the field:

- no day before the plan was accepted, nor before a milestone already lived (a planned move date
  is not lived: the household may arrive before it);
- no day in the future, except a move date, planned at most ``MOVE_AHEAD_DAYS`` ahead.

The API checks these for a quick answer; the worker checks them again when it decides the command
in order (the settlement may have moved in between).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from services.common.clock import local_date
from services.common.contracts import Milestone, Referral, Settlement, SettlementOutcome, SettlementStep
from services.common.errors import Conflict, Rejected
from services.common.messages import say

from .lifecycle import SETTLEMENT, SettlementAction, check_closing, check_settlement, settlement_allows

MOVE_AHEAD_DAYS = 730
ByRole = Literal["hub", "partner", "delegate"]
# Where each milestone's day is kept on the settlement.
DAY_FIELD: dict[Milestone, str] = {
    "first_contact": "first_contact_on",
    "exploratory_visit": "exploratory_visit_on",
    "move": "move_on",
    "arrival": "arrived_on",
}
LIVED: tuple[Milestone, ...] = ("first_contact", "exploratory_visit", "arrival")


def open_settlement(referral: Referral, now: datetime) -> Settlement | None:
    """The settlement an accepted plan begins (None for a plan with no welcoming organization)."""
    if referral.welcoming_partner_id is None or referral.region is None:
        return None
    return Settlement(
        case_id=referral.case_id,
        person_id=referral.person_id,
        referral_id=referral.referral_id,
        region=referral.region,
        welcoming_partner_id=referral.welcoming_partner_id,
        status="awaiting_contact",
        opened_at=now,
        updated_at=now,
    )


def following(settlement: Settlement | None, referral: Referral) -> Settlement | None:
    """``settlement`` if it follows ``referral`` (a case's settlement follows its accepted plan)."""
    return settlement if settlement is not None and settlement.referral_id == referral.referral_id else None


def check_release(settlement: Settlement | None, referral: Referral) -> None:
    """Refuse (409) to decline, override or cancel a plan whose household has arrived (it is lived)."""
    followed = following(settlement, referral)
    if followed is not None and not settlement_allows(followed.status, "release"):
        raise Conflict(say("plan_lived", referral=referral.referral_id))


def check_day(settlement: Settlement, action: SettlementAction, on: date, today: date) -> None:
    """Refuse (422 on ``on``) a day in the future (a move: too far ahead), or before what was lived."""
    if action == "move":
        if on > today + timedelta(days=MOVE_AHEAD_DAYS):
            raise Rejected("on", say("move_too_far", value=on, days=MOVE_AHEAD_DAYS))
    elif on > today:
        raise Rejected("on", say("date_in_future", value=on))
    accepted = local_date(settlement.opened_at)
    if on < accepted:
        raise Rejected("on", say("date_before_acceptance", value=on, accepted=accepted))
    for milestone in LIVED:
        earlier: date | None = getattr(settlement, DAY_FIELD[milestone])
        if earlier is not None and on < earlier:
            raise Rejected("on", say("date_before_milestone", value=on, milestone=milestone, earlier=earlier))


def check_region(settlement: Settlement, outcome: SettlementOutcome, region: str | None) -> None:
    """Refuse (422 on ``moved_to_region``) a region with another outcome, Montréal, or the plan's own."""
    if region is None:
        return
    if outcome != "moved_to_another_region":
        raise Rejected("moved_to_region", say("region_without_move"))
    if region in ("06", settlement.region):
        raise Rejected("moved_to_region", say("region_for_outcome", value=region, region=settlement.region))


def record(
    settlement: Settlement, milestone: Milestone, on: date, by_role: ByRole, today: date, now: datetime
) -> Settlement:
    """The settlement with ``milestone`` recorded on ``on`` (409 backwards, 422 for a wrong day)."""
    check_settlement(settlement.case_id, settlement.status, milestone)
    check_day(settlement, milestone, on, today)
    [status] = SETTLEMENT[settlement.status][milestone]
    step = SettlementStep(action=milestone, on=on, recorded_at=now, by_role=by_role)
    return settlement.model_copy(
        update={
            "status": status,
            DAY_FIELD[milestone]: on,
            "steps": [*settlement.steps, step],
            "updated_at": now,
        }
    )


def close(
    settlement: Settlement,
    outcome: SettlementOutcome,
    on: date,
    moved_to_region: str | None,
    by_role: ByRole,
    today: date,
    now: datetime,
) -> Settlement:
    """The settlement closed with ``outcome`` observed on ``on`` (its case closes with it)."""
    check_closing(settlement.case_id, settlement.status, outcome)
    check_region(settlement, outcome, moved_to_region)
    check_day(settlement, "close", on, today)
    step = SettlementStep(action="close", on=on, recorded_at=now, by_role=by_role)
    return settlement.model_copy(
        update={
            "status": "closed",
            "outcome": outcome,
            "moved_to_region": moved_to_region,
            "closed_on": on,
            "steps": [*settlement.steps, step],
            "updated_at": now,
        }
    )
