"""Calling a backend that may fail: a circuit breaker per backend and an httpx client wrapper
with per-call deadlines, bounded retries for safe calls only, and failures mapped to a 503
problem with `Retry-After` (never a hang, never a 500)."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from sop_shared.errors import ServiceUnavailable

log = logging.getLogger("sop.resilience")

__all__ = [
    "BackendConnections",
    "BackendPolicy",
    "CircuitBreaker",
    "CircuitOpen",
    "ResilientClient",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Statuses that say "the backend is unwell" rather than "your request was wrong".
FAILURE_STATUSES = frozenset({500, 502, 503, 504})
THROTTLED = 429

UnavailableFactory = Callable[[str, int], Exception]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The breaker is open: the backend is not called until `retry_after` seconds pass."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit for {name} is open")
        self.name = name
        self.retry_after = retry_after


class CircuitBreaker:
    """Opens after `failure_threshold` failures in a row; after `reset_seconds` lets one probe
    call through (half-open): its success closes the circuit, its failure opens it again.

    Single event loop, no awaits inside: plain attributes are enough for consistency."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = max(1, failure_threshold)
        self.reset_seconds = max(0.0, reset_seconds)
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def retry_after(self) -> float:
        """Seconds until the next probe may be tried (0 when closed)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self.reset_seconds - self._clock())

    def before_call(self) -> None:
        """Raise CircuitOpen unless a call may go to the backend now."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True  # this caller is the probe; the rest keep failing fast
            return
        raise CircuitOpen(self.name, self.retry_after() or self.reset_seconds)

    def record_success(self) -> None:
        if self._opened_at is not None:
            log.info("circuit for %s closed: the backend answered again", self.name)
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        was_probe, self._probing = self._probing, False
        # A failed probe re-opens the circuit; otherwise only the threshold opens it (late
        # failures of calls already in flight must not keep pushing the reopening back).
        if was_probe or (self._opened_at is None and self._failures >= self.failure_threshold):
            log.warning("circuit for %s opened after %d failures", self.name, self._failures)
            self._opened_at = self._clock()

    def release_probe(self) -> None:
        """A probe that ended without telling us anything (cancelled): let another try."""
        self._probing = False


@dataclass(frozen=True, slots=True)
class BackendPolicy:
    """How patiently one backend is called (from a binding in the platform config)."""

    timeout_seconds: float = 5.0
    retries: int = 2
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0
    backoff_seconds: float = 0.05
    max_backoff_seconds: float = 1.0

    @classmethod
    def from_binding(cls, binding: Any) -> BackendPolicy:
        """From anything with the AdapterBinding fields (timeouts, retries, breaker)."""
        return cls(
            timeout_seconds=float(binding.timeout_seconds),
            retries=max(0, int(binding.retries)),
            breaker_failures=max(1, int(binding.breaker_failures)),
            breaker_reset_seconds=float(binding.breaker_reset_seconds),
        )


