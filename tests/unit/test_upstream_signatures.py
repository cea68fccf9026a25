"""faust's and aiokafka's methods and attributes that Concerto's workarounds depend on, as recorded
with faust-streaming 0.15.3 and aiokafka 0.14.0.

The overrides in services/common/transport.py, idempotence.py, streams.py and the stall watchdog
(watchdog.py) replace or call these. An upgrade that changes one fails here, loudly, before a
worker silently stops doing what the override was for: read the upstream change, adapt the
override (and the issue it names), then record the new signature.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import faust
import faust.streams
import pytest
from aiokafka.consumer.subscription_state import Assignment, TopicPartitionState
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as faust_aiokafka

from services.common.transport import SkipSafeConsumer

Consumer = faust_aiokafka.Consumer

# What each override relies on, and where: (the upstream callable, its recorded parameters).
RECORDED: dict[str, tuple[Callable[..., Any], str]] = {
    "transport.py SkipSafeConsumer.ack": (Consumer.ack, "self, message: Message -> bool"),
    "transport.py SkipSafeConsumer._wait_next_records": (
        Consumer._wait_next_records,
        "self, timeout: float -> Tuple[Optional[Mapping[TP, List[Any]]], Optional[Set[TP]]]",
    ),
    "transport.py SkipSafeConsumer.on_partitions_revoked": (
        Consumer.on_partitions_revoked,
        "self, revoked: Set[TP] -> None",
    ),
    "transport.py SkipSafeConsumer._new_offset": (Consumer._new_offset, "self, tp: TP -> Optional[int]"),
    "transport.py SkipSafeConsumer.getmany": (
        Consumer.getmany,
        "self, timeout: float -> AsyncIterator[Tuple[TP, Message]]",
    ),
    "transport.py SkipSafeConsumer._add_gap": (
        Consumer._add_gap,
        "self, tp: TP, offset_from: int, offset_to: int -> None",
    ),
    "transport.py and watchdog.py call seek": (Consumer.seek, "self, partition: TP, offset: int -> None"),
    "watchdog.py restart_consumption: seek_wait": (
        Consumer.seek_wait,
        "self, partitions: Mapping[TP, int] -> None",
    ),
    "watchdog.py restart_consumption: resume_partitions": (
        Consumer.resume_partitions,
        "self, tps: Iterable[TP] -> None",
    ),
    "watchdog.py restart_consumption: resume_flow": (Consumer.resume_flow, "self -> None"),
    "transport.py fetch_again: assignment": (Consumer.assignment, "self -> Set[TP]"),
    "idempotence.py IdempotentProducer._settings_extra": (
        faust_aiokafka.Producer._settings_extra,
        "self -> Mapping[str, Any]",
    ),
    "streams.py ConcertoApp._new_transport": (faust.App._new_transport, "self -> TransportT"),
    "streams.py ConcertoApp._new_producer_transport": (
        faust.App._new_producer_transport,
        "self -> TransportT",
    ),
    "streams.py _Worker.on_setup_root_logger": (
        faust.Worker.on_setup_root_logger,
        "self, logger: Logger, level: int -> None",
    ),
    "watchdog.py consumer_state: Assignment.state_value": (
        Assignment.state_value,
        "self, tp: TopicPartition -> TopicPartitionState",
    ),
}


def _short(annotation: Any) -> str:
    """An annotation without its modules (``faust.types.tuples.TP`` → ``TP``)."""
    text = inspect.formatannotation(annotation).replace("'", "")
    for prefix in ("faust.types.tuples.", "faust.types.transports.", "logging.", "typing."):
        text = text.replace(prefix, "")
    return text


def parameters(function: Callable[..., Any]) -> str:
    """A callable's parameters and return annotation, without defaults (which may print differently)."""
    signature = inspect.signature(function)
    params = ", ".join(
        p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {_short(p.annotation)}"
        for p in signature.parameters.values()
    )
    return f"{params} -> {_short(signature.return_annotation)}"


@pytest.mark.parametrize("where", sorted(RECORDED))
def test_the_upstream_method_an_override_depends_on_has_its_recorded_signature(where: str) -> None:
    function, recorded = RECORDED[where]
    assert parameters(function) == recorded, (
        f"faust or aiokafka changed {function.__qualname__}, on which {where} depends: "
        "read the upstream change, adapt the override, then record the new signature here"
    )


def test_the_worker_is_still_built_with_the_arguments_concerto_passes() -> None:
    accepted = inspect.signature(faust.Worker.__init__).parameters
    for name in ("app", "loglevel", "redirect_stdouts", "quiet"):  # streams.py _Worker
        assert name in accepted, f"faust.Worker no longer takes {name}: see services/common/streams.py"


def test_the_consumer_state_the_overrides_read_is_still_kept_by_faust() -> None:
    kept = inspect.getsource(faust_consumer.Consumer.__init__)
    for attribute in ("_committed_offset", "_acked", "_read_offset", "_gap", "_buffered_partitions"):
        assert f"self.{attribute}" in kept, (
            f"faust's Consumer no longer keeps {attribute}: see services/common/transport.py and watchdog.py"
        )
    for attribute in ("paused", "has_valid_position", "position"):
        assert hasattr(TopicPartitionState, attribute), f"aiokafka's TopicPartitionState lost {attribute}"


def test_the_cython_stream_iterator_switch_still_exists_and_is_off() -> None:
    # transport.py sets it to None so that every stream acknowledges through Consumer.ack.
    assert hasattr(faust.streams, "_CStreamIterator")
    assert faust.streams._CStreamIterator is None


def test_every_override_of_the_consumer_is_recorded() -> None:
    overridden = {
        name
        for name, value in vars(SkipSafeConsumer).items()
        if callable(value) and hasattr(Consumer, name) and not name.startswith("__")
    }
    recorded = {
        where.split(".")[-1] for where in RECORDED if where.startswith("transport.py SkipSafeConsumer.")
    }
    assert overridden <= recorded, f"record the upstream signature of {sorted(overridden - recorded)}"
