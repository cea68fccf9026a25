"""The notifications worker's directory: a broker outage delays an email, it does not dead-letter it."""

from __future__ import annotations

from typing import Any

import pytest

from services.common.topics import CONTACTS
from services.notifications.handlers import Directory


class Projection:
    """Answers ``lookup`` from a script: (value, whether the projection could catch up)."""

    def __init__(self, answers: list[tuple[Any, bool]]) -> None:
        self.answers = answers
        self.asked = 0

    def lookup(self, spec: Any, key: Any, timeout: float) -> tuple[Any, bool]:
        answer = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        return answer


async def test_while_the_projection_cannot_catch_up_it_asks_again_until_it_can() -> None:
    projection = Projection([(None, False), (None, False), ("the contact", True)])
    assert await Directory(projection).find(CONTACTS, "key") == "the contact"  # type: ignore[arg-type]
    assert projection.asked == 3


async def test_a_record_known_to_be_absent_is_an_error_at_once() -> None:
    projection = Projection([(None, True)])
    with pytest.raises(LookupError, match=r"no contacts\.v1 record"):
        await Directory(projection).find(CONTACTS, "key")  # type: ignore[arg-type]
    assert projection.asked == 1
