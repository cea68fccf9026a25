"""FastAPI dependencies every API shares: the reference data, loading an entity or 404."""

from __future__ import annotations

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


def load(runtime: ApiRuntime, spec: TopicSpec, key: Any, what: str) -> Any:
    """The current state of an entity, or 404."""
    return found(runtime.projection.get(spec, key), f"no {what}")
