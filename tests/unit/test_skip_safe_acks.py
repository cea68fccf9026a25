"""A record faust's stream skipped (fetched before a rebalance) is never acknowledged, so
its offset is never committed before a handled copy of it is (services/common/transport.py)."""

from __future__ import annotations

from typing import Any, cast

from faust.types.tuples import TP, ConsumerMessage

from services.common.settings import Settings
from services.common.streams import create_faust_app, raw_topic
from services.common.topics import INTERESTS
from services.common.transport import SkipSafeConsumer


def a_record(offset: int) -> ConsumerMessage:
    return ConsumerMessage(
        INTERESTS.name, 0, offset, 0.0, 0, [], b"key", b"value", None, tp=TP(INTERESTS.name, 0)
    )


def an_app_consuming_interests() -> Any:
    app = create_faust_app("unit-skip-safe-acks", Settings())
    topic = raw_topic(app, INTERESTS)

    @app.agent(topic, name="reads-interests")
    async def reads(stream: Any) -> None:  # pragma: no cover - never run here
        async for _ in stream:
            pass

    cast(Any, app.topics)._acking_topics.add(INTERESTS.name)  # what starting the stream does
    return app


async def test_the_workers_consumer_is_skip_safe() -> None:  # faust binds to the running loop
    consumer = an_app_consuming_interests().consumer
    try:
        assert isinstance(consumer, SkipSafeConsumer)
    finally:
        consumer._thread.thread_loop.close()  # the consumer's own thread loop, never started here


async def test_a_skipped_record_is_not_acknowledged_and_a_handled_one_is() -> None:
    consumer = an_app_consuming_interests().consumer
    try:
        skipped_then_handled(consumer)
    finally:
        consumer._thread.thread_loop.close()


def skipped_then_handled(consumer: Any) -> None:
    skipped, handled = a_record(7), a_record(7)
    # The stream skipped this one before tracking it (faust's generation or flow-control test).
    assert skipped.ack(consumer) is False
    assert 7 not in consumer._acked_index[skipped.tp]
    # The copy fetched again in the new generation is handed to the agent: tracked, then acked.
    handled.tracked = True
    assert handled.ack(consumer) is True
    assert 7 in consumer._acked_index[handled.tp]
