"""Plumbing shared by the simulated vendor suites: settings, storage, auth, fault injection."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import random
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import APIRouter
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings
from sqlalchemy import ColumnElement, Table, delete, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ROWID",
    "VERSION",
    "FaultConfig",
    "FaultInjectionMiddleware",
    "FaultInjector",
    "RowStore",
    "SimulatedOutage",
    "SimulatorSettings",
    "authenticate",
    "create_sim_engine",
    "read_connection",
    "sim_router",
    "write_transaction",
]

Environment = Literal["development", "test", "production"]


class SimulatorSettings(BaseSettings):
    """Settings every simulator shares; subclasses set the env prefix, port and defaults."""

    env: Environment = Field(default="development", validation_alias=AliasChoices("SOP_ENV", "env"))
    host: str = "127.0.0.1"
    port: int = 8200
    database_url: str = "sqlite+aiosqlite:///.sop/simulator.sqlite3"
    # A PostgreSQL schema of its own, so a simulator can share a server with the services.
    database_schema: str | None = None
    username: str = "sop.integration"
    password: str = "sop-dev-password"
    # Comma-separated list of accepted bearer tokens.
    bearer_tokens: str = "sop-dev-token"
    fault_latency_ms: int = Field(default=0, ge=0)
    fault_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_outage: bool = False

    @property
    def sim_enabled(self) -> bool:
        """Whether the `/_sim` admin endpoints are served (never in production)."""
        return self.env != "production"

    @property
    def accepted_tokens(self) -> list[str]:
        return [t.strip() for t in self.bearer_tokens.split(",") if t.strip()]

    def initial_faults(self) -> FaultConfig:
        return FaultConfig(
            latency_ms=self.fault_latency_ms,
            error_rate=self.fault_error_rate,
            outage=self.fault_outage,
        )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> SimulatorSettings:
        if self.env != "production":
            return self
        fields = type(self).model_fields
        problems = []
        if make_url(self.database_url).get_backend_name() == "sqlite":
            problems.append("database_url must not be SQLite in production")
        if self.password == fields["password"].default:
            problems.append("password must not be the development default in production")
        defaults = {t.strip() for t in str(fields["bearer_tokens"].default).split(",")}
        if defaults & set(self.accepted_tokens):
            problems.append("bearer_tokens must not include the development default")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --- storage -----------------------------------------------------------------------------


def create_sim_engine(url: str, *, schema: str | None = None, echo: bool = False) -> AsyncEngine:
    """An async engine for a simulator: a SQLite file (directory made) or PostgreSQL (asyncpg)."""
    sa_url = make_url(url)
    backend = sa_url.get_backend_name()
    if backend == "postgresql" and sa_url.drivername in ("postgresql", "postgres"):
        sa_url = sa_url.set(drivername="postgresql+asyncpg")
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        database = sa_url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    elif schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(sa_url, echo=echo, connect_args=connect_args)
    if backend == "sqlite":
        _take_over_sqlite_transactions(engine)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine) -> None:
    # The sqlite3 driver's legacy transaction mode ignores SAVEPOINT and delays BEGIN; the
    # simulators need real savepoints (upsert rows, batch parts), so SQLAlchemy emits BEGIN.
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # LIKE is case-sensitive in Oracle and PostgreSQL; make SQLite agree.
        cursor.execute("PRAGMA case_sensitive_like=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the lock up front, so two writers never deadlock upgrading read locks.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def ensure_schema(engine: AsyncEngine, schema: str | None) -> None:
    """Create the PostgreSQL schema named in the settings, if any."""
    if schema and engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that commits on success and rolls back on error."""
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = await conn.execution_options(sqlite_immediate=True)
        async with conn.begin():
            yield conn


@asynccontextmanager
async def read_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads; its implicit transaction is rolled back at the end."""
    async with engine.connect() as conn:
        yield conn


# --- auth --------------------------------------------------------------------------------


def authenticate(authorization: str | None, settings: SimulatorSettings) -> str | None:
    """The principal named by an HTTP basic or bearer Authorization header, or None if refused."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "bearer":
        for token in settings.accepted_tokens:
            if secrets.compare_digest(credentials.encode(), token.encode()):
                return settings.username
        return None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None
        # SuccessFactors-style "user@companyId" logins name the same user.
        bare_user = user.split("@", 1)[0] if "@" in user and "@" not in settings.username else user
        user_ok = secrets.compare_digest(bare_user.encode(), settings.username.encode())
        password_ok = secrets.compare_digest(password.encode(), settings.password.encode())
        return bare_user if user_ok and password_ok else None
    return None


# --- fault injection ---------------------------------------------------------------------


