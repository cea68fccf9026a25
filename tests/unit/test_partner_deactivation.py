"""A deactivated partner stops delegating (services/partners/domain.py: end_delegations_of)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from services.common.clock import MONTREAL
from services.common.contracts import ConcertationTable, Delegation
from services.partners.domain import end_delegations_of

LEAVING, OTHER = uuid.uuid4(), uuid.uuid4()
# 23:30 in Montréal is already the next day in UTC: the delegation ends on Montréal's date.
NOW = datetime(2027, 3, 12, 23, 30, tzinfo=MONTREAL)
TODAY = date(2027, 3, 12)


def table(*delegations: Delegation) -> ConcertationTable:
    return ConcertationTable(
        table_id=uuid.uuid4(),
        name="Table de concertation de l'Abitibi",
        region="08",
        mrcs=[],
        members=[LEAVING, OTHER],
        delegations=list(delegations),
        status="active",
        created_at=NOW - timedelta(days=400),
        updated_at=NOW - timedelta(days=400),
    )


def test_the_running_delegation_ends_on_montreals_date_and_the_past_is_kept() -> None:
    past = Delegation(partner_id=LEAVING, start=date(2025, 1, 1), end=date(2025, 12, 31))
    handed = Delegation(partner_id=OTHER, start=date(2026, 1, 1), end=date(2026, 5, 31))
    running = Delegation(partner_id=LEAVING, start=date(2026, 6, 1))
    ended = end_delegations_of(table(past, handed, running), LEAVING, NOW)
    assert ended is not None
    assert ended.delegations == [past, handed, running.model_copy(update={"end": TODAY})]
    assert ended.delegate_on(TODAY) == LEAVING
    assert ended.delegate_on(TODAY + timedelta(days=1)) is None
    assert ended.updated_at == NOW


def test_a_delegation_that_had_not_begun_is_dropped() -> None:
    later = Delegation(partner_id=LEAVING, start=TODAY + timedelta(days=1))
    ended = end_delegations_of(table(later), LEAVING, NOW)
    assert ended is not None
    assert ended.delegations == []


def test_a_table_the_partner_never_delegated_for_is_left_alone() -> None:
    others = table(Delegation(partner_id=OTHER, start=date(2026, 1, 1)))
    assert end_delegations_of(others, LEAVING, NOW) is None
    finished = table(Delegation(partner_id=LEAVING, start=date(2025, 1, 1), end=TODAY - timedelta(days=1)))
    assert end_delegations_of(finished, LEAVING, NOW) is None
