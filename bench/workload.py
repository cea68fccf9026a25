"""The benchmark's workload: realistic interests, encoded once before any clock starts, the
default measure catalogue the matching worker evaluates, and the case key each interest yields.

The same records (about 400 bytes of JSON, CloudEvents headers) go through the
pipeline and through the plain loops, so every case measures the same work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from kafka import KafkaProducer

from services.common.cloudevents import Headers, new_event
from services.common.codec import encode
from services.common.contracts import CaseKey, ImmigrationStatus, InterestDeclared, OfferKey, PersonKey
from services.common.kafka import API_VERSION, client_options, ensure_topics
from services.common.settings import KafkaSettings
from services.common.topics import OFFERS, REGISTRY
from services.matching.domain import case_id_for
from services.partners.catalogue import catalogue_offers


@dataclass(frozen=True)
class Record:
    """One interest as it travels: key, value and headers already encoded."""

    person_id: uuid.UUID
    key: bytes
    value: bytes
    headers: Headers

    @property
    def rd_headers(self) -> list[tuple[str, str | bytes | None]]:
        """The headers as confluent-kafka's produce() is typed to take them."""
        return cast(list[tuple[str, Any]], self.headers)

    @property
    def case_key(self) -> bytes:
        """The key of the case the matching worker opens for this interest (as it encodes it)."""
        return encode(CaseKey(case_id=case_id_for(self.person_id))) or b""


def interests(count: int) -> list[InterestDeclared]:
    """``count`` realistic interests: every status, four occupations, ranked regions, both languages."""
    now = datetime.now(UTC)
    statuses = list(ImmigrationStatus)
    return [
        InterestDeclared(
            person_id=uuid.uuid4(),
            immigration_status=statuses[n % len(statuses)],
            arrival_date=date(2026, 1, 1) + timedelta(days=n % 600),
            occupation=["21231", "72410", "31301", "63200"][n % 4],
            french_level=1 + n % 12,
            preferred_regions=[["05", "16"], ["02"], [], ["08", "01", "11"]][n % 4],
            language="fr" if n % 3 else "en",
            declared_at=now,
        )
        for n in range(count)
    ]


def records(count: int) -> list[Record]:
    """``count`` new interests, encoded as the matching API writes them."""
    out = []
    for interest in interests(count):
        meta = new_event("matching.InterestDeclared", "bench", str(uuid.uuid4()))
        key = encode(PersonKey(person_id=interest.person_id)) or b""
        out.append(Record(interest.person_id, key, encode(interest) or b"", meta.to_headers()))
    return out


def publish_catalogue(bootstrap: str) -> int:
    """Publish the default support measures on offers.v1 (what partners-api seeds at its start)."""
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), REGISTRY)
    producer = KafkaProducer(**client_options(bootstrap), acks="all", api_version=API_VERSION)
    offers = catalogue_offers(datetime.now(UTC))
    for offer in offers:
        meta = new_event("partners.OfferPublished", "bench", None)
        producer.send(
            OFFERS.name,
            key=encode(OfferKey(offer_id=offer.offer_id)),
            value=encode(offer),
            headers=meta.to_headers(),
        )
    producer.flush()
    producer.close()
    return len(offers)
