"""The "information that would decide" form (pure): which questions a person's possible measures
need, and their answers checked into a new revision of the profile.

A measure is *possible* when a fact it depends on is missing (``Entitlement.missing_facts``,
services/matching/entitlements.py). Some facts come from the profile a person can give here:
age, studies, income support, arrival date, French level. The others (a job offer in hand, a
full-time French course, …) are not in the profile: the page says the counsellor checks them.
The worker evaluates the measures again from the new revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, get_args

from services.common.contracts import Entitlement
from services.common.contracts.matching import IncomeSupport, StudiesLevel

from .registration import Checked, Problem, _int, arrival_date

# The profile field that gives each fact (services/matching/entitlements.py facts_of).
FIELD_OF_FACT = {
    "age": "age",
    "post_secondary_studies": "studies",
    "receives_social_assistance": "income_support",
    "receives_employment_insurance": "income_support",
    "months_since_arrival": "arrival_date",
    "french_level": "french_level",
}
# The form's order.
QUESTIONS = ("age", "studies", "income_support", "arrival_date", "french_level")
STUDIES: tuple[str, ...] = get_args(StudiesLevel)
INCOME_SUPPORT: tuple[str, ...] = get_args(IncomeSupport)


def questions_for(entitlements: Iterable[Entitlement]) -> tuple[list[str], bool]:
    """The questions that would decide the possible measures, in the form's order, and whether
    some of their facts are ones only the counsellor can check."""
    missing = {fact for e in entitlements if e.status == "possible" for fact in e.missing_facts}
    fields = {FIELD_OF_FACT[fact] for fact in missing if fact in FIELD_OF_FACT}
    return [q for q in QUESTIONS if q in fields], any(fact not in FIELD_OF_FACT for fact in missing)


def check_information(form: Mapping[str, str], questions: list[str], today: date) -> Checked:
    """The answers to ``questions``: ``body`` holds the profile fields answered (an empty answer
    changes nothing), ``problems`` what to correct."""
    answers = {q: form.get(q, "").strip() for q in questions}
    problems: list[Problem] = []
    body: dict[str, Any] = {}
    if (age := _int(answers, "age", 16, 100, problems)) is not None:
        body["age"] = age
    if (level := _int(answers, "french_level", 1, 12, problems)) is not None:
        body["french_level"] = level
    for name, choices in (("studies", STUDIES), ("income_support", INCOME_SUPPORT)):
        if answers.get(name):
            if answers[name] in choices:
                body[name] = answers[name]
            else:
                problems.append(Problem(name, "err_choose"))
    arrival_date(answers, today, problems, body)
    if not body and not problems:
        problems.append(Problem(questions[0] if questions else "age", "err_nothing_given"))
    return Checked(answers, body, problems)


# What PUT /people/{id}/interest takes (services/matching/models.py InterestUpdate), read from
# the person's current InterestDeclared.
PROFILE_FIELDS = (
    "immigration_status",
    "arrival_date",
    "household",
    "occupations",
    "studies",
    "credential_recognition_in_progress",
    "french_level",
    "english_level",
    "preferred_regions",
    "open_to_any_region",
    "driving_licence",
    "earliest_move_date",
    "age",
    "income_support",
    "language",
)  # consents: none given keeps the current ones


def updated_profile(current: Mapping[str, Any], answered: Mapping[str, Any]) -> dict[str, Any]:
    """The body of the new revision: the current profile with the answered fields replaced."""
    return {**{k: current[k] for k in PROFILE_FIELDS if current.get(k) is not None}, **answered}
