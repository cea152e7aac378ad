"""The service application factory: every SOP service is a FastAPI app built here, so HR,
finance, procurement and payroll share errors, auth, transactions, health and metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import HTMLResponse, JSONResponse, Response

from sop_shared.audit import audit_router
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.db import Database
from sop_shared.docs_ui import docs_assets_router, swagger_page
from sop_shared.errors import install_problem_handlers, problem_response
from sop_shared.events.catalogue import EventType, asyncapi
from sop_shared.events.consumer import Consumer, Subscription
from sop_shared.events.jetstream import nats_url_from_env
from sop_shared.http import DocumentedRequestsMiddleware
from sop_shared.idempotency import IdempotencyStore
from sop_shared.kernel import Kernel
from sop_shared.observability import (
    ClientGuard,
    Metrics,
    RequestContextMiddleware,
    configure_logging,
)
from sop_shared.openapi import service_openapi
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.provisioning import Provisioner, provisioning_router
from sop_shared.resilience import BackendConnections
from sop_shared.security import InternalKeys, InternalTokenVerifier
from sop_shared.settings import ServiceSettings
from sop_shared.transactions import BodyLimitMiddleware, TransactionMiddleware

log = logging.getLogger("sop.app")

ReadinessCheck = Callable[[FastAPI], Awaitable[None]]
Hook = Callable[[FastAPI], Awaitable[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    area: str | None = None,
    audit_scopes: tuple[str, str | None] | None = None,
    provision: Provisioner | None = None,
    readiness: Iterable[ReadinessCheck] = (),
    on_startup: Iterable[Hook] = (),
    on_shutdown: Iterable[Hook] = (),
    version: str = "1.0.0",
    openapi_tags: list[dict[str, Any]] | None = None,
    database: Database | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    platform: PlatformConfigSource | None = None,
    backends: BackendConnections | None = None,
    consumers: Iterable[Subscription] = (),
    nats_url: str | None = None,
    events: Sequence[EventType] = (),
) -> FastAPI:
    """The app, with its `Kernel` at `app.state.kernel`. Parts not given are built from
    `settings` (tests pass a database, a fixed clock, a platform config or in-process
    transports for the vendor suites). `consumers` are the service's event subscriptions:
    each runs in the background while the app runs, when NATS is configured (`nats_url`,
    else `SOP_NATS_URL`)."""
    configure_logging(settings.log_level, json_logs=settings.log_json)
    startup, shutdown, checks = list(on_startup), list(on_shutdown), list(readiness)
    db = database or Database(
        settings.database_url, pool_size=settings.database_pool_size, echo=settings.database_echo
    )
    kernel = Kernel(
        settings=settings,
        database=db,
        idempotency=IdempotencyStore(db),
        verifier=InternalTokenVerifier(
            keys=InternalKeys(
                jwks_url=settings.internal_jwks_url, jwks_file=settings.internal_jwks_file
            ),
            issuer=settings.internal_issuer,
            audience=settings.audience,
        ),
        clock=clock or SYSTEM_CLOCK,
        calendar=calendar or WorkingCalendar.load(settings.bank_holidays_file),
        metrics=Metrics(settings.service),
        platform=platform or PlatformConfigSource(settings.platform_config),
        backends=backends or BackendConnections(),
        nats_url=nats_url or nats_url_from_env(),
    )
    subscriptions = list(consumers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in startup:
            await hook(app)
        running = _consumers(kernel, subscriptions)
        app.state.consumers = running
        for consumer in running:
            await consumer.start()
        background = [
            asyncio.create_task(_purge_idempotency_keys(kernel.idempotency)),
            asyncio.create_task(kernel.platform.keep_fresh()),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            for consumer in running:
                await consumer.stop()
            for hook in shutdown:
                await hook(app)
            await kernel.backends.aclose()
            await kernel.database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        docs_url=None,  # served below, with its assets, so the page works offline
        redoc_url=None,
    )
    app.state.kernel = kernel

    install_problem_handlers(app)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        return problem_response(
            412,
            "the resource was changed by a concurrent request; read it again",
            instance=request.url.path,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        return problem_response(
            409, "the change conflicts with existing data", instance=request.url.path
        )

    async def _database_down(request: Request, exc: Exception) -> Response:
        # A lost connection, a deadlock victim, a pool timeout: the client may simply retry.
        log.warning("database failure on %s %s: %r", request.method, request.url.path, exc)
        return problem_response(
            503,
            "the database is unavailable; retry later",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )

    for failure in (DBAPIError, SQLAlchemyTimeoutError, ConnectionError, TimeoutError):
        app.add_exception_handler(failure, _database_down)

    for router in routers:
        app.include_router(router)
    if area and audit_scopes:
        app.include_router(
            audit_router(area, read_scope=audit_scopes[0], sensitive_scope=audit_scopes[1])
        )
    app.include_router(provisioning_router(provision))
    _add_health_routes(app, kernel, checks)
    _add_docs_routes(app)
    catalogue = asyncapi(settings.service, events)

    @app.get("/events/asyncapi.json", include_in_schema=False)
    async def events_catalogue() -> JSONResponse:
        """The events this service publishes (AsyncAPI 3.0); the gateway merges them."""
        return JSONResponse(catalogue)

    # Innermost: requests held to the OpenAPI document below (405 with the path's methods,
    # dates and numbers in their one written form) before FastAPI routes them. The document
    # is built at start-up, not by the first request.
    app.add_middleware(DocumentedRequestsMiddleware, document=lambda: app.openapi())
    startup.append(_build_document)
    app.add_middleware(
        TransactionMiddleware,
        database=kernel.database,
        idempotency=kernel.idempotency,
        verifier=kernel.verifier,
        max_body_bytes=settings.max_body_bytes,
    )
    # Every body capped before anything reads it (the transaction middleware, FastAPI).
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    # A client gone before its answer is counted and logged 499, not 500 (as the gateway does).
    app.add_middleware(ClientGuard)
    app.add_middleware(RequestContextMiddleware, service=settings.service, metrics=kernel.metrics)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        # Every error as problem+json, whatever a route declared (FastAPI adds its own 422
        # as application/json), 400 for unreadable bodies and 503 on every operation (its
        # database or vendor backend is down; see the handlers above).
        app.openapi_schema = service_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def _build_document(app: FastAPI) -> None:
    try:
        app.openapi()
    except Exception:  # the routes still serve; DocumentedRequestsMiddleware stands aside
        log.exception("could not build the OpenAPI document")


def _consumers(kernel: Kernel, subscriptions: list[Subscription]) -> list[Consumer]:
    """The service's event consumers on its database and NATS (none without NATS)."""
    if not subscriptions:
        return []
    if kernel.nats_url is None:
        log.warning(
            "events: SOP_NATS_URL is not set, so %s will not consume (%s)",
            kernel.settings.service,
            ", ".join(s.name for s in subscriptions),
        )
        return []
    return [
        Consumer(
            s.name,
            s.subjects,
            s.handler,
            database=kernel.database,
            nats_url=kernel.nats_url,
            max_deliver=s.max_deliver,
            backoff=s.backoff,
            clock=kernel.clock,
        )
        for s in subscriptions
    ]


