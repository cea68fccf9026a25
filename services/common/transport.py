"""faust's Kafka transport as Concerto runs it: idempotent producers, and a consumer
that never acknowledges a record its stream skipped.

faust's stream drops a record fetched before a rebalance (its generation is not the
consumer's current one) or while flow control is suspended (during a rebalance), and
then *acknowledges* it "so that the lag does not grow" (``faust/streams.py``,
``Stream._c_aiter``: ``if event is not None and (do_ack or value is skipped_value)``).
An acknowledged offset is committed once the offsets before it are; if the record is
not fetched again (the fetch position had moved on), or the worker is killed before
it is, the record was never handled and never will be: at-least-once is broken. The
crash test (tests/e2e/test_email_crashes.py) lost emails this way.

Such a record is one the stream never tracked (tracking happens after the skip test),
so ``SkipSafeConsumer`` refuses to acknowledge an untracked record: its offset stays
uncommitted, faust's seek to the committed offset after the rebalance fetches it
again, and the copy of the current generation is handled and acknowledged. If the
fetcher does not come back to it, the committed offset stays behind and the stall
watchdog (services/common/watchdog.py) sees records waiting with no progress.
"""

from __future__ import annotations

from typing import Any, ClassVar

import structlog
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import ConsumerT

from .idempotence import IdempotentTransport

log = structlog.get_logger(__name__)


def acknowledgeable(message: Any) -> bool:
    """Whether a stream handed ``message`` over (tracked it) before acknowledging it."""
    return bool(message.tracked)


class SkipSafeConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer, refusing to acknowledge a record no stream handled."""

    def ack(self, message: Any) -> bool:
        if not acknowledgeable(message):
            log.info(
                "record.skipped_not_acked",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            return False
        acked: bool = super().ack(message)
        return acked


class ConcertoTransport(IdempotentTransport):
    """faust's aiokafka transport (``kafka://``): idempotent producers, skip-safe consumers."""

    Consumer: ClassVar[type[ConsumerT]] = SkipSafeConsumer
