"""Employees over fakes: creating (NI numbers, sensitive fields, age, unique numbers, first
terms), reading as of a day, listing by status and placement, correcting, tenant isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hr_builders import (
    change_terms,
    employee,
    employee_fields,
    fresh,
    org_unit,
    position,
    terms_fields,
)
from hr_fakes import (
    OTHER_TENANT,
    WITHOUT_SENSITIVE,
    actions,
    as_,
    audit_log,
    context,
)
from pydantic import ValidationError

from sop_hr.employees import service
from sop_hr.employees.ports import EmploymentStatus, LeavingReason, StudentLoanPlan
from sop_hr.employees.schemas import (
    SENSITIVE_FIELDS,
    EmployeeCreate,
    EmployeeUpdate,
    LeavingIn,
)
from sop_hr.ports import InvalidCursor, PageRequest, StaleRecord
from sop_hr.problems import DuplicateEmployeeNumber, SensitiveFieldsNeedScope
from sop_shared.clock import FixedClock
from sop_shared.errors import NotFound, ValidationFailed

BANK = {"sort_code": "12-34-56", "account_number": "12345678", "account_name": "A Lovelace"}


def body(**fields: Any) -> EmployeeCreate:
    return EmployeeCreate.model_validate(employee_fields(**fields))


def changes(**fields: Any) -> EmployeeUpdate:
    return EmployeeUpdate.model_validate(fields)


async def test_create_stores_the_employee_with_the_terms_in_force_today():
    hr = context(today=date(2026, 1, 15))
    unit = await org_unit(hr)
    data = body(employee_number="E100", terms=terms_fields(unit, fte="0.8"))

    created = await service.create(hr, data=data)

    stored = await fresh(hr, created.employee)
    assert stored == created.employee
    assert (stored.employee_number, stored.version) == ("E100", 1)
    assert created.terms is not None
    assert (created.terms.org_unit_id, str(created.terms.fte)) == (unit.id, "0.8")
    assert (created.terms.effective_from, created.terms.effective_to) == (date(2024, 1, 1), None)
    assert created.as_of == date(2026, 1, 15)
    assert actions(hr) == ["org_unit.created", "employee.created", "employment_terms.created"]


async def test_a_future_starter_has_terms_but_none_in_force_today():
    hr = context(today=date(2026, 1, 15))
    unit = await org_unit(hr)
    created = await service.create(
        hr, data=body(start_date=date(2026, 3, 1), terms=terms_fields(unit))
    )
    assert created.terms is None
    assert created.employee.status_on(hr.today()) is EmploymentStatus.NOT_STARTED
    later = await service.view(hr, employee_id=created.employee.id, as_of=date(2026, 3, 1))
    assert later.terms is not None and later.terms.effective_from == date(2026, 3, 1)


async def test_an_employee_number_already_in_use_is_refused_and_nothing_is_added():
    hr = context()
    first = await employee(hr, employee_number="E7")
    with pytest.raises(DuplicateEmployeeNumber) as refused:
        await service.create(hr, data=body(employee_number="E7", first_name="Grace"))
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == "employee_number"
    page = await service.list_employees(hr, page=PageRequest())
    assert [v.employee.id for v in page.items] == [first.id]


async def test_another_tenant_may_use_the_same_employee_number():
    hr = context()
    await employee(hr, employee_number="E7")
    other = as_(hr, tenant=OTHER_TENANT)
    theirs = await service.create(other, data=body(employee_number="E7"))
    assert theirs.employee.employee_number == "E7"


async def test_the_national_insurance_number_is_stored_in_canonical_form():
    hr = context()
    created = await service.create(hr, data=body(national_insurance_number=" ab 12 34 56 c "))
    assert (await fresh(hr, created.employee)).national_insurance_number == "AB123456C"


@pytest.mark.parametrize(
    "nino",
    [
        "AB123456E",  # suffix beyond D
        "DA123456A",  # D may not be a prefix letter
        "AV123456A",  # nor V, in either place
        "AO123456A",  # O is not a second letter
        "GB123456A",  # never allocated
        "TN123456A",  # never allocated
        "AB12345A",  # five digits
    ],
)
def test_a_malformed_national_insurance_number_is_refused(nino):
    with pytest.raises(ValidationError, match="national_insurance_number"):
        body(national_insurance_number=nino)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("national_insurance_number", "AB123456C"),
        ("date_of_birth", date(1990, 5, 1)),
        ("bank_details", BANK),
    ],
)
async def test_setting_a_sensitive_field_needs_hr_sensitive(field, value):
    hr = context(scopes=WITHOUT_SENSITIVE)
    with pytest.raises(SensitiveFieldsNeedScope) as refused:
        await service.create(hr, data=body(**{field: value}))
    assert refused.value.errors is not None
    assert [e.field for e in refused.value.errors] == [field]
    assert (await service.list_employees(hr, page=PageRequest())).items == []
    assert audit_log(hr).events == []


async def test_without_hr_sensitive_an_employee_without_sensitive_fields_can_be_created():
    hr = context(scopes=WITHOUT_SENSITIVE)
    created = await service.create(hr, data=body())
    assert created.employee.national_insurance_number is None


async def test_the_audit_event_keeps_sensitive_fields_and_names_them():
    hr = context()
    created = await service.create(
        hr, data=body(national_insurance_number="AB123456C", bank_details=BANK)
    )
    event = audit_log(hr).events[0]
    assert (event.action, event.resource_id) == ("employee.created", str(created.employee.id))
    assert event.actor == "hr-officer" and event.tenant == hr.tenant
    assert event.after is not None and event.after["national_insurance_number"] == "AB123456C"
    assert event.after["bank_details"]["sort_code"] == "123456"
    assert event.sensitive_fields == list(SENSITIVE_FIELDS)


async def test_an_employee_under_16_on_the_start_date_is_refused():
    hr = context()
    with pytest.raises(ValidationFailed) as refused:
        await service.create(
            hr, data=body(date_of_birth=date(2010, 1, 2), start_date=date(2026, 1, 1))
        )
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == "date_of_birth"


async def test_an_employee_16_on_the_start_date_is_accepted():
    hr = context()
    created = await service.create(
        hr, data=body(date_of_birth=date(2010, 1, 1), start_date=date(2026, 1, 1))
    )
    assert created.employee.date_of_birth == date(2010, 1, 1)


def test_someone_born_on_29_february_is_16_on_1_march_when_that_year_has_no_leap_day():
    born = date(2084, 2, 29)  # 2100 is not a leap year
    assert service.age_errors(born, date(2100, 2, 28))
    assert service.age_errors(born, date(2100, 3, 1)) == []
    assert service.age_errors(date(2008, 2, 29), date(2024, 2, 29)) == []


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ("no-unit", "terms.org_unit_id"),
        ("no-position", "terms.position_id"),
        ("position-elsewhere", "terms.position_id"),
    ],
)
async def test_the_first_terms_must_name_an_existing_unit_and_a_position_in_it(terms, field):
    hr = context()
    unit, elsewhere = await org_unit(hr), await org_unit(hr)
    post = await position(hr, elsewhere)
    fields = {
        "no-unit": terms_fields(unit, org_unit_id="0190d0d0-0000-7000-8000-000000000000"),
        "no-position": terms_fields(unit, position_id="0190d0d0-0000-7000-8000-000000000000"),
        "position-elsewhere": terms_fields(unit, position_id=post.id),
    }[terms]
    with pytest.raises(ValidationFailed) as refused:
        await service.create(hr, data=body(terms=fields))
    assert refused.value.errors is not None
    assert [e.field for e in refused.value.errors] == [field]
    assert (await service.list_employees(hr, page=PageRequest())).items == []


async def test_view_answers_with_the_terms_and_status_on_the_day_asked():
    hr = context(today=date(2026, 1, 15))
    who = await employee(hr, start_date=date(2024, 1, 1))
    before = await service.view(hr, employee_id=who.id, as_of=date(2023, 12, 31))
    assert before.terms is None
    assert before.employee.status_on(before.as_of) is EmploymentStatus.NOT_STARTED
    today = await service.view(hr, employee_id=who.id, as_of=None)
    assert today.as_of == date(2026, 1, 15) and today.terms is not None


async def test_an_unknown_employee_is_not_found_and_so_is_one_of_another_tenant():
    hr = context()
    who = await employee(hr)
    with pytest.raises(NotFound):
        await service.view(as_(hr, tenant=OTHER_TENANT), employee_id=who.id, as_of=None)
    theirs = await service.list_employees(as_(hr, tenant=OTHER_TENANT), page=PageRequest())
    assert theirs.items == []


async def test_update_changes_only_what_is_sent_and_bumps_the_version():
    hr = context()
    who = await employee(hr, first_name="Ada", work_email="ada@example.gov.uk")
    updated = await service.update(hr, current=who, changes=changes(last_name="Byron"))
    assert (updated.employee.first_name, updated.employee.last_name) == ("Ada", "Byron")
    assert updated.employee.work_email == "ada@example.gov.uk"
    assert updated.employee.version == who.version + 1
    event = audit_log(hr).events[-1]
    assert event.action == "employee.updated"
    assert event.before is not None and event.after is not None
    assert (event.before["last_name"], event.after["last_name"]) == ("Lovelace", "Byron")


async def test_an_update_that_changes_nothing_keeps_the_version_and_writes_no_event():
    hr = context()
    who = await employee(hr, first_name="Ada")
    before = len(audit_log(hr).events)
    same = await service.update(hr, current=who, changes=changes(first_name="Ada"))
    assert same.employee.version == who.version
    assert len(audit_log(hr).events) == before


async def test_null_clears_an_optional_field():
    hr = context()
    who = await employee(hr, work_email="ada@example.gov.uk")
    updated = await service.update(hr, current=who, changes=changes(work_email=None))
    assert updated.employee.work_email is None


async def test_a_payroll_patch_changes_only_the_fields_sent():
    hr = context()
    who = await employee(
        hr, payroll={"tax_code": "1257L", "student_loan_plans": ["plan_2", "plan_1"]}
    )
    assert who.payroll.student_loan_plans == (StudentLoanPlan.PLAN_1, StudentLoanPlan.PLAN_2)
    updated = await service.update(hr, current=who, changes=changes(payroll={"tax_code": "s1257l"}))
    assert updated.employee.payroll.tax_code == "S1257L"
    assert updated.employee.payroll.student_loan_plans == who.payroll.student_loan_plans


async def test_an_employee_number_taken_by_another_is_refused_on_update():
    hr = context()
    await employee(hr, employee_number="E1")
    who = await employee(hr, employee_number="E2")
    with pytest.raises(DuplicateEmployeeNumber):
        await service.update(hr, current=who, changes=changes(employee_number="E1"))
    assert (await fresh(hr, who)).employee_number == "E2"
    renumbered = await service.update(hr, current=who, changes=changes(employee_number="E3"))
    assert renumbered.employee.employee_number == "E3"


@pytest.mark.parametrize(
    "sent",
    [
        {"national_insurance_number": "AB123456C"},
        {"national_insurance_number": None},  # clearing it too
        {"date_of_birth": None},
        {"bank_details": BANK},
    ],
)
async def test_changing_a_sensitive_field_needs_hr_sensitive(sent):
    hr = context()
    who = await employee(hr, national_insurance_number="AB123456C")
    clerk = as_(hr, scopes=WITHOUT_SENSITIVE)
    with pytest.raises(SensitiveFieldsNeedScope):
        await service.update(clerk, current=who, changes=changes(**sent))
    assert await fresh(hr, who) == who


async def test_a_date_of_birth_that_makes_them_under_16_at_the_start_is_refused():
    hr = context()
    who = await employee(hr, start_date=date(2024, 1, 1))
    with pytest.raises(ValidationFailed):
        await service.update(hr, current=who, changes=changes(date_of_birth=date(2008, 6, 1)))
    assert (await fresh(hr, who)).date_of_birth is None


async def test_an_update_based_on_a_stale_read_is_refused():
    hr = context()
    read_earlier = await employee(hr)
    await service.update(hr, current=read_earlier, changes=changes(first_name="Augusta"))
    with pytest.raises(StaleRecord):
        await service.update(hr, current=read_earlier, changes=changes(last_name="King"))
    assert (await fresh(hr, read_earlier)).last_name == "Lovelace"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (EmploymentStatus.ACTIVE, ["current", "leaves-today"]),
        (EmploymentStatus.NOT_STARTED, ["future"]),
        (EmploymentStatus.LEFT, ["left"]),
        (None, ["current", "future", "left", "leaves-today"]),
    ],
)
async def test_list_by_status_on_a_day(status, expected):
    hr = context(today=date(2026, 1, 15))
    names = {}
    for name, start, leaving in (
        ("current", date(2024, 1, 1), None),
        ("future", date(2026, 2, 1), None),
        ("left", date(2024, 1, 1), date(2025, 12, 31)),
        ("leaves-today", date(2024, 1, 1), date(2026, 1, 15)),
    ):
        who = await employee(hr, with_terms=False, first_name=name, start_date=start)
        if leaving:
            leaves = LeavingIn(leaving_date=leaving, reason=LeavingReason.RESIGNATION)
            await service.end_employment(hr, employee_id=who.id, leaving=leaves)
        names[who.id] = name
    found = await service.list_employees(hr, page=PageRequest(), status=status)
    assert [names[v.employee.id] for v in found.items] == expected


async def test_list_by_org_unit_and_position_follows_the_terms_in_force_that_day():
    hr = context(today=date(2026, 1, 15))
    policy, digital = await org_unit(hr), await org_unit(hr)
    post = await position(hr, digital)
    mover = await employee(hr, unit=policy)
    stayer = await employee(hr, unit=policy)
    await change_terms(hr, mover, date(2026, 1, 1), digital, position_id=post.id)

    async def ids(**where: Any) -> list[Any]:
        found = await service.list_employees(hr, page=PageRequest(), **where)
        return [v.employee.id for v in found.items]

    assert await ids(org_unit_id=policy.id) == [stayer.id]
    assert await ids(org_unit_id=policy.id, as_of=date(2025, 12, 31)) == [mover.id, stayer.id]
    assert await ids(org_unit_id=digital.id) == [mover.id]
    assert await ids(position_id=post.id) == [mover.id]
    assert await ids(position_id=post.id, as_of=date(2025, 6, 1)) == []


async def test_list_pages_in_creation_order_and_refuses_a_cursor_it_did_not_issue():
    hr = context()
    made = [await employee(hr, with_terms=False) for _ in range(5)]
    first = await service.list_employees(hr, page=PageRequest(limit=2))
    second = await service.list_employees(hr, page=PageRequest(limit=2, cursor=first.next_cursor))
    third = await service.list_employees(hr, page=PageRequest(limit=2, cursor=second.next_cursor))
    seen = [v.employee.id for page in (first, second, third) for v in page.items]
    assert seen == [e.id for e in made]
    assert third.next_cursor is None
    with pytest.raises(InvalidCursor):
        await service.list_employees(hr, page=PageRequest(cursor="not-a-cursor"))


async def test_list_by_number_and_updated_since():
    clock = FixedClock(datetime(2026, 1, 15, 9, tzinfo=UTC))
    hr = context(clock=clock)
    old = await employee(hr, with_terms=False, employee_number="OLD1")
    clock.advance(timedelta(hours=1))
    new = await employee(hr, with_terms=False, employee_number="NEW1")
    since = clock.now()
    clock.advance(timedelta(hours=1))
    await service.update(hr, current=old, changes=changes(first_name="Changed"))

    found = await service.list_employees(hr, page=PageRequest(), updated_since=since)
    assert {v.employee.id for v in found.items} == {old.id, new.id}
    later = await service.list_employees(hr, page=PageRequest(), updated_since=clock.now())
    assert [v.employee.id for v in later.items] == [old.id]
    by_number = await service.list_employees(hr, page=PageRequest(), employee_number="NEW1")
    assert [v.employee.id for v in by_number.items] == [new.id]
