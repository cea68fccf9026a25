"""Messages of a household's follow-ups: 3, 6, 12 and 24 months after its arrival in the region.

The welcoming organization, the hub or the person answers a short form at each follow-up: still in
the region, work, housing, school, French courses, each a closed choice, and an optional short
note. The answers are personal data: they travel on followups.v1 only (compacted, keyed by case
id, one record per case with every answer), never on another topic nor in a log, and a tombstone
erases them with the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .base import Contract, Versioned

FollowUpMonth = Literal[3, 6, 12, 24]
InRegion = Literal["yes", "elsewhere_in_quebec", "back_in_montreal", "left_quebec", "unknown"]
Work = Literal["in_field", "outside_field", "looking", "studying", "not_looking", "unknown"]
Housing = Literal["permanent", "temporary", "looking", "unknown"]
Schooling = Literal["all_at_school", "some_at_school", "none_at_school", "no_school_age_children", "unknown"]
FrenchCourses = Literal["attending", "completed", "waiting", "not_needed", "not_attending", "unknown"]


class FollowUpKey(Contract):
    """Key of followups.v1: the case id (one record per case)."""

    case_id: UUID = Field(description="The case the follow-ups are about.")


class FollowUpAnswers(Contract):
    """The short form of one follow-up: closed choices and an optional short note."""

    in_region: InRegion = Field(
        description="Still in the region: yes, elsewhere_in_quebec, back_in_montreal, left_quebec, unknown."
    )
    work: Work = Field(
        description="Work: in_field (in their occupation), outside_field, looking, studying, not_looking, "
        "unknown."
    )
    housing: Housing = Field(description="Housing: permanent, temporary, looking, unknown.")
    children_at_school: Schooling = Field(
        description="Children at school: all_at_school, some_at_school, none_at_school, "
        "no_school_age_children, unknown."
    )
    french_courses: FrenchCourses = Field(
        description="French courses: attending, completed, waiting, not_needed, not_attending, unknown."
    )
    note: str | None = Field(
        default=None, max_length=500, description="A short note (at most 500 characters), optional."
    )


class FollowUpAnswered(Contract):
    """One follow-up answered: which, when due, when answered, by whom, and the answers."""

    month: FollowUpMonth = Field(description="Months after the arrival: 3, 6, 12 or 24.")
    due_on: date = Field(description="The day it was due (the arrival day, that many months later).")
    answered_on: date = Field(description="The day it was answered (Montréal's date).")
    recorded_at: datetime = Field(description="When it was recorded (UTC).")
    by_role: Literal["hub", "partner", "delegate", "person"] = Field(description="Who answered.")
    answers: FollowUpAnswers


class FollowUps(Versioned):
    """Every follow-up answered for a case (followups.v1, full current state; a tombstone on erasure)."""

    case_id: UUID = Field(description="The case; equal to the record key.")
    person_id: UUID = Field(description="The person the case is about (pseudonymous).")
    welcoming_partner_id: UUID = Field(description="The organization welcoming the household.")
    arrived_on: date = Field(description="The arrival in the region the schedule counts from.")
    answered: list[FollowUpAnswered] = Field(
        default_factory=list, description="The follow-ups answered, in the order of their months."
    )
    updated_at: datetime
