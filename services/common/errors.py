"""Domain errors every API maps to HTTP the same way (see http.create_api).

Domain code raises these with a ``Message`` (a stable code, rendered in French or
English by the API); a plain string still works and reads as the generic code. It
never imports FastAPI.
"""

from __future__ import annotations

from .messages import Message


def _message(reason: str | Message, code: str = "invalid") -> Message:
    return reason if isinstance(reason, Message) else Message(code, {"reason": reason})


class Rejected(ValueError):
    """A request is refused because of one field: 422 naming the field and the reason."""

    def __init__(self, field: str, reason: str | Message) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.message = _message(reason)
        self.reason = str(self.message)


class Conflict(ValueError):
    """The request collides with existing data: 409, pointing at what exists."""

    def __init__(self, detail: str | Message, existing: str | None = None) -> None:
        super().__init__(str(detail))
        self.message = _message(detail, "conflict")
        self.detail = str(self.message)
        self.existing = existing


class Forbidden(PermissionError):
    """The caller may not do this to this object: 403 with the reason."""

    def __init__(self, reason: str | Message) -> None:
        super().__init__(str(reason))
        self.message = _message(reason, "refused")