class FaultConfig(BaseModel):
    """The faults a simulator injects into vendor API calls."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=600_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    outage: bool = False


class SimulatedOutage(httpx.RemoteProtocolError):
    """Raised to drop a connection during a simulated outage.

    It subclasses httpx's transport error so an adapter tested in-process through
    `httpx.ASGITransport` sees the same kind of failure as one talking to uvicorn over TCP.
    """


class FaultInjector:
    """The current fault configuration and the dice that decide injected errors."""

    def __init__(self, config: FaultConfig | None = None, *, rng: random.Random | None = None):
        self._config = config or FaultConfig()
        self._rng = rng or random.Random()

    @property
    def config(self) -> FaultConfig:
        return self._config

    def set(self, config: FaultConfig) -> None:
        self._config = config

    def roll_error_status(self) -> int | None:
        """500 or 503 when this call should fail, else None."""
        rate = self._config.error_rate
        if rate <= 0.0 or self._rng.random() >= rate:
            return None
        return self._rng.choice((500, 503))


ErrorRenderer = Callable[[int, Scope], tuple[bytes, str]]


class _OutageLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedOutage)


def _quiet_outage_logs() -> None:
    # A simulated outage is intended; keep uvicorn from logging a traceback per dropped call.
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _OutageLogFilter) for f in log.filters):
        log.addFilter(_OutageLogFilter())


class FaultInjectionMiddleware:
    """ASGI middleware adding latency, vendor-style 500/503 errors, or dropped connections."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultInjector,
        render_error: ErrorRenderer,
        exempt_prefixes: Iterable[str] = ("/_sim", "/healthz"),
    ) -> None:
        self.app = app
        self.faults = faults
        self.render_error = render_error
        self.exempt_prefixes = tuple(exempt_prefixes)
        _quiet_outage_logs()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        config = self.faults.config
        if config.outage:
            await _drop_connection(send)
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        status = self.faults.roll_error_status()
        if status is not None:
            body, media_type = self.render_error(status, scope)
            headers = [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            if status == 503:
                headers.append((b"retry-after", b"1"))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


async def _drop_connection(send: Send) -> None:
    # uvicorn marks the response started and then rejects the invalid header before writing a
    # byte; the exception that follows makes it close the socket, so the client sees the
    # connection drop with no HTTP response at all: what a real outage looks like.
    poisoned: Message = {
        "type": "http.response.start",
        "status": 503,
        "headers": [(b"x-simulated-outage", b"\r\n")],
    }
    with contextlib.suppress(Exception):
        await send(poisoned)
    raise SimulatedOutage("simulated outage: connection dropped by the server")


def sim_router(faults: FaultInjector, reset: Callable[[], Awaitable[None]]) -> APIRouter:
    """The `/_sim` admin endpoints: read and switch faults, wipe the data."""
    router = APIRouter(prefix="/_sim", tags=["simulation"])

    @router.get("/faults", response_model=FaultConfig)
    async def get_faults() -> FaultConfig:
        return faults.config

    @router.put("/faults", response_model=FaultConfig)
    async def put_faults(config: FaultConfig) -> FaultConfig:
        faults.set(config)
        return faults.config

    @router.post("/reset", status_code=204)
    async def reset_data() -> None:
        await reset()

    return router


ROWID = "_rowid"  # the simulators' surrogate key column
VERSION = "_version"  # bumped on every change; the basis of ETags


class RowStore:
    """Row operations both simulated suites share; a subclass maps its resources (Oracle) or
    entity sets (SAP) to tables with `table(key)`."""

    def table(self, key: Any) -> Table:
        raise NotImplementedError

    async def insert(self, conn: AsyncConnection, key: Any, row: dict[str, Any]) -> dict[str, Any]:
        table = self.table(key)
        values = {k: v for k, v in row.items() if k in table.c and k != ROWID}
        values.setdefault(VERSION, 1)
        result = await conn.execute(insert(table).values(**values).returning(table.c[ROWID]))
        stored = {c.name: values.get(c.name) for c in table.c}
        stored[ROWID] = result.scalar_one()
        return stored

    async def update(
        self, conn: AsyncConnection, key: Any, rowid: int, changes: dict[str, Any]
    ) -> None:
        table = self.table(key)
        values = {k: v for k, v in changes.items() if k in table.c and k != ROWID}
        if values:
            await conn.execute(update(table).where(table.c[ROWID] == rowid).values(**values))

    async def delete_rows(self, conn: AsyncConnection, key: Any, rowids: list[int]) -> None:
        if rowids:
            table = self.table(key)
            await conn.execute(delete(table).where(table.c[ROWID].in_(rowids)))

    async def fetch(
        self,
        conn: AsyncConnection,
        key: Any,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[dict[str, Any]]:
        table = self.table(key)
        stmt = select(table).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        result = await conn.execute(stmt)
        return [dict(r._mapping) for r in result]

    async def count(
        self, conn: AsyncConnection, key: Any, where: Sequence[ColumnElement[bool]] = ()
    ) -> int:
        table = self.table(key)
        result = await conn.execute(select(func.count()).select_from(table).where(*where))
        return int(result.scalar_one())
