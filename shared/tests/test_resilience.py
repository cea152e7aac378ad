"""The circuit breaker and the resilient client: deadlines, retries for safe calls only, the
breaker opening and recovering, and every failure ending as a 503 problem with Retry-After."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from sop_shared.errors import ServiceUnavailable
from sop_shared.resilience import (
    BackendConnections,
    BackendPolicy,
    CircuitBreaker,
    CircuitOpen,
    ResilientClient,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_the_threshold_and_lets_one_probe_through_later():
    clock = Clock()
    breaker = CircuitBreaker("b", failure_threshold=3, reset_seconds=10, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert refused.value.retry_after == pytest.approx(10)

    clock.now += 10
    assert breaker.state == "half_open"
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # everyone else still fails fast
    breaker.record_failure()  # the probe failed: open again, for a full period
    assert breaker.state == "open" and breaker.retry_after() == pytest.approx(10)

    clock.now += 10
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_a_success_resets_the_count_of_failures():
    breaker = CircuitBreaker("b", failure_threshold=2, reset_seconds=1)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == "closed"


async def test_breakers_and_clients_are_shared_per_backend():
    connections = BackendConnections()
    policy = BackendPolicy(breaker_failures=2)
    assert connections.breaker("a", policy) is connections.breaker("a", policy)
    assert connections.breaker("a", policy) is not connections.breaker("b", policy)
    one = connections.client("k", name="a", base_url="http://a.test", policy=policy)
    assert connections.client("k", name="a", base_url="http://a.test", policy=policy) is one
    other = connections.client("k2", name="a", base_url="http://a.test", policy=policy)
    assert other is not one and other.breaker is one.breaker  # one breaker per backend
    await connections.aclose()


def client(handler, **policy) -> ResilientClient:
    settings = {"timeout_seconds": 1.0, "retries": 2, "backoff_seconds": 0.001, **policy}
    return ResilientClient(
        "backend",
        "http://backend",
        policy=BackendPolicy(**settings),
        transport=httpx.MockTransport(handler),
    )


async def test_safe_calls_are_retried_and_writes_are_not():
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len([c for c in calls if c == request.method]) < 3:
            return httpx.Response(503, headers={"Retry-After": "0"})
        return httpx.Response(200, json={"ok": True})

    c = client(flaky)
    assert (await c.request("GET", "/x")).json() == {"ok": True}
    assert calls == ["GET"] * 3
    with pytest.raises(ServiceUnavailable) as failed:
        await c.request("POST", "/x", json={})
    assert calls.count("POST") == 1
    assert failed.value.status == 503 and int(failed.value.headers["Retry-After"]) >= 1
    # A write the caller knows to be idempotent (an upsert by key) may be retried.
    calls.clear()
    assert (await c.request("POST", "/x", idempotent=True)).status_code == 200
    assert calls == ["POST"] * 3
    await c.aclose()


async def test_client_errors_are_returned_not_retried_and_not_counted_as_failures():
    calls = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(412, text="stale")

    c = client(refuse, breaker_failures=1)
    for _ in range(3):
        assert (await c.request("GET", "/x")).status_code == 412
    assert calls == 3 and c.breaker.state == "closed"
    await c.aclose()


async def test_transport_failures_open_the_breaker_then_calls_fail_fast():
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    c = client(down, retries=1, breaker_failures=3, breaker_reset_seconds=30)
    with pytest.raises(ServiceUnavailable):
        await c.request("GET", "/x")
    with pytest.raises(ServiceUnavailable):
        await c.request("GET", "/x")
    assert calls == 3  # the breaker opened on the third failure: no fourth attempt
    with pytest.raises(ServiceUnavailable) as fast:
        await c.request("GET", "/x")
    assert calls == 3
    assert int(fast.value.headers["Retry-After"]) in range(28, 31)
    await c.aclose()


async def test_a_hanging_backend_fails_within_the_deadline_retries_included():
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    c = client(hang, timeout_seconds=0.3, retries=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as failed:
        await c.request("GET", "/x")
    assert time.monotonic() - started < 1.0
    assert "did not answer" in str(failed.value.detail)
    await c.aclose()


async def test_the_breaker_closes_again_when_the_backend_recovers():
    healthy = False

    def backend(request: httpx.Request) -> httpx.Response:
        if not healthy:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    c = client(backend, retries=0, breaker_failures=1, breaker_reset_seconds=0.05)
    with pytest.raises(ServiceUnavailable):
        await c.request("GET", "/x")
    assert c.breaker.state == "open"
    healthy = True
    await asyncio.sleep(0.06)
    assert (await c.request("GET", "/x")).status_code == 200
    assert c.breaker.state == "closed"
    await c.aclose()


async def test_throttling_becomes_503_with_the_backends_retry_after():
    c = client(lambda r: httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(ServiceUnavailable) as failed:
        await c.request("GET", "/x")
    assert failed.value.headers["Retry-After"] == "7"
    assert c.breaker.state == "closed"
    await c.aclose()


async def test_the_failure_type_is_the_callers_choice():
    class Mine(ServiceUnavailable):
        pass

    c = ResilientClient(
        "b",
        "http://b",
        policy=BackendPolicy(retries=0),
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
        unavailable=lambda detail, retry_after: Mine(detail, retry_after=retry_after),
    )
    with pytest.raises(Mine):
        await c.request("GET", "/x")
    await c.aclose()
