"""What each email about a person says: template contexts built from the contracts (pure, no I/O).

The builders take the records the worker looked up (case, referral, interest,
contact, counsellor, partner) and return plain values, already in the
recipient's language where a label comes from data. Contact data (name, email,
phone) enters a context only for the person themself, or for a welcoming
partner when the person consented to share it (``Consents.share_contact``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import (
    CalendarEntry,
    Case,
    Contact,
    Counsellor,
    Entitlement,
    Household,
    InterestDeclared,
    Partner,
    Referral,
)
from services.common.factors import for_the_person
from services.common.reference import load_reference, region_names

from .documents import DocumentsToBring
from .formatting import ENGLISH_LEVELS, LANGUAGE_NAMES


def reference(entity_id: UUID) -> str:
    """The short reference of a case or a referral, as people quote it: 8 characters."""
    return str(entity_id)[:8].upper()


def measure_names(entitlements: list[Entitlement], status: str, language: str) -> list[str]:
    """The names of the measures of ``status`` (entitled, possible), in ``language``."""
    return [e.name_fr if language == "fr" else e.name_en for e in entitlements if e.status == status]


def household_text(household: Household, language: str) -> str:
    """« 2 adultes et 2 enfants (4 ans et 9 ans) » or "2 adults and 2 children (ages 4 and 9)"."""
    adults, ages = household.adults, household.children_ages
    if language == "fr":
        text = f"{adults} adulte{'s' if adults > 1 else ''}"
        if ages:
            each = ["moins d'un an" if a == 0 else f"{a} an{'s' if a > 1 else ''}" for a in ages]
            text += f" et {len(ages)} enfant{'s' if len(ages) > 1 else ''} ({_and(each, 'et')})"
        return text
    text = f"{adults} adult{'s' if adults > 1 else ''}"
    if ages:
        label = "age" if len(ages) == 1 else "ages"
        text += (
            f" and {len(ages)} child{'ren' if len(ages) > 1 else ''} "
            f"({label} {_and([str(a) for a in ages], 'and')})"
        )
    return text


def _and(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _years(years: float, language: str) -> str:
    number = f"{years:g}".replace(".", ",") if language == "fr" else f"{years:g}"
    if language == "fr":
        return f"{number} an{'s' if years >= 2 else ''} d'expérience"
    return f"{number} year{'s' if years != 1 else ''} of experience"


def occupations_text(interest: InterestDeclared, language: str) -> list[str]:
    """Each occupation with its CNP title (when the shipped sample has it) and experience."""
    ref = load_reference()
    lines = []
    described = {o.cnp: o for o in interest.occupations}
    for code in interest.cnp_codes:
        unit = ref.cnp(code)
        title = (unit.title_fr if language == "fr" else unit.title_en) if unit else None
        line = f"CNP {code}" if language == "fr" else f"NOC {code}"
        line += f" — {title}" if title else ""
        occupation = described.get(code)
        if occupation is not None:
            details = [_years(occupation.years, language)] if occupation.years else []
            if not occupation.stays_in_field:
                details.append("souhaite changer de domaine" if language == "fr" else "wants to change field")
            line += f" ({', '.join(details)})" if details else ""
        lines.append(line)
    for occupation in interest.occupations:
        if occupation.cnp is None and occupation.title:
            pending = "à coder par la conseillère ou le conseiller" if language == "fr" else "to be coded"
            lines.append(f"{occupation.title} ({pending})")
    return lines


def french_level_text(level: int | None, language: str) -> str | None:
    """« niveau 7 sur 12 (intermédiaire) » or "level 7 of 12 (intermediate)"; None when not assessed."""
    if level is None:
        return None
    found = load_reference().french_level(level)
    stage = (found.stage if language == "fr" else found.stage_en) if found else ""
    if language == "fr":
        return f"niveau {level} sur 12 ({stage})"
    return f"level {level} of 12 ({stage})"


def decision_context(entry: CalendarEntry, organizer: Partner, language: str | None = None) -> dict[str, Any]:
    """A calendar decision, for its organizer (or, in ``language``, a table's delegate)."""
    names = region_names(language or organizer.language)
    return {
        "organizer": organizer.name,
        "title": entry.title,
        "status": entry.status,
        "day": entry.day,
        "rank": entry.preference_rank,
        "alternatives": list(entry.alternatives),
        "regions": [names.get(code, code) for code in entry.regions],
        "change": entry.change,
        "joint": entry.joint_with is not None,
        # Priority on a contested day (services/events/priority.py): a provisional place, a place given up.
        "provisional_until": local_date(entry.provisional_until) if entry.provisional_until else None,
        "displaced_from": entry.displaced_from,
    }


def case_opened_context(
    case: Case,
    contact: Contact,
    interest: InterestDeclared | None,
    counsellor: Counsellor | None,
    documents: DocumentsToBring,
    link: str,
) -> dict[str, Any]:
    """The person's case-opened email; ``link`` opens their file (services/common/page_links.py)."""
    language = contact.language
    names = region_names(language)
    status = interest.immigration_status if interest is not None else None
    return {
        "name": contact.name,
        "case_ref": reference(case.case_id),
        "regions": [names.get(code, code) for code in case.preferred_regions],
        "entitled": measure_names(case.entitlements, "entitled", language),
        "possible": measure_names(case.entitlements, "possible", language),
        "counsellor": counsellor.name if counsellor is not None else None,
        # Nobody holds the case yet: the email says so, and that the person will be told.
        "waiting": case.counsellor_id is None,
        "documents": documents.for_status(status, language),
        "link": link,
    }


def counsellor_assigned_context(
    case: Case, contact: Contact, counsellor: Counsellor, link: str
) -> dict[str, Any]:
    """The person's email when a counsellor takes their case from the queue; ``link`` opens their file."""
    return {
        "name": contact.name,
        "case_ref": reference(case.case_id),
        "counsellor": counsellor.name,
        "opened": case.opened_at.date(),
        "link": link,
    }


def case_waiting_context(case: Case, language: str) -> dict[str, Any]:
    """The hub's alert: a case opened with no counsellor free; never the person's contact data."""
    names = region_names(language)
    return {
        "case_ref": reference(case.case_id),
        "opened": case.opened_at.date(),
        "person_language": LANGUAGE_NAMES[language][case.language],
        "household_size": case.household_size,
        "regions": [names.get(code, code) for code in case.preferred_regions],
    }


def counsellor_case_context(case: Case, counsellor: Counsellor) -> dict[str, Any]:
    """A counsellor's new-case email: the case, never the person's contact data."""
    language = counsellor.languages[0]
    names = region_names(language)
    ranked = [score.region for score in case.regions] or case.preferred_regions
    return {
        "counsellor": counsellor.name,
        "case_ref": reference(case.case_id),
        "opened": case.opened_at.date(),
        "person_language": LANGUAGE_NAMES[language][case.language],
        "household_size": case.household_size,
        "regions": [names.get(code, code) for code in ranked],
        "entitled_count": sum(1 for e in case.entitlements if e.status == "entitled"),
        "possible_count": sum(1 for e in case.entitlements if e.status == "possible"),
    }


def _partner_details(partner: Partner | None) -> dict[str, Any] | None:
    if partner is None:
        return None
    return {"name": partner.name, "email": partner.contact_email, "phone": partner.contact_phone}


def referral_person_context(
    referral: Referral, contact: Contact, partner: Partner | None, counsellor: Counsellor | None, link: str
) -> dict[str, Any]:
    """The person's referral-plan email: the plan, who decided it, the Law 25 notice, and ``link``
    to the plan on their file, where they accept or decline it."""
    language = contact.language
    names = region_names(language)
    override = referral.override
    return {
        "name": contact.name,
        "referral_ref": reference(referral.referral_id),
        "region": names.get(referral.region, referral.region) if referral.region else None,
        "preference_rank": referral.preference_rank,
        "partner": _partner_details(partner),
        "jobs": [o.title for o in referral.jobs],
        "settlement": [o.title for o in referral.settlement],
        "activities": [
            {"day": a.day, "start": a.start, "title": a.title}
            for a in sorted(referral.activities, key=lambda a: (a.day, a.start))
        ],
        "entitled": measure_names(referral.entitlements, "entitled", language),
        "possible": measure_names(referral.entitlements, "possible", language),
        "counsellor": counsellor.name if counsellor is not None else None,
        "automated": referral.decided_by == "round",
        "override_reason": override.reason if override is not None else None,
        # A plan withdrawn by a counsellor has no region: the factors of the old one are moot.
        "factors": [for_the_person(f, language) for f in referral.factors if referral.region],
        "link": link,
    }


def review_requested_context(referral: Referral, counsellor: Counsellor, case_url: str) -> dict[str, Any]:
    """A counsellor's email: the person asks for a review of their automated plan (Law 25); the
    case and the plan, never the person's contact data."""
    names = region_names(counsellor.languages[0])
    assert referral.review_requested_at is not None
    return {
        "counsellor": counsellor.name,
        "case_ref": reference(referral.case_id),
        "referral_ref": reference(referral.referral_id),
        "region": names.get(referral.region, referral.region) if referral.region else None,
        "asked": referral.review_requested_at.date(),
        "case_url": case_url,
    }


def referral_partner_context(
    referral: Referral,
    partner: Partner,
    interest: InterestDeclared,
    contact: Contact | None,
    counsellor: Counsellor | None,
) -> dict[str, Any]:
    """The welcoming partner's email about a household referred to it.

    ``contact`` is given only when the person consented to share it with this partner.
    """
    language = partner.language
    names = region_names(language)
    english = interest.english_level
    return {
        "partner": partner.name,
        "referral_ref": reference(referral.referral_id),
        "region": names.get(referral.region, referral.region) if referral.region else None,
        "household": household_text(interest.household, language),
        "occupations": occupations_text(interest, language),
        "french_level": french_level_text(interest.french_level, language),
        "english_level": ENGLISH_LEVELS[language][english] if english else None,
        "person_language": LANGUAGE_NAMES[language][interest.language],
        "earliest_move": interest.earliest_move_date,
        "contact": (
            {"name": contact.name, "email": contact.email, "phone": contact.phone} if contact else None
        ),
        "counsellor": (
            {"name": counsellor.name, "email": counsellor.email} if counsellor is not None else None
        ),
        "overridden": referral.decided_by == "counsellor",
    }


def referral_update_context(referral: Referral, partner: Partner, change: str) -> dict[str, Any]:
    """A welcoming partner's update: the household accepted, declined, or is no longer referred to it.

    ``change`` is the referral's status, or ``moved`` when a counsellor referred the
    household elsewhere. No reason is given: the person's and the counsellor's words
    are not the partner's to read.
    """
    return {
        "partner": partner.name,
        "referral_ref": reference(referral.referral_id),
        "change": change,
        "household_size": referral.household_size,
    }
