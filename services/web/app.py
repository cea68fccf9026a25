"""web: Concerto's pages for people and staff, server-rendered in French and English
(entry point: ``python -m services.web.app``; docs/web.md).

It keeps no copy of anyone's case: every page reads matching-api on behalf of the signed-in
user. Its own state (used links, pending registrations, accounts, sessions) is in its data
dir (store.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.auth import check_secret
from services.common.clock import Clock
from services.common.http import Correlate, serve
from services.common.page_links import PageLinks
from services.common.reference import load_reference
from services.common.settings import Settings
from services.notifications.mailer import Mailer, SmtpMailer

from . import (
    routes_account,
    routes_file,
    routes_information,
    routes_open,
    routes_partner,
    routes_register,
    routes_signin,
    routes_staff,
)
from .apis import ApiUnavailable, MatchingApi
from .links import LinkSigner
from .pages import LANG_COOKIE, YEAR_S, environment, render, safe_next
from .runtime import CsrfRefused, CurrentPage, CurrentWeb, Web, page
from .store import WebStore
from .throttle import Rules, Throttle

SERVICE = "web"
STATIC = Path(__file__).parent / "static"
log = structlog.get_logger(__name__)


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The web app; tests pass a fixed clock, a fake mailer, or a transport to a fake API."""
    check_secret(settings.auth, settings.environment)
    clock = clock or settings.build_clock()
    secret = settings.auth.secret.get_secret_value()
    limits = settings.web

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(transport=transport) as client:
            store = WebStore(Path(settings.data_dir) / "web" / "web.sqlite3", secret)
            store.forget_expired(clock.timestamp())
            app.state.web = Web(
                settings=settings,
                clock=clock,
                store=store,
                signer=LinkSigner(secret, clock, settings.web.link_ttl_s),
                pages=PageLinks(secret, clock, settings.web.public_url, settings.web.page_link_ttl_s),
                mailer=mailer or SmtpMailer(settings.smtp),
                matching=MatchingApi(
                    settings.web.matching_url, settings.auth, clock, settings.web.api_token_ttl_s, client
                ),
                env=environment(),
                reference=load_reference(),
                signin_limit=Throttle(
                    "signin", Rules(limits.signin_limit_per_address, limits.signin_limit_per_client)
                ),
                register_limit=Throttle(
                    "register", Rules(limits.register_limit_per_address, limits.register_limit_per_client)
                ),
            )
            log.info("web.started", public_url=settings.web.public_url)
            try:
                yield
            finally:
                store.close()

    app = FastAPI(title="Concerto — web", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.clock = clock
    app.add_middleware(Correlate)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        routes_signin,
        routes_open,
        routes_register,
        routes_file,
        routes_account,
        routes_information,
        routes_staff,
        routes_partner,
    ):
        app.include_router(module.router)

    @app.get("/health")
    def health(request: Request) -> Any:
        """200 when the web's own store answers (the APIs' health is theirs)."""
        web: Web = request.app.state.web
        web.store.link_used("health")
        return {"status": "ok"}

    @app.get("/")
    def home(page: CurrentPage, web: CurrentWeb) -> Response:
        return render(web.env, page, "home.html")

    @app.get("/language/{language}")
    def choose_language(language: str, page: CurrentPage, next: str = "/") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        if language in ("fr", "en"):
            page.cookie(response, LANG_COOKIE, language, YEAR_S)
        return page.finish(response)

    _error_pages(app)
    return app


def _error_pages(app: FastAPI) -> None:
    """Errors as pages in the person's language (the JSON of /health stays JSON)."""

    async def error_page(request: Request, status_code: int, key: str) -> Response:
        current = await page_without_check(request)
        return render(
            request.app.state.web.env,
            current,
            "message.html",
            status_code,
            title="error_title",
            body=current.t(key),
        )

    async def page_without_check(request: Request) -> Any:
        # An error page reads the language and the session, never the form again.
        saved, request.scope["method"] = request.scope["method"], "GET"
        try:
            return await page(request)
        finally:
            request.scope["method"] = saved

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        log.info("web.csrf_refused", path=request.url.path)
        return await error_page(request, 403, "csrf_refused")

    @app.exception_handler(ApiUnavailable)
    async def unavailable(request: Request, exc: ApiUnavailable) -> Response:
        log.warning("web.api_unavailable", reason=str(exc))
        return await error_page(request, 503, "unavailable")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path == "/health":
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return await error_page(
            request, exc.status_code, "not_found" if exc.status_code == 404 else "error_title"
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return await error_page(request, 400, "not_found")


def main() -> None:
    """Read the settings and serve the web with uvicorn, logging through structlog."""
    serve(create_app, SERVICE)


if __name__ == "__main__":
    main()
