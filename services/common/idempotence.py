"""faust's Kafka transport with idempotent producers.

faust-streaming turns on aiokafka's ``enable_idempotence`` only in exactly-once
mode (``Producer._settings_extra`` in ``faust/transport/drivers/aiokafka.py``),
and has no setting for it otherwise. Concerto runs at-least-once but wants every
producer idempotent (docs/decisions.md, decision 25): the broker gives the
producer an id and numbers its batches, so a batch resent after a lost
acknowledgement is written once, in order. This transport's producer adds it; the
threaded producer faust can also build reads the same settings.

Upstream: no faust-streaming issue asks for it (none found). Without this override,
tests/integration/test_idempotent_producers.py
(``test_the_faust_workers_producer_writes_with_a_producer_id_the_broker_assigned``) fails;
tests/unit/test_upstream_signatures.py fails if ``Producer._settings_extra`` changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import ProducerT


class IdempotentProducer(faust_aiokafka.Producer):
    """faust's aiokafka producer with idempotence on (it needs acks=all: set here too)."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class IdempotentTransport(faust_aiokafka.Transport):
    """faust's aiokafka transport (``kafka://``) whose producers are idempotent."""

    Producer: ClassVar[type[ProducerT]] = IdempotentProducer
