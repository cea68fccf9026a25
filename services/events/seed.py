"""The default calendar rules (data/calendar_rules.json), published once if calendar-rules.v1 is empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from tenacity import retry, retry_if_exception_type, wait_exponential

from services.common.contracts import CalendarRules, RulesKey
from services.common.kafka import KafkaUnavailable
from services.common.reference import DATA_DIR
from services.common.topics import CALENDAR_RULES

if TYPE_CHECKING:
    from services.common.http import ApiRuntime

log = structlog.get_logger(__name__)


def default_rules(path: Path = DATA_DIR / "calendar_rules.json") -> CalendarRules:
    """The rules shipped in data/calendar_rules.json."""
    return CalendarRules.model_validate(json.loads(path.read_text(encoding="utf-8"))["rules"])


@retry(wait=wait_exponential(multiplier=0.5, max=10), retry=retry_if_exception_type(KafkaUnavailable))
def seed_default_rules(runtime: ApiRuntime) -> None:
    """Publish the default rules unless rules are in force already (the hub's edits are never overwritten)."""
    while not runtime.projection.wait_ready(0.5):
        if runtime.projection.stopped:
            return
    if runtime.projection.get(CALENDAR_RULES, RulesKey()) is None:
        rules = default_rules().model_copy(update={"updated_at": runtime.clock.now()})
        runtime.publish(CALENDAR_RULES, RulesKey(), rules, "events.CalendarRulesChanged")
        log.info("calendar.rules_seeded", max_per_day=rules.max_per_day)
