"""Partners domain (pure): partners, concertation tables, delegations and offers.

Every function takes the current state and a command and returns the new full
state of one entity, or raises ``Rejected`` (a field is wrong: 422),
``Conflict`` (409) or ``Forbidden`` (403). No Kafka, no HTTP, no clock: the
caller passes ids and ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.common.clock import local_date
from services.common.contracts import ConcertationTable, Delegation, Offer, OfferKind, Partner
from services.common.errors import Conflict, Forbidden, Rejected
from services.common.messages import say
from services.common.scope import Named, check_scope, check_served, indexed

from .models import DelegationCreate, OfferCreate, OfferUpdate, PartnerCreate, PartnerUpdate, TableCreate


class Places(Protocol):
    """What the domain needs of the reference data."""

    def is_partner_kind(self, code: str) -> bool: ...
    def is_region(self, code: str) -> bool: ...
    def region_of_mrc(self, code: str) -> str | None: ...


def _check_places(places: Places, regions: Iterable[str], mrcs: Iterable[str], field: str = "") -> None:
    prefix = f"{field}." if field else ""
    region_list = list(regions)
    for index, region in enumerate(region_list):
        if not places.is_region(region):
            raise Rejected(f"{prefix}regions.{index}", say("unknown_region_any", value=region))
    for index, mrc in enumerate(mrcs):
        home = places.region_of_mrc(mrc)
        if home is None:
            raise Rejected(f"{prefix}mrcs.{index}", say("unknown_mrc", value=mrc))
        if region_list and home not in region_list:
            raise Rejected(
                f"{prefix}mrcs.{index}",
                say("mrc_outside_region", mrc=mrc, home=home, regions=", ".join(region_list)),
            )


def _unique_neq(neq: str | None, partners: Iterable[Partner], itself: UUID | None = None) -> None:
    if neq is None:
        return
    for other in partners:
        if other.neq == neq and other.partner_id != itself:
            raise Conflict(say("neq_taken", value=neq), existing=str(other.partner_id))


NULLABLE = {"neq", "contact_phone"}
"""Fields of a partner's record that an update may clear."""


def register_partner(
    command: PartnerCreate, partner_id: UUID, now: datetime, places: Places, partners: Iterable[Partner]
) -> Partner:
    """A new partner; its NEQ must not be registered yet."""
    if not places.is_partner_kind(command.kind):
        raise Rejected("kind", say("unknown_partner_kind", value=command.kind))
    _check_places(places, command.regions, command.mrcs)
    _unique_neq(command.neq, partners)
    return Partner(
        partner_id=partner_id,
        registered_at=now,
        **{**command.model_dump(), "regions": list(dict.fromkeys(command.regions))},
    )


def update_partner(
    current: Partner,
    changes: PartnerUpdate,
    now: datetime,
    places: Places,
    partners: Iterable[Partner],
    by_itself: bool = False,
) -> Partner:
    """The partner with ``changes`` applied. A partner changing its own record (``by_itself``) may
    not add a region to those it serves: the hub decides that."""
    given = changes.model_dump(exclude_unset=True)
    if by_itself and given.get("regions") is not None:
        check_served(current, indexed("regions", given["regions"]), by_itself=True)
    for field, value in given.items():
        if value is None and field not in NULLABLE:
            raise Rejected(field, say("not_nullable"))
    if "kind" in given and not places.is_partner_kind(given["kind"]):
        raise Rejected("kind", say("unknown_partner_kind", value=given["kind"]))
    updated = Partner.model_validate({**current.model_dump(), **given, "updated_at": now})
    _check_places(places, updated.regions, updated.mrcs)
    _unique_neq(updated.neq, partners, itself=current.partner_id)
    return updated


def deactivate_partner(current: Partner, now: datetime) -> Partner:
    """The partner, deactivated (kept, never deleted: history refers to it)."""
    return current.model_copy(update={"status": "deactivated", "updated_at": now})


