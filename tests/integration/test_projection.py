"""A projection on the real broker: topics parsed on arrival, and lazy ones kept as bytes, parsed on read."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer

from services.common.codec import encode
from services.common.contracts import CaseKey
from services.common.kafka import API_VERSION, client_options, ensure_topics
from services.common.projection import Projection
from services.common.settings import Settings
from services.common.topics import CASES
from services.matching.domain import open_case
from tests.unit.test_cases import an_interest

# A topic of this test's own, shaped like cases.v1, so other tests' cases do not interfere.
OWN_CASES = dataclasses.replace(CASES, name=f"test-projection-cases-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def producer(settings: Settings) -> Iterator[KafkaProducer]:
    ensure_topics(settings.kafka, [OWN_CASES])
    kafka = KafkaProducer(**client_options(settings.kafka), api_version=API_VERSION)
    yield kafka
    kafka.close()


def follow(settings: Settings, lazy: bool) -> Projection:
    projection = Projection(settings.kafka, [OWN_CASES], "test", lazy=[OWN_CASES] if lazy else [])
    projection.start()
    assert projection.wait_ready(60), "the projection did not load"
    return projection


@pytest.mark.parametrize("lazy", [False, True], ids=["parsed-on-arrival", "lazy"])
def test_both_kinds_read_the_same_values_and_follow_tombstones(
    settings: Settings, producer: KafkaProducer, lazy: bool
) -> None:
    cases = [open_case(an_interest(uuid.uuid4())) for _ in range(5)]
    for case in cases:
        producer.send(OWN_CASES.name, key=encode(CaseKey(case_id=case.case_id)), value=encode(case))
    erased = cases.pop()
    producer.send(OWN_CASES.name, key=encode(CaseKey(case_id=erased.case_id)), value=None)
    producer.flush()
    projection = follow(settings, lazy)
    try:
        assert projection.catch_up(30)
        for case in cases:
            assert projection.get(OWN_CASES, CaseKey(case_id=case.case_id)) == case
        assert projection.get(OWN_CASES, CaseKey(case_id=erased.case_id)) is None
        everything = projection.values(OWN_CASES)
        assert {c.case_id for c in cases} <= {c.case_id for c in everything}
        assert erased.case_id not in {c.case_id for c in everything}
    finally:
        projection.stop()


def test_a_lazy_record_that_does_not_parse_reads_as_nothing_and_spoils_no_other(
    settings: Settings, producer: KafkaProducer
) -> None:
    good = open_case(an_interest(uuid.uuid4()))
    spoiled = open_case(an_interest(uuid.uuid4()))
    producer.send(OWN_CASES.name, key=encode(CaseKey(case_id=good.case_id)), value=encode(good))
    producer.send(OWN_CASES.name, key=encode(CaseKey(case_id=spoiled.case_id)), value=b'{"not": "a case"}')
    producer.flush()
    projection = follow(settings, lazy=True)
    try:
        assert projection.catch_up(30)
        assert projection.get(OWN_CASES, CaseKey(case_id=good.case_id)) == good
        assert projection.get(OWN_CASES, CaseKey(case_id=spoiled.case_id)) is None
        assert good.case_id in {c.case_id for c in projection.values(OWN_CASES)}
        assert spoiled.case_id not in {c.case_id for c in projection.values(OWN_CASES)}
    finally:
        projection.stop()
