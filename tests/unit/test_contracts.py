"""The topic registry and its contracts: every record survives the wire, and the registry keeps its promises.

For each registered topic a realistic Québec example (a Sherbrooke partner, a
nurse from Montréal who wants to settle in Estrie, an information session in
Montréal...) is encoded and decoded with the codec. The registry's rules are
checked as data: one writer per topic, entity topics compacted, fact topics
not, decisions never racing, personal contact data only on contacts.v1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args
from uuid import UUID

import pytest
from pydantic import BaseModel, ValidationError

from services.common import codec
from services.common.codec import UnreadableRecord
from services.common.contracts import (
    AccessKey,
    ActivityKind,
    ActivityProposed,
    CalendarCommand,
    CalendarEntry,
    CalendarRules,
    Case,
    CaseKey,
    CommandKey,
    ConcertationTable,
    Consents,
    Contact,
    ContactAccessed,
    Contract,
    Counsellor,
    CounsellorKey,
    Delegation,
    EmailSent,
    Factor,
    FollowUpAnswered,
    FollowUpAnswers,
    FollowUpKey,
    FollowUps,
    Household,
    ImmigrationStatus,
    InterestDeclared,
    JobOffer,
    MatchingCommand,
    MeasureEntry,
    MeasureKey,
    MeasureLedger,
    MeasureStep,
    NotificationKey,
    Occupation,
    Offer,
    OfferKey,
    OfferKind,
    Partner,
    PartnerKey,
    PartnerReferral,
    PersonKey,
    ProposalKey,
    Referral,
    ReferralKey,
    RoundCompleted,
    RoundKey,
    RulesKey,
    Settlement,
    SettlementKey,
    SettlementStep,
    TableKey,
    Venue,
    Versioned,
)
from services.common.topics import (
    CALENDAR,
    CALENDAR_COMMANDS,
    CALENDAR_RULES,
    CASES,
    CONTACT_ACCESS,
    CONTACTS,
    COUNSELLORS,
    DEADLETTER,
    EVENT_PROPOSALS,
    FOLLOWUPS,
    INTERESTS,
    MATCHING_COMMANDS,
    MEASURES,
    NOTIFICATIONS,
    OFFERS,
    PARTNERS,
    REFERRALS,
    REGISTRY,
    ROUNDS,
    SETTLEMENTS,
    TABLES,
    TopicSpec,
    partner_referrals,
)

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"

SANC_ID = UUID("6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e")
MARIE_EVE_ID = UUID("0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c")
PROPOSAL_ID = UUID("c4a1f0e2-93b7-4d58-a6e1-2f3b4c5d6e7f")
DECLARED_AT = datetime(2025, 9, 15, 14, 32, 5, tzinfo=UTC)

Example = tuple[Contract, Versioned]


def a_partner() -> Example:
    """The Service d'aide aux néo-Canadiens, a community organization in Sherbrooke (Estrie)."""
    partner = Partner(
        partner_id=SANC_ID,
        name="Service d'aide aux néo-Canadiens",
        kind="community_organization",
        regions=["05"],
        contact_email="regionalisation@sanc.example.ca",
        language="fr",
        registered_at=datetime(2025, 8, 28, 9, 0, tzinfo=UTC),
    )
    return PartnerKey(partner_id=SANC_ID), partner


def an_activity_proposed() -> Example:
    """An information session on living and working in Estrie, two Saturdays wanted."""
    proposal = ActivityProposed(
        proposal_id=PROPOSAL_ID,
        organizer_id=SANC_ID,
        regions=["05", "17"],
        kind=ActivityKind.INFORMATION_SESSION,
        title="Séance d'information : vivre et travailler en Estrie",
        preferred_dates=[date(2025, 10, 18), date(2025, 10, 25)],
        proposed_at=datetime(2025, 9, 20, 10, 15, tzinfo=UTC),
    )
    return ProposalKey(proposal_id=PROPOSAL_ID), proposal


def a_calendar_entry() -> Example:
    """The session, scheduled on its first choice."""
    entry = CalendarEntry(
        proposal_id=PROPOSAL_ID,
        organizer_id=SANC_ID,
        regions=["05", "17"],
        kind=ActivityKind.INFORMATION_SESSION,
        title="Séance d'information : vivre et travailler en Estrie",
        status="scheduled",
        day=date(2025, 10, 18),
        preference_rank=1,
        reason="Scheduled on the first choice; 2 of 3 daily places now taken.",
        decided_at=datetime(2025, 9, 20, 10, 15, 2, tzinfo=UTC),
    )
    return ProposalKey(proposal_id=PROPOSAL_ID), entry


