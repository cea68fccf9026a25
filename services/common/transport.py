"""faust's Kafka transport as Concerto runs it: idempotent producers, and a consumer
that never commits the offset of a record no stream handled (decision 27).

faust-streaming 0.15 commits past records never handled in several ways, each seen in
``make chaos`` (docs/reliability.md tells each run): the crash test and the fault run lost
emails and proposals to them. ``SkipSafeConsumer`` closes each:

1. **Skipped records.** A stream drops a record fetched before a rebalance, or taken from
   its queue while flow control is suspended, and acknowledges it anyway. ``ack`` refuses
   a record no stream tracked.
2. **Records dropped from a batch.** ``Consumer.getmany`` leaves out the rest of a batch
   aiokafka returned when flow control stops or the generation changes mid-batch.
   ``getmany`` seeks each such partition back to its first dropped record.
3. **Gaps that are not gaps.** A record read further on than the one after the last read
   is taken for a gap in the log (a compacted topic), and the offsets in between are
   acknowledged. ``_add_gap`` fetches the partition again once first, and takes the gap
   only if the same jump comes again.
4. **One missing offset at the head** (faust-streaming #606): faust commits over it, and
   resuming flow control empties the streams' queues, losing the record waiting there.
   The consumer keeps the offsets aiokafka returned that no stream acknowledged; it
   commits nothing past the first of them (``_new_offset``), seeks back to it after
   ``LOST_AFTER_S``, and, when flow control resumes, seeks each partition back to its
   first such record (``_after_flow_resumed``).
5. **The Cython stream iterator** acknowledges inline, never calling ``Consumer.ack``, so
   none of the above would run: every worker streams with faust's Python iterator.

Records fetched again are handled again: the handlers are idempotent (at-least-once). The
cost is methods of faust's consumer overridden here, to check when faust is upgraded:
``ack``, ``getmany``, ``_wait_next_records``, ``_add_gap``, ``_new_offset``,
``on_partitions_revoked``, and the ``faust.streams._CStreamIterator`` switch.
tests/unit/test_upstream_signatures.py fails when an upgrade changes one of them.

Upstream (faust-streaming/faust), and the test that fails without each override
(tests/unit/test_skip_safe_acks.py unless said):

- ``ack``: #223 skips records of an older generation, #208 acknowledges skipped records.
  Fails without it: ``test_a_skipped_record_is_not_acknowledged_and_a_handled_one_is``.
- ``getmany``: #88 (records dropped from a batch; fixed there for a full buffer only).
  ``test_a_batch_cut_short_by_flow_control_is_fetched_again_from_the_first_record_left``.
- ``_add_gap``: #378 and #596 (gaps that are not gaps).
  ``test_a_gap_is_fetched_again_once_before_it_is_taken_for_absent_offsets``.
- ``_wait_next_records``, ``_new_offset``, ``on_partitions_revoked``: #606 (open; a fix is
  proposed in #707). ``test_a_record_fetched_and_never_acknowledged_holds_the_commit_back``.
- ``_after_flow_resumed`` (called by ``getmany``): #596 (open: resuming empties the queues).
  ``test_when_flow_control_resumes_what_no_stream_acknowledged_is_fetched_again``.
- ``_CStreamIterator = None``: no upstream issue found.
  ``test_the_stream_acknowledges_through_the_consumer``.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

import faust.streams as faust_streams
import structlog
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, ConsumerT, Message

from .idempotence import IdempotentTransport

log = structlog.get_logger(__name__)

# faust's Cython stream iterator (faust/_cython/streams.pyx, used whenever the extension is
# built, as in the faust-streaming wheels) acknowledges records inline: it writes the
# consumer's acknowledged offsets itself instead of calling ``Consumer.ack``, so no override
# of ``ack`` ever runs, and it acknowledges the records it skips as the Python iterator does.
# Every worker streams with faust's pure-Python iterator, which calls ``Consumer.ack``.
faust_streams._CStreamIterator = None  # type: ignore[attr-defined]

#: How long a lost record may hold its partition's commit back before it is fetched again.
LOST_AFTER_S = 10.0


def acknowledgeable(message: Any) -> bool:
    """Whether a stream handed ``message`` over (tracked it) before acknowledging it."""
    return bool(message.tracked)


class SkipSafeConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer, refusing to acknowledge a record no stream handled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_batch: Mapping[TP, list[Any]] = {}
        #: Offsets aiokafka returned and no stream has acknowledged yet, by partition.
        self._outstanding: dict[TP, set[int]] = defaultdict(set)
        #: The outstanding offset holding a partition's commit back, and since when.
        self._held: dict[TP, tuple[int, float]] = {}
        self._seeking: set[asyncio.Future[None]] = set()
        self._flow_was_active = False
        #: The start of a gap to fetch again after the batch, by partition; and where it was sought.
        self._gap_refetch: dict[TP, int] = {}
        self._gap_sought: dict[TP, int] = {}

    def ack(self, message: Any) -> bool:
        """faust's ``ack``, refusing a record no stream tracked (faust-streaming #223, #208)."""
        if not acknowledgeable(message):
            log.info(
                "record.skipped_not_acked",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            return False
        self._outstanding[message.tp].discard(message.offset)
        acked: bool = super().ack(message)
        return acked

    async def _wait_next_records(self, timeout: float) -> tuple[Any, Any]:  # noqa: ASYNC109 (faust's signature)
        """faust's fetch, keeping the offsets it returned as outstanding (for ``_new_offset``, #606)."""
        records, active = await super()._wait_next_records(timeout)
        self._last_batch = records or {}
        acks_enabled_for = self.app.topics.acks_enabled_for
        for tp, fetched in self._last_batch.items():
            if acks_enabled_for(tp.topic):  # not a table's changelog, read without acknowledgements
                self._outstanding[tp].update(r.offset for r in fetched)
        return records, active

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """faust's revocation, forgetting the outstanding offsets of the partitions revoked (#606)."""
        for tp in revoked:  # as faust forgets their acknowledged and committed offsets
            self._outstanding.pop(tp, None)
            self._held.pop(tp, None)
        await super().on_partitions_revoked(revoked)

    def _new_offset(self, tp: TP) -> int | None:
        """The offset to commit, never past a record fetched and not yet acknowledged.

        faust commits over a single missing offset at the head of the acknowledged ones
        (``min(acked) - committed > 1`` lets a difference of 1 through, faust-streaming #606,
        open): one record lost from the pipeline (never acknowledged) and the next ones
        acknowledged, and its offset is committed. An offset aiokafka returned is not a
        compacted one, so while the first outstanding offset comes before every
        acknowledged one, nothing is committed."""
        outstanding = self._outstanding[tp]
        committed = self._committed_offset[tp]
        if committed is not None and outstanding:
            below = {o for o in outstanding if o < committed}
            # Committed already, so nothing left to protect: second copies of records fetched
            # again after a seek back, whose first copy was handled (faust drops a copy behind
            # its read offset without handing it over), or records fetched before the seek to
            # the committed offsets that starts a generation.
            outstanding -= below
        acked = self._acked[tp]
        if outstanding and acked and (head := min(outstanding)) < min(acked):
            self._fetch_again_if_lost(tp, head)
            return None
        self._held.pop(tp, None)
        offset: int | None = super()._new_offset(tp)
        return offset

    def _fetch_again_if_lost(self, tp: TP, head: int) -> None:
        """Records of a partition are handled in order, so one still not acknowledged while
        later ones are was lost between the fetch and the agent: after ``LOST_AFTER_S`` the
        partition is sought back to it, so it is handled (and the later ones again: the
        handlers are idempotent) and the commit moves on."""
        now = time.monotonic()
        held = self._held.get(tp)
        if held is None or held[0] != head:
            self._held[tp] = (head, now)
            return
        if now - held[1] < LOST_AFTER_S or self.app.rebalancing:
            return
        self._held[tp] = (head, now)
        log.warning("record.lost_fetched_again", topic=tp.topic, partition=tp.partition, offset=head)
        task = asyncio.ensure_future(self.seek(tp, head))
        self._seeking.add(task)
        task.add_done_callback(self._seeking.discard)

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:  # noqa: ASYNC109
        """faust's batch, then a seek back to the first record of each partition it dropped
        (faust-streaming #88 fixed it for a full buffer only: not when flow control stops or the
        generation changes mid-batch)."""
        await self._after_flow_resumed()
        self._last_batch = {}
        generation = self.app.consumer_generation_id
        last_yielded: dict[TP, int] = {}
        async for tp, message in super().getmany(timeout):
            last_yielded[tp] = message.offset
            yield tp, message
        await self.fetch_again(first_dropped(self._last_batch, last_yielded), generation)

    async def _after_flow_resumed(self) -> None:
        """When faust's flow control resumes the streams (the end of a recovery or a rebalance),
        fetch again from the first record fetched and not acknowledged of each partition.

        While flow control is suspended, a stream skips the records it takes from its queue
        (not acknowledged: see ``ack``), and resuming empties the streams' queues: in both
        cases the fetch position is past records no stream will handle (faust-streaming #596,
        open). Records already committed are not fetched again; records handled twice are
        harmless (idempotent)."""
        active = self.app.flow_control.is_active()
        resumed = active and not self._flow_was_active
        self._flow_was_active = active
        if not resumed or self.app.rebalancing:
            return
        assignment = self.assignment()
        for tp, outstanding in list(self._outstanding.items()):
            committed = self._committed_offset[tp]
            left = [o for o in outstanding if committed is None or o >= committed]
            if tp in assignment and left:
                log.info(
                    "record.fetched_again_after_resume",
                    topic=tp.topic,
                    partition=tp.partition,
                    offset=min(left),
                )
                await self.seek(tp, min(left))

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """faust found the record at ``offset_to`` past the one after the last it read, and takes
        the offsets in between for absent (compacted away), acknowledging them.

        They may not be absent: aiokafka can hand over records fetched from a position a seek
        replaced, or faust's read offset can be stale. So the first time, the partition is
        fetched again after this batch from the last record read (``offset_from - 1``, which
        exists: handling it twice is harmless), and nothing is acknowledged in between (the
        commit waits at the gap). If the next record after that seek is past the gap again,
        the offsets are absent indeed: the gap is taken (logged ``record.gap``). faust's gap
        handling: faust-streaming #378; records missing after a recovery: #596 (open)."""
        first, last = offset_from, offset_to - 1  # faust's own call includes offset_to: not here
        sought = self._gap_sought.pop(tp, None)
        if sought is not None and offset_from - 1 == sought:
            log.info("record.gap", topic=tp.topic, partition=tp.partition, first=first, last=last)
            await super()._add_gap(tp, first, last)
            return
        log.info("record.gap_fetched_again", topic=tp.topic, partition=tp.partition, first=first, last=last)
        start = offset_from - 1
        self._gap_refetch[tp] = min(start, self._gap_refetch.get(tp, start))

    async def fetch_again(self, dropped: Mapping[TP, int], generation: int) -> None:
        """Seek each partition to its first dropped record (or the start of a gap), unless a
        rebalance came in between (it seeks every partition to its committed offset, which is
        never past a dropped record: nothing past one is acknowledged)."""
        gaps, self._gap_refetch = self._gap_refetch, {}
        targets = dict(dropped)
        for tp, offset in gaps.items():
            targets[tp] = min(offset, targets.get(tp, offset))
        for tp, offset in targets.items():
            if self.app.rebalancing or self.app.consumer_generation_id != generation:
                return
            if tp not in self.assignment():
                continue
            log.info("record.dropped_fetched_again", topic=tp.topic, partition=tp.partition, offset=offset)
            if tp in gaps:
                self._gap_sought[tp] = offset
            await self.seek(tp, offset)


class ConcertoTransport(IdempotentTransport):
    """faust's aiokafka transport (``kafka://``): idempotent producers, skip-safe consumers."""

    Consumer: ClassVar[type[ConsumerT]] = SkipSafeConsumer


def first_dropped(batch: Mapping[TP, list[Any]], last_yielded: Mapping[TP, int]) -> dict[TP, int]:
    """For each partition of ``batch`` (aiokafka's records, in offset order) of which some
    records were not handed on (nothing past ``last_yielded``), the offset of the first."""
    dropped = {}
    for tp, records in batch.items():
        handed_on = last_yielded.get(tp)
        left = [r.offset for r in records if handed_on is None or r.offset > handed_on]
        if left:
            dropped[tp] = left[0]
    return dropped
