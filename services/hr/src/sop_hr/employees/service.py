"""Employees: creating, reading, correcting and recording leavers, with the rules on each."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime

from sop_hr.absences.ports import AbsenceFilter, AbsenceStatus
from sop_hr.context import HRContext
from sop_hr.employees import events
from sop_hr.employees.ports import Employee, EmployeeFilter, EmploymentStatus
from sop_hr.employees.schemas import (
    SENSITIVE_FIELDS,
    EmployeeCreate,
    EmployeeUpdate,
    LeavingIn,
    audit_snapshot,
)
from sop_hr.ports import PageRequest, RecordPage
from sop_hr.problems import (
    AlreadyLeaving,
    BookedAfterLeaving,
    DuplicateEmployeeNumber,
    SensitiveFieldsNeedScope,
)
from sop_hr.terms import service as terms_service
from sop_hr.terms.ports import EmploymentTerms
from sop_hr.terms.service import References
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7

MINIMUM_AGE = 16  # the youngest the civil service employs


@dataclasses.dataclass(frozen=True, slots=True)
class EmployeeView:
    """An employee with the terms in force on `as_of`."""

    employee: Employee
    terms: EmploymentTerms | None
    as_of: date


def require_sensitive_scope(hr: HRContext, fields: Iterable[str]) -> None:
    """Writing a sensitive field (even clearing it) needs the scope that reading it needs."""
    touched = sorted(set(fields) & set(SENSITIVE_FIELDS))
    if touched and not hr.sees_sensitive:
        raise SensitiveFieldsNeedScope(
            f"setting {', '.join(touched)} needs the hr:sensitive scope",
            errors=[(f, "needs hr:sensitive") for f in touched],
        )


def sensitive_fields_sent(data: EmployeeCreate) -> list[str]:
    return [f for f in SENSITIVE_FIELDS if getattr(data, f) is not None]


def age_errors(date_of_birth: date | None, start_date: date) -> list[tuple[str, str]]:
    if date_of_birth is None:
        return []
    try:
        sixteenth = date_of_birth.replace(year=date_of_birth.year + MINIMUM_AGE)
    except ValueError:  # born on 29 February
        sixteenth = date(date_of_birth.year + MINIMUM_AGE, 3, 1)
    if sixteenth > start_date:
        return [("date_of_birth", f"the employee must be {MINIMUM_AGE} or over on the start date")]
    return []


async def new_employee_errors(
    hr: HRContext, data: EmployeeCreate, refs: References
) -> list[tuple[str, str]]:
    """What is wrong with a new employee beyond its fields' own formats (number uniqueness is
    checked by the caller, once for a whole import)."""
    errors = age_errors(data.date_of_birth, data.start_date)
    if data.terms is not None:
        errors += await terms_service.reference_errors(refs, data.terms, "terms.")
    return errors


def employee_from(data: EmployeeCreate) -> Employee:
    return Employee(
        id=uuid7(),
        employee_number=data.employee_number,
        first_name=data.first_name,
        last_name=data.last_name,
        work_email=data.work_email,
        user_subject=data.user_subject,
        date_of_birth=data.date_of_birth,
        national_insurance_number=data.national_insurance_number,
        home_region=data.home_region,
        start_date=data.start_date,
        payroll=data.payroll.to_domain(),
        bank_details=data.bank_details.to_domain() if data.bank_details else None,
    )


async def store_new(hr: HRContext, data: EmployeeCreate) -> EmployeeView:
    """Write a new employee that has passed every check, with its first terms."""
    employee = await hr.backend.employees.add(hr.tenant, employee_from(data))
    await hr.audit.record(
        "employee.created",
        "employee",
        employee.id,
        after=audit_snapshot(employee),
        sensitive=SENSITIVE_FIELDS,
    )
    await events.publish(hr, events.CREATED, employee)
    terms = None
    if data.terms is not None:
        terms = await terms_service.add_first(
            hr, employee_id=employee.id, starts=employee.start_date, fields=data.terms
        )
    today = hr.today()
    return EmployeeView(employee, terms if terms and terms.in_force_on(today) else None, today)


async def create(hr: HRContext, *, data: EmployeeCreate) -> EmployeeView:
    require_sensitive_scope(hr, sensitive_fields_sent(data))
    if await hr.backend.employees.numbers_in_use(hr.tenant, [data.employee_number]):
        raise DuplicateEmployeeNumber(
            f"employee number {data.employee_number} is already in use",
            errors=[("employee_number", "already in use")],
        )
    errors = await new_employee_errors(hr, data, References(hr))
    if errors:
        raise ValidationFailed("; ".join(f"{f}: {m}" for f, m in errors), errors=errors)
    return await store_new(hr, data)


async def get_employee(hr: HRContext, employee_id: uuid.UUID) -> Employee:
    employee = await hr.backend.employees.get(hr.tenant, employee_id)
    if employee is None:
        raise NotFound(f"no employee {employee_id}")
    return employee


async def view(hr: HRContext, *, employee_id: uuid.UUID, as_of: date | None) -> EmployeeView:
    employee = await get_employee(hr, employee_id)
    day = as_of or hr.today()
    terms = await terms_service.in_force(hr, employee_ids=[employee.id], day=day)
    return EmployeeView(employee, terms.get(employee.id), day)


async def list_employees(
    hr: HRContext,
    *,
    page: PageRequest,
    as_of: date | None = None,
    status: EmploymentStatus | None = None,
    org_unit_id: uuid.UUID | None = None,
    position_id: uuid.UUID | None = None,
    employee_number: str | None = None,
    updated_since: datetime | None = None,
) -> RecordPage[EmployeeView]:
    day = as_of or hr.today()
    where = EmployeeFilter(
        employee_number=employee_number,
        updated_since=updated_since,
        employed_on=day if status is EmploymentStatus.ACTIVE else None,
        starting_after=day if status is EmploymentStatus.NOT_STARTED else None,
        left_before=day if status is EmploymentStatus.LEFT else None,
        org_unit_id=org_unit_id,
        position_id=position_id,
        terms_on=day if (org_unit_id or position_id) else None,
    )
    found = await hr.backend.employees.list(hr.tenant, where, page)
    terms = await terms_service.in_force(hr, employee_ids=[e.id for e in found.items], day=day)
    return RecordPage(
        items=[EmployeeView(e, terms.get(e.id), day) for e in found.items],
        next_cursor=found.next_cursor,
    )


async def update(hr: HRContext, *, current: Employee, changes: EmployeeUpdate) -> EmployeeView:
    """Apply a PATCH to `current` (whose version the caller's If-Match was checked against)."""
    sent = changes.model_fields_set
    require_sensitive_scope(hr, sent)
    values = {name: getattr(changes, name) for name in sent - {"payroll", "bank_details"}}
    if "bank_details" in sent:
        values["bank_details"] = changes.bank_details.to_domain() if changes.bank_details else None
    if changes.payroll is not None:
        patch = {n: getattr(changes.payroll, n) for n in changes.payroll.model_fields_set}
        if "student_loan_plans" in patch:
            patch["student_loan_plans"] = tuple(patch["student_loan_plans"])
        values["payroll"] = dataclasses.replace(current.payroll, **patch)
    updated = dataclasses.replace(current, **values)
    if "employee_number" in sent and updated.employee_number != current.employee_number:
        taken = await hr.backend.employees.numbers_in_use(hr.tenant, [updated.employee_number])
        if taken:
            raise DuplicateEmployeeNumber(
                f"employee number {updated.employee_number} is already in use",
                errors=[("employee_number", "already in use")],
            )
    errors = age_errors(updated.date_of_birth, updated.start_date)
    if errors:
        raise ValidationFailed(errors[0][1], errors=errors)
    if updated != current:
        stored = await hr.backend.employees.update(hr.tenant, updated)
        await hr.audit.record(
            "employee.updated",
            "employee",
            stored.id,
            before=audit_snapshot(current),
            after=audit_snapshot(stored),
            sensitive=SENSITIVE_FIELDS,
        )
        await events.publish(hr, events.UPDATED, stored, before=current)
        updated = stored
    day = hr.today()
    terms = await terms_service.in_force(hr, employee_ids=[updated.id], day=day)
    return EmployeeView(updated, terms.get(updated.id), day)


async def end_employment(
    hr: HRContext,
    *,
    employee_id: uuid.UUID,
    leaving: LeavingIn,
    check_version: Callable[[int], None] | None = None,
) -> EmployeeView:
    """Record a leaver: the leaving date ends their terms, and nothing may be booked after it."""
    employee = await hr.backend.employees.get(hr.tenant, employee_id, for_update=True)
    if employee is None:
        raise NotFound(f"no employee {employee_id}")
    if check_version is not None:
        check_version(employee.version)
    if employee.leaving_date is not None:
        raise AlreadyLeaving(f"leaving on {employee.leaving_date} is already recorded")
    day = leaving.leaving_date
    if day < employee.start_date:
        raise ValidationFailed(
            f"the leaving date is before the start date {employee.start_date}",
            errors=[("leaving_date", f"before the start date {employee.start_date}")],
        )
    history = await hr.backend.terms.history(hr.tenant, employee_id)
    later_terms = [t for t in history if t.effective_from > day]
    booked = await hr.backend.absences.find(
        hr.tenant,
        AbsenceFilter(
            employee_id=employee_id,
            statuses=frozenset({AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED}),
            overlapping_from=day + terms_service.ONE_DAY,
        ),
    )
    if later_terms or booked:
        clashes = [f"terms change on {t.effective_from}" for t in later_terms] + [
            f"{a.status} {a.leave_type} absence {a.start_date} to {a.end_date} ({a.id})"
            for a in booked
        ]
        raise BookedAfterLeaving(
            f"cancel or correct what is booked after {day} first: " + "; ".join(clashes)
        )
    left = await hr.backend.employees.update(
        hr.tenant, dataclasses.replace(employee, leaving_date=day, leaving_reason=leaving.reason)
    )
    await hr.audit.record(
        "employee.left",
        "employee",
        left.id,
        before=audit_snapshot(employee),
        after=audit_snapshot(left),
        sensitive=SENSITIVE_FIELDS,
    )
    await events.publish(hr, events.LEFT, left, before=employee)
    for row in history:
        if row.effective_to is None or row.effective_to > day:
            ended = await hr.backend.terms.update(
                hr.tenant, dataclasses.replace(row, effective_to=day)
            )
            await hr.audit.record(
                "employment_terms.updated",
                "employment_terms",
                ended.id,
                before=terms_service.snapshot(row),
                after=terms_service.snapshot(ended),
            )
    today = hr.today()
    terms = await terms_service.in_force(hr, employee_ids=[left.id], day=today)
    return EmployeeView(left, terms.get(left.id), today)