def _end_from(
    delegations: Iterable[Delegation], today: date, ends: Callable[[Delegation], bool]
) -> list[Delegation]:
    """``delegations`` where each one ``ends`` picks stops on ``today``: a running one ends that day,
    one that had not begun is dropped, history before that day is kept."""
    history: list[Delegation] = []
    for delegation in delegations:
        if not ends(delegation) or (delegation.end is not None and delegation.end < today):
            history.append(delegation)
        elif delegation.start <= today:
            history.append(delegation.model_copy(update={"end": today}))
    return history


def end_delegations_of(table: ConcertationTable, partner_id: UUID, now: datetime) -> ConcertationTable | None:
    """The table once ``partner_id`` is deactivated at ``now``, or None when it delegated nothing left.

    A delegation of the partner running on Montréal's date of ``now`` ends that day, and one that
    had not begun is dropped (as ``delegate`` does when superseded): the table then has no
    delegate, so its members propose for themselves again until the hub delegates another one.
    """
    history = _end_from(table.delegations, local_date(now), lambda d: d.partner_id == partner_id)
    if history == table.delegations:
        return None
    return table.model_copy(update={"delegations": history, "updated_at": now})


def dissolve_table(table: ConcertationTable, now: datetime) -> ConcertationTable:
    """The table dissolved at ``now``: its delegation ends that day, one not begun is dropped.

    A dissolved table is kept (history refers to it) but speaks for no one: it endorses nothing,
    takes no members or delegate, and its region's partners propose without it. Dissolving it
    again changes nothing."""
    if table.status == "dissolved":
        return table
    history = _end_from(table.delegations, local_date(now), lambda d: True)
    return table.model_copy(update={"status": "dissolved", "delegations": history, "updated_at": now})


def _check_active(table: ConcertationTable) -> None:
    if table.status != "active":
        raise Conflict(say("table_dissolved", value=table.table_id), existing=f"/tables/{table.table_id}")


def _check_members(members: Iterable[UUID], partners: Mapping[UUID, Partner]) -> list[UUID]:
    unique = list(dict.fromkeys(members))
    for index, member in enumerate(unique):
        partner = partners.get(member)
        if partner is None or partner.status != "active":
            raise Rejected(f"members.{index}", say("no_active_partner", value=member))
    return unique


def create_table(
    command: TableCreate, table_id: UUID, now: datetime, places: Places, partners: Mapping[UUID, Partner]
) -> ConcertationTable:
    """A new concertation table."""
    _check_places(places, [command.region], command.mrcs)
    if not places.is_region(command.region):
        raise Rejected("region", say("unknown_region_any", value=command.region))
    return ConcertationTable(
        table_id=table_id,
        name=command.name,
        region=command.region,
        mrcs=list(dict.fromkeys(command.mrcs)),
        members=_check_members(command.members, partners),
        created_at=now,
    )


def set_members(
    table: ConcertationTable, members: Iterable[UUID], now: datetime, partners: Mapping[UUID, Partner]
) -> ConcertationTable:
    """The table with new members; its current delegate must stay a member."""
    _check_active(table)
    checked = _check_members(members, partners)
    for delegation in table.delegations:
        running = delegation.end is None or delegation.end >= local_date(now)
        if running and delegation.partner_id not in checked:
            raise Rejected("members", say("delegate_still_member", value=delegation.partner_id))
    return ConcertationTable.model_validate({**table.model_dump(), "members": checked, "updated_at": now})


def delegate(
    table: ConcertationTable,
    command: DelegationCreate,
    now: datetime,
    partners: Mapping[UUID, Partner],
) -> ConcertationTable:
    """The table delegating ``command.partner_id`` from ``command.start``.

    The delegation running then ends the day before; history is kept. A deactivated partner is
    never delegated (its delegations end when it is deactivated: ``end_delegations_of``).
    """
    _check_active(table)
    if command.partner_id not in table.members:
        raise Rejected("partner_id", say("delegate_not_member"))
    known = partners.get(command.partner_id)
    if known is not None and known.status != "active":
        raise Rejected("partner_id", say("partner_deactivated", value=command.partner_id))
    if command.end is not None and command.end < command.start:
        raise Rejected("end", say("ends_before_start"))
    history: list[Delegation] = []
    for past in table.delegations:
        if past.start >= command.start:
            continue  # superseded before it began
        if past.end is None or past.end >= command.start:
            past = past.model_copy(update={"end": command.start - timedelta(days=1)})
        history.append(past)
    history.append(Delegation(partner_id=command.partner_id, start=command.start, end=command.end))
    return table.model_copy(update={"delegations": history, "updated_at": now})