def an_interest_declared() -> Example:
    """A registered nurse, permanent resident since 2024, who would like to live in Estrie or Mauricie."""
    interest = InterestDeclared(
        person_id=MARIE_EVE_ID,
        immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
        arrival_date=date(2024, 9, 3),
        occupation="31301",
        french_level=7,
        preferred_regions=["05", "04"],
        language="fr",
        declared_at=DECLARED_AT,
        household=Household(adults=2, children_ages=[4, 9]),
        occupations=[Occupation(cnp="31301", years=6)],
        studies="bachelor",
        credential_recognition_in_progress=True,
        consents=Consents(contact=True, referral=True, share_contact=False),
    )
    return PersonKey(person_id=MARIE_EVE_ID), interest


def a_contact() -> Example:
    """Marie-Ève Côté's contact data, the only personal data on the platform."""
    contact = Contact(
        person_id=MARIE_EVE_ID,
        name="Marie-Ève Côté",
        email="marie-eve.cote@example.com",
        phone="+1 514 555-0142",
        language="fr",
    )
    return PersonKey(person_id=MARIE_EVE_ID), contact


def a_case() -> Example:
    """Marie-Ève's case at the Montréal hub."""
    case_id = UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d")
    case = Case(
        case_id=case_id,
        person_id=MARIE_EVE_ID,
        status="open",
        language="fr",
        preferred_regions=["05", "04"],
        opened_at=DECLARED_AT,
    )
    return CaseKey(case_id=case_id), case


def a_contact_access() -> Example:
    """A counsellor read Marie-Ève's contact details on her case page."""
    access_id = UUID("5e0d9c8b-7a6f-4e5d-8c4b-3a2f1e0d9c8b")
    read = ContactAccessed(
        access_id=access_id,
        person_id=MARIE_EVE_ID,
        by_role="counsellor",
        by_subject="9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        purpose="web: case page",
        accessed_at=datetime(2025, 9, 16, 13, 5, tzinfo=UTC),
    )
    return AccessKey(access_id=access_id), read


def an_email_sent() -> Example:
    """The audit record of the case_opened email sent to Marie-Ève."""
    message_id = "<3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49@concerto.quebec>"
    sent = EmailSent(
        message_id=message_id,
        template="case_opened",
        language="fr",
        recipient_kind="person",
        recipient_id=MARIE_EVE_ID,
        source_event_id="1d6f3c2a-8b9e-5f40-a1b2-c3d4e5f60718",
        sent_at=datetime(2025, 9, 15, 14, 32, 9, tzinfo=UTC),
    )
    return NotificationKey(message_id=message_id), sent


TABLE_ID = UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
OFFER_ID = UUID("1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b")


def a_table() -> Example:
    """The Estrie regional table, which delegates the SANC to recruit in Montréal."""
    table = ConcertationTable(
        table_id=TABLE_ID,
        name="Table de concertation en immigration de l'Estrie",
        region="05",
        members=[SANC_ID],
        delegations=[Delegation(partner_id=SANC_ID, start=date(2025, 9, 1))],
        created_at=datetime(2025, 8, 30, 10, 0, tzinfo=UTC),
    )
    return TableKey(table_id=TABLE_ID), table


def a_job_offer() -> Example:
    """Two software developer positions in Sherbrooke, intermediate French required."""
    offer = Offer(
        offer_id=OFFER_ID,
        partner_id=SANC_ID,
        kind=OfferKind.JOB,
        title="Développeuse ou développeur logiciel",
        published_at=datetime(2025, 9, 2, 8, 0, tzinfo=UTC),
        job=JobOffer(
            cnp="21231",
            region="05",
            mrc="430",
            positions=2,
            hours_per_week=37.5,
            hourly_wage=Decimal("38.50"),
            french_level_required=7,
            start_date=date(2025, 9, 2),
            closing_date=date(2025, 10, 31),
        ),
    )
    return OfferKey(offer_id=OFFER_ID), offer


def an_endorsement() -> Example:
    """The Estrie table's delegate endorses the information session."""
    command = CalendarCommand(
        command_id=UUID("7e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908"),
        proposal_id=PROPOSAL_ID,
        action="endorse",
        by_partner=SANC_ID,
        issued_at=datetime(2025, 9, 16, 9, 0, tzinfo=UTC),
    )
    return ProposalKey(proposal_id=PROPOSAL_ID), command


