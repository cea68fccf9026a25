"""structlog configured once per process: key/value events, JSON or console.

Standard-library loggers (uvicorn, faust, kafka) go through the same
processors, so a process writes one format. The correlation id is bound with
``structlog.contextvars`` and appears in every record logged while it is bound.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import orjson
import structlog
from log_rate_limit import StreamRateLimitFilter

CORRELATION_ID = "correlation_id"
# The same library message (same text) at most three times in a row, then once per period, with
# the number skipped: while the broker is down, aiokafka logs each failed connection, fetch and
# metadata request, about 40 lines a second per worker.
REPEAT_PERIOD_S = 10.0


def _orjson_dumps(event: Any, **_: Any) -> str:
    # orjson renders a record about twice as fast as json; str() whatever it does not know.
    return orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class _Logger(structlog.WriteLogger):
    """Writes rendered lines to stdout; named, so records say which module logged them."""

    def __init__(self, name: str) -> None:
        super().__init__(sys.stdout)
        self.name = name


def _logger(*args: Any) -> _Logger:
    return _Logger(str(args[0]) if args else "")


def configure_logging(service: str, fmt: Literal["json", "console"] = "console", level: str = "INFO") -> None:
    """Configure structlog and the standard library for this process. Call once, in main()."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_orjson_dumps)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    # structlog's own records are rendered and written directly, filtered by level before any work:
    # about 6 µs a record instead of 30 through the standard library (a worker logs one per record).
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        logger_factory=_logger,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    # The standard library's loggers (uvicorn, faust, kafka) go through the same processors.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(library_repeats_filter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python logs every connection at INFO; keep its warnings only.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def library_repeats_filter(period_s: float = REPEAT_PERIOD_S) -> logging.Filter:
    """Rate-limits repeats of one message from the standard library's loggers (aiokafka,
    kafka-python, faust, uvicorn): each distinct text passes, its repeats are dropped until
    ``period_s`` has passed, and the next one that passes says how many were skipped. Our own
    structlog events do not go through it: they are never dropped."""
    limit: logging.Filter = StreamRateLimitFilter(
        period_sec=period_s,
        allow_next_n=2,
        summary_msg="(and {numskip} more like it)",
        # Not the library's default, which quotes the message: a "%" in it would break the
        # formatting of the record it is appended to.
        expire_msg=" ({numskip} repeats of an earlier message were skipped)",
    )
    return limit


def current_correlation_id() -> str | None:
    """The correlation id bound in this context, if any."""
    value = structlog.contextvars.get_contextvars().get(CORRELATION_ID)
    return str(value) if value is not None else None
