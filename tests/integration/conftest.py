"""The three APIs in process (module-scoped), against the real broker the session started.

No default token: each request says who is calling (``tests.support.bearer``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.settings import Settings
from services.events.api import create_app as events_app
from services.matching.api import create_app as matching_app
from services.partners.api import create_app as partners_app
from tests.support import TablesMade, eventually


def running(app: FastAPI) -> Iterator[TestClient]:
    """A client of ``app``, once its /health says it is ready."""
    with TestClient(app) as client:
        eventually(lambda: client.get("/health").status_code == 200, 60, "the API to be ready")
        yield client


@pytest.fixture(scope="module")
def partners(settings: Settings) -> Iterator[TestClient]:
    yield from running(partners_app(settings))


@pytest.fixture(scope="module")
def events(settings: Settings) -> Iterator[TestClient]:
    yield from running(events_app(settings))


@pytest.fixture(scope="module")
def tables_made(partners: TestClient) -> Iterator[TablesMade]:
    """The tables a module creates (``tables_made.add(id)``): dissolved when the module ends, so
    their delegates never decide who proposes in another module's world."""
    made = TablesMade()
    yield made
    made.dissolve(partners.post)


@pytest.fixture(scope="module")
def matching(settings: Settings) -> Iterator[TestClient]:
    yield from running(matching_app(settings))
