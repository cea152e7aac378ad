"""The supplier switch: a populated cluster moves from oracle_like to sap_like and back with
every record, id, version and history entry intact while reads keep working and writes wait;
a failure part-way leaves the old backend serving, and running the switch again completes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_hr.switch import SwitchFailed, migrate_cluster, unfreeze_cluster
from sop_hr.switch.bindings import ClusterBinding


def load_caller() -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "services" / "hr" / "tests" / "conftest.py"
    spec = importlib.util.spec_from_file_location("hr_switch_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hr_tests = load_caller()


async def populate(hr: Any) -> None:
    """A department's worth of records in every state HR knows."""
    root = await hr.org_unit("ROOT")
    team = await hr.org_unit("TEAM", parent_id=root["id"])
    await hr.org_unit("SIDE", parent_id=root["id"])
    post = await hr.position(team["id"], code="P-1", budgeted_fte="2")
    terms = hr_tests.terms_body
    ada = await hr.employee(
        employee_number="E1",
        national_insurance_number="AB123456C",
        date_of_birth="1990-05-01",
        work_email="ada@example.gov.uk",
        user_subject="ada",
        bank_details={"sort_code": "123456", "account_number": "12345678", "account_name": "A L"},
        payroll={"tax_code": "1257L", "ni_category": "A", "student_loan_plans": ["plan_2"]},
        terms=terms(team["id"], position_id=post["id"], fte="0.8"),
    )
    for day, salary in (("2025-04-01", "38000.00"), ("2024-10-01", "37000.00")):
        r = await hr.post(
            f"/hr/v1/employees/{ada['id']}/terms",
            json={"effective_from": day, **terms(team["id"], annual_salary=salary)},
        )
        assert r.status_code == 201, r.text
    r = await hr.patch(
        f"/hr/v1/employees/{ada['id']}", json={"last_name": "King"}, headers={"If-Match": '"3"'}
    )
    assert r.status_code == 200, r.text
    grace = await hr.employee(employee_number="E2", home_region="scotland")
    leaver = await hr.employee(employee_number="E3", terms=terms(root["id"]))
    await hr.employee(employee_number="E4", terms={})
    booked = []
    for start, end, kind in (
        ("2026-03-02", "2026-03-06", "annual"),
        ("2026-04-06", "2026-04-07", "sick"),
        ("2026-05-11", "2026-05-12", "annual"),
        ("2026-06-01", "2026-06-01", "special"),
    ):
        r = await hr.post(
            f"/hr/v1/employees/{grace['id']}/absences",
            json={"leave_type": kind, "start_date": start, "end_date": end},
        )
        assert r.status_code == 201, r.text
        booked.append(r.json()["id"])
    await hr.post(f"/hr/v1/absences/{booked[0]}/approve", json={"note": "Enjoy"})
    await hr.post(f"/hr/v1/absences/{booked[1]}/reject")
    await hr.post(f"/hr/v1/absences/{booked[2]}/cancel")
    r = await hr.post(
        f"/hr/v1/employees/{leaver['id']}/leave",
        json={"leaving_date": "2025-12-31", "reason": "retirement"},
    )
    assert r.status_code == 200, r.text
    types = (await hr.get("/hr/v1/leave-types")).json()["items"]
    annual = next(t for t in types if t["code"] == "annual")
    r = await hr.patch(
        "/hr/v1/leave-types/annual",
        json={"annual_entitlement_days": "27.5"},
        headers={"If-Match": f'"{annual["version"]}"'},
    )
    assert r.status_code == 200, r.text


async def every_page(hr: Any, path: str) -> list[dict]:
    items: list[dict] = []
    url: str | None = f"{path}{'&' if '?' in path else '?'}limit=2"
    while url:
        r = await hr.get(url)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        url = f"{path}{'&' if '?' in path else '?'}limit=2&cursor={cursor}" if cursor else None
    return items


