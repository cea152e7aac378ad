"""A failing backend, over real processes: HR answers its cluster's calls with a 503 problem
and Retry-After within the binding's timeout (never a 500, never a hang), the circuit breaker
then answers at once without calling the backend, other clusters carry on, and service comes
back by itself once the backend does."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio

VENDORS = ("oracle_like", "sap_like")


@pytest_asyncio.fixture(loop_scope="session")
async def departments(hr_client: httpx.AsyncClient, mint: Any, suite: Any) -> dict[str, Any]:
    """One provisioned tenant with an employee in each cluster of the suite."""
    callers = {}
    for adapter, cluster in suite.clusters.items():
        caller = suite.caller(hr_client, mint, f"r-{uuid.uuid4().hex[:10]}", cluster=cluster)
        await caller.provision()
        await caller.employee()
        callers[adapter] = caller
    return callers


async def timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def until_served(caller: Any, path: str = "/hr/v1/employees") -> httpx.Response:
    """The first answer that is not a 503, once the breaker lets a probe through."""
    deadline = time.monotonic() + 15
    while True:
        r = await caller.get(path)
        if r.status_code != 503 or time.monotonic() > deadline:
            return r
        await asyncio.sleep(0.2)


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1
    assert r.json()["type"] == "urn:sop:problem:service-unavailable"


@pytest.mark.parametrize("down", VENDORS)
async def test_an_outage_is_503_for_its_cluster_only_and_service_returns_by_itself(
    hr_app: Any, departments: dict[str, Any], simulators: dict[str, Any], suite: Any, down: str
) -> None:
    caller = departments[down]
    employee_id = (await caller.get("/hr/v1/employees")).json()["items"][0]["id"]
    await simulators[down].faults(outage=True)
    try:
        first, took = await timed(caller.get("/hr/v1/employees"))
        assert_unavailable(first)
        assert took < suite.timeout_seconds
        write, _ = await timed(
            caller.patch(
                f"/hr/v1/employees/{employee_id}",
                json={"first_name": "X"},
                headers={"If-Match": '"1"'},
            )
        )
        assert_unavailable(write)
        # Enough failures open the backend's breaker: later calls fail without calling it.
        for _ in range(3):
            assert_unavailable(await caller.get(f"/hr/v1/employees/{employee_id}"))
        breaker = hr_app.state.kernel.backends.breakers[simulators[down].url]
        assert breaker.state == "open"
        fast = await caller.get("/hr/v1/employees")
        assert_unavailable(fast)
        assert "paused" in fast.json()["detail"]
        # The other clusters' backends are not touched by this one's failure.
        for adapter, other in departments.items():
            if adapter != down:
                assert (await other.get("/hr/v1/employees")).status_code == 200, adapter
    finally:
        await simulators[down].faults()
    recovered = await until_served(caller)
    assert recovered.status_code == 200, recovered.text
    assert [e["id"] for e in recovered.json()["items"]] == [employee_id]
    assert (await caller.get(f"/hr/v1/employees/{employee_id}")).json()["first_name"] == "Ada"


@pytest.mark.parametrize("slow", VENDORS)
async def test_a_backend_slower_than_the_binding_allows_is_503_within_the_timeout(
    hr_client: httpx.AsyncClient, mint: Any, simulators: dict[str, Any], suite: Any, slow: str
) -> None:
    caller = suite.caller(
        hr_client, mint, f"s-{uuid.uuid4().hex[:10]}", cluster=f"impatient-{slow}"
    )
    await caller.provision()
    # The backend would answer after 10 s; the binding allows half a second for the call,
    # retry included, so HR answers long before the backend would.
    await simulators[slow].faults(latency_ms=10_000)
    try:
        r, took = await timed(caller.get("/hr/v1/org-units"))
        assert_unavailable(r)
        assert took < suite.impatient_seconds + 4.5
        assert "did not answer" in r.json()["detail"] or "paused" in r.json()["detail"]
    finally:
        await simulators[slow].faults()
    assert (await until_served(caller, "/hr/v1/org-units")).status_code == 200
