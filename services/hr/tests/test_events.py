"""HR's events reach its outbox with the change, on every adapter: a committed change has its
event row, a refused one none, and no event row carries a sensitive value."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from sop_shared.db import Database
from sop_shared.kernel_tables import outbox

pytestmark = pytest.mark.sqlite


async def rows(hr_url: str, tenant: str) -> list[Any]:
    database = Database(hr_url)
    try:
        async with database.transaction() as session:
            stmt = select(outbox).where(outbox.c.tenant == tenant).order_by(outbox.c.id)
            return list((await session.execute(stmt)).mappings())
    finally:
        await database.dispose()


async def test_a_change_commits_its_event_and_a_refused_one_writes_none(hr, hr_url):
    body = {"code": "DIG", "name": "Digital", "cost_centre": "CC100"}
    created = await hr.post("/hr/v1/org-units", json=body)
    assert created.status_code == 201, created.text
    refused = await hr.post("/hr/v1/org-units", json=body)  # the code is taken: 409
    assert refused.status_code == 409

    events = await rows(hr_url, hr.tenant)
    assert [e["type"] for e in events] == ["uk.gov.sop.hr.org_unit.created.v1"]
    event = events[0]
    assert event["subject"] == f"org-units/{created.json()['id']}"
    assert event["data"]["cost_centre"] == "CC100"
    assert event["cluster"] == hr.cluster
    assert event["published_at"] is None  # the relay's to publish


async def test_an_employee_event_row_holds_no_sensitive_value(hr, hr_url, make_employee_body):
    person = await hr.post(
        "/hr/v1/employees",
        json=make_employee_body(national_insurance_number="AB123456C"),
    )
    assert person.status_code == 201, person.text
    events = [e for e in await rows(hr_url, hr.tenant) if ".employee." in e["type"]]
    assert [e["type"] for e in events] == ["uk.gov.sop.hr.employee.created.v1"]
    assert "AB123456C" not in str(events[0]["data"])
    assert "national_insurance_number" in events[0]["data"]["sensitive_changed"]
