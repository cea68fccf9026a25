"""The life cycles of a case, of a referral plan, of a settlement and of a measure (pure): which action each
status allows, and what it leads to.

One table per entity. The routes ask it before writing a command (a quick 409), and the
worker and the domain ask it when they decide the command in order (the status may have
changed in between); nothing else spells a status rule. A status missing from a table, or
an action missing from a status, is an action that status refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from uuid import UUID

from services.common.contracts import InterestDeclared, MeasureAction, MeasureStatus, SettlementOutcome
from services.common.contracts.settlements import SettlementStatus
from services.common.errors import Conflict
from services.common.messages import say

CaseStatus = Literal["open", "closed", "withdrawn"]
CaseAction = Literal["update", "withdraw", "assign_counsellor", "refer", "change_contact", "close", "erase"]
# An erased case leaves no record (a tombstone on cases.v1): "erased" is not a status it carries.
CaseOutcome = Literal["open", "closed", "withdrawn", "erased"]

ReferralStatus = Literal["proposed", "accepted", "declined", "cancelled"]
ReferralAction = Literal["accept", "decline", "override", "cancel", "request_review"]

CASE: Mapping[CaseStatus, Mapping[CaseAction, frozenset[CaseOutcome]]] = {
    "open": {
        "update": frozenset({"open"}),  # a new revision of the interest; the counsellor stays
        "withdraw": frozenset({"withdrawn"}),  # the person no longer wishes to move
        "assign_counsellor": frozenset({"open"}),  # from the queue, or at intake
        "refer": frozenset({"open"}),  # a concertation round may refer the household
        "change_contact": frozenset({"open"}),  # new contact details or language of messages
        "close": frozenset({"closed"}),  # its settlement closed with an outcome
        "erase": frozenset({"erased"}),
    },
    "withdrawn": {"erase": frozenset({"erased"})},  # to come back, the person declares anew
    "closed": {"erase": frozenset({"erased"})},
}

REFERRAL: Mapping[ReferralStatus, Mapping[ReferralAction, frozenset[ReferralStatus]]] = {
    "proposed": {
        "accept": frozenset({"accepted"}),
        "decline": frozenset({"declined"}),  # its place returns to the pool for the next round
        "override": frozenset({"proposed", "cancelled"}),  # another organization, or none
        "cancel": frozenset({"cancelled"}),  # the person withdrew
        "request_review": frozenset({"proposed"}),  # a counsellor is asked to review it (Law 25)
    },
    "accepted": {
        "decline": frozenset({"declined"}),
        "override": frozenset({"proposed", "cancelled"}),
        "cancel": frozenset({"cancelled"}),
    },
    "declined": {},
    "cancelled": {},
}

# After an accepted plan (settlement.py): milestones may be skipped forward, never taken back; a move
# date may be planned again; "release" is the accepted plan declined, overridden or cancelled before
# the household arrived (the settlement goes with it: a tombstone, like an erasure); "followup" is a
# follow-up answered.
SettlementAction = Literal[
    "first_contact", "exploratory_visit", "move", "arrival", "close", "release", "erase", "followup"
]
# "released" and "erased" leave no record (a tombstone on settlements.v1).
SettlementNext = Literal[
    "awaiting_contact", "contacted", "visited", "moving", "arrived", "closed", "released", "erased"
]
_CLOSE_OR_DROP: Mapping[SettlementAction, frozenset[SettlementNext]] = {
    "close": frozenset({"closed"}),
    "release": frozenset({"released"}),
    "erase": frozenset({"erased"}),
}

SETTLEMENT: Mapping[SettlementStatus, Mapping[SettlementAction, frozenset[SettlementNext]]] = {
    "awaiting_contact": {
        "first_contact": frozenset({"contacted"}),
        "exploratory_visit": frozenset({"visited"}),
        "move": frozenset({"moving"}),
        "arrival": frozenset({"arrived"}),
        **_CLOSE_OR_DROP,
    },
    "contacted": {
        "exploratory_visit": frozenset({"visited"}),
        "move": frozenset({"moving"}),
        "arrival": frozenset({"arrived"}),
        **_CLOSE_OR_DROP,
    },
    "visited": {
        "move": frozenset({"moving"}),
        "arrival": frozenset({"arrived"}),
        **_CLOSE_OR_DROP,
    },
    "moving": {
        "move": frozenset({"moving"}),  # the move planned for another day
        "arrival": frozenset({"arrived"}),
        **_CLOSE_OR_DROP,
    },
    # The household lives in the region: its plan is lived, no longer declined or overridden. It is
    # followed up (3, 6, 12, 24 months: followups.py) until its case is closed.
    "arrived": {
        "followup": frozenset({"arrived"}),
        "close": frozenset({"closed"}),
        "erase": frozenset({"erased"}),
    },
    "closed": {"erase": frozenset({"erased"})},
}

# A measure of the ledger (measures.py): applied for, granted, paid, or refused on the way; "update"
# changes who handles it, its deadline or the amount expected, and keeps its status. Paid and refused
# are final (a measure refused and applied for again is a counsellor's note, not a new status).
MEASURE: Mapping[MeasureStatus, Mapping[MeasureAction, MeasureStatus]] = {
    "identified": {"update": "identified", "apply": "applied_for", "refuse": "refused"},
    "applied_for": {"update": "applied_for", "grant": "granted", "refuse": "refused"},
    "granted": {"update": "granted", "pay": "paid"},
    "paid": {},
    "refused": {},
}

# The outcomes a settlement may close with, by status: settled in the region only once arrived.
_ANY_OUTCOME: frozenset[SettlementOutcome] = frozenset(
    {"moved_to_another_region", "back_in_montreal", "left_quebec", "unreachable"}
)
CLOSING: Mapping[SettlementStatus, frozenset[SettlementOutcome]] = {
    "awaiting_contact": _ANY_OUTCOME,
    "contacted": _ANY_OUTCOME,
    "visited": _ANY_OUTCOME,
    "moving": _ANY_OUTCOME,
    "arrived": _ANY_OUTCOME | {"settled_in_region"},
}

# Why an action is refused, in the words the API and the worker's log use.
REFERRAL_REFUSALS: Mapping[ReferralAction, str] = {
    "accept": "only a proposed plan can be accepted",
    "decline": "it cannot be declined",
    "override": "it cannot be overridden",
    "cancel": "it cannot be cancelled",
    "request_review": "only a proposed plan can be reviewed on request",
}


def case_allows(status: CaseStatus, action: CaseAction) -> bool:
    """Whether a case in ``status`` allows ``action``."""
    return action in CASE.get(status, {})


def case_status_for(interest: InterestDeclared, previous: CaseStatus | None = None) -> CaseStatus:
    """The status of the case an interest gives: closed once closed (``previous``, the case's
    status now), withdrawn once the person withdrew, else open."""
    if previous == "closed":
        return "closed"
    return "withdrawn" if interest.withdrawn_at is not None else "open"


def referral_allows(status: ReferralStatus, action: ReferralAction) -> bool:
    """Whether a referral plan in ``status`` allows ``action``."""
    return action in REFERRAL.get(status, {})


def check_referral(referral_id: UUID, status: ReferralStatus, action: ReferralAction) -> None:
    """Refuse (409) ``action`` on a referral plan whose ``status`` does not allow it."""
    if not referral_allows(status, action):
        raise Conflict(f"referral {referral_id} is {status}: {REFERRAL_REFUSALS[action]}")


def settlement_allows(status: SettlementStatus, action: SettlementAction) -> bool:
    """Whether a settlement in ``status`` allows ``action``."""
    return action in SETTLEMENT.get(status, {})


def check_settlement(case_id: UUID, status: SettlementStatus, action: SettlementAction) -> None:
    """Refuse (409) ``action`` on a settlement whose ``status`` does not allow it."""
    if not settlement_allows(status, action):
        raise Conflict(say("settlement_step", case=case_id, status=status, action=action))


def check_closing(case_id: UUID, status: SettlementStatus, outcome: SettlementOutcome) -> None:
    """Refuse (409) closing a settlement in ``status`` with ``outcome`` (settled: arrived first)."""
    check_settlement(case_id, status, "close")
    if outcome not in CLOSING.get(status, frozenset()):
        raise Conflict(say("settled_before_arrival", case=case_id, status=status))


def measure_allows(status: MeasureStatus, action: MeasureAction) -> bool:
    """Whether a measure in ``status`` allows ``action``."""
    return action in MEASURE.get(status, {})


def check_measure(case_id: UUID, code: str, status: MeasureStatus, action: MeasureAction) -> MeasureStatus:
    """The status ``action`` leads a measure in ``status`` to; refused (409) when the table has none."""
    if not measure_allows(status, action):
        raise Conflict(say("measure_step", case=case_id, measure=code, status=status, action=action))
    return MEASURE[status][action]