_DETAILS = {
    OfferKind.JOB: "job",
    OfferKind.SETTLEMENT: "settlement",
    OfferKind.INTAKE_CAPACITY: "intake",
    OfferKind.SUPPORT_MEASURE: "measure",
}


def _offer_regions(kind: OfferKind, command: OfferCreate | OfferUpdate) -> Named:
    """Where the offer's region(s) are named, and which."""
    field = _DETAILS[kind]
    details = getattr(command, field)
    if kind is OfferKind.SUPPORT_MEASURE:
        return indexed(f"{field}.regions", details.regions)
    return [(f"{field}.region", details.region)]


def _check_offer_details(
    kind: OfferKind,
    command: OfferCreate | OfferUpdate,
    places: Places,
    publisher: Partner | None,
    by_itself: bool,
) -> None:
    field = _DETAILS[kind]
    for other in _DETAILS.values():
        if other != field and getattr(command, other) is not None:
            raise Rejected(other, say("details_not_for_kind", kind=kind.value, field=other))
    details = getattr(command, field)
    if details is None:
        raise Rejected(field, say("details_missing", kind=kind.value, field=field))
    if kind is OfferKind.JOB and int(details.cnp[1]) > 5:
        raise Rejected(f"{field}.cnp", say("invalid_cnp"))
    if kind is OfferKind.SUPPORT_MEASURE:
        _check_places(places, details.regions, [], field)
    elif kind is OfferKind.INTAKE_CAPACITY:
        _check_places(places, [details.region], details.mrcs, field)
    else:
        _check_places(places, [details.region], [], field)
        if details.mrc is not None and places.region_of_mrc(details.mrc) != details.region:
            home = places.region_of_mrc(details.mrc)
            reason = (
                say("unknown_mrc", value=details.mrc)
                if home is None
                else say("mrc_outside_region", mrc=details.mrc, home=home, regions=details.region)
            )
            raise Rejected(f"{field}.mrc", reason)
    # An offer is for a destination (never Montréal), in a region its publisher serves.
    check_scope(publisher, _offer_regions(kind, command), by_itself)


def publish_offer(
    command: OfferCreate,
    offer_id: UUID,
    publisher: Partner | None,
    now: datetime,
    places: Places,
    by_itself: bool = False,
) -> Offer:
    """A new offer from ``publisher`` (None only for the platform's default measures), in regions
    it serves; ``by_itself``: the publisher asks itself (403 outside its regions, not 422)."""
    if publisher is not None and publisher.status != "active":
        raise Rejected("partner_id", say("partner_deactivated", value=publisher.partner_id))
    _check_offer_details(command.kind, command, places, publisher, by_itself)
    return Offer(
        offer_id=offer_id,
        partner_id=publisher.partner_id if publisher else None,
        kind=command.kind,
        title=command.title,
        published_at=now,
        **{_DETAILS[command.kind]: getattr(command, _DETAILS[command.kind])},
    )


def revise_offer(
    current: Offer,
    command: OfferUpdate,
    now: datetime,
    places: Places,
    publisher: Partner | None = None,
    by_itself: bool = False,
) -> Offer:
    """The offer with a new title and details, still in regions its ``publisher`` serves;
    withdrawn offers stay withdrawn."""
    if current.status == "withdrawn":
        raise Forbidden(say("offer_withdrawn"))
    _check_offer_details(current.kind, command, places, publisher, by_itself)
    field = _DETAILS[current.kind]
    return current.model_copy(
        update={"title": command.title, field: getattr(command, field), "updated_at": now}
    )


def withdraw_offer(current: Offer, now: datetime) -> Offer:
    """The offer, withdrawn."""
    return current.model_copy(update={"status": "withdrawn", "updated_at": now})
