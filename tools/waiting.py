"""Waiting for something to happen in a running system: poll, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    check: Callable[[], T | None],
    timeout: float = 30,
    what: str = "condition",
    state: Callable[[], str] | None = None,
) -> T:
    """Poll ``check`` until it returns something truthy; after ``timeout`` s a TimeoutError naming
    ``what`` and, if given, what ``state`` says was seen last (which ids, in which status)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            seen = f" (last seen: {state()})" if state is not None else ""
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}{seen}")
        time.sleep(0.2)
