"""The life cycles of a proposal and of its calendar entry (pure): which action each status
allows, and what it leads to.

A proposal's status is the status of its calendar entry (``CalendarEntry.status``). Two tables:

- ``PROPOSAL``: what people may ask of a proposal (its organizer, the region's delegate, the
  hub). The API asks it before writing a command (a quick 409); the worker asks it again when
  it decides the command in order (the status may have changed in between) and leaves the
  entry as it is when the status no longer allows the action.
- ``CALENDAR_ENTRY``: what the worker itself does to an entry while deciding others: keep the
  place of a redelivered proposal, host a joint member, let a joint member leave its host.

A status missing from a table, or an action missing from a status, is an action that status
refuses. Nothing else spells a status rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from services.common.contracts.events import DecisionStatus

ProposalAction = Literal["endorse", "withdraw", "reschedule", "accept_joint", "decline_joint"]
EntryMove = Literal["keep_place", "host", "leave_host"]

# What a decision may give (decide, decide_with_priority).
DECIDED: frozenset[DecisionStatus] = frozenset(
    {"scheduled", "not_possible", "pending_endorsement", "joint_suggested"}
)
# The statuses a proposal is still alive in: its organizer may withdraw or reschedule it.
LIVE: frozenset[DecisionStatus] = DECIDED
# Decided once endorsed: never waiting for the endorsement again.
ENDORSED: frozenset[DecisionStatus] = DECIDED - {"pending_endorsement"}
# Decided on its own, not open to a joint activity any more (or joined: scheduled).
ALONE: frozenset[DecisionStatus] = DECIDED - {"joint_suggested"}
WITHDRAWN: frozenset[DecisionStatus] = frozenset({"withdrawn"})
SCHEDULED: frozenset[DecisionStatus] = frozenset({"scheduled"})

PROPOSAL: Mapping[DecisionStatus, Mapping[ProposalAction, frozenset[DecisionStatus]]] = {
    "pending_endorsement": {"endorse": ENDORSED, "withdraw": WITHDRAWN, "reschedule": DECIDED},
    "scheduled": {"withdraw": WITHDRAWN, "reschedule": DECIDED},
    "not_possible": {"withdraw": WITHDRAWN, "reschedule": DECIDED},
    "joint_suggested": {
        "withdraw": WITHDRAWN,
        "reschedule": DECIDED,
        "accept_joint": ALONE,  # joined (scheduled), or decided on its own if the host moved
        "decline_joint": ALONE,
    },
    "withdrawn": {},
}

CALENDAR_ENTRY: Mapping[DecisionStatus, Mapping[EntryMove, frozenset[DecisionStatus]]] = {
    "scheduled": {
        "keep_place": SCHEDULED,  # a redelivered proposal scheduled on a preferred date
        "host": SCHEDULED,  # an activity scheduled on its own takes a joint member
        "leave_host": SCHEDULED,  # a joint member leaving (withdrawn, rescheduled): its host stays
    },
}


def allows(status: DecisionStatus, action: ProposalAction) -> bool:
    """Whether a proposal whose entry is in ``status`` allows ``action``."""
    return action in PROPOSAL.get(status, {})


def entry_allows(status: DecisionStatus, move: EntryMove) -> bool:
    """Whether the worker may make ``move`` on an entry in ``status``."""
    return move in CALENDAR_ENTRY.get(status, {})
