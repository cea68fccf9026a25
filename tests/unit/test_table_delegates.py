"""Who proposes a region's activities when its tables delegate (services/events/domain.py:
region_delegates, check_organizer), and a dissolved table (services/partners/domain.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from services.common.clock import MONTREAL
from services.common.contracts import ConcertationTable, Delegation, Partner
from services.common.errors import Conflict, Rejected
from services.events.domain import check_organizer, region_delegates
from services.partners.domain import delegate, dissolve_table, set_members
from services.partners.models import DelegationCreate

NOW = datetime(2027, 3, 12, 23, 30, tzinfo=MONTREAL)  # already the 13th in UTC
TODAY = date(2027, 3, 12)
REGIONAL, ROUYN, AMOS, OUTSIDER = (uuid.uuid4() for _ in range(4))


def partner(partner_id: UUID) -> Partner:
    return Partner(
        partner_id=partner_id,
        name="Organisme de l'Abitibi",
        kind="community_organization",
        regions=["08"],
        contact_email="accueil@organisme.example.org",
        registered_at=NOW - timedelta(days=400),
    )


def table(name: str, delegate_id: UUID | None, mrcs: list[str], region: str = "08") -> ConcertationTable:
    delegations = [] if delegate_id is None else [Delegation(partner_id=delegate_id, start=date(2026, 1, 1))]
    members = [delegate_id] if delegate_id is not None else []
    return ConcertationTable(
        table_id=uuid.uuid4(),
        name=name,
        region=region,
        mrcs=mrcs,
        members=[*members, OUTSIDER],
        delegations=delegations,
        created_at=NOW - timedelta(days=400),
    )


ROUYN_TABLE = table("Table de Rouyn-Noranda", ROUYN, ["860"])
AMOS_TABLE = table("Table d'Abitibi", AMOS, ["880"])


def test_each_sub_regional_delegate_proposes_for_the_region_when_no_regional_table_delegates() -> None:
    tables = [AMOS_TABLE, ROUYN_TABLE, table("Table régionale", None, [])]
    assert region_delegates("08", tables, TODAY) == {AMOS: AMOS_TABLE.name, ROUYN: ROUYN_TABLE.name}
    for delegate_id in (ROUYN, AMOS):
        assert check_organizer(partner(delegate_id), ["08"], tables, TODAY) is True  # carries the endorsement


def test_a_regional_tables_delegate_alone_proposes_when_it_has_one() -> None:
    regional = table("Table régionale de l'Abitibi", REGIONAL, [])
    tables = [ROUYN_TABLE, regional, AMOS_TABLE]
    assert region_delegates("08", tables, TODAY) == {REGIONAL: regional.name}
    assert check_organizer(partner(REGIONAL), ["08"], tables, TODAY) is True
    with pytest.raises(Rejected) as refused:
        check_organizer(partner(ROUYN), ["08"], tables, TODAY)
    assert refused.value.field == "organizer_id"
    assert str(REGIONAL) in refused.value.reason


def test_a_partner_no_table_delegates_is_refused_naming_every_delegate() -> None:
    with pytest.raises(Rejected) as refused:
        check_organizer(partner(OUTSIDER), ["08"], [ROUYN_TABLE, AMOS_TABLE], TODAY)
    assert refused.value.field == "organizer_id"
    assert str(ROUYN) in refused.value.reason
    assert str(AMOS) in refused.value.reason


def test_without_a_delegate_any_partner_serving_the_region_proposes_unendorsed() -> None:
    dissolved = ROUYN_TABLE.model_copy(update={"status": "dissolved"})
    elsewhere = table("Table de la Mauricie", AMOS, [], region="04")
    ended = AMOS_TABLE.model_copy(
        update={
            "delegations": [Delegation(partner_id=AMOS, start=date(2026, 1, 1), end=TODAY - timedelta(1))]
        }
    )
    tables = [dissolved, elsewhere, ended]
    assert region_delegates("08", tables, TODAY) == {}
    assert check_organizer(partner(OUTSIDER), ["08"], tables, TODAY) is False


def test_a_dissolved_table_ends_its_delegation_that_day_and_drops_a_later_one() -> None:
    later = Delegation(partner_id=OUTSIDER, start=TODAY + timedelta(days=5))
    running = Delegation(partner_id=ROUYN, start=date(2026, 1, 1), end=TODAY + timedelta(days=1))
    current = ROUYN_TABLE.model_copy(update={"delegations": [running, later]})
    dissolved = dissolve_table(current, NOW)
    assert dissolved.status == "dissolved"
    assert dissolved.delegations == [running.model_copy(update={"end": TODAY})]
    assert dissolved.updated_at == NOW
    assert dissolve_table(dissolved, NOW + timedelta(days=3)) is dissolved  # again: nothing changes


def test_a_dissolved_table_takes_no_delegate_and_no_members() -> None:
    dissolved = dissolve_table(ROUYN_TABLE, NOW)
    partners = {p: partner(p) for p in (ROUYN, OUTSIDER)}
    with pytest.raises(Conflict) as refused:
        delegate(dissolved, DelegationCreate(partner_id=OUTSIDER, start=TODAY), NOW, partners)
    assert refused.value.existing == f"/tables/{dissolved.table_id}"
    with pytest.raises(Conflict):
        set_members(dissolved, [OUTSIDER], NOW, partners)