async def _purge_idempotency_keys(store: IdempotencyStore, every_seconds: float = 900.0) -> None:
    """Forget idempotency keys past their 24-hour retention, every quarter of an hour."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            removed = await store.purge_expired()
            if removed:
                log.info("purged %d expired idempotency keys", removed)
        except Exception:  # a database hiccup must not end the loop
            log.exception("could not purge expired idempotency keys")


def _add_docs_routes(app: FastAPI) -> None:
    """Swagger UI at `/docs` with every asset served by the service itself (no CDN), as the
    gateway serves its own (issue 16)."""
    app.include_router(docs_assets_router())

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return swagger_page(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            init_oauth=app.swagger_ui_init_oauth,
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _add_health_routes(app: FastAPI, kernel: Kernel, checks: list[ReadinessCheck]) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "service": kernel.settings.service})

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        failures: dict[str, str] = {}
        try:
            await kernel.database.ping()
        except Exception as exc:
            failures["database"] = type(exc).__name__
        for check in checks:
            try:
                await check(app)
            except Exception as exc:
                failures[getattr(check, "__name__", "check")] = str(exc) or type(exc).__name__
        if failures:
            return problem_response(
                503,
                "not ready: " + ", ".join(f"{k} ({v})" for k, v in failures.items()),
                instance=request.url.path,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(kernel.metrics.registry), media_type=CONTENT_TYPE_LATEST)
