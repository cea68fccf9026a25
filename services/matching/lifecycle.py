"""The life cycles of a case and of a referral plan (pure): which action each status allows,
and what it leads to.

One table per entity. The routes ask it before writing a command (a quick 409), and the
worker and the domain ask it when they decide the command in order (the status may have
changed in between); nothing else spells a status rule. A status missing from a table, or
an action missing from a status, is an action that status refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from uuid import UUID

from services.common.contracts import InterestDeclared
from services.common.errors import Conflict

CaseStatus = Literal["open", "closed", "withdrawn"]
CaseAction = Literal["update", "withdraw", "assign_counsellor", "refer", "change_contact", "erase"]
# An erased case leaves no record (a tombstone on cases.v1): "erased" is not a status it carries.
CaseOutcome = Literal["open", "closed", "withdrawn", "erased"]

ReferralStatus = Literal["proposed", "accepted", "declined", "cancelled"]
ReferralAction = Literal["accept", "decline", "override", "cancel"]

CASE: Mapping[CaseStatus, Mapping[CaseAction, frozenset[CaseOutcome]]] = {
    "open": {
        "update": frozenset({"open"}),  # a new revision of the interest; the counsellor stays
        "withdraw": frozenset({"withdrawn"}),  # the person no longer wishes to move
        "assign_counsellor": frozenset({"open"}),  # from the queue, or at intake
        "refer": frozenset({"open"}),  # a concertation round may refer the household
        "change_contact": frozenset({"open"}),  # new contact details or language of messages
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
    },
    "accepted": {
        "decline": frozenset({"declined"}),
        "override": frozenset({"proposed", "cancelled"}),
        "cancel": frozenset({"cancelled"}),
    },
    "declined": {},
    "cancelled": {},
}

# Why an action is refused, in the words the API and the worker's log use.
REFERRAL_REFUSALS: Mapping[ReferralAction, str] = {
    "accept": "only a proposed plan can be accepted",
    "decline": "it cannot be declined",
    "override": "it cannot be overridden",
    "cancel": "it cannot be cancelled",
}


def case_allows(status: CaseStatus, action: CaseAction) -> bool:
    """Whether a case in ``status`` allows ``action``."""
    return action in CASE.get(status, {})


def case_status_for(interest: InterestDeclared) -> CaseStatus:
    """The status of the case an interest gives: withdrawn once the person withdrew, else open."""
    return "withdrawn" if interest.withdrawn_at is not None else "open"


def referral_allows(status: ReferralStatus, action: ReferralAction) -> bool:
    """Whether a referral plan in ``status`` allows ``action``."""
    return action in REFERRAL.get(status, {})


def check_referral(referral_id: UUID, status: ReferralStatus, action: ReferralAction) -> None:
    """Refuse (409) ``action`` on a referral plan whose ``status`` does not allow it."""
    if not referral_allows(status, action):
        raise Conflict(f"referral {referral_id} is {status}: {REFERRAL_REFUSALS[action]}")
