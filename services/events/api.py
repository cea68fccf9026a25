"""events-api: propose activities, act on them, read the coordinated calendar and its rules
(entry point: ``python -m services.events.api``).

This module only assembles the routes: proposals and actions on them (routes_proposals.py),
the calendar and its feeds (routes_calendar.py), the rules (routes_rules.py). Writes go to
event-proposals.v1 and calendar-commands.v1 (one partition each); the events worker decides
them in order and publishes the calendar (calendar.v1).
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from services.common.http import ApiRuntime, create_api, serve
from services.common.settings import Settings
from services.common.topics import CALENDAR, CALENDAR_RULES, PARTNERS, TABLES

from . import routes_calendar, routes_proposals, routes_rules
from .routes_proposals import SERVICE
from .seed import seed_default_rules


async def _seed_rules(app: FastAPI, runtime: ApiRuntime) -> None:
    threading.Thread(target=seed_default_rules, args=(runtime,), name="seed-rules", daemon=True).start()


def create_app(settings: Settings) -> FastAPI:
    """The events API, reading partners, tables, the rules and the calendar into its projection."""
    app = create_api(
        title="Concerto — events",
        description="The coordinated calendar of recruitment activities in Montréal / "
        "Le calendrier concerté des activités de recrutement à Montréal.",
        settings=settings,
        service=SERVICE,
        reads=[PARTNERS, TABLES, CALENDAR_RULES, CALENDAR],
        on_start=_seed_rules,
    )
    for module in (routes_calendar, routes_proposals, routes_rules):
        app.include_router(module.router)
    return app


def main() -> None:
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
