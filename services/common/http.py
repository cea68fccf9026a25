"""What every Concerto API shares: the Kafka runtime, correlation ids, /health, errors.

Each API's lifespan builds an ``ApiRuntime`` (publisher + projection of the
topics it reads). The runtime starts even when Kafka is down: topics are
created and the projection rebuilt in the background, /health answers 503
until both are done, and writes answer 503 while the broker does not
acknowledge them.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from kafka.errors import KafkaError
from pydantic import BaseModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tenacity import retry, retry_if_exception_type, wait_exponential

from .auth import check_secret
from .clock import Clock, SystemClock
from .cloudevents import EventMeta
from .kafka import (
    KafkaUnavailable,
    Outgoing,
    Pending,
    Publisher,
    RecordTooLarge,
    Written,
    ensure_topics,
    kafka_answers,
)
from .logging import CORRELATION_ID, configure_logging
from .messages import Message as Reason
from .messages import say
from .openapi_errors import document_errors
from .projection import Projection
from .refusals import body as refusal
from .refusals import install as install_refusals
from .refusals import lang
from .settings import Settings
from .topics import REGISTRY, TopicSpec

log = structlog.get_logger(__name__)
KAFKA_DOWN = "Kafka is unreachable: nothing was recorded. Retry in a moment."

CORRELATION_HEADER = "X-Correlation-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")


@dataclass(frozen=True)
class Write:
    """One record of ``ApiRuntime.publish_together``."""

    spec: TopicSpec
    key: BaseModel
    value: BaseModel | None
    event_type: str


class NotAllWritten(KafkaUnavailable):
    """Some records of a ``publish_together`` were not acknowledged; ``written`` were (the caller
    decides whether to undo them). Still a ``KafkaUnavailable``: the client gets a 503."""

    def __init__(self, message: str, written: list[Written]) -> None:
        super().__init__(message)
        self.written = written


@dataclass
class ApiRuntime:
    """The Kafka side of one API process."""

    settings: Settings
    publisher: Publisher
    projection: Projection
    reads: tuple[TopicSpec, ...]
    clock: Clock = field(default_factory=SystemClock)
    # Check-then-write sequences (a unique NEQ, a table's members) run one at a time.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    closed: threading.Event = field(default_factory=threading.Event)

    def publish(
        self,
        spec: TopicSpec,
        key: BaseModel,
        value: BaseModel | None,
        event_type: str,
        meta: EventMeta | None = None,
    ) -> Written:
        """Write durably, then wait (bounded) until this API's projection shows the write."""
        written = self.publisher.publish(spec, key, value, event_type, meta)
        if spec in self.reads:
            self.projection.wait_for(written, self.settings.kafka.read_your_writes_timeout_s)
        return written

    async def publish_together(self, writes: Sequence[Write]) -> list[Written]:
        """Write several records at once from a coroutine: all are checked before any is sent, all
        leave together (one round trip, not one each), and this returns once the broker
        acknowledged every one and this API's projection shows them (bounded). If any is not
        acknowledged it raises ``NotAllWritten`` with those that were."""
        outgoing = [self.publisher.prepare(w.spec, w.key, w.value, w.event_type) for w in writes]
        pending: list[Pending] = []
        failed: list[BaseException] = []
        for record in outgoing:
            try:
                pending.append(await self._send(record))
            except KafkaUnavailable as exc:
                failed.append(exc)
                break
        # What was handed to the producer is waited for even when a later send failed: the caller
        # must know what the broker has.
        outcomes = await asyncio.gather(
            *(self.publisher.acknowledged(p) for p in pending), return_exceptions=True
        )
        written = [o for o in outcomes if isinstance(o, Written)]
        failed += [o for o in outcomes if isinstance(o, BaseException)]
        if failed:
            raise NotAllWritten(str(failed[0]), written)
        timeout = self.settings.kafka.read_your_writes_timeout_s
        await asyncio.gather(*(self.projection.reached(w, timeout) for w in written if self._reads(w)))
        return written

    async def _send(self, record: Outgoing) -> Pending:
        if self.publisher.knows(record.topic):
            return self.publisher.send(record)
        # The producer would block for the topic's metadata (up to max_block_ms): not on the loop.
        return await asyncio.to_thread(self.publisher.send, record)

    def _reads(self, written: Written) -> bool:
        return any(spec.name == written.topic for spec in self.reads)

    def close(self) -> None:
        self.closed.set()
        self.projection.stop()
        self.publisher.close()


def start_runtime(
    settings: Settings,
    service: str,
    reads: Sequence[TopicSpec],
    lazy: Sequence[TopicSpec] = (),
    clock: Clock | None = None,
) -> ApiRuntime:
    """Build the publisher and start the projection (``lazy``: those of ``reads`` parsed on each
    read, see ``Projection``); topics are ensured in the background."""
    projection = Projection(settings.kafka, reads, service, lazy=lazy)
    clock = clock or settings.build_clock()
    runtime = ApiRuntime(settings, Publisher(settings.kafka, service, clock), projection, tuple(reads), clock)

    @retry(
        wait=wait_exponential(multiplier=0.5, max=5),
        retry=retry_if_exception_type(KafkaError),
        stop=lambda _: runtime.closed.is_set(),  # the API stopped before Kafka ever answered
        retry_error_callback=lambda _: None,
    )
    def prepare() -> None:
        if not runtime.closed.is_set():
            ensure_topics(settings.kafka, REGISTRY)
            projection.start()

    threading.Thread(target=prepare, name=f"{service}-prepare", daemon=True).start()
    return runtime


