"""Routes of events-api for the calendar's rules: read the rules in force, replace them (hub only).

The rules go to calendar-rules.v1; the events worker applies them to every decision from then on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.common.auth import CurrentPrincipal, Role, require
from services.common.contracts import CalendarRules, RulesKey
from services.common.http import ApiRuntime, Runtime, found
from services.common.topics import CALENDAR_RULES

router = APIRouter(tags=["rules"])


def rules_in_force(runtime: ApiRuntime) -> CalendarRules | None:
    """The rules on calendar-rules.v1, if any."""
    rules: CalendarRules | None = runtime.projection.get(CALENDAR_RULES, RulesKey())
    return rules


@router.get("/rules", response_model=CalendarRules)
def get_rules(runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """The rules in force."""
    return found(rules_in_force(runtime), "no rules published yet")


@router.put("/rules", response_model=CalendarRules)
def put_rules(body: CalendarRules, runtime: Runtime, principal: CurrentPrincipal) -> Any:
    """Replace the rules (hub only); the worker applies them to every decision from then on."""
    require(principal, Role.HUB)
    rules = body.model_copy(update={"updated_at": runtime.clock.now()})
    runtime.publish(CALENDAR_RULES, RulesKey(), rules, "events.CalendarRulesChanged")
    return rules