def the_rules() -> Example:
    """Three activities a day, a week between two of one region, the Palais des congrès."""
    rules = CalendarRules(
        max_per_day=3,
        blackout_dates=[date(2025, 12, 25)],
        endorsement_required=[ActivityKind.BUS_TRIP],
        venues=[Venue(venue_id="palais-des-congres", name="Palais des congrès de Montréal", capacity=10000)],
        fair_days=[date(2025, 10, 24)],
    )
    return RulesKey(), rules


COUNSELLOR_ID = UUID("2c3d4e5f-6a7b-4c8d-9e0f-a1b2c3d4e5f6")
ROUND_ID = UUID("7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9")
REFERRAL_ID = UUID("1f2e3d4c-5b6a-5978-8877-665544332211")
INTAKE_ID = UUID("3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d")


def a_counsellor() -> Example:
    """A bilingual counsellor of the Montréal hub."""
    counsellor = Counsellor(
        counsellor_id=COUNSELLOR_ID,
        name="Amina Diallo",
        email="amina.diallo@hub.example.org",
        languages=["fr", "en"],
        max_cases=40,
    )
    return CounsellorKey(counsellor_id=COUNSELLOR_ID), counsellor


def a_round_requested() -> Example:
    """The hub asks for a concertation round."""
    command_id = UUID("5d4c3b2a-1908-4f7e-8d6c-5b4a39281706")
    command = MatchingCommand(
        command_id=command_id,
        action="run_round",
        round_id=ROUND_ID,
        by_role="hub",
        by_subject="hub-montreal",
        issued_at=DECLARED_AT,
    )
    return CommandKey(command_id=command_id), command


def a_referral() -> Example:
    """Marie-Ève's household referred to the SANC in Sherbrooke."""
    referral = Referral(
        referral_id=REFERRAL_ID,
        round_id=ROUND_ID,
        case_id=UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d"),
        person_id=MARIE_EVE_ID,
        household_size=4,
        region="05",
        welcoming_partner_id=SANC_ID,
        welcoming_offer_id=INTAKE_ID,
        preference_rank=1,
        counsellor_id=COUNSELLOR_ID,
        factors=[Factor(factor="preference", points=30, detail_fr="1er choix", detail_en="1st choice")],
        status="proposed",
        decided_by="round",
        issued_at=DECLARED_AT,
        updated_at=DECLARED_AT,
    )
    return ReferralKey(referral_id=REFERRAL_ID), referral


def a_settlement() -> Example:
    """Marie-Ève's household, welcomed by the SANC: contacted, visited, arrived in Sherbrooke."""
    case_id = UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d")
    at = datetime(2025, 10, 1, 14, 0, tzinfo=UTC)
    settlement = Settlement(
        case_id=case_id,
        person_id=MARIE_EVE_ID,
        referral_id=REFERRAL_ID,
        region="05",
        welcoming_partner_id=SANC_ID,
        status="arrived",
        first_contact_on=date(2025, 10, 2),
        exploratory_visit_on=date(2025, 10, 18),
        move_on=date(2026, 1, 5),
        arrived_on=date(2026, 1, 6),
        steps=[
            SettlementStep(action="first_contact", on=date(2025, 10, 2), recorded_at=at, by_role="partner")
        ],
        opened_at=at,
        updated_at=at,
    )
    return SettlementKey(case_id=case_id), settlement


def some_followups() -> Example:
    """Marie-Ève's household three months after its arrival in Sherbrooke, as the SANC answered."""
    case_id = UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d")
    at = datetime(2026, 4, 7, 15, 0, tzinfo=UTC)
    answers = FollowUpAnswers(
        in_region="yes",
        work="in_field",
        housing="permanent",
        children_at_school="all_at_school",
        french_courses="attending",
        note="Emploi au CIUSSS de l'Estrie depuis mars.",
    )
    done = FollowUpAnswered(
        month=3,
        due_on=date(2026, 4, 6),
        answered_on=date(2026, 4, 7),
        recorded_at=at,
        by_role="partner",
        answers=answers,
    )
    value = FollowUps(
        case_id=case_id,
        person_id=MARIE_EVE_ID,
        welcoming_partner_id=SANC_ID,
        arrived_on=date(2026, 1, 6),
        answered=[done],
        updated_at=at,
    )
    return FollowUpKey(case_id=case_id), value


