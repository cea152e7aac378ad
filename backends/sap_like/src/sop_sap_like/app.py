"""The SAP-like SuccessFactors simulator as a FastAPI app: `create_app(settings)` or lazy `app`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from sop_sap_like.dispatch import Call, Reply, date_window, handle
from sop_sap_like.edm import EntitySet
from sop_sap_like.entities import build_entity_sets
from sop_sap_like.errors import ODataError
from sop_sap_like.service import Context
from sop_sap_like.settings import SapLikeSettings
from sop_sap_like.storage import Store
from sop_simulation import (
    FaultInjectionMiddleware,
    FaultInjector,
    authenticate,
    create_sim_engine,
    ensure_schema,
    read_connection,
    sim_router,
    write_transaction,
)

ROOT = "/odata/v2"
_BODY_METHODS = ("POST", "PATCH", "PUT", "MERGE")
_READ_METHODS = ("GET", "HEAD")


class _Ready:
    """Creates the tables once: at start-up, or on the first call (ASGI clients skip lifespan)."""

    def __init__(self, start: Any) -> None:
        self._start = start
        self._done = False
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        if self._done:
            return
        async with self._lock:
            if not self._done:
                await self._start()
                self._done = True


async def seed_time_types(
    engine: AsyncEngine, store: Store, catalog: dict[str, EntitySet], settings: SapLikeSettings
) -> None:
    """The configured time types: setup data, present from the start and after a reset."""
    es = catalog["TimeType"]
    table = store.table(es)
    async with write_transaction(engine) as conn:
        existing = {r[0] for r in await conn.execute(select(table.c.externalCode))}
        for code, name in settings.time_type_map.items():
            if code not in existing:
                await store.insert(
                    conn,
                    es,
                    {
                        "externalCode": code,
                        "externalName_defaultValue": name,
                        "unit": "DAYS",
                        "category": "ABSENCE",
                    },
                )


def _error_response(error: ODataError) -> Response:
    headers = {"DataServiceVersion": "1.0", **error.headers}
    return Response(
        orjson.dumps(error.envelope()),
        error.status,
        headers=headers,
        media_type="application/json;charset=utf-8",
    )


def create_app(settings: SapLikeSettings | None = None) -> FastAPI:
    """Build the simulator: its own storage, fault injection and the OData v2 service."""
    settings = settings or SapLikeSettings()
    entity_sets = build_entity_sets()
    catalog = {es.name: es for es in entity_sets}
    store = Store(entity_sets)
    engine = create_sim_engine(settings.database_url, schema=settings.database_schema)
    faults = FaultInjector(settings.initial_faults())

    async def start() -> None:
        await ensure_schema(engine, settings.database_schema)
        await store.create_all(engine)
        await seed_time_types(engine, store, catalog, settings)

    ready = _Ready(start)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await ready()
        yield
        await engine.dispose()

    app = FastAPI(
        title="SOP simulated SAP-like SuccessFactors suite",
        description="Imitates the SuccessFactors OData v2 API (Employee Central).",
        version="2.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.engine = engine
    app.state.faults = faults

    def fault_error(status: int, _scope: Scope) -> tuple[bytes, str]:
        error = ODataError(
            status,
            "COE_GENERAL_SERVER_FAILURE" if status == 500 else "COE_SERVICE_UNAVAILABLE",
            "[COE0000] An unexpected error occurred."
            if status == 500
            else "The service is temporarily unavailable.",
        )
        return orjson.dumps(error.envelope()), "application/json;charset=utf-8"

    app.add_middleware(FaultInjectionMiddleware, faults=faults, render_error=fault_error)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings.sim_enabled:

        async def reset() -> None:
            await ready()
            await store.reset(engine)
            await seed_time_types(engine, store, catalog, settings)

        app.include_router(sim_router(faults, reset))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/_sim"):
            return Response(
                json.dumps({"detail": exc.detail}), exc.status_code, media_type="application/json"
            )
        return _error_response(
            ODataError(exc.status_code, "COE_GENERAL_BAD_REQUEST", str(exc.detail))
        )

    async def odata(request: Request, path: str) -> Response:
        method = request.method
        # OData v2 clients tunnel MERGE (and others) through POST.
        tunnelled = request.headers.get("x-http-method")
        if method == "POST" and tunnelled:
            method = tunnelled.upper()
        try:
            user = authenticate(request.headers.get("authorization"), settings)
            if user is None:
                raise ODataError(
                    401,
                    "LGN0001",
                    "Authentication failed: send a valid bearer token or basic credentials.",
                    headers={"WWW-Authenticate": 'Basic realm="SuccessFactors"'},
                )
            body = await _json_body(request, method)
            await ready()
            now = datetime.now(UTC).replace(tzinfo=None)
            # Kept to the millisecond /Date(...)/ shows, so lastModifiedDateTime filters are exact.
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            call = Call(
                method,
                path,
                dict(request.query_params),
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
            root = str(request.base_url).rstrip("/") + ROOT

            def context(conn: Any) -> Context:
                return Context(
                    conn=conn,
                    store=store,
                    settings=settings,
                    catalog=catalog,
                    user=user,
                    now=now,
                    service_root=root,
                    window=date_window(call.query, now.date()),
                )

            if method in _READ_METHODS:
                async with read_connection(engine) as conn:
                    reply = await handle(context(conn), call)
            else:
                async with write_transaction(engine) as conn:
                    reply = await handle(context(conn), call)
        except ODataError as error:
            return _error_response(error)
        return _response(reply)

    methods = ["GET", "POST", "PATCH", "PUT", "MERGE", "DELETE"]

    @app.api_route(ROOT + "/{path:path}", methods=methods, include_in_schema=False)
    async def service(request: Request, path: str) -> Response:
        return await odata(request, path)

    @app.api_route(ROOT, methods=["GET"], include_in_schema=False)
    async def service_document(request: Request) -> Response:
        return await odata(request, "")

    return app


async def _json_body(request: Request, method: str) -> Any:
    if method not in _BODY_METHODS:
        return None
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = (request.headers.get("content-type") or "").lower()
    if "json" not in content_type:
        raise ODataError(
            415,
            "COE_GENERAL_BAD_REQUEST",
            f"The content type {content_type or '(none)'} isn't supported; send application/json.",
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ODataError(
            400, "COE_GENERAL_BAD_REQUEST", f"[COE0019] The request body isn't valid JSON: {exc}."
        ) from exc


def _response(reply: Reply) -> Response:
    headers = {"DataServiceVersion": "2.0", **reply.headers}
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    content = reply.body.encode() if isinstance(reply.body, str) else orjson.dumps(reply.body)
    return Response(content, reply.status, headers=headers, media_type=reply.media_type)


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    # `uvicorn sop_sap_like.app:app` builds the app on first access, from the environment.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
