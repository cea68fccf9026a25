"""How every Concerto API refuses a request: bounded bodies, JSON only, reasons in fr-CA or en.

- ``BoundedJsonBody`` (pure ASGI): a body over the limit is refused with 413 before anything
  reads it (by its Content-Length, or by counting a streamed body), and a body that is not JSON
  with 415.
- The handlers answer every 4xx with a stable ``code`` and a ``message`` in the language of
  ``Accept-Language`` (French by default); a 422 names each field and why, never the input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from .errors import Conflict, Forbidden, Rejected
from .messages import Lang, Message, language_of, say

REGION_PATTERN = r"^(0[1-9]|1[0-7])$"
CNP_PATTERN = r"^\d{5}$"
# A value short enough to name in a reason (a region code, a date), never a long input.
_ECHO_LIMIT = 12
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def lang(request: Request) -> Lang:
    """The language to answer ``request`` in."""
    return language_of(request.headers.get("accept-language"))


class BoundedJsonBody:
    """ASGI middleware: 413 for a body over ``limit`` bytes, 415 for a body that is not JSON."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        language = language_of(headers.get("accept-language"))
        refused = _refused(headers, self.limit)
        if refused is not None:
            await _answer(*refused, language, send)
            return
        await self._counting(scope, receive, send, language)

    async def _counting(self, scope: Scope, receive: Receive, send: Send, language: Lang) -> None:
        """Pass the request on, answering 413 as soon as a streamed body passes the limit."""
        received = 0
        too_large = answered = False

        async def counted() -> AsgiMessage:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def replace_once_too_large(message: AsgiMessage) -> None:
            # Whatever the app makes of a body cut short (FastAPI: a 400), the client gets the 413.
            nonlocal answered
            if not too_large:
                await send(message)
            elif not answered:
                answered = True
                await _answer(413, say("body_too_large", limit=self.limit), language, send)

        try:
            await self.app(scope, counted, replace_once_too_large)
        except Exception:
            if not too_large:
                raise
        if too_large and not answered:
            await _answer(413, say("body_too_large", limit=self.limit), language, send)


def _refused(headers: Headers, limit: int) -> tuple[int, Message] | None:
    """What the headers alone refuse: a declared length over ``limit`` (413), a body not JSON (415)."""
    length = headers.get("content-length")
    streamed = "chunked" in headers.get("transfer-encoding", "").lower()
    if length is not None and (not length.isdecimal() or int(length) > limit):
        return 413, say("body_too_large", limit=limit)
    has_body = streamed or (length is not None and int(length) > 0)
    if has_body and not _is_json(headers.get("content-type", "")):
        return 415, say("unsupported_media_type")
    return None


