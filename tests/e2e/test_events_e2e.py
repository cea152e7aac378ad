"""Events across processes, through the gateway with real tokens: HR's relay publishes its
outbox to NATS, finance's consumer keeps cost centres in step with HR's org units, and the
gateway publishes the merged event catalogue."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


async def test_an_org_unit_created_in_hr_appears_as_a_finance_cost_centre(
    stack: Any, client: httpx.AsyncClient
) -> None:
    tenant = await stack.onboard(client)  # provisioned in HR and finance alike
    write = stack.tenant_headers(tenant, "hr:read hr:write finance:read")
    unit = {"code": "OPS", "name": "Operations", "cost_centre": "CC-OPS-1"}
    created = await client.post("/hr/v1/org-units", json=unit, headers=write)
    assert created.status_code == 201, created.text

    started, found = time.monotonic(), []
    while not found and time.monotonic() - started < 30:
        r = await client.get("/finance/v1/cost-centres", headers=write)
        assert r.status_code == 200, r.text
        found = [c for c in r.json()["items"] if c["code"] == "CC-OPS-1"]
        if not found:
            await asyncio.sleep(0.1)
    assert found, "the org unit never reached finance"
    assert found[0]["name"] == "Operations"

    # Another department's finance knows nothing of it.
    other = await stack.onboard(client)
    theirs = await client.get(
        "/finance/v1/cost-centres", headers=stack.tenant_headers(other, "finance:read")
    )
    assert [c for c in theirs.json()["items"] if c["code"] == "CC-OPS-1"] == []


async def test_the_gateway_serves_the_merged_event_catalogue(
    stack: Any, client: httpx.AsyncClient
) -> None:
    r = await client.get("/events/asyncapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["asyncapi"] == "3.0.0"
    channel = doc["channels"]["uk.gov.sop.hr.org_unit.created.v1"]
    assert channel["address"] == "sop.hr.{tenant}.uk.gov.sop.hr.org_unit.created.v1"
    employee = doc["components"]["schemas"]["EmployeeEventData"]
    assert "sensitive_changed" in employee["properties"]
    assert not {"national_insurance_number", "date_of_birth", "bank_details"} & set(
        employee["properties"]
    )
