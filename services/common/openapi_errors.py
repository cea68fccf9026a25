"""The error answers of every Concerto API, listed in its OpenAPI document.

FastAPI documents a route's success and its 422 only. The errors every API
gives the same way (``auth.require``, ``http.found``, the ``errors`` module, a
Kafka outage) are added here to each operation they can come from, so that a
client — and the schemathesis fuzz test — knows every status it may receive:

- 400, 413 and 415 on every operation with a body (the body is not JSON, is over the size
  an API reads, or is not sent as JSON);
- 401 and 403 on every operation that takes a bearer token;
- 404 on every operation that names something (in its path, query or body);
- 409, 413 and 503 on every authenticated write (it may collide with the current
  state; the record it makes may be over the size consumers read; Kafka may be
  unreachable: in the last two cases nothing was recorded).

A route's own description of one of these codes (e.g. partners' 409) is kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Why a request was refused.",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "existing": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Existing"},
        "code": {"type": "string", "title": "Code", "description": "Stable, machine-readable reason."},
        "message": {
            "type": "string",
            "title": "Message",
            "description": "The reason in plain words, in French or English following Accept-Language.",
        },
        "field": {"type": "string", "title": "Field", "description": "The field at fault, if one is."},
    },
}
_DESCRIPTIONS = {
    400: "The body could not be parsed (it is not JSON).",
    401: "No bearer token, or one that is expired, malformed or not signed with this API's key.",
    403: "The caller's role, or the partner it acts for, may not do this to this object.",
    404: "Something the request names does not exist (or is not visible yet).",
    409: "The request collides with the current state (`existing` may name what is there).",
    413: "The body, or the record it would make, is over the size accepted: nothing was recorded.",
    415: "The body is not sent as JSON (Content-Type: application/json).",
    503: "Kafka is unreachable: nothing was recorded. Retry in a moment.",
}
_WRITES = frozenset({"post", "put", "patch", "delete"})


def _codes(method: str, operation: dict[str, Any]) -> list[int]:
    authenticated = bool(operation.get("security"))
    names_something = bool(operation.get("parameters")) or "requestBody" in operation
    codes = [400, 413, 415] if "requestBody" in operation else []
    if authenticated:
        codes += [401, 403]
    if names_something:
        codes.append(404)
    if authenticated and method in _WRITES:
        codes += [409, 503] if "requestBody" in operation else [409, 413, 503]
    return codes


def add_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (an OpenAPI document) with the errors of each operation added; idempotent."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation):
                described = responses.setdefault(str(code), {"description": _DESCRIPTIONS[code]})
                described.setdefault("content", {"application/json": {"schema": _PROBLEM_REF}})
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    return schema


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list the errors of each operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return add_error_responses(generate())

    app.openapi = openapi  # type: ignore[method-assign]
