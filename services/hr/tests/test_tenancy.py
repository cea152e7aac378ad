"""A token of one tenant never sees or changes another tenant's records, on any route."""

from __future__ import annotations

import pytest


async def tenant_records(hr, make_terms) -> dict[str, dict]:
    unit = await hr.org_unit("HOME")
    child = await hr.org_unit("CHILD", parent_id=unit["id"])
    position = await hr.position(unit["id"])
    employee = await hr.employee(
        employee_number="E1",
        national_insurance_number="AB123456C",
        terms=make_terms(unit["id"], position_id=position["id"]),
    )
    absence = (
        await hr.post(
            f"/hr/v1/employees/{employee['id']}/absences",
            json={"leave_type": "annual", "start_date": "2026-03-02", "end_date": "2026-03-03"},
        )
    ).json()
    terms = (await hr.get(f"/hr/v1/employees/{employee['id']}/terms")).json()["items"][0]
    return {
        "unit": unit,
        "child": child,
        "position": position,
        "employee": employee,
        "absence": absence,
        "terms": terms,
    }


@pytest.mark.sqlite
async def test_another_tenant_sees_nothing_and_changes_nothing(hr, other, make_terms):
    mine = await tenant_records(hr, make_terms)
    e, unit, a = mine["employee"]["id"], mine["unit"]["id"], mine["absence"]["id"]
    p, t = mine["position"]["id"], mine["terms"]["id"]
    match = {"If-Match": '"1"'}

    not_found = [
        ("GET", f"/hr/v1/employees/{e}", None),
        ("GET", f"/hr/v1/employees/{e}/terms", None),
        ("GET", f"/hr/v1/employees/{e}/terms/{t}", None),
        ("GET", f"/hr/v1/employees/{e}/absences", None),
        ("GET", f"/hr/v1/employees/{e}/leave-balance?year=2026", None),
        ("GET", f"/hr/v1/org-units/{unit}", None),
        ("GET", f"/hr/v1/org-units/{unit}/subtree", None),
        ("GET", f"/hr/v1/org-units?under={unit}", None),
        ("GET", f"/hr/v1/positions/{p}", None),
        ("GET", f"/hr/v1/absences/{a}", None),
        ("PATCH", f"/hr/v1/employees/{e}", {"first_name": "Mallory"}),
        ("PATCH", f"/hr/v1/org-units/{unit}", {"name": "Mine now"}),
        ("PATCH", f"/hr/v1/positions/{p}", {"title": "Mine now"}),
        (
            "POST",
            f"/hr/v1/employees/{e}/terms",
            {"effective_from": "2026-01-01", **make_terms(unit)},
        ),
        ("POST", f"/hr/v1/employees/{e}/leave", {"leaving_date": "2026-01-31", "reason": "other"}),
        (
            "POST",
            f"/hr/v1/employees/{e}/absences",
            {"leave_type": "sick", "start_date": "2026-04-01", "end_date": "2026-04-01"},
        ),
        ("POST", f"/hr/v1/absences/{a}/approve", None),
        ("POST", f"/hr/v1/absences/{a}/reject", None),
        ("POST", f"/hr/v1/absences/{a}/cancel", None),
    ]
    for method, path, body in not_found:
        headers = other.headers(match if method == "PATCH" else None)
        r = await other.client.request(method, path, json=body, headers=headers)
        assert r.status_code == 404, (method, path, r.status_code, r.text)

    empty = [
        "/hr/v1/employees",
        f"/hr/v1/employees?org_unit_id={unit}",
        "/hr/v1/employees?employee_number=E1",
        "/hr/v1/org-units",
        "/hr/v1/positions",
        "/hr/v1/absences",
        f"/hr/v1/absences?employee_id={e}",
        "/hr/v1/audit-events",
    ]
    for path in empty:
        r = await other.get(path)
        assert r.status_code == 200 and r.json()["items"] == [], (path, r.text)

    # Another tenant's ids are simply unknown when referred to.
    refs = [
        ("/hr/v1/org-units", {"code": "X", "name": "X", "cost_centre": "C", "parent_id": unit}),
        (
            "/hr/v1/positions",
            {"code": "X", "title": "X", "grade": "EO", "org_unit_id": unit, "budgeted_fte": "1"},
        ),
        (
            "/hr/v1/employees",
            {
                "employee_number": "E2",
                "first_name": "M",
                "last_name": "M",
                "home_region": "england",
                "start_date": "2024-01-01",
                "terms": make_terms(unit, position_id=p),
            },
        ),
    ]
    for path, body in refs:
        r = await other.post(path, json=body)
        assert r.status_code == 422, (path, r.text)

    # Their own leave types are their own.
    theirs = await other.get("/hr/v1/leave-types")
    annual = next(x for x in theirs.json()["items"] if x["code"] == "annual")
    await other.patch(
        "/hr/v1/leave-types/annual",
        json={"annual_entitlement_days": "40"},
        headers={"If-Match": f'"{annual["version"]}"'},
    )
    mine_annual = next(
        x for x in (await hr.get("/hr/v1/leave-types")).json()["items"] if x["code"] == "annual"
    )
    assert mine_annual["annual_entitlement_days"] == "25" and mine_annual["id"] != annual["id"]

    # And nothing of ours moved.
    employee = (await hr.get(f"/hr/v1/employees/{e}")).json()
    assert (employee["version"], employee["first_name"], employee["leaving_date"]) == (
        1,
        "Ada",
        None,
    )
    assert (await hr.get(f"/hr/v1/absences/{a}")).json()["status"] == "requested"
    assert len((await hr.get(f"/hr/v1/employees/{e}/terms")).json()["items"]) == 1
    assert (await hr.get(f"/hr/v1/org-units/{unit}")).json()["version"] == 1


async def test_employee_numbers_and_codes_are_unique_per_tenant_only(hr, other):
    await hr.org_unit("SAME")
    await hr.employee(employee_number="E1")
    await other.org_unit("SAME")
    await other.employee(employee_number="E1")
    assert len((await other.get("/hr/v1/employees")).json()["items"]) == 1


async def test_the_tenant_comes_from_the_token_only(hr, make_employee_body):
    r = await hr.post(
        "/hr/v1/employees",
        json=make_employee_body(),
        headers={"X-Tenant": "someone-else", "sop-tenant": "someone-else"},
    )
    assert r.status_code == 201
    assert len((await hr.get("/hr/v1/employees")).json()["items"]) == 1
    no_tenant = hr.mint(tenant=None, scopes="hr:read", audience="sop-hr")
    r = await hr.client.get("/hr/v1/employees", headers={"Authorization": f"Bearer {no_tenant}"})
    assert r.status_code == 403


async def test_imports_and_idempotency_keys_stay_within_the_tenant(hr, other, make_employee_body):
    await hr.org_unit("HOME")
    header = "employee_number,first_name,last_name,home_region,start_date,org_unit_code,grade,"
    header += "fte,annual_salary,pay_frequency,contract_type\n"
    content = (header + "E5,A,B,england,2024-01-01,HOME,EO,1,30000,monthly,permanent\n").encode()
    r = await other.post(
        "/hr/v1/employees/imports", content=content, headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 422
    assert r.json()["invalid_rows"][0]["errors"][0]["field"] == "org_unit_code"

    body, key = make_employee_body(employee_number="K1"), {"Idempotency-Key": "shared-key"}
    mine = await hr.post("/hr/v1/employees", json=body, headers=key)
    theirs = await other.post("/hr/v1/employees", json=body, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]
