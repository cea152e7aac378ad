"""Absences and leave: requests and decisions, who may decide, overlaps, working days by
region, entitlement pro rata to FTE and the balance per leave year."""

from __future__ import annotations

import pytest


async def book(hr, employee_id, start, end, leave_type="annual", **extra):
    return await hr.post(
        f"/hr/v1/employees/{employee_id}/absences",
        json={"leave_type": leave_type, "start_date": start, "end_date": end, **extra},
    )


@pytest.mark.sqlite
async def test_request_approve_and_cancel(hr):
    e = await hr.employee(user_subject="emp-1")
    employee = hr.as_(subject="emp-1", scopes="hr:read hr:write")
    r = await book(employee, e["id"], "2026-03-02", "2026-03-06", reason="Half term")
    assert r.status_code == 201, r.text
    absence = r.json()
    assert r.headers["location"] == f"/hr/v1/absences/{absence['id']}"
    assert (absence["status"], absence["working_days"]) == ("requested", 5)
    assert absence["requested_by"] == "emp-1"

    approved = await hr.post(f"/hr/v1/absences/{absence['id']}/approve", json={"note": "Enjoy"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert (approved.json()["decided_by"], approved.json()["decision_note"]) == (
        "hr-officer",
        "Enjoy",
    )
    again = await hr.post(f"/hr/v1/absences/{absence['id']}/approve")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:sop:problem:invalid-transition"

    # The employee may cancel their own leave; a stale If-Match is refused first.
    stale = await employee.post(
        f"/hr/v1/absences/{absence['id']}/cancel", headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    cancelled = await employee.post(
        f"/hr/v1/absences/{absence['id']}/cancel", headers={"If-Match": '"2"'}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    events = (await hr.get(f"/hr/v1/audit-events?resource_id={absence['id']}")).json()["items"]
    assert [ev["action"] for ev in events] == [
        "absence.requested",
        "absence.approved",
        "absence.cancelled",
    ]


@pytest.mark.sqlite
async def test_nobody_approves_or_rejects_their_own_absence(hr):
    e = await hr.employee(user_subject="emp-7")
    absence = (await book(hr, e["id"], "2026-05-11", "2026-05-12")).json()
    self_approver = hr.as_(subject="emp-7")  # holds hr:write, but it is their own absence
    for action in ("approve", "reject"):
        r = await self_approver.post(f"/hr/v1/absences/{absence['id']}/{action}")
        assert r.status_code == 403, r.text
        assert r.json()["type"] == "urn:sop:problem:own-absence-decision"
    reader = hr.as_(subject="manager", scopes="hr:read")
    assert (await reader.post(f"/hr/v1/absences/{absence['id']}/approve")).status_code == 403
    assert (await hr.get(f"/hr/v1/absences/{absence['id']}")).json()["status"] == "requested"
    rejected = await hr.as_(subject="manager").post(f"/hr/v1/absences/{absence['id']}/reject")
    assert rejected.json()["status"] == "rejected"


@pytest.mark.sqlite
async def test_an_overlapping_absence_is_409_naming_the_clash(hr):
    e = await hr.employee()
    first = (await book(hr, e["id"], "2026-03-02", "2026-03-06")).json()
    r = await book(hr, e["id"], "2026-03-05", "2026-03-10", leave_type="sick")
    assert r.status_code == 409
    problem = r.json()
    assert problem["type"] == "urn:sop:problem:overlapping-absence"
    assert problem["clashes"] == [
        {
            "id": first["id"],
            "leave_type": "annual",
            "start_date": "2026-03-02",
            "end_date": "2026-03-06",
            "status": "requested",
        },
    ]
    assert "2026-03-02" in problem["detail"] and first["id"] in problem["detail"]
    # Cancelled and rejected absences no longer hold the days.
    await hr.post(f"/hr/v1/absences/{first['id']}/cancel")
    assert (
        await book(hr, e["id"], "2026-03-05", "2026-03-10", leave_type="sick")
    ).status_code == 201
    listed = (await hr.get(f"/hr/v1/employees/{e['id']}/absences")).json()["items"]
    assert [a["status"] for a in listed] == ["cancelled", "requested"]


async def test_working_days_follow_the_employees_bank_holidays(hr):
    english = await hr.employee(home_region="england")
    scottish = await hr.employee(home_region="scotland")
    welsh = await hr.employee(home_region="wales")
    northern_irish = await hr.employee(home_region="northern-ireland")

    async def days(employee, start, end, leave_type="unpaid"):
        r = await book(hr, employee["id"], start, end, leave_type=leave_type)
        assert r.status_code == 201, r.text
        return r.json()["working_days"]

    # New Year 2026: 1 January everywhere; 2 January in Scotland only.
    assert await days(english, "2025-12-29", "2026-01-02") == 4
    assert await days(scottish, "2025-12-29", "2026-01-02") == 3
    # Summer bank holiday: first Monday of August in Scotland, last elsewhere.
    assert await days(english, "2026-08-03", "2026-08-07", "special") == 5
    assert await days(scottish, "2026-08-03", "2026-08-07", "special") == 4
    assert await days(welsh, "2026-08-31", "2026-09-04") == 4
    assert await days(scottish, "2026-08-31", "2026-09-04") == 5
    # St Patrick's Day (Tuesday) and the Battle of the Boyne substitute (Monday 13 July).
    assert await days(northern_irish, "2026-03-16", "2026-03-20") == 4
    assert await days(northern_irish, "2026-07-13", "2026-07-17") == 4


async def test_an_absence_with_no_working_days_or_outside_employment_is_refused(hr):
    e = await hr.employee(start_date="2024-01-01")
    christmas = await book(hr, e["id"], "2026-12-25", "2026-12-28")  # Fri BH, weekend, Mon sub
    assert christmas.status_code == 422
    assert (await book(hr, e["id"], "2023-12-28", "2024-01-03")).status_code == 422
    backwards = await book(hr, e["id"], "2026-03-10", "2026-03-09")
    assert backwards.status_code == 422
    unknown = await book(hr, e["id"], "2026-03-09", "2026-03-10", leave_type="sabbatical")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "leave_type"
    far = await book(hr, e["id"], "2031-03-03", "2031-03-04")
    assert far.status_code == 422
    assert far.json()["type"] == "urn:sop:problem:outside-calendar"
    assert (await hr.get(f"/hr/v1/employees/{e['id']}/absences")).json()["items"] == []


async def test_leave_balance_is_pro_rata_to_fte(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"], fte="0.5"))
    approved = (await book(hr, e["id"], "2026-03-02", "2026-03-04")).json()
    await hr.post(f"/hr/v1/absences/{approved['id']}/approve")
    await book(hr, e["id"], "2026-04-13", "2026-04-14")
    await book(hr, e["id"], "2026-04-20", "2026-04-21", leave_type="sick")  # not annual leave
    r = await hr.get(f"/hr/v1/employees/{e['id']}/leave-balance?year=2026")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "employee_id": e["id"],
        "leave_type": "annual",
        "leave_year": 2026,
        "starts": "2026-01-01",
        "ends": "2026-12-31",
        "entitlement_days": "12.5",
        "approved_days": "3",
        "requested_days": "2",
        "remaining_days": "7.5",
    }


async def test_entitlement_follows_fte_changes_and_part_years(hr, make_terms):
    unit = await hr.org_unit()
    changed = await hr.employee(terms=make_terms(unit["id"]))
    await hr.post(
        f"/hr/v1/employees/{changed['id']}/terms",
        json={"effective_from": "2026-07-01", **make_terms(unit["id"], fte="0.5")},
    )
    # 25 days x (181 days at 1.0 + 184 days at 0.5) / 365 = 18.70, up to the half day: 19.
    balance = (await hr.get(f"/hr/v1/employees/{changed['id']}/leave-balance?year=2026")).json()
    assert balance["entitlement_days"] == "19"
    starter = await hr.employee(start_date="2026-07-01", terms=make_terms(unit["id"]))
    # 25 x 184 / 365 = 12.60: 13.
    balance = (await hr.get(f"/hr/v1/employees/{starter['id']}/leave-balance?year=2026")).json()
    assert balance["entitlement_days"] == "13"


async def test_annual_leave_beyond_the_balance_is_refused(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"], fte="0.2"))  # 5 days a year
    r = await book(hr, e["id"], "2026-06-01", "2026-06-08")  # 6 working days
    assert r.status_code == 422
    assert r.json()["type"] == "urn:sop:problem:leave-balance-exceeded"
    assert (await book(hr, e["id"], "2026-06-01", "2026-06-05")).status_code == 201
    assert (await book(hr, e["id"], "2026-06-08", "2026-06-08")).status_code == 422
    assert (
        await book(hr, e["id"], "2026-06-08", "2026-06-12", leave_type="sick")
    ).status_code == 201


async def test_leave_types_are_provisioned_once_and_can_be_tuned(hr, make_terms):
    types = (await hr.get("/hr/v1/leave-types")).json()["items"]
    assert sorted(t["code"] for t in types) == sorted(
        [
            "adoption",
            "annual",
            "maternity",
            "paternity",
            "shared_parental",
            "sick",
            "special",
            "unpaid",
        ]
    )
    await hr.provision()  # onboarding retried: nothing doubles
    assert len((await hr.get("/hr/v1/leave-types")).json()["items"]) == 8
    annual = next(t for t in types if t["code"] == "annual")
    assert annual["annual_entitlement_days"] == "25"
    assert (
        await hr.patch("/hr/v1/leave-types/annual", json={"annual_entitlement_days": "30"})
    ).status_code == 428
    r = await hr.patch(
        "/hr/v1/leave-types/annual",
        json={"annual_entitlement_days": "30"},
        headers={"If-Match": f'"{annual["version"]}"'},
    )
    assert r.status_code == 200 and r.json()["annual_entitlement_days"] == "30"
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    balance = (await hr.get(f"/hr/v1/employees/{e['id']}/leave-balance?year=2026")).json()
    assert balance["entitlement_days"] == "30"


async def test_approvers_list_absences_across_employees(hr):
    a, b = await hr.employee(), await hr.employee()
    first = (await book(hr, a["id"], "2026-02-02", "2026-02-03")).json()
    second = (await book(hr, b["id"], "2026-02-09", "2026-02-10", leave_type="sick")).json()
    await hr.post(f"/hr/v1/absences/{second['id']}/approve")

    async def ids(query: str) -> list[str]:
        r = await hr.get(f"/hr/v1/absences?{query}")
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]

    assert await ids("status=requested") == [first["id"]]
    assert await ids("leave_type=sick") == [second["id"]]
    assert await ids(f"employee_id={a['id']}") == [first["id"]]
    assert await ids("from=2026-02-04&to=2026-02-28") == [second["id"]]
    assert await ids("") == [first["id"], second["id"]]


async def test_bank_holidays_by_region(hr):
    r = await hr.get("/hr/v1/bank-holidays?region=scotland&year=2027")
    assert r.status_code == 200
    items = r.json()["items"]
    assert {
        "date": "2027-01-04",
        "title": "2nd January",
        "substitute": True,
        "region": "scotland",
    } in items
    assert len(items) == 9
    assert (await hr.get("/hr/v1/bank-holidays?region=wales&year=2040")).status_code == 422
