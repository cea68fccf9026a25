"""A record faust's stream skipped (fetched before a rebalance) is never acknowledged, so
its offset is never committed before a handled copy of it is; a record faust's consumer
dropped from a batch is fetched again, not taken for a gap (services/common/transport.py)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from aiokafka.structs import ConsumerRecord
from faust.types.tuples import TP, ConsumerMessage

from services.common import transport
from services.common.settings import Settings
from services.common.streams import create_faust_app, raw_topic
from services.common.topics import INTERESTS
from services.common.transport import SkipSafeConsumer, first_dropped


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


def a_fetched(tp: TP, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(tp.topic, tp.partition, offset, 0, 0, b"key", b"value", None, 3, 5, [])


class Fetching:
    """A consumer whose aiokafka returns ``batch`` once, with ``active`` partitions; seeks recorded."""

    def __init__(self, consumer: Any, batch: dict[TP, list[int]], active: set[TP]) -> None:
        self.seeks: list[tuple[TP, int]] = []
        records = {tp: [a_fetched(tp, o) for o in offsets] for tp, offsets in batch.items()}

        async def getmany_of_aiokafka(active_partitions: Any, timeout: float) -> Any:  # noqa: ASYNC109
            return records

        async def seek(tp: TP, offset: int) -> None:
            self.seeks.append((tp, offset))

        consumer._getmany = getmany_of_aiokafka
        consumer._get_active_partitions = lambda: active
        consumer.assignment = lambda: set(batch)
        consumer.seek = seek
        consumer.highwater = lambda tp: 100  # read by faust's monitor for each record


async def test_records_faust_drops_from_a_batch_are_fetched_again_not_taken_for_a_gap() -> None:
    consumer = an_app_consuming_interests().consumer
    active, paused = TP(INTERESTS.name, 0), TP(INTERESTS.name, 1)
    try:
        fetching = Fetching(consumer, {active: [10, 11, 12], paused: [5, 6]}, {active})
        handed = [(tp, m.offset) async for tp, m in consumer.getmany(timeout=0.1)]
        # faust hands on the active partition's records and drops the paused one's (aiokafka
        # has moved past them): the paused partition is sought back to its first record.
        assert handed == [(active, 10), (active, 11), (active, 12)]
        assert fetching.seeks == [(paused, 5)]
    finally:
        consumer._thread.thread_loop.close()


async def test_a_batch_cut_short_by_flow_control_is_fetched_again_from_the_first_record_left() -> None:
    consumer = an_app_consuming_interests().consumer
    tp = TP(INTERESTS.name, 0)
    try:
        fetching = Fetching(consumer, {tp: [10, 11, 12]}, {tp})
        handed = []
        async for _, message in consumer.getmany(timeout=0.1):
            handed.append(message.offset)
            consumer.flow_active = False  # a rebalance starts: faust leaves the rest of the batch
        assert handed == [10]
        assert fetching.seeks == [(tp, 11)]
    finally:
        consumer._thread.thread_loop.close()


async def test_nothing_is_sought_when_a_rebalance_came_in_between() -> None:
    consumer = an_app_consuming_interests().consumer
    tp = TP(INTERESTS.name, 0)
    try:
        fetching = Fetching(consumer, {tp: [10, 11, 12]}, {tp})
        async for _ in consumer.getmany(timeout=0.1):
            consumer.flow_active = False
            consumer.app.consumer_generation_id += 1  # the rebalance seeks to the committed offsets
        assert fetching.seeks == []
    finally:
        consumer._thread.thread_loop.close()


def test_first_dropped_is_the_first_record_past_the_last_handed_on() -> None:
    a, b, c = (TP(INTERESTS.name, p) for p in range(3))
    batch = {tp: [a_fetched(tp, o) for o in (4, 5, 6)] for tp in (a, b, c)}
    assert first_dropped(batch, {a: 6, b: 4}) == {b: 5, c: 4}


async def test_a_record_fetched_and_never_acknowledged_holds_the_commit_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """faust-streaming #606: faust commits over one missing offset at the head of the
    acknowledged ones. A record aiokafka returned is not compacted away: no commit past it."""
    consumer = an_app_consuming_interests().consumer
    tp = TP(INTERESTS.name, 0)
    try:
        fetching = Fetching(consumer, {tp: list(range(28, 39))}, {tp})
        handed = [message async for _, message in consumer.getmany(timeout=0.1)]
        assert [m.offset for m in handed] == list(range(28, 39))

        def handle(offset: int) -> None:
            message = handed[offset - 28]
            message.tracked = True
            assert consumer.ack(message)

        consumer._committed_offset[tp] = 28
        for offset in range(28, 33):
            handle(offset)
        assert consumer._new_offset(tp) == 33
        consumer._committed_offset[tp] = 33
        for offset in range(34, 39):  # 33 was lost somewhere between the fetch and the agent
            handle(offset)
        assert consumer._new_offset(tp) is None  # faust alone answers 39: 33 would never be handled
        # Held back long enough, the partition is fetched again from the lost record.
        monkeypatch.setattr(transport, "LOST_AFTER_S", 0.0)
        assert consumer._new_offset(tp) is None
        await asyncio.sleep(0)
        assert fetching.seeks == [(tp, 33)]
        handle(33)  # fetched again and handled
        assert consumer._new_offset(tp) == 39
    finally:
        consumer._thread.thread_loop.close()


async def test_the_stream_acknowledges_through_the_consumer() -> None:
    """faust's Cython stream iterator acknowledges inline, never calling ``Consumer.ack``: our
    workers stream with the Python iterator, whose acknowledgements the consumer sees."""
    app = an_app_consuming_interests()
    try:
        iterator = app.stream(raw_topic(app, INTERESTS)).__aiter__()
        assert iterator.__qualname__ == "Stream._py_aiter"  # "Stream._c_aiter" without the change
        await iterator.aclose()
    finally:
        app.consumer._thread.thread_loop.close()


async def test_when_flow_control_resumes_what_no_stream_acknowledged_is_fetched_again() -> None:
    """Records a stream skipped while flow control was suspended, or that resuming emptied from
    its queue, are past the fetch position: the consumer seeks back to the first of them."""
    app = an_app_consuming_interests()
    consumer = app.consumer
    tp = TP(INTERESTS.name, 0)
    try:
        fetching = Fetching(consumer, {tp: [5, 6, 7]}, {tp})
        app.flow_control.suspend()  # a recovery: the streams skip what they take from their queues
        handed = [message async for _, message in consumer.getmany(timeout=0.1)]
        assert [m.offset for m in handed] == [5, 6, 7]
        assert fetching.seeks == []
        consumer._committed_offset[tp] = 6  # 5 was handled and committed before the restart

        app.flow_control.resume()
        [_ async for _ in consumer.getmany(timeout=0.1)]
        assert fetching.seeks[0] == (tp, 6)
    finally:
        consumer._thread.thread_loop.close()


async def test_a_gap_is_fetched_again_once_before_it_is_taken_for_absent_offsets() -> None:
    """faust read 149, then 363: before taking 150–362 for compacted away (and acknowledging
    them), the partition is fetched again from 149; only if 363 comes next again is it a gap."""
    consumer = an_app_consuming_interests().consumer
    tp = TP(INTERESTS.name, 0)
    try:
        fetching = Fetching(consumer, {}, {tp})
        consumer.assignment = lambda: {tp}
        await consumer._add_gap(tp, 150, 363)  # what faust's _drain_messages calls
        assert not consumer._gap[tp]  # nothing acknowledged in between
        [_ async for _ in consumer.getmany(timeout=0.1)]  # the end of the batch
        assert fetching.seeks == [(tp, 149)]

        await consumer._add_gap(tp, 150, 363)  # fetched again from 149: 363 comes next again
        assert [(i.begin, i.end) for i in consumer._gap[tp]] == [(150, 363)]  # 363 itself excluded
    finally:
        consumer._thread.thread_loop.close()
