"""Rate limits on the two forms that email a link: sign-in and registration.

Each is limited per address (the HMAC the web knows an address by, never the address) and per
client (the browser's IP address as the web sees it), with the ``limits`` library's moving
window in memory (one web process runs today; several would share a Redis storage instead).
Every attempt counts, whether or not the address has an account, so a refusal tells no one
who is registered.

``limits`` reads the machine's time (``time.time``) and takes no clock: the windows are real
seconds, which is what a rate limit is about. The web's clock is the real one shifted by a
fixed offset (services/common/clock.py), so seconds pass the same on both; the time left is
said in minutes from now, never as a date. The unit tests replace the library's time source
with a ``FixedClock`` (tests/unit/test_web_limits.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Rules:
    """One form's two limits, in the ``limits`` syntax (``5/15 minutes``)."""

    per_address: str
    per_client: str


class Throttle:
    """The limits of one form (``name``: ``signin`` or ``register``)."""

    def __init__(self, name: str, rules: Rules) -> None:
        self.name = name
        self._address: RateLimitItem = parse(rules.per_address)
        self._client: RateLimitItem = parse(rules.per_client)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str, address_key: str) -> int | None:
        """Count one attempt; ``None`` when allowed, else the seconds until the next one is.

        The client is counted first: a client over its limit does not use up the address's."""
        for item, who in ((self._client, f"client:{client}"), (self._address, f"address:{address_key}")):
            if not self._limiter.hit(item, self.name, who):
                reset = self._limiter.get_window_stats(item, self.name, who).reset_time
                # An attempt counts while it is no older than the window, its last instant included.
                return math.floor(reset - time.time()) + 1
        return None
