"""The default catalogue of support measures (data/measures.json), published as offers at start-up.

Each measure gets an offer id derived from its code, and is published only if
offers.v1 does not hold it yet: restarting partners-api publishes nothing twice,
and a measure the hub has edited since is never overwritten.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import structlog
from tenacity import retry, retry_if_exception_type, wait_exponential

from services.common.contracts import Offer, OfferKey, OfferKind, SupportMeasure
from services.common.http import ApiRuntime
from services.common.kafka import KafkaUnavailable
from services.common.reference import DATA_DIR
from services.common.topics import OFFERS

log = structlog.get_logger(__name__)
MEASURES_NAMESPACE = uuid.UUID("2d7f3e1a-9c4b-4b8e-a6d5-3f0e1c2b4a69")


def default_measures(path: Path = DATA_DIR / "measures.json") -> list[SupportMeasure]:
    """The measures shipped in data/measures.json."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [SupportMeasure.model_validate(m) for m in raw["measures"]]


def measure_offer_id(code: str) -> uuid.UUID:
    """The offer id of a default measure."""
    return uuid.uuid5(MEASURES_NAMESPACE, code)


def catalogue_offers(now: datetime) -> list[Offer]:
    """The default measures as offers of the platform (no publishing partner)."""
    return [
        Offer(
            offer_id=measure_offer_id(m.code),
            partner_id=None,
            kind=OfferKind.SUPPORT_MEASURE,
            title=m.name_fr,
            published_at=now,
            measure=m,
        )
        for m in default_measures()
    ]


@retry(wait=wait_exponential(multiplier=0.5, max=10), retry=retry_if_exception_type(KafkaUnavailable))
def seed_default_measures(runtime: ApiRuntime) -> None:
    """Publish the default measures that offers.v1 does not hold yet (after the projection is rebuilt)."""
    while not runtime.projection.wait_ready(0.5):
        if runtime.projection.stopped:
            return  # the API stopped before Kafka ever answered
    published = 0
    for offer in catalogue_offers(runtime.clock.now()):
        key = OfferKey(offer_id=offer.offer_id)
        if runtime.projection.get(OFFERS, key) is None:
            runtime.publish(OFFERS, key, offer, "partners.OfferPublished")
            published += 1
    log.info("measures.catalogue_seeded", published=published)