def a_measures_ledger() -> Example:
    """Marie-Ève's measures: the exploratory trip granted, the francization allowance identified."""
    case_id = UUID("9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d")
    at = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)
    step = MeasureStep(
        action="grant", status="granted", on=date(2026, 2, 10), recorded_at=at, by_role="partner"
    )
    trip = MeasureEntry(
        measure_code="exploratory_trip",
        status="granted",
        handled_by="partner",
        granted_amount_cad=Decimal("850.00"),
        steps=[step],
    )
    allowance = MeasureEntry(
        measure_code="francization_allowance",
        status="identified",
        handled_by="counsellor",
        deadline=date(2026, 3, 1),
    )
    value = MeasureLedger(
        case_id=case_id,
        person_id=MARIE_EVE_ID,
        region="05",
        welcoming_partner_id=SANC_ID,
        entries=[trip, allowance],
        updated_at=at,
    )
    return MeasureKey(case_id=case_id), value


def a_partner_referral() -> Example:
    """What the SANC learns of Marie-Ève's household: no name, no address."""
    seen = PartnerReferral(
        referral_id=REFERRAL_ID,
        round_id=ROUND_ID,
        partner_id=SANC_ID,
        region="05",
        status="proposed",
        household=Household(adults=2, children_ages=[4, 9]),
        occupations=["31301"],
        french_level=7,
        language="fr",
        contact_shared=False,
        counsellor_id=COUNSELLOR_ID,
        issued_at=DECLARED_AT,
        updated_at=DECLARED_AT,
    )
    return ReferralKey(referral_id=REFERRAL_ID), seen


def a_round() -> Example:
    """A round's result."""
    result = RoundCompleted(
        round_id=ROUND_ID,
        requested_by="hub",
        started_at=DECLARED_AT,
        households=1,
        referred=1,
        first_choice=1,
        unmatched=0,
        duration_ms=3.5,
    )
    return RoundKey(round_id=ROUND_ID), result


EXAMPLES: dict[str, Callable[[], Example]] = {
    CALENDAR_COMMANDS.name: an_endorsement,
    CALENDAR_RULES.name: the_rules,
    PARTNERS.name: a_partner,
    TABLES.name: a_table,
    OFFERS.name: a_job_offer,
    EVENT_PROPOSALS.name: an_activity_proposed,
    CALENDAR.name: a_calendar_entry,
    INTERESTS.name: an_interest_declared,
    CONTACTS.name: a_contact,
    CASES.name: a_case,
    NOTIFICATIONS.name: an_email_sent,
    CONTACT_ACCESS.name: a_contact_access,
    COUNSELLORS.name: a_counsellor,
    MATCHING_COMMANDS.name: a_round_requested,
    REFERRALS.name: a_referral,
    ROUNDS.name: a_round,
    SETTLEMENTS.name: a_settlement,
    FOLLOWUPS.name: some_followups,
    MEASURES.name: a_measures_ledger,
}

TOPICS_WITH_MODELS = [
    spec for spec in REGISTRY if spec.key_model is not None and spec.value_model is not None
]
ENTITY_TOPICS = [
    PARTNERS,
    TABLES,
    OFFERS,
    CALENDAR_RULES,
    CALENDAR,
    INTERESTS,
    CONTACTS,
    CASES,
    COUNSELLORS,
    REFERRALS,
    ROUNDS,
    SETTLEMENTS,
    FOLLOWUPS,
    MEASURES,
]
FACT_TOPICS = [EVENT_PROPOSALS, CALENDAR_COMMANDS, MATCHING_COMMANDS, NOTIFICATIONS, CONTACT_ACCESS]
PERSONAL_FIELDS = {"name", "email", "phone"}


def _spec_id(spec: TopicSpec) -> str:
    return spec.name


def _value_json(spec: TopicSpec) -> dict[str, Any]:
    _, value = EXAMPLES[spec.name]()
    loaded: dict[str, Any] = json.loads(value.model_dump_json())
    return loaded


def _field_names(model: type[BaseModel]) -> Iterator[str]:
    """Every field name of ``model`` and of the models nested in its fields."""
    for name, field in model.model_fields.items():
        yield name
        for nested in _models_in(field.annotation):
            yield from _field_names(nested)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):  # list[...], X | None, Annotated[...]
        yield from _models_in(arg)


