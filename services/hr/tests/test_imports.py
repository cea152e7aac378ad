"""CSV import: every row checked; all written or none; bad rows named by line and field."""

from __future__ import annotations

import pytest

HEADER = (
    "employee_number,first_name,last_name,home_region,start_date,national_insurance_number,"
    "date_of_birth,tax_code,student_loan_plans,bank_sort_code,bank_account_number,"
    "bank_account_name,org_unit_code,grade,fte,annual_salary,pay_frequency,contract_type"
)


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def row(number: str, *, nino: str = "AB123456C", unit: str = "IMP", fte: str = "1") -> str:
    return (
        f"{number},Grace,Hopper,scotland,2025-09-01,{nino},1980-12-09,S1257L,plan_1;plan_2,"
        f"12-34-56,12345678,G HOPPER,{unit},EO,{fte},28000.00,monthly,permanent"
    )


async def post_csv(hr, content: bytes, **kw):
    return await hr.post(
        "/hr/v1/employees/imports", content=content, headers={"Content-Type": "text/csv"}, **kw
    )


async def employees(hr) -> list[dict]:
    return (await hr.get("/hr/v1/employees")).json()["items"]


@pytest.mark.sqlite
async def test_a_valid_file_imports_every_row(hr):
    await hr.org_unit("IMP")
    r = await post_csv(hr, csv(row("I1"), row("I2", nino="CE000000D"), row("I3", fte="0.5")))
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["imported"] == 3
    assert [(x["line"], x["employee_number"]) for x in result["employees"]] == [
        (2, "I1"),
        (3, "I2"),
        (4, "I3"),
    ]
    stored = {e["employee_number"]: e for e in await employees(hr)}
    assert set(stored) == {"I1", "I2", "I3"}
    i3 = stored["I3"]
    assert (i3["home_region"], i3["national_insurance_number"]) == ("scotland", "AB123456C")
    assert i3["payroll"]["student_loan_plans"] == ["plan_1", "plan_2"]
    assert i3["bank_details"]["sort_code"] == "123456"
    assert (i3["start_date"], i3["status"]) == ("2025-09-01", "active")
    assert (i3["terms"]["fte"], i3["terms"]["annual_salary"]) == ("0.5", "28000.00")
    created = await hr.get("/hr/v1/audit-events?action=employee.created")
    assert len(created.json()["items"]) == 3


@pytest.mark.sqlite
async def test_one_bad_row_writes_nothing_and_is_named_by_line_and_field(hr):
    await hr.org_unit("IMP")
    r = await post_csv(hr, csv(row("I1"), row("I2"), row("I3", nino="QQ123456C"), row("I4")))
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"] == "urn:sop:problem:import-rejected"
    assert [
        (x["line"], [err["field"] for err in x["errors"]]) for x in problem["invalid_rows"]
    ] == [
        (4, ["national_insurance_number"]),
    ]
    assert problem["errors"][0]["field"] == "line 4: national_insurance_number"
    assert await employees(hr) == []
    assert (await hr.get("/hr/v1/audit-events?resource_type=employee")).json()["items"] == []


async def test_duplicates_in_the_file_and_against_existing_records_are_errors(hr):
    await hr.org_unit("IMP")
    await hr.employee(employee_number="TAKEN")
    r = await post_csv(hr, csv(row("TAKEN"), row("I2"), row("I2"), row("I3", unit="NOPE")))
    assert r.status_code == 422
    by_line = {x["line"]: x["errors"] for x in r.json()["invalid_rows"]}
    assert by_line == {
        2: [{"field": "employee_number", "message": "already in use"}],
        4: [{"field": "employee_number", "message": "also on line 3"}],
        5: [{"field": "org_unit_code", "message": "no org unit with code NOPE"}],
    }
    assert [e["employee_number"] for e in await employees(hr)] == ["TAKEN"]


async def test_every_bad_field_of_every_row_is_listed(hr):
    await hr.org_unit("IMP")
    bad = row("I9").replace("scotland,2025-09-01", "mars,2025-13-01").replace(",1980-12-09,", ",,")
    r = await post_csv(hr, csv(row("I1"), bad, row("I10", fte="2")))
    fields = {x["line"]: sorted(e["field"] for e in x["errors"]) for x in r.json()["invalid_rows"]}
    assert fields == {3: ["home_region", "start_date"], 4: ["fte"]}


async def test_multipart_upload_works_too(hr):
    await hr.org_unit("IMP")
    r = await hr.post(
        "/hr/v1/employees/imports",
        files={"file": ("people.csv", csv(row("M1")), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1


async def test_unusable_files_are_refused(hr):
    r = await post_csv(hr, b"employee_number,shoe_size\nE1,9\n")
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["errors"]]
    assert "line 1: shoe_size" in fields and "line 1: first_name" in fields
    assert (await post_csv(hr, HEADER.encode() + b"\n")).status_code == 422
    assert (await post_csv(hr, b"\xff\xfe\x00")).status_code == 422
    wrong_type = await hr.post("/hr/v1/employees/imports", json={"rows": []})
    assert wrong_type.status_code == 415
    no_scope = await post_csv(hr.as_(scopes="hr:read hr:write"), csv(row("S1")))
    assert no_scope.status_code == 403
    assert await employees(hr) == []
