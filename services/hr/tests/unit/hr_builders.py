"""Records the unit tests start from, made through HR's own services (so they pass its rules):
org units, positions, employees with their first terms, terms changes and absences."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from sop_hr.absences import service as absences
from sop_hr.absences.ports import Absence
from sop_hr.absences.schemas import AbsenceRequestIn
from sop_hr.context import HRContext
from sop_hr.employees import service as employees
from sop_hr.employees.ports import Employee
from sop_hr.employees.schemas import EmployeeCreate
from sop_hr.org_units import service as org_units
from sop_hr.org_units.ports import OrgUnit
from sop_hr.org_units.schemas import OrgUnitCreate
from sop_hr.positions import service as positions
from sop_hr.positions.ports import Position
from sop_hr.positions.schemas import PositionCreate
from sop_hr.terms import service as terms
from sop_hr.terms.ports import EmploymentTerms, Grade
from sop_hr.terms.schemas import TermsChangeIn

_numbers = itertools.count(1)


async def org_unit(
    hr: HRContext, code: str | None = None, *, parent: OrgUnit | None = None
) -> OrgUnit:
    code = code or f"OU{next(_numbers)}"
    return await org_units.create(
        hr,
        data=OrgUnitCreate(
            code=code,
            name=f"Unit {code}",
            cost_centre=f"CC{code}",
            parent_id=parent.id if parent else None,
        ),
    )


async def position(
    hr: HRContext, unit: OrgUnit, *, code: str | None = None, budgeted_fte: str = "1"
) -> Position:
    return await positions.create(
        hr,
        data=PositionCreate(
            code=code or f"P{next(_numbers)}",
            title="Policy adviser",
            grade=Grade.HEO,
            org_unit_id=unit.id,
            budgeted_fte=Decimal(budgeted_fte),
        ),
    )


def terms_fields(unit: OrgUnit, **fields: Any) -> dict[str, Any]:
    """The body of a terms row in `unit`: full time HEO, monthly, permanent, unless told."""
    return {
        "org_unit_id": unit.id,
        "grade": "HEO",
        "fte": "1",
        "annual_salary": "36000.00",
        "pay_frequency": "monthly",
        "contract_type": "permanent",
        **fields,
    }


def employee_fields(**fields: Any) -> dict[str, Any]:
    return {
        "employee_number": f"E{next(_numbers):05d}",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "home_region": "england",
        "start_date": date(2024, 1, 1),
        **fields,
    }


async def employee(
    hr: HRContext,
    *,
    unit: OrgUnit | None = None,
    fte: str = "1",
    with_terms: bool = True,
    **fields: Any,
) -> Employee:
    """An employee created through the service; unless `with_terms` is False, starting on
    terms in `unit` (a new org unit if none) at `fte`."""
    body = employee_fields(**fields)
    if with_terms:
        unit = unit or await org_unit(hr)
        body["terms"] = terms_fields(unit, fte=fte)
    created = await employees.create(hr, data=EmployeeCreate.model_validate(body))
    return created.employee


async def change_terms(
    hr: HRContext, who: Employee, effective_from: date, unit: OrgUnit, **fields: Any
) -> EmploymentTerms:
    change = TermsChangeIn.model_validate(
        {"effective_from": effective_from, **terms_fields(unit, **fields)}
    )
    return await terms.change(hr, employee_id=who.id, change=change)


async def book(
    hr: HRContext,
    who: Employee,
    start: date,
    end: date,
    leave_type: str = "annual",
    reason: str | None = None,
) -> Absence:
    data = AbsenceRequestIn(leave_type=leave_type, start_date=start, end_date=end, reason=reason)
    return await absences.request(hr, employee_id=who.id, data=data)


async def fresh(hr: HRContext, who: Employee) -> Employee:
    """The employee as the backend holds it now."""
    return await employees.get_employee(hr, who.id)