async def snapshot(hr: Any) -> dict[str, Any]:
    """Everything a client of the tenant can read, as it reads it (on a fixed date: a run that
    crosses midnight would otherwise see every employee's `as_of` change)."""
    employees = await every_page(hr, "/hr/v1/employees?as_of=2026-06-01")
    seen: dict[str, Any] = {
        "employees": employees,
        "org_units": await every_page(hr, "/hr/v1/org-units"),
        "positions": await every_page(hr, "/hr/v1/positions"),
        "absences": await every_page(hr, "/hr/v1/absences"),
        "leave_types": (await hr.get("/hr/v1/leave-types")).json()["items"],
        "audit": [e["id"] for e in await every_page(hr, "/hr/v1/audit-events")],
    }
    for e in employees:
        one = await hr.get(f"/hr/v1/employees/{e['id']}?as_of=2025-01-15")
        seen[f"employee {e['id']}"] = (one.headers["etag"], one.json())
        seen[f"terms {e['id']}"] = (await hr.get(f"/hr/v1/employees/{e['id']}/terms")).json()
        balance = await hr.get(f"/hr/v1/employees/{e['id']}/leave-balance?year=2026")
        seen[f"balance {e['id']}"] = balance.json()
    return seen


@pytest_asyncio.fixture(loop_scope="session")
async def moving(hr_client: httpx.AsyncClient, mint: Any) -> list[Any]:
    """Two departments of the `moving` cluster, with their records."""
    import uuid

    callers = []
    for _ in range(2):
        caller = hr_tests.Caller(hr_client, mint, f"m-{uuid.uuid4().hex[:10]}", cluster="moving")
        await caller.provision()
        await populate(caller)
        callers.append(caller)
    return callers


async def binding_of(hr_app: Any, cluster: str) -> dict | None:
    async with hr_app.state.kernel.database.transaction() as session:
        row = await session.get(ClusterBinding, cluster)
        return row.binding if row else None


async def test_a_populated_cluster_moves_to_sap_like_and_back_intact(
    hr_app: Any, moving: list[Any], simulators: dict[str, Any]
) -> None:
    before = [await snapshot(c) for c in moving]
    ada_id = next(e["id"] for e in before[0]["employees"] if e["employee_number"] == "E1")
    during: list[tuple[int, int, str | None]] = []

    async def progress(resource_type: str, tenant: str, record_id: Any) -> None:
        if during:
            return
        # Mid-copy: a write is refused with Retry-After, a read is served.
        caller = moving[0]
        write = await caller.patch(
            f"/hr/v1/employees/{ada_id}", json={"first_name": "X"}, headers={"If-Match": '"4"'}
        )
        read = await caller.get(f"/hr/v1/employees/{ada_id}")
        during.append((write.status_code, read.status_code, write.headers.get("retry-after")))

    settings = hr_app.state.kernel.settings
    database = hr_app.state.kernel.database
    report = await migrate_cluster(
        cluster="moving", to="sap_like", settings=settings, database=database, progress=progress
    )
    print("oracle_like -> sap_like:", report.as_dict())
    assert during == [(503, 200, "30")]
    assert report.switched and (report.source, report.target) == ("oracle_like", "sap_like")
    assert report.copied["employee"] == 8 and report.copied["employment_terms"] == 10
    assert report.verified["absence"][0] == 8
    assert (await binding_of(hr_app, "moving")) == {"adapter": "sap_like", "like_cluster": "unity"}
    assert [await snapshot(c) for c in moving] == before

    # The records are now the SAP-like suite's: a change lands there, under the same id.
    caller = moving[0]
    r = await caller.patch(
        f"/hr/v1/employees/{ada_id}", json={"first_name": "Augusta"}, headers={"If-Match": '"4"'}
    )
    assert r.status_code == 200 and r.headers["etag"] == '"5"'
    sap = simulators["sap_like"]
    async with httpx.AsyncClient(
        base_url=sap.url, headers={"Authorization": "Bearer sop-dev-sap-token"}
    ) as client:
        found = await client.get(
            "/odata/v2/EmpEmployment",
            params={
                "$filter": f"cust_company eq '{caller.tenant}'",
                "$expand": "personNav/personalInfoNav",
            },
        )
    names = [
        e["personNav"]["personalInfoNav"]["results"][0]["firstName"]
        for e in found.json()["d"]["results"]
    ]
    assert "Augusta" in names and len(names) == 4

    after_change = [await snapshot(c) for c in moving]
    back = await migrate_cluster(
        cluster="moving", to="oracle_like", settings=settings, database=database
    )
    print("sap_like -> oracle_like:", back.as_dict())
    # The first move's records were still in the Oracle-like suite: only the change moved.
    assert back.overwritten == {"employee": 1}
    assert sum(back.copied.values()) == 0
    assert [await snapshot(c) for c in moving] == after_change
    again = await migrate_cluster(
        cluster="moving", to="oracle_like", settings=settings, database=database
    )
    assert not again.switched  # already there: nothing to do


