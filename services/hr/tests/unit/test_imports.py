"""Employee CSV import over fakes: every row is checked with the single-create rules and all
are written or none, with every bad row's line and field listed."""

from __future__ import annotations

from typing import Any

import pytest
from hr_builders import employee, org_unit, position
from hr_fakes import WITHOUT_SENSITIVE, actions, context, settings

from sop_hr.employees import service as employees
from sop_hr.employees.ports import StudentLoanPlan
from sop_hr.imports.service import import_employees
from sop_hr.ports import PageRequest
from sop_hr.problems import ImportRejected, SensitiveFieldsNeedScope
from sop_hr.terms import service as terms

HEADER = "employee_number,first_name,last_name,home_region,start_date"


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


async def stored(hr) -> list[Any]:
    return list((await employees.list_employees(hr, page=PageRequest())).items)


def invalid_rows(problem: ImportRejected) -> dict[int, list[tuple[str, str]]]:
    return {
        row["line"]: [(e["field"], e["message"]) for e in row["errors"]]
        for row in problem.extensions["invalid_rows"]
    }


async def test_a_valid_file_imports_every_row_with_its_terms():
    hr = context()
    unit = await org_unit(hr, "OPS")
    post = await position(hr, unit, code="P-OPS")
    text = csv(
        HEADER + ",org_unit_code,position_code,grade,fte,annual_salary,pay_frequency,contract_type",
        "E1,Ada,Lovelace,england,2024-01-01,OPS,P-OPS,HEO,1,36000.00,monthly,permanent",
        "E2,Grace,Hopper,scotland,2024-02-01,OPS,,EO,0.5,28000.00,monthly,fixed_term",
        "E3,Alan,Turing,wales,2024-03-01,,,,,,,",
    )
    result = await import_employees(hr, text=text)

    assert result.imported == 3
    assert [(e.line, e.employee_number) for e in result.employees] == [
        (2, "E1"),
        (3, "E2"),
        (4, "E3"),
    ]
    views = await stored(hr)
    assert [v.employee.employee_number for v in views] == ["E1", "E2", "E3"]
    placed = {v.employee.employee_number: v.terms for v in views}
    assert placed["E1"] is not None and placed["E1"].position_id == post.id
    assert placed["E2"] is not None and str(placed["E2"].fte) == "0.5"
    assert placed["E3"] is None
    assert actions(hr).count("employee.created") == 3