def test_every_topic_with_contracts_has_an_example() -> None:
    assert {spec.name for spec in TOPICS_WITH_MODELS} == set(EXAMPLES)


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_a_record_reads_back_as_it_was_written(spec: TopicSpec) -> None:
    key, value = EXAMPLES[spec.name]()
    codec.check_models(spec, key, value)

    assert codec.decode_key(spec, codec.encode(key)) == key
    assert codec.decode_value(spec, codec.encode(value)) == value


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_a_value_from_a_newer_schema_with_an_added_field_still_reads(spec: TopicSpec) -> None:
    _, value = EXAMPLES[spec.name]()
    newer = {**_value_json(spec), "schema_version": 2, "mrc_code": "430"}

    decoded = codec.decode_value(spec, json.dumps(newer).encode())

    assert decoded.model_dump(exclude={"schema_version"}) == value.model_dump(exclude={"schema_version"})
    assert decoded.schema_version == 2


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_a_value_with_a_wrong_field_is_unreadable_and_says_where(spec: TopicSpec) -> None:
    broken = {**_value_json(spec), "schema_version": "la deuxième"}

    with pytest.raises(UnreadableRecord) as caught:
        codec.decode_value(spec, json.dumps(broken).encode())

    assert spec.name in str(caught.value)
    assert "schema_version" in str(caught.value)
    assert isinstance(caught.value.__cause__, ValidationError)


def test_a_partner_in_an_unknown_region_is_unreadable_and_the_region_field_is_named() -> None:
    broken = {**_value_json(PARTNERS), "regions": ["05", "18"]}

    with pytest.raises(UnreadableRecord, match=r"^partners\.v1: invalid value: regions\.1: "):
        codec.decode_value(PARTNERS, json.dumps(broken).encode())


