"""The Oracle-like HCM simulator as a FastAPI app: `create_app(settings)`, or the lazy `app`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from sop_oracle_like.dispatch import (
    APIS,
    VERSIONS,
    ApiCall,
    BatchFailed,
    Reply,
    effective_date,
    handle,
)
from sop_oracle_like.errors import OracleError, render_error
from sop_oracle_like.resources import build_resources
from sop_oracle_like.service import Context, parse_effective_of
from sop_oracle_like.settings import OracleLikeSettings
from sop_oracle_like.storage import Store
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

_JSON_BODY_METHODS = ("POST", "PATCH", "PUT")


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


def create_app(settings: OracleLikeSettings | None = None) -> FastAPI:
    """Build the simulator: its own storage, fault injection and the ADF REST endpoints."""
    settings = settings or OracleLikeSettings()
    resources = build_resources()
    registry = {r.name: r for r in resources}
    store = Store(resources)
    engine = create_sim_engine(settings.database_url, schema=settings.database_schema)
    faults = FaultInjector(settings.initial_faults())

    async def start() -> None:
        await ensure_schema(engine, settings.database_schema)
        await store.create_all(engine)

    ready = _Ready(start)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await ready()
        yield
        await engine.dispose()

    app = FastAPI(
        title="SOP simulated Oracle-like HCM suite",
        description="Imitates Oracle Fusion HCM REST resources (ADF) for adapter tests and demos.",
        version="11.13.18.05",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.engine = engine
    app.state.faults = faults

    def fault_error(status: int, scope: Scope) -> tuple[bytes, str]:
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        detail = (
            "The service is temporarily unavailable."
            if status == 503
            else "An unexpected error occurred on the server."
        )
        return render_error(OracleError(status, detail, code="27500"), headers.get("accept"))

    app.add_middleware(FaultInjectionMiddleware, faults=faults, render_error=fault_error)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings.sim_enabled:

        async def reset() -> None:
            await ready()
            await store.reset(engine)

        app.include_router(sim_router(faults, reset))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/_sim"):
            return Response(
                json.dumps({"detail": exc.detail}), exc.status_code, media_type="application/json"
            )
        error = OracleError(exc.status_code, str(exc.detail))
        body, media_type = render_error(error, request.headers.get("accept"))
        return Response(body, exc.status_code, media_type=media_type)

    async def vendor_call(request: Request, api: str, version: str, path: str) -> Response:
        accept = request.headers.get("accept")
        framework_version = settings.default_framework_version
        try:
            if api not in APIS or version not in VERSIONS:
                raise OracleError(404, "The requested resource was not found.", code="27010")
            user = authenticate(request.headers.get("authorization"), settings)
            if user is None:
                raise OracleError(
                    401,
                    "Authentication is required to access this resource.",
                    headers={"WWW-Authenticate": 'Basic realm="Oracle Fusion Applications"'},
                )
            framework_version = _framework_version(request, settings)
            body = await _json_body(request)
            await ready()
            # Timestamps are kept to the millisecond they are shown with, so a client comparing
            # against a LastUpdateDate it read gets exact answers.
            now = datetime.now(UTC).replace(tzinfo=None)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            call = ApiCall(
                request.method,
                api,
                path,
                dict(request.query_params),
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
            base_url = str(request.base_url).rstrip("/")

            def context(conn: Any) -> Context:
                return Context(
                    conn=conn,
                    store=store,
                    settings=settings,
                    registry=registry,
                    user=user.upper(),
                    now=now,
                    base_url=base_url,
                    version=version,
                    framework_version=framework_version,
                    as_of=effective_date(call.query, now.date()),
                    effective_of=parse_effective_of(request.headers.get("effective-of")),
                )

            if request.method in ("GET", "HEAD"):
                async with read_connection(engine) as conn:
                    reply = await handle(context(conn), call)
            else:
                try:
                    async with write_transaction(engine) as conn:
                        reply = await handle(context(conn), call)
                except BatchFailed as failed:
                    reply = failed.reply
        except OracleError as error:
            content, media_type = render_error(error, accept)
            headers = {"REST-Framework-Version": str(framework_version), **error.headers}
            return Response(content, error.status, headers=headers, media_type=media_type)
        return _response(reply, framework_version)

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]

    @app.api_route(
        "/{api}/resources/{version}/{path:path}", methods=methods, include_in_schema=False
    )
    async def vendor(request: Request, api: str, version: str, path: str) -> Response:
        return await vendor_call(request, api, version, path)

    @app.api_route("/{api}/resources/{version}", methods=["GET", "POST"], include_in_schema=False)
    async def vendor_root(request: Request, api: str, version: str) -> Response:
        return await vendor_call(request, api, version, "")

    return app


def _framework_version(request: Request, settings: OracleLikeSettings) -> int:
    raw = request.headers.get("rest-framework-version")
    if raw is None:
        return settings.default_framework_version
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 9:
        raise OracleError(400, f"The REST-Framework-Version {raw!r} isn't supported.", code="27000")
    return value


async def _json_body(request: Request) -> Any:
    if request.method not in _JSON_BODY_METHODS:
        return None
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = (request.headers.get("content-type") or "").lower()
    if "json" not in content_type:
        raise OracleError(
            415,
            f"The media type {content_type or '(none)'} isn't supported; send "
            "application/vnd.oracle.adf.resourceitem+json.",
            code="27002",
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise OracleError(400, f"The request body isn't valid JSON: {exc}.", code="27001") from exc


def _response(reply: Reply, framework_version: int) -> Response:
    headers = {"REST-Framework-Version": str(framework_version), **reply.headers}
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    return Response(
        orjson.dumps(reply.body), reply.status, headers=headers, media_type=reply.media_type
    )


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    # `uvicorn sop_oracle_like.app:app` builds the app on first access, from the environment.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
