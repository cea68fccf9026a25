"""Driving schemathesis through an API's in-process test client: valid tokens, known ids, figures.

Each generated case is sent by the API's own ``TestClient`` (its lifespan, projection
and publisher run against the real broker) with a valid token of a role drawn by
hypothesis; half the time, the ids the case names (path parameters, a body's
``partner_id`` or ``organizer_id``) are replaced by ids of objects that exist, so the
requests reach past "not found". The response is checked by schemathesis: no 5xx,
the status is documented, the body matches the documented schema.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from services.common.auth import AuthSettings, Role, mint

ROLES = ("hub", "counsellor", "partner", "delegate", "person")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
BODY_IDS = ("partner_id", "organizer_id")


def tokens(partner_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, dict[str, str]]:
    """An Authorization header per role: partner and delegate act for ``partner_id``."""
    auth = AuthSettings()
    minted = {
        "hub": mint(auth, "fuzz-hub", Role.HUB),
        "counsellor": mint(auth, "fuzz-counsellor", Role.COUNSELLOR),
        "partner": mint(auth, "fuzz-partner", Role.PARTNER, partner_id),
        "delegate": mint(auth, "fuzz-delegate", Role.DELEGATE, partner_id),
        "person": mint(auth, str(person_id), Role.PERSON),
    }
    return {role: {"Authorization": f"Bearer {token}"} for role, token in minted.items()}


def app_of(client: TestClient) -> FastAPI:
    """The FastAPI app a test client drives."""
    assert isinstance(client.app, FastAPI)
    return client.app


def operations_of(schema: Any) -> list[Any]:
    """Every operation of a loaded OpenAPI document (failing on one schemathesis cannot read)."""
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result.err()}"
        found.append(result.ok())
    return found


@dataclass
class Figures:
    """What one API's fuzzing did."""

    operations: int = 0
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    nothing_invalid: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "examples": self.examples,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors": sum(v for k, v in self.statuses.items() if k >= 500),
            "operations_with_no_invalid_input": self.nothing_invalid,
        }


def _aim(case: Any, known: Mapping[str, str]) -> None:
    """Name objects that exist: path parameters and a body's partner or organizer id."""
    for name in list(case.path_parameters or {}):
        if name in known:
            case.path_parameters[name] = known[name]
    if isinstance(case.body, dict):
        for name in BODY_IDS:
            if name in case.body and "partner_id" in known:
                case.body[name] = known["partner_id"]


def fuzz_operation(
    client: TestClient,
    operation: Any,
    mode: GenerationMode,
    examples: int,
    headers: Mapping[str, Mapping[str, str]],
    known: Mapping[str, str],
    figures: Figures,
) -> None:
    """Send ``examples`` cases of ``operation`` (valid, or refused by the schema) and check each answer."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=operation.as_strategy(generation_mode=mode), role=st.sampled_from(ROLES), aim=st.booleans())
    def send(case: Any, role: str, aim: bool) -> None:
        if aim:
            _aim(case, known)
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=dict(headers[role]))
        kwargs.pop("cookies", None)  # none are used; httpx2 takes them per client, not per request
        if isinstance(kwargs.get("data"), bytes | str):
            kwargs["content"] = kwargs.pop("data")  # requests' name for a raw body; httpx2 calls it content
        response = client.request(**kwargs)
        figures.examples += 1
        figures.statuses[response.status_code] += 1
        figures.by_operation[f"{mode.value} {operation.label}"] += 1
        if "Authorization" in kwargs["headers"]:  # negative cases may drop it on purpose
            assert response.status_code != 401, f"a valid token was refused: {response.text}"
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    try:
        send()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, or only free strings).
        figures.nothing_invalid.append(operation.label)
