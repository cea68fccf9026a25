"""Matching domain (pure): opening a person's case from their declared interest.

A person has one case: its id is derived from the person id, and its opening
time is the interest's time, so handling the same interest twice gives the
same case (idempotent by construction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.common.contracts import Case, Entitlement, InterestDeclared

CASE_NAMESPACE = uuid.UUID("5b0d6b1e-7f0c-4c35-9d43-6c1f0a9e2c11")


def case_id_for(person_id: uuid.UUID) -> uuid.UUID:
    """The id of a person's case."""
    return uuid.uuid5(CASE_NAMESPACE, str(person_id))


def open_case(interest: InterestDeclared, entitlements: Sequence[Entitlement] = ()) -> Case:
    """The case opened for ``interest``, with the person's evaluated entitlements."""
    return Case(
        case_id=case_id_for(interest.person_id),
        person_id=interest.person_id,
        status="open",
        language=interest.language,
        preferred_regions=interest.preferred_regions,
        opened_at=interest.declared_at,
        entitlements=list(entitlements),
    )
