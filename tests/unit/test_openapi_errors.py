"""Every API's OpenAPI document lists the errors its operations give (services/common/openapi_errors.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from services.common.settings import Settings
from services.events.api import create_app as events_app
from services.matching.api import create_app as matching_app
from services.partners.api import create_app as partners_app

OFFLINE = Settings(environment="test")  # building an app touches no broker
APPS: dict[str, Callable[[Settings], FastAPI]] = {
    "partners": partners_app,
    "events": events_app,
    "matching": matching_app,
}


def operations(api: str) -> list[tuple[str, str, dict[str, Any]]]:
    paths = APPS[api](OFFLINE).openapi()["paths"]
    return [(method, path, op) for path, item in paths.items() for method, op in item.items()]


@pytest.mark.parametrize("api", APPS)
def test_operations_with_a_token_document_401_and_403_and_writes_409_and_503(api: str) -> None:
    for method, path, operation in operations(api):
        codes = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403"} <= codes, f"{method} {path}"
            if method != "get":
                assert {"409", "503"} <= codes, f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "404"} <= codes, f"{method} {path}"


@pytest.mark.parametrize("api", APPS)
def test_open_operations_document_no_authentication_error(api: str) -> None:
    for method, path, operation in operations(api):
        if not operation.get("security"):
            assert not {"401", "403"} & set(operation["responses"]), f"{method} {path}"


def test_an_error_body_has_a_detail() -> None:
    document = partners_app(OFFLINE).openapi()
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail"]
    conflict = document["paths"]["/partners"]["post"]["responses"]["409"]
    assert "NEQ" in conflict["description"], "a route's own description is kept"
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
