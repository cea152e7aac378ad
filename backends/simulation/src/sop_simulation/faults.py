"""Fault injection for the simulators: latency, vendor-style errors, outages, `/_sim` admin."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ErrorRenderer",
    "FaultConfig",
    "FaultInjectionMiddleware",
    "FaultInjector",
    "SimulatedOutage",
    "sim_router",
]


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
