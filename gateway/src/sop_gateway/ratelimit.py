"""Rate limits per tenant and client (GCRA: a steady rate with a burst allowance). In memory
by default; in Redis when SOP_REDIS_URL is set, so every replica draws on the same budget.
Each tenant-and-client pair has its own budget, so one tenant's flood never spends another's."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("sop.gateway.ratelimit")


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float:
        """Count one request for `key`: 0 if allowed, else the seconds until it would be."""
        ...

    async def close(self) -> None: ...


def retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


class MemoryRateLimiter:
    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.tolerance = self.interval * burst
        self._tat: dict[str, float] = {}
        self._clock = clock
        self._next_sweep = 0.0

    async def hit(self, key: str) -> float:
        now = self._clock()
        tat = self._tat.get(key, now)
        if tat < now:
            tat = now
        new_tat = tat + self.interval
        wait = new_tat - self.tolerance - now
        if wait > 0:
            return wait
        self._tat[key] = new_tat
        if now >= self._next_sweep:
            self._sweep(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget keys whose budget is full again, so memory follows active callers only."""
        self._next_sweep = now + 60.0
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]

    async def close(self) -> None:
        return None


# GCRA in one round trip, on the Redis server's clock so replicas agree. Microseconds.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - tolerance - now
if wait > 0 then return wait end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"""


class RedisRateLimiter:
    """Shared counters. If Redis is unreachable requests are let through (and logged): a
    limiter outage must not become an API outage."""

    def __init__(self, url: str, rate: float, burst: int, *, prefix: str = "sop:rl:") -> None:
        import redis.asyncio as redis

        self.interval_us = int(1_000_000 / rate)
        self.tolerance_us = self.interval_us * burst
        self.prefix = prefix
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._client.register_script(_GCRA)
        self._last_warning = 0.0

    async def hit(self, key: str) -> float:
        from redis.exceptions import RedisError

        try:
            wait_us = await self._script(
                keys=[self.prefix + key], args=[self.interval_us, self.tolerance_us]
            )
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            if now - self._last_warning > 10:
                self._last_warning = now
                log.warning("rate limiter unavailable, letting requests through: %s", exc)
            return 0.0
        return int(wait_us) / 1_000_000

    async def close(self) -> None:
        await self._client.aclose()


def make_limiter(*, redis_url: str | None, rate: float, burst: int) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url, rate, burst)
    return MemoryRateLimiter(rate, burst)