async def test_a_failure_part_way_leaves_the_old_backend_serving_and_a_rerun_completes(
    hr_app: Any, hr_client: httpx.AsyncClient, mint: Any, simulators: dict[str, Any]
) -> None:
    caller = hr_tests.Caller(hr_client, mint, "stall-1", cluster="stalling")
    await caller.provision()
    await populate(caller)
    before = await snapshot(caller)
    sap = simulators["sap_like"]
    copied = 0

    async def outage_midway(resource_type: str, tenant: str, record_id: Any) -> None:
        nonlocal copied
        copied += 1
        if copied == 12:
            await sap.faults(outage=True)

    settings, database = hr_app.state.kernel.settings, hr_app.state.kernel.database
    try:
        with pytest.raises(SwitchFailed):
            await migrate_cluster(
                cluster="stalling",
                to="sap_like",
                settings=settings,
                database=database,
                progress=outage_midway,
            )
    finally:
        await sap.faults()
    assert copied == 12
    assert await binding_of(hr_app, "stalling") is None  # still the platform config's
    assert await snapshot(caller) == before
    # Not frozen: the old backend takes changes, and the rerun copies them too.
    unit = (await caller.get("/hr/v1/org-units?code=SIDE")).json()["items"][0]
    r = await caller.patch(
        f"/hr/v1/org-units/{unit['id']}", json={"name": "Side team"}, headers={"If-Match": '"1"'}
    )
    assert r.status_code == 200, r.text
    changed = await snapshot(caller)

    report = await migrate_cluster(
        cluster="stalling", to="sap_like", settings=settings, database=database
    )
    assert report.switched
    assert report.skipped.get("leave_type", 0) + report.skipped.get("org_unit", 0) >= 8
    assert report.overwritten.get("org_unit") == 1
    assert await snapshot(caller) == changed


async def test_a_native_cluster_moves_to_a_suite_and_home_again(
    hr_app: Any, hr_client: httpx.AsyncClient, mint: Any
) -> None:
    caller = hr_tests.Caller(hr_client, mint, "home-1", cluster="homegrown")
    await caller.provision()
    await populate(caller)
    before = await snapshot(caller)
    settings, database = hr_app.state.kernel.settings, hr_app.state.kernel.database
    out = await migrate_cluster(
        cluster="homegrown", to="oracle_like", settings=settings, database=database
    )
    assert out.switched and sum(out.copied.values()) == 26
    assert await snapshot(caller) == before
    # HR's own tables kept their rows: coming home finds them by id and checks them.
    back = await migrate_cluster(
        cluster="homegrown", to="native", settings=settings, database=database
    )
    assert back.switched and sum(back.copied.values()) == 0
    assert await binding_of(hr_app, "homegrown") == {"adapter": "native"}
    assert await snapshot(caller) == before


async def test_a_freeze_left_by_a_dead_switch_refuses_writes_until_lifted(
    hr_app: Any, hr_client: httpx.AsyncClient, mint: Any
) -> None:
    caller = hr_tests.Caller(hr_client, mint, "frozen-1", cluster="orphaned")
    await caller.provision()
    database = hr_app.state.kernel.database
    async with database.transaction() as session:
        row = await session.get(ClusterBinding, "orphaned")
        row.frozen = True  # as a switch process killed mid-copy leaves it
    refused = await caller.post(
        "/hr/v1/org-units", json={"code": "X", "name": "X", "cost_centre": "C"}
    )
    assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
    assert (await caller.get("/hr/v1/org-units")).status_code == 200
    await unfreeze_cluster(
        cluster="orphaned", settings=hr_app.state.kernel.settings, database=database
    )
    accepted = await caller.post(
        "/hr/v1/org-units", json={"code": "X", "name": "X", "cost_centre": "C"}
    )
    assert accepted.status_code == 201, accepted.text