class _BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` once a streamed body passes the limit."""


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def body(status: int, message: Message, language: Lang, detail: Any = None, **extra: Any) -> dict[str, Any]:
    """A refusal's JSON: ``detail`` (kept for older clients), ``code`` and ``message``."""
    text = message.text(language)
    return {"detail": text if detail is None else detail, "code": message.code, "message": text, **extra}


async def _answer(status: int, message: Message, language: Lang, send: Send) -> None:
    payload = json.dumps(body(status, message, language), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"content-language", language.encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


# pydantic's error types whose reason needs nothing but its kind.
_SIMPLE = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "json_invalid": "invalid_json",
    "uuid_parsing": "bad_uuid",
    "uuid_type": "bad_uuid",
    "date_parsing": "bad_date",
    "date_from_datetime_parsing": "bad_date",
    "date_from_datetime_inexact": "bad_date",
    "date_type": "bad_date",
    "time_parsing": "bad_time",
    "time_type": "bad_time",
    "datetime_parsing": "bad_datetime",
    "datetime_from_date_parsing": "bad_datetime",
    "datetime_type": "bad_datetime",
}
# Error types that name a bound: (message, its parameter, the context keys that may hold it).
_BOUNDS = {
    "string_too_long": ("too_long", "max", "max_length"),
    "string_too_short": ("too_short", "min", "min_length"),
    "too_long": ("too_many", "max", "max_length"),
    "too_short": ("too_few", "min", "min_length"),
    "greater_than_equal": ("too_small", "min", "ge", "gt"),
    "greater_than": ("too_small", "min", "ge", "gt"),
    "less_than_equal": ("too_big", "max", "le", "lt"),
    "less_than": ("too_big", "max", "le", "lt"),
}


def field_message(error: dict[str, Any], destinations: bool = True) -> Message:
    """The plain reason of one of pydantic's errors, naming the input only when it is short.
    ``destinations``: the request's regions are destinations (Montréal is none)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    given = error.get("input")
    short = given if isinstance(given, str | int) and len(str(given)) <= _ECHO_LIMIT else "…"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern")
        if pattern == REGION_PATTERN:
            return say("unknown_region" if destinations else "unknown_region_any", value=short)
        if pattern == CNP_PATTERN:
            return say("invalid_cnp")
        return say("bad_format")
    if kind in _SIMPLE:
        return say(_SIMPLE[kind])
    if kind in _BOUNDS:
        key, name, *limits = _BOUNDS[kind]
        return say(key, **{name: next((ctx[k] for k in limits if k in ctx), None)})
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        return say("not_allowed", expected=expected, attendu=expected.replace(" or ", " ou "))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return say("bad_type", expected=kind.rsplit("_", 1)[0])
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return say("bad_email")
    # A validator's own reason (English): named in English, a plain "invalid value" in French.
    return say("bad_value", reason=str(error.get("msg", "")).removeprefix("Value error, "))


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if parts and parts[0] in ("body", "query", "path", "header") else parts)


def validation_errors(errors: Sequence[Any], language: Lang, destinations: bool = True) -> dict[str, Any]:
    """The 422 body: each field with its code and plain reason; the first repeated at the top."""
    details = []
    for error in errors:
        message = field_message(error, destinations)
        text = message.text(language)
        loc = list(error.get("loc", ()))
        details.append(
            {
                "loc": loc,
                "type": error.get("type", "value_error"),
                "msg": text,
                "field": _field(loc),
                "code": message.code,
                "message": text,
            }
        )
    first = details[0] if details else {"field": "", "code": "invalid", "message": ""}
    return {"detail": details, "code": first["code"], "field": first["field"], "message": first["message"]}


_BY_STATUS = {
    400: "invalid_json",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "state_conflict",
    415: "unsupported_media_type",
}


def _destinations(request: Request) -> bool:
    # Partners and tables name the regions they serve (Montréal's organizations too); every other
    # region a request names is a destination.
    return not request.url.path.startswith(("/partners", "/tables"))


def install(app: FastAPI, limit: int) -> None:
    """Bounded JSON bodies and localized refusals for ``app``."""
    app.add_middleware(BoundedJsonBody, limit=limit)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = lang(request)
        return JSONResponse(
            status_code=422,
            content=validation_errors(exc.errors(), language, _destinations(request)),
            headers={"Content-Language": language},
        )

    @app.exception_handler(Rejected)
    async def rejected(request: Request, exc: Rejected) -> JSONResponse:
        language = lang(request)
        error = {"type": "value_error", "loc": ["body", *exc.field.split(".")], "ctx": {}}
        content = validation_errors([error], language)
        text = exc.message.text(language)
        content["detail"][0].update(code=exc.message.code, msg=text, message=text)
        content.update(code=exc.message.code, message=text)
        return JSONResponse(status_code=422, content=content, headers={"Content-Language": language})

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        language = lang(request)
        content = body(409, exc.message, language, detail=exc.detail, existing=exc.existing)
        return JSONResponse(status_code=409, content=content, headers={"Content-Language": language})

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        language = lang(request)
        content = body(403, exc.message, language, detail=str(exc))
        return JSONResponse(status_code=403, content=content, headers={"Content-Language": language})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        language = lang(request)
        given = getattr(exc, "message", None)
        generic = say(_BY_STATUS.get(exc.status_code, "request_refused"))
        message = given if isinstance(given, Message) else generic
        content = body(exc.status_code, message, language, detail=exc.detail)
        headers = {**(exc.headers or {}), "Content-Language": language}
        return JSONResponse(status_code=exc.status_code, content=content, headers=headers)
