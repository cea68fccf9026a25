"""The registration form (pure): what a person typed, checked field by field, turned into what
matching-api's intake takes (``InterestCreate``).

Each problem is a ``Problem`` naming the form field and a text key, so the page shows the
list at the top (linked to each field) and the message beside the field. The occupation is
typed as a title, in French or English: when it is one of the CNP titles Concerto knows, its
code is sent; otherwise the title itself, for a counsellor to code later.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email

from services.common.contracts import ImmigrationStatus
from services.common.reference import CnpUnitGroup, ReferenceData

PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")
REGION_CHOICES = 3
MONTREAL = "06"


@dataclass(frozen=True)
class Problem:
    """A field to correct: its name in the form, the text key saying why, and its parameters."""

    field: str
    key: str
    params: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclass
class Checked:
    """The form as the person typed it, the intake body built from it, and what to correct."""

    answers: dict[str, str]
    body: dict[str, Any]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


FIELDS = (
    "name",
    "email",
    "phone",
    "language",
    "immigration_status",
    "arrival_date",
    "occupation",
    "years",
    "french_level",
    *(f"region_{rank}" for rank in range(1, REGION_CHOICES + 1)),
    "open_any",
    "adults",
    "children",
    "consent_contact",
    "consent_referral",
    "consent_share",
)


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def cnp_for_title(title: str, groups: Iterable[CnpUnitGroup]) -> str | None:
    """The CNP code whose French or English title is ``title`` (accents and case aside), if one is."""
    wanted = _fold(title)
    for group in groups:
        if wanted in (_fold(group.title_fr), _fold(group.title_en)):
            return group.code
    return None


def _int(answers: Mapping[str, str], name: str, low: int, high: int, problems: list[Problem]) -> int | None:
    raw = answers.get(name, "")
    if not raw:
        return None
    if not raw.isdecimal() or not low <= int(raw) <= high:
        problems.append(Problem(name, "err_number", {"low": low, "high": high}))
        return None
    return int(raw)


def _contact(answers: Mapping[str, str], problems: list[Problem], body: dict[str, Any]) -> None:
    """The person's name, email, phone and language."""
    name = answers["name"]
    if not name:
        problems.append(Problem("name", "err_required"))
    elif len(name) > 200:
        problems.append(Problem("name", "err_too_long", {"high": 200}))
    email = answers["email"]
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append(Problem("email", "err_email"))
    phone = answers["phone"]
    if phone and not PHONE.match(phone):
        problems.append(Problem("phone", "err_phone"))
    body["contact"] = {"name": name, "email": email, "phone": phone or None}
    language = answers["language"]
    if language not in ("fr", "en"):
        problems.append(Problem("language", "err_choose"))
    body["language"] = language


def _status(answers: Mapping[str, str], today: date, problems: list[Problem], body: dict[str, Any]) -> None:
    """The immigration status and the arrival date (never in the future)."""
    status = answers["immigration_status"]
    if status not in {s.value for s in ImmigrationStatus}:
        problems.append(Problem("immigration_status", "err_choose"))
    body["immigration_status"] = status
    arrival_date(answers, today, problems, body)


def arrival_date(
    answers: Mapping[str, str], today: date, problems: list[Problem], body: dict[str, Any]
) -> None:
    """The arrival date, if given: a date, never in the future."""
    if answers.get("arrival_date"):
        try:
            arrival = date.fromisoformat(answers["arrival_date"])
        except ValueError:
            problems.append(Problem("arrival_date", "err_date"))
        else:
            if arrival > today:
                problems.append(Problem("arrival_date", "err_future"))
            body["arrival_date"] = arrival.isoformat()


def _work(
    answers: Mapping[str, str], reference: ReferenceData, problems: list[Problem], body: dict[str, Any]
) -> None:
    """The occupation (a title in the person's words, coded when it is a known one) and French."""
    years = _int(answers, "years", 0, 60, problems)
    title = answers["occupation"]
    if title:
        if len(title) > 120:
            problems.append(Problem("occupation", "err_too_long", {"high": 120}))
        code = cnp_for_title(title, reference.cnp_unit_groups)
        occupation: dict[str, Any] = {"cnp": code} if code else {"title": title}
        body["occupations"] = [{**occupation, "years": years or 0}]
    level = _int(answers, "french_level", 1, 12, problems)
    if level is not None:
        body["french_level"] = level


def _regions(
    answers: Mapping[str, str], reference: ReferenceData, problems: list[Problem], body: dict[str, Any]
) -> None:
    """The regions wanted, in order (never Montréal, none twice)."""
    regions: list[str] = []
    for rank in range(1, REGION_CHOICES + 1):
        code = answers[f"region_{rank}"]
        if not code:
            continue
        if code == MONTREAL or not reference.is_region(code):
            problems.append(Problem(f"region_{rank}", "err_choose"))
        elif code in regions:
            problems.append(Problem(f"region_{rank}", "err_region_twice"))
        else:
            regions.append(code)
    body["preferred_regions"] = regions
    body["open_to_any_region"] = answers["open_any"] == "yes"


def _household(answers: Mapping[str, str], problems: list[Problem], body: dict[str, Any]) -> None:
    """The adults and the children's ages."""
    adults = _int(answers, "adults", 1, 10, problems)
    children: list[int] = []
    for part in filter(None, (p.strip() for p in answers["children"].split(","))):
        if not part.isdecimal() or int(part) > 17:
            problems.append(Problem("children", "err_children"))
            break
        children.append(int(part))
    if len(children) > 15:
        problems.append(Problem("children", "err_children"))
    body["household"] = {"adults": adults or 1, "children_ages": children}


def check(form: Mapping[str, str], reference: ReferenceData, today: date) -> Checked:
    """Check a submitted registration form; ``body`` is complete only when there is no problem."""
    answers = {name: form.get(name, "").strip() for name in FIELDS}
    problems: list[Problem] = []
    body: dict[str, Any] = {}
    _contact(answers, problems, body)
    _status(answers, today, problems, body)
    _work(answers, reference, problems, body)
    _regions(answers, reference, problems, body)
    _household(answers, problems, body)
    if answers["consent_contact"] != "yes":
        problems.append(Problem("consent_contact", "err_consent_contact"))
    body["consents"] = {
        "contact": True,
        "referral": answers["consent_referral"] == "yes",
        "share_contact": answers["consent_share"] == "yes",
    }
    return Checked(answers, body, problems)


CONTACT_FIELDS = ("name", "email", "phone", "language")


def check_contact(form: Mapping[str, str]) -> Checked:
    """The "my details" form (name, email, phone, language of messages): ``body`` is what
    ``PUT /people/{id}/contact`` takes, complete only when there is no problem."""
    answers = {name: form.get(name, "").strip() for name in CONTACT_FIELDS}
    problems: list[Problem] = []
    body: dict[str, Any] = {}
    _contact(answers, problems, body)
    return Checked(answers, {**body["contact"], "language": body["language"]}, problems)
