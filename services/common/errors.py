"""Domain errors every API maps to HTTP the same way (see http.create_api).

Domain code raises these; it never imports FastAPI.
"""

from __future__ import annotations


class Rejected(ValueError):
    """A request is refused because of one field: 422 naming the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Conflict(ValueError):
    """The request collides with existing data: 409, pointing at what exists."""

    def __init__(self, detail: str, existing: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.existing = existing


class Forbidden(PermissionError):
    """The caller may not do this to this object: 403 with the reason."""