class BackendConnections:
    """The app-lifetime connections of the vendor backends a service calls: one pooled
    `ResilientClient` per backend and credentials, one circuit breaker per backend (its base
    URL), whichever tenant or cluster a request is for. Built once by the app, closed at
    shutdown. `transports` routes a base URL to an in-process transport (tests reach the
    simulated suites without a network)."""

    def __init__(self, *, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> None:
        self._transports = dict(transports or {})
        self._clients: dict[str, ResilientClient] = {}
        self._breakers: dict[str, CircuitBreaker] = {}

    @property
    def breakers(self) -> Mapping[str, CircuitBreaker]:
        """Each backend's breaker by base URL (made on a backend's first call)."""
        return self._breakers

    def breaker(self, key: str, policy: BackendPolicy) -> CircuitBreaker:
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = self._breakers[key] = CircuitBreaker(
                key,
                failure_threshold=policy.breaker_failures,
                reset_seconds=policy.breaker_reset_seconds,
            )
        return breaker

    def client(
        self,
        key: str,
        *,
        name: str,
        base_url: str,
        policy: BackendPolicy,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        unavailable: UnavailableFactory | None = None,
    ) -> ResilientClient:
        """The client kept under `key`, made on first use."""
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = ResilientClient(
                name,
                base_url,
                policy=policy,
                breaker=self.breaker(base_url, policy),
                auth=auth,
                headers=headers,
                transport=self._transports.get(base_url),
                unavailable=unavailable,
            )
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _retry_after_header(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None  # an HTTP date: rare from APIs; fall back to our own estimate


class ResilientClient:
    """An httpx.AsyncClient for one backend behind a circuit breaker.

    Each call has a deadline of `policy.timeout_seconds` in all, retries included. Safe calls
    (GET, HEAD, OPTIONS, or any call the caller marks `idempotent=True`) are retried up to
    `policy.retries` times on transport errors, timeouts and 5xx answers; other calls are
    tried once, because repeating a write whose outcome is unknown could apply it twice.
    Whatever fails ends as the exception `unavailable(detail, retry_after)` builds (by default
    the kernel's 503 ServiceUnavailable problem), so callers never hang and never see a raw
    transport error. 4xx answers are returned: they are the caller's to interpret.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        policy: BackendPolicy,
        breaker: CircuitBreaker | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        unavailable: UnavailableFactory | None = None,
        max_connections: int = 20,
    ) -> None:
        self.name = name
        self.policy = policy
        self.breaker = breaker or CircuitBreaker(
            name,
            failure_threshold=policy.breaker_failures,
            reset_seconds=policy.breaker_reset_seconds,
        )
        self._unavailable = unavailable or (
            lambda detail, retry_after: ServiceUnavailable(detail, retry_after=retry_after)
        )
        self._client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            transport=transport,
            timeout=policy.timeout_seconds,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=10),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _fail(self, detail: str, retry_after: float | None = None) -> Exception:
        seconds = retry_after if retry_after is not None else 1.0
        return self._unavailable(detail, max(1, math.ceil(seconds)))

    def _backoff(self, attempt: int) -> float:
        base: float = self.policy.backoff_seconds * (2 ** (attempt - 1))
        return min(self.policy.max_backoff_seconds, base) * (0.5 + random.random() / 2)

    async def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        params: Any = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        method = method.upper()
        safe = idempotent if idempotent is not None else method in SAFE_METHODS
        attempts = 1 + (self.policy.retries if safe else 0)
        deadline = time.monotonic() + self.policy.timeout_seconds
        last_detail = "no attempt made"
        retry_after: float | None = None
        for attempt in range(1, attempts + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                self.breaker.before_call()
            except CircuitOpen as exc:
                raise self._fail(
                    f"{self.name} is failing; calls are paused while it recovers",
                    exc.retry_after,
                ) from None
            try:
                # httpx's timeout bounds each network operation; the deadline bounds the whole
                # exchange (a backend trickling bytes slowly must not outlast it either).
                async with asyncio.timeout(remaining):
                    response = await self._client.request(
                        method,
                        url,
                        params=params,
                        json=json,
                        content=content,
                        headers=headers,
                        timeout=remaining,
                    )
            except (httpx.TimeoutException, TimeoutError):
                self.breaker.record_failure()
                last_detail = f"{self.name} did not answer within the time allowed"
            except httpx.TransportError as exc:
                self.breaker.record_failure()
                last_detail = f"{self.name} cannot be reached ({type(exc).__name__})"
            except BaseException:
                self.breaker.release_probe()
                raise
            else:
                if response.status_code in FAILURE_STATUSES:
                    self.breaker.record_failure()
                    retry_after = _retry_after_header(response)
                    last_detail = f"{self.name} answered {response.status_code}"
                elif response.status_code == THROTTLED:
                    # The backend is alive but asks us to slow down: not a breaker failure.
                    self.breaker.record_success()
                    raise self._fail(
                        f"{self.name} is throttling requests", _retry_after_header(response)
                    )
                else:
                    self.breaker.record_success()
                    return response
            if attempt < attempts:
                pause = self._backoff(attempt)
                if retry_after is not None:
                    pause = max(pause, min(retry_after, self.policy.max_backoff_seconds))
                if time.monotonic() + pause >= deadline:
                    break
                await asyncio.sleep(pause)
        log.warning("%s %s %s failed: %s", self.name, method, url, last_detail)
        if self.breaker.state is not BreakerState.CLOSED:
            retry_after = max(retry_after or 0.0, self.breaker.retry_after())
        raise self._fail(last_detail, retry_after)
