"""FastAPI dependencies every API shares: the reference data, the clock, loading an entity or 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from .http import ApiRuntime, found
from .reference import ReferenceData
from .topics import TopicSpec


async def get_reference(request: Request) -> ReferenceData:
    """The reference data loaded when the app was created (``async``: no thread-pool hop)."""
    reference: ReferenceData = request.app.state.reference
    return reference


Reference = Annotated[ReferenceData, Depends(get_reference)]


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def load(runtime: ApiRuntime, spec: TopicSpec, key: Any, what: str) -> Any:
    """The current state of an entity, or 404."""
    return found(runtime.projection.get(spec, key), f"no {what}")