async def test_one_bad_row_writes_nothing_and_is_named_by_line_and_field():
    hr = context()
    text = csv(
        HEADER,
        "E1,Ada,Lovelace,england,2024-01-01",
        "E2,Grace,Hopper,atlantis,2024-02-01",
        "E3,Alan,Turing,wales,2024-03-01",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    assert list(invalid_rows(rejected.value)) == [3]
    assert [f for f, _ in invalid_rows(rejected.value)[3]] == ["home_region"]
    assert "nothing was imported" in str(rejected.value.detail)
    assert await stored(hr) == []
    assert actions(hr) == []


async def test_duplicates_in_the_file_and_against_existing_records_are_errors():
    hr = context()
    await employee(hr, with_terms=False, employee_number="TAKEN")
    text = csv(
        HEADER,
        "E1,Ada,Lovelace,england,2024-01-01",
        "E1,Grace,Hopper,england,2024-01-01",
        "TAKEN,Alan,Turing,england,2024-01-01",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    assert invalid_rows(rejected.value) == {
        3: [("employee_number", "also on line 2")],
        4: [("employee_number", "already in use")],
    }
    assert [v.employee.employee_number for v in await stored(hr)] == ["TAKEN"]


async def test_codes_must_name_existing_units_and_positions_in_that_unit():
    hr = context()
    unit, other = await org_unit(hr, "OPS"), await org_unit(hr, "HQ")
    await position(hr, other, code="P-HQ")
    terms_columns = (
        ",org_unit_code,position_code,grade,fte,annual_salary,pay_frequency,contract_type"
    )
    text = csv(
        HEADER + terms_columns,
        "E1,Ada,Lovelace,england,2024-01-01,NOPE,,HEO,1,36000.00,monthly,permanent",
        "E2,Grace,Hopper,england,2024-01-01,OPS,P-NONE,HEO,1,36000.00,monthly,permanent",
        "E3,Alan,Turing,england,2024-01-01,OPS,P-HQ,HEO,1,36000.00,monthly,permanent",
        "E4,Ken,Thompson,england,2024-01-01,,,HEO,1,36000.00,monthly,permanent",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    rows = invalid_rows(rejected.value)
    assert rows[2] == [("org_unit_code", "no org unit with code NOPE")]
    assert rows[3] == [("position_code", "no position with code P-NONE")]
    assert rows[4] == [("terms.position_id", "position P-HQ is in another org unit")]
    assert ("org_unit_code", "required with the other terms columns") in rows[5]
    assert unit.code == "OPS"


async def test_every_bad_field_of_every_row_is_listed():
    hr = context()
    text = csv(HEADER + ",work_email,tax_code", "E1,,Lovelace,mars,2024-13-01,not-an-email,XYZ")
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    fields = {f for f, _ in invalid_rows(rejected.value)[2]}
    assert fields == {"first_name", "home_region", "start_date", "work_email", "tax_code"}


async def test_sensitive_columns_need_hr_sensitive_before_anything_is_checked():
    hr = context(scopes=WITHOUT_SENSITIVE)
    text = csv(
        HEADER + ",national_insurance_number", "E1,Ada,Lovelace,england,2024-01-01,AB123456C"
    )
    with pytest.raises(SensitiveFieldsNeedScope):
        await import_employees(hr, text=text)
    blank = csv(HEADER + ",national_insurance_number", "E1,Ada,Lovelace,england,2024-01-01,")
    assert (await import_employees(hr, text=blank)).imported == 1


async def test_the_single_create_rules_apply_to_each_row():
    hr = context()
    text = csv(
        HEADER + ",date_of_birth,national_insurance_number",
        "E1,Ada,Lovelace,england,2024-01-01,2010-01-01,AB123456C",
        "E2,Grace,Hopper,england,2024-01-01,1990-01-01,GB123456A",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    rows = invalid_rows(rejected.value)
    assert [f for f, _ in rows[2]] == ["date_of_birth"]
    assert [f for f, _ in rows[3]] == ["national_insurance_number"]


async def test_payroll_columns_are_read_into_the_record():
    hr = context()
    text = csv(
        HEADER + ",tax_code,student_loan_plans,postgraduate_loan",
        "E1,Ada,Lovelace,england,2024-01-01,1257l,plan_2; PLAN_1,true",
    )
    await import_employees(hr, text=text)
    (view,) = await stored(hr)
    assert view.employee.payroll.tax_code == "1257L"
    assert view.employee.payroll.student_loan_plans == (
        StudentLoanPlan.PLAN_1,
        StudentLoanPlan.PLAN_2,
    )
    assert view.employee.payroll.postgraduate_loan is True


async def test_line_numbers_count_physical_lines_across_quoted_newlines_and_blank_lines():
    hr = context()
    text = csv(
        HEADER + ",pension_scheme",
        'E1,Ada,Lovelace,england,2024-01-01,"Alpha',
        'scheme"',
        "",
        "E2,Grace,Hopper,nowhere,2024-01-01,",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    assert list(invalid_rows(rejected.value)) == [5]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "line 1"),
        (csv(HEADER), "file"),
        (
            csv(HEADER + ",favourite_colour", "E1,Ada,Lovelace,england,2024-01-01,blue"),
            "line 1: favourite_colour",
        ),
        (
            csv("employee_number,first_name,last_name,start_date", "E1,A,B,2024-01-01"),
            "line 1: home_region",
        ),
        (csv(HEADER + ",first_name", "E1,A,B,england,2024-01-01,C"), "line 1: first_name"),
    ],
    ids=["empty", "no-rows", "unknown-column", "missing-column", "twice"],
)
async def test_an_unusable_file_is_refused_naming_why(text, field):
    hr = context()
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=text)
    assert rejected.value.errors is not None
    assert field in [e.field for e in rejected.value.errors]


async def test_a_row_with_the_wrong_number_of_cells_is_an_error():
    hr = context()
    with pytest.raises(ImportRejected) as rejected:
        await import_employees(hr, text=csv(HEADER, "E1,Ada,Lovelace,england"))
    assert invalid_rows(rejected.value) == {2: [("row", "4 cells, header has 5")]}


async def test_at_most_the_configured_number_of_rows():
    hr = context(hr_settings=settings(import_max_rows=2))
    rows = [f"E{i},Ada,Lovelace,england,2024-01-01" for i in range(3)]
    with pytest.raises(ImportRejected, match="at most 2 rows"):
        await import_employees(hr, text=csv(HEADER, *rows))
    assert (await import_employees(hr, text=csv(HEADER, *rows[:2]))).imported == 2


async def test_imported_terms_start_on_the_start_date():
    hr = context()
    await org_unit(hr, "OPS")
    text = csv(
        HEADER + ",org_unit_code,grade,fte,annual_salary,pay_frequency,contract_type",
        "E1,Ada,Lovelace,england,2025-04-01,OPS,HEO,1,36000.00,monthly,permanent",
    )
    result = await import_employees(hr, text=text)
    history = await terms.history(hr, employee_id=result.employees[0].id)
    assert [(t.effective_from, t.effective_to) for t in history] == [
        (history[0].effective_from, None)
    ]
    assert str(history[0].effective_from) == "2025-04-01"
