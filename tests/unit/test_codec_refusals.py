"""What a consumer refuses before handling a record, what it still reads (services/common/codec.py),
and what a publisher refuses to write because its consumers would refuse it."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from services.common.codec import UnreadableRecord, check_envelope, decode_value, encode
from services.common.contracts import CalendarRules, PersonKey, RulesKey
from services.common.kafka import Publisher, RecordTooLarge
from services.common.settings import KafkaSettings
from services.common.topics import CALENDAR_RULES, INTERESTS

LIMIT = KafkaSettings().max_record_bytes
KEY = encode(PersonKey(person_id=uuid.UUID(int=1)))
VALUE = json.dumps(
    {
        "person_id": str(uuid.UUID(int=1)),
        "immigration_status": "permanent_resident",
        "preferred_regions": ["05"],
        "language": "fr",
        "declared_at": "2026-11-27T10:00:00Z",
    }
)


def test_the_default_limit_is_a_quarter_of_the_brokers_message_size() -> None:
    assert LIMIT == 256 * 1024


def test_a_record_at_the_limit_is_read_and_one_byte_more_is_oversized() -> None:
    assert KEY is not None
    at_limit = b"x" * (LIMIT - len(KEY))
    check_envelope(INTERESTS, KEY, at_limit, {}, LIMIT)
    with pytest.raises(UnreadableRecord, match=r"interests.v1: oversized record: 262145 bytes"):
        check_envelope(INTERESTS, KEY, at_limit + b"x", {}, LIMIT)


@pytest.mark.parametrize("version", ["0.3", "2.0", ""])
def test_another_cloudevents_version_is_a_wrong_version(version: str) -> None:
    with pytest.raises(UnreadableRecord, match=r"wrong version: ce_specversion"):
        check_envelope(INTERESTS, KEY, VALUE.encode(), {"ce_specversion": version}, LIMIT)


def test_cloudevents_1_0_or_no_header_at_all_is_read() -> None:
    check_envelope(INTERESTS, KEY, VALUE.encode(), {"ce_specversion": "1.0"}, LIMIT)
    check_envelope(INTERESTS, KEY, VALUE.encode(), {}, LIMIT)  # a foreign producer's record


@pytest.mark.parametrize("version", [0, -1, "2", 1.0, True, None])
def test_a_schema_version_that_is_not_an_integer_of_at_least_1_is_a_wrong_version(version: object) -> None:
    raw = json.dumps({**json.loads(VALUE), "schema_version": version}).encode()
    with pytest.raises(UnreadableRecord, match=r"interests.v1: wrong version: schema_version"):
        decode_value(INTERESTS, raw)


def test_a_later_schema_version_is_read_its_new_fields_ignored() -> None:
    raw = json.dumps({**json.loads(VALUE), "schema_version": 2, "added_later": [1, 2]}).encode()
    assert decode_value(INTERESTS, raw).schema_version == 2


def test_a_record_that_is_not_json_is_invalid() -> None:
    with pytest.raises(UnreadableRecord, match=r"interests.v1: invalid value"):
        decode_value(INTERESTS, b"\x00\xff{not json")


def test_a_publisher_refuses_to_write_what_consumers_would_refuse() -> None:
    settings = KafkaSettings(bootstrap_servers="127.0.0.1:9", max_record_bytes=1024)
    publisher = Publisher(settings, "tests")  # never reaches the broker: refused before sending
    rules = CalendarRules(blackout_dates=[date(2031, 1, 1) + timedelta(days=n) for n in range(200)])
    try:
        with pytest.raises(RecordTooLarge, match=r"calendar-rules.v1 record would be \d+ bytes"):
            publisher.publish(CALENDAR_RULES, RulesKey(), rules, "events.CalendarRulesChanged")
    finally:
        publisher.close()