def test_a_key_that_is_not_a_uuid_is_unreadable_and_the_key_field_is_named() -> None:
    with pytest.raises(UnreadableRecord, match=r"^contacts\.v1: invalid key: person_id: "):
        codec.decode_key(CONTACTS, b'{"person_id": "marie-eve"}')


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe\x00", b"", b"[1, 2"], ids=repr)
def test_bytes_that_are_not_json_are_unreadable(spec: TopicSpec, raw: bytes) -> None:
    with pytest.raises(UnreadableRecord, match=spec.name.replace(".", r"\.")):
        codec.decode_value(spec, raw)
    with pytest.raises(UnreadableRecord, match=spec.name.replace(".", r"\.")):
        codec.decode_key(spec, raw)


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_a_tombstone_decodes_to_none(spec: TopicSpec) -> None:
    assert codec.encode(None) is None
    assert codec.decode_value(spec, None) is None


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_a_record_without_a_key_is_unreadable(spec: TopicSpec) -> None:
    with pytest.raises(UnreadableRecord, match="key is missing"):
        codec.decode_key(spec, None)


def test_dead_letters_are_kept_as_raw_bytes() -> None:
    assert codec.decode_key(DEADLETTER, b"\x00key") == b"\x00key"
    assert codec.decode_value(DEADLETTER, b"not json at all") == b"not json at all"


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_writing_another_topics_key_is_refused(spec: TopicSpec) -> None:
    _, value = EXAMPLES[spec.name]()
    foreign_key = next(
        key
        for key, _ in (make() for make in EXAMPLES.values())
        if spec.key_model is not None and not isinstance(key, spec.key_model)
    )

    with pytest.raises(TypeError, match=spec.name.replace(".", r"\.")):
        codec.check_models(spec, foreign_key, value)


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_writing_another_topics_value_is_refused(spec: TopicSpec) -> None:
    key, _ = EXAMPLES[spec.name]()
    foreign_value = next(
        value
        for _, value in (make() for make in EXAMPLES.values())
        if spec.value_model is not None and not isinstance(value, spec.value_model)
    )

    with pytest.raises(TypeError, match=spec.name.replace(".", r"\.")):
        codec.check_models(spec, key, foreign_value)


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_writing_a_tombstone_is_allowed(spec: TopicSpec) -> None:
    key, _ = EXAMPLES[spec.name]()

    codec.check_models(spec, key, None)


def test_contact_data_cannot_be_written_on_the_interests_topic() -> None:
    key, contact = a_contact()

    with pytest.raises(TypeError, match=r"interests\.v1 values are InterestDeclared, not Contact"):
        codec.check_models(INTERESTS, key, contact)


def test_topic_names_are_unique_and_versioned() -> None:
    names = [spec.name for spec in REGISTRY]

    assert len(names) == len(set(names))
    assert all(name.endswith(".v1") for name in names), names


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_every_topic_has_exactly_one_writing_service(spec: TopicSpec) -> None:
    assert spec.writer.isidentifier(), f"{spec.name} writer {spec.writer!r} is not one service"
    assert (SERVICES_DIR / spec.writer / "__init__.py").is_file(), f"no service package {spec.writer}"


def test_the_dead_letter_topic_is_the_only_one_without_contracts() -> None:
    assert [spec for spec in REGISTRY if spec not in TOPICS_WITH_MODELS] == [DEADLETTER]


@pytest.mark.parametrize("spec", ENTITY_TOPICS, ids=_spec_id)
def test_entity_topics_keep_the_latest_state_per_key(spec: TopicSpec) -> None:
    assert spec.compacted
    assert spec.config["cleanup.policy"] == "compact"


@pytest.mark.parametrize("spec", FACT_TOPICS, ids=_spec_id)
def test_fact_topics_are_not_compacted(spec: TopicSpec) -> None:
    assert not spec.compacted
    assert spec.config["cleanup.policy"] == "delete"
    assert int(spec.config["retention.ms"]) > 0


def test_every_topic_is_either_an_entity_or_a_fact() -> None:
    assert {spec.name for spec in ENTITY_TOPICS + FACT_TOPICS} == {spec.name for spec in TOPICS_WITH_MODELS}


def test_proposals_have_one_partition_so_calendar_decisions_never_race() -> None:
    assert EVENT_PROPOSALS.partitions == 1


@pytest.mark.parametrize("spec", TOPICS_WITH_MODELS, ids=_spec_id)
def test_personal_contact_data_travels_only_on_contacts(spec: TopicSpec) -> None:
    assert spec.value_model is not None
    personal = PERSONAL_FIELDS & set(_field_names(spec.value_model))

    if spec is CONTACTS:
        assert personal == PERSONAL_FIELDS
    elif spec is TABLES:
        assert personal == {"name"}  # the table's own name
    elif spec is CALENDAR_RULES:
        assert personal == {"name"}  # a venue's name
    elif spec is PARTNERS:
        # A partner's name is an organization's name, and its address is the organization's: not personal.
        assert personal == {"name"}
        assert "organization" in (Partner.model_fields["name"].description or "")
        assert "not a person" in (Partner.model_fields["contact_email"].description or "")
    elif spec is COUNSELLORS:
        # A hub counsellor's professional name and address, not those of a person served.
        assert personal == {"name", "email"}
        assert "not a person served" in (Counsellor.model_fields["email"].description or "")
    else:
        assert personal == set(), f"{spec.name} carries personal data: {sorted(personal)}"


def test_a_proposal_cannot_repeat_a_preferred_date() -> None:
    _, proposal = an_activity_proposed()
    saturday = date(2025, 10, 18)

    with pytest.raises(ValidationError, match="preferred dates must be distinct"):
        ActivityProposed.model_validate(
            {**proposal.model_dump(), "preferred_dates": [saturday, date(2025, 10, 25), saturday]}
        )


def test_a_proposal_with_a_repeated_date_on_the_wire_is_unreadable() -> None:
    repeated = {**_value_json(EVENT_PROPOSALS), "preferred_dates": ["2025-10-18", "2025-10-18"]}

    with pytest.raises(UnreadableRecord, match=r"event-proposals\.v1: invalid value: preferred_dates: "):
        codec.decode_value(EVENT_PROPOSALS, json.dumps(repeated).encode())


def test_contracts_are_frozen() -> None:
    partner = Partner.model_validate(a_partner()[1].model_dump())

    with pytest.raises(ValidationError, match="frozen"):
        partner.status = "deactivated"  # type: ignore[misc]


def test_a_partners_referral_topic_reads_back_and_carries_no_contact_data() -> None:
    spec = partner_referrals(SANC_ID)
    key, value = a_partner_referral()

    assert spec.name == f"partner-referrals.{SANC_ID}.v1"
    assert codec.decode_value(spec, codec.encode(value)) == value
    assert codec.decode_key(spec, codec.encode(key)) == key
    assert PERSONAL_FIELDS & set(_field_names(PartnerReferral)) == set()
