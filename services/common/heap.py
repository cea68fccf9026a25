"""The cyclic garbage collector paused around a batch that builds millions of acyclic objects.

A concertation round reads 100,000 cases and builds tuples, lists and frozen models by the
million; none of them forms a reference cycle, so reference counting frees them all. Left running,
the cyclic collector's full passes scan the worker's whole heap (the people it keeps, the
snapshot) several times during the round: at 100,000 households that was about half of the
round's matching time (docs/performance.md). Cycles made meanwhile (by other tasks of the
process) wait for the next collection after the batch.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
