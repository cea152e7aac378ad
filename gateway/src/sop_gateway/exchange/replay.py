"""Client assertions are single-use: each `jti` is remembered until the assertion expires, so
one seen again is refused (RFC 7523 3, item 7). In memory by default; in Redis when
SOP_REDIS_URL is set, so every replica refuses a replay another one saw. Fails closed: if the
store cannot answer, no token is issued."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from sop_shared.errors import ServiceUnavailable

log = logging.getLogger("sop.gateway.exchange")


class ReplayGuard(Protocol):
    async def first_use(self, key: str, expires_at: float) -> bool:
        """Record `key` until `expires_at`: True the first time, False if seen before."""
        ...

    async def close(self) -> None: ...


class MemoryReplayGuard:
    def __init__(
        self, *, max_entries: int = 200_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._seen: dict[str, float] = {}
        self.max_entries = max_entries
        self._clock = clock
        self._next_sweep = 0.0

    async def first_use(self, key: str, expires_at: float) -> bool:
        now = self._clock()
        if now >= self._next_sweep or len(self._seen) >= self.max_entries:
            self._next_sweep = now + 30.0
            self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
        seen = self._seen.get(key)
        if seen is not None and seen > now:
            return False
        if len(self._seen) >= self.max_entries:
            raise ServiceUnavailable("too many client assertions in flight", retry_after=5)
        self._seen[key] = expires_at
        return True

    async def close(self) -> None:
        return None


class RedisReplayGuard:
    def __init__(
        self, url: str, *, prefix: str = "sop:jti:", clock: Callable[[], float] = time.time
    ) -> None:
        import redis.asyncio as redis

        self.prefix = prefix
        self._clock = clock
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def first_use(self, key: str, expires_at: float) -> bool:
        from redis.exceptions import RedisError

        ttl_ms = max(1, math.ceil((expires_at - self._clock()) * 1000))
        try:
            created = await self._client.set(self.prefix + key, b"1", nx=True, px=ttl_ms)
        except (RedisError, OSError) as exc:
            log.warning("client assertion replay store unavailable: %s", exc)
            raise ServiceUnavailable(
                "cannot check the client assertion for replay; retry shortly", retry_after=2
            ) from None
        return bool(created)

    async def close(self) -> None:
        await self._client.aclose()


def make_replay_guard(redis_url: str | None) -> ReplayGuard:
    if redis_url:
        return RedisReplayGuard(redis_url)
    return MemoryReplayGuard()