async def get_runtime(request: Request) -> ApiRuntime:
    """FastAPI dependency: this process's runtime (``async``: FastAPI runs a plain ``def``
    dependency in its thread pool, a thread hop per request for an attribute read)."""
    runtime: ApiRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ApiRuntime, Depends(get_runtime)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=8,
        max_length=200,
        description="Any unique string for this request (a UUID): a retry with the same key "
        "records it once and gets the same answer.",
    ),
]


def idempotent_id(namespace: uuid.UUID, subject: str, idempotency_key: str | None) -> uuid.UUID:
    """The id of a new record: random, or derived from the caller and their ``Idempotency-Key``
    so that a retry (after a 503 or an answer lost with the connection) names the same record.
    Keys are per caller: another caller's key never names your record."""
    if idempotency_key is None:
        return uuid.uuid4()
    return uuid.uuid5(namespace, f"{subject}\n{idempotency_key}")


class Correlate:
    """ASGI middleware: bind the request's correlation id (given, or a new one) and return it.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    runs the app in another task through memory streams, about 8 % of matching-api's
    time per request in a profile (docs/performance.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(CORRELATION_HEADER, "")
        correlation_id = given if _SAFE_ID.match(given) else str(uuid.uuid4())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[CORRELATION_HEADER] = correlation_id
            await send(message)

        with structlog.contextvars.bound_contextvars(**{CORRELATION_ID: correlation_id}):
            await self.app(scope, receive, send_with_id)


class Health(BaseModel):
    """Readiness of an API: Kafka answers and the read model is rebuilt."""

    status: str
    kafka: str
    projection: str


def create_api(
    *,
    title: str,
    description: str,
    settings: Settings,
    service: str,
    reads: Sequence[TopicSpec],
    on_start: Callable[[FastAPI, ApiRuntime], Awaitable[None]] | None = None,
    lazy: Sequence[TopicSpec] = (),
) -> FastAPI:
    """A FastAPI app with Concerto's runtime, correlation ids, /health and 503 on Kafka errors."""

    # Refuse to start outside development with the default signing secret.
    check_secret(settings.auth, settings.environment)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = start_runtime(settings, service, reads, lazy, app.state.clock)
        app.state.runtime = runtime
        if on_start is not None:
            await on_start(app, runtime)
        log.info("api.started", bootstrap=settings.kafka.bootstrap_servers)
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.auth = settings.auth
    app.state.clock = settings.build_clock()
    document_errors(app)

    # Bounded JSON bodies (413, 415) and localized refusals; Correlate wraps them, so even a
    # refusal made before the app reads anything carries the correlation id.
    install_refusals(app, settings.http_max_body_bytes)
    app.add_middleware(Correlate)

    @app.exception_handler(KafkaUnavailable)
    async def kafka_unavailable(request: Request, exc: KafkaUnavailable) -> JSONResponse:
        language = lang(request)
        content = refusal(503, say("kafka_unavailable"), language, detail=KAFKA_DOWN)
        return JSONResponse(status_code=503, content=content, headers={"Retry-After": "5"})

    @app.exception_handler(RecordTooLarge)
    async def too_large(request: Request, exc: RecordTooLarge) -> JSONResponse:
        # Written, it would be refused by every consumer (codec.check_envelope): refuse it here instead.
        content = refusal(413, say("record_too_large"), lang(request), detail=f"Nothing was recorded: {exc}.")
        return JSONResponse(status_code=413, content=content)

    @app.get("/health", response_model=Health, tags=["health"], responses={503: {"model": Health}})
    def health(runtime: Runtime) -> Any:
        """Ready (200) only when Kafka answers and this API's read model is rebuilt."""
        kafka_ok = kafka_answers(settings.kafka)
        body = Health(
            status="ok" if kafka_ok and runtime.projection.ready else "unavailable",
            kafka="ok" if kafka_ok else "unreachable",
            projection="ready" if runtime.projection.ready else "rebuilding",
        )
        return JSONResponse(body.model_dump(), status_code=200 if body.status == "ok" else 503)

    return app


def found(value: Any | None, detail: str, message: Reason | None = None) -> Any:
    """``value``, or a 404 with ``detail`` (and ``message``, the reason in plain words) when it is None."""
    if value is None:
        error = HTTPException(status.HTTP_404_NOT_FOUND, detail=detail)
        error.message = message or say("not_found")  # type: ignore[attr-defined]
        raise error
    return value


def serve(create_app: Callable[[Settings], FastAPI], service: str) -> None:
    """Read the settings, build the API and run it with uvicorn, logging through structlog."""
    import uvicorn

    settings = Settings()
    configure_logging(service, settings.log_format, settings.log_level)
    # httptools (C) named, so a missing parser fails at start rather than silently costing
    # throughput; the loop is uvloop when installed (pinned; an older venv falls back to asyncio).
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        http="httptools",
        loop="auto",
        log_config=None,
        access_log=False,
    )
