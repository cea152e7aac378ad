"""Rate limits per tenant and client: a burst, then 429-worthy waits; budgets independent of
each other; shared between replicas through Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from sop_gateway.ratelimit import MemoryRateLimiter, RedisRateLimiter, retry_after


async def test_a_burst_is_allowed_then_callers_wait():
    clock = [0.0]
    limiter = MemoryRateLimiter(rate=10, burst=5, clock=lambda: clock[0])
    waits = [await limiter.hit("t\x00c") for _ in range(8)]
    assert waits[:5] == [0.0] * 5
    assert all(w > 0 for w in waits[5:])
    assert retry_after(waits[5]) == 1
    clock[0] += 0.1  # one request's worth of budget comes back
    assert await limiter.hit("t\x00c") == 0.0
    assert await limiter.hit("t\x00c") > 0


async def test_one_key_exhausted_leaves_another_untouched():
    limiter = MemoryRateLimiter(rate=1, burst=2, clock=lambda: 0.0)
    for _ in range(10):
        await limiter.hit("flooder\x00batch")
    assert await limiter.hit("flooder\x00batch") > 0
    assert await limiter.hit("neighbour\x00app") == 0.0


async def test_idle_keys_are_forgotten():
    clock = [0.0]
    limiter = MemoryRateLimiter(rate=100, burst=1, clock=lambda: clock[0])
    for i in range(1000):
        await limiter.hit(f"k{i}")
    clock[0] += 120
    await limiter.hit("fresh")
    assert len(limiter._tat) == 1


def test_nonsense_limits_are_refused():
    with pytest.raises(ValueError):
        MemoryRateLimiter(rate=0, burst=1)


@pytest.fixture
async def redis_url():
    url = os.environ.get("SOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis.asyncio as redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        await client.ping()
    except Exception as exc:
        pytest.skip(f"no Redis at {url} ({exc}); set SOP_TEST_REDIS_URL to run these")
    finally:
        await client.aclose()
    return url


async def test_replicas_share_one_budget_through_redis(redis_url):
    prefix = f"sop:test:{uuid.uuid4().hex}:"
    replica_a = RedisRateLimiter(redis_url, rate=1, burst=4, prefix=prefix)
    replica_b = RedisRateLimiter(redis_url, rate=1, burst=4, prefix=prefix)
    try:
        waits = [await (replica_a if i % 2 else replica_b).hit("t\x00c") for i in range(6)]
        assert waits[:4] == [0.0] * 4
        assert all(w > 0 for w in waits[4:])
        assert await replica_a.hit("other\x00c") == 0.0
    finally:
        await replica_a.close()
        await replica_b.close()


async def test_an_unreachable_redis_lets_requests_through():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", rate=1, burst=1)
    try:
        assert await limiter.hit("t\x00c") == 0.0
    finally:
        await limiter.close()
