"""HR's events over fakes: what each change announces, about which resource, in what order,
and that sensitive values never travel (an event names which sensitive fields changed)."""

from __future__ import annotations

from datetime import date

from hr_builders import employee, employee_fields, org_unit
from hr_fakes import OTHER_TENANT, as_, context, published

from sop_hr.employees import service as employees
from sop_hr.employees.ports import LeavingReason
from sop_hr.employees.schemas import EmployeeCreate, EmployeeUpdate, LeavingIn
from sop_hr.org_units import service as org_units
from sop_hr.org_units.schemas import OrgUnitUpdate

BANK = {"sort_code": "12-34-56", "account_number": "12345678", "account_name": "A Lovelace"}
SENSITIVE_VALUES = ("AB123456C", "12345678", "12-34-56", "1990-05-17")


async def test_an_org_unit_created_and_changed_is_announced_with_its_cost_centre():
    hr = context()
    unit = await org_unit(hr, "DIG")
    await org_units.update(
        hr, current=unit, changes=OrgUnitUpdate.model_validate({"cost_centre": "CC-200"})
    )
    created, updated = published(hr)
    assert created.type == "uk.gov.sop.hr.org_unit.created.v1"
    assert updated.type == "uk.gov.sop.hr.org_unit.updated.v1"
    assert created.subject == updated.subject == f"org-units/{unit.id}"
    assert created.aggregate == updated.aggregate == f"org_unit:{unit.id}"
    assert (created.data["cost_centre"], updated.data["cost_centre"]) == ("CCDIG", "CC-200")
    assert updated.data["version"] == 2 and updated.data["code"] == "DIG"
    assert (created.tenant, created.source) == (hr.tenant, "/hr")
    assert created.time == hr.clock.now()


async def test_a_change_that_changes_nothing_announces_nothing():
    hr = context()
    unit = await org_unit(hr, "DIG")
    await org_units.update(hr, current=unit, changes=OrgUnitUpdate.model_validate({}))
    assert [e.type for e in published(hr)] == ["uk.gov.sop.hr.org_unit.created.v1"]


async def test_an_employee_event_never_carries_a_sensitive_value_but_says_what_changed():
    hr = context()
    data = EmployeeCreate.model_validate(
        employee_fields(
            national_insurance_number="AB123456C",
            date_of_birth="1990-05-17",
            bank_details=BANK,
        )
    )
    created = (await employees.create(hr, data=data)).employee
    await employees.update(
        hr,
        current=created,
        changes=EmployeeUpdate.model_validate(
            {"bank_details": {**BANK, "account_number": "87654321"}, "first_name": "Augusta"}
        ),
    )
    made, changed = [e for e in published(hr) if e.type.startswith("uk.gov.sop.hr.employee.")]
    assert made.type == "uk.gov.sop.hr.employee.created.v1"
    assert sorted(made.data["sensitive_changed"]) == [
        "bank_details",
        "date_of_birth",
        "national_insurance_number",
    ]
    assert changed.type == "uk.gov.sop.hr.employee.updated.v1"
    assert changed.data["sensitive_changed"] == ["bank_details"]
    assert changed.data["first_name"] == "Augusta"
    for event in (made, changed):
        text = str(event.data)
        assert not any(value in text for value in (*SENSITIVE_VALUES, "87654321")), text
        assert not {"bank_details", "national_insurance_number", "date_of_birth"} & set(event.data)


async def test_a_leaver_is_announced_after_their_creation_in_order():
    hr = context(today=date(2026, 3, 2))
    who = await employee(hr)
    await employees.end_employment(
        hr,
        employee_id=who.id,
        leaving=LeavingIn(leaving_date=date(2026, 3, 31), reason=LeavingReason.RESIGNATION),
    )
    about_them = [e for e in published(hr) if e.subject == f"employees/{who.id}"]
    assert [e.type for e in about_them] == [
        "uk.gov.sop.hr.employee.created.v1",
        "uk.gov.sop.hr.employee.left.v1",
    ]
    assert about_them[-1].data["leaving_date"] == "2026-03-31"
    assert about_them[-1].data["sensitive_changed"] == []


async def test_events_belong_to_the_tenant_that_made_the_change():
    hr = context()
    theirs = as_(hr, tenant=OTHER_TENANT)
    await org_unit(hr, "MINE")
    await org_unit(theirs, "THEIRS")
    assert [(e.tenant, e.data["code"]) for e in published(hr)] == [
        (hr.tenant, "MINE"),
        (OTHER_TENANT, "THEIRS"),
    ]
