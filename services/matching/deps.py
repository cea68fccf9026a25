"""FastAPI dependencies of matching-api: who may see a person, the self-registration limit."""

from __future__ import annotations

import time
from uuid import UUID

from fastapi import HTTPException, Request, status
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.common.auth import Principal, Role
from services.common.deps import Reference as Reference
from services.common.deps import load as load
from services.common.errors import Forbidden

STAFF = (Role.HUB, Role.COUNSELLOR)
PEOPLE_READERS = (*STAFF, Role.PERSON)  # who may read a person's own records (objects checked next)


def may_see_person(principal: Principal, person_id: UUID) -> None:
    """Hub staff and counsellors see every person; a person only themselves; partners nobody (403)."""
    if principal.role in STAFF or principal.is_person(person_id):
        return
    if principal.role not in PEOPLE_READERS:
        raise Forbidden(f"role {principal.role.value} may not see people's records")
    raise Forbidden(f"role {principal.role.value} may not see person {person_id}")


class RateLimit:
    """At most N requests per client address per period (``5/minute``), else 429."""

    def __init__(self, rule: str) -> None:
        self._rule = parse(rule)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not self._limiter.hit(self._rule, "self-registration", client):
            reset = self._limiter.get_window_stats(self._rule, "self-registration", client).reset_time
            retry_after = max(1, int(reset - time.time()) + 1)  # the limiter's own clock: real seconds
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"too many registrations from this address ({self._rule}); retry in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )


async def self_registration_limit(request: Request) -> None:
    """The app's rate limit on self-registration (in memory: no thread-pool hop)."""
    limiter: RateLimit = request.app.state.self_registration_limit
    limiter(request)
