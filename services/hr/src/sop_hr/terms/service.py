"""Effective-dated employment terms: where a change sits in the history (and how its
neighbours' end dates move), what it may refer to, and when it may start."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Sequence
from datetime import date, timedelta

from sop_hr.context import HRContext
from sop_hr.org_units.ports import OrgUnit
from sop_hr.positions.ports import Position
from sop_hr.problems import AfterLeavingDate, TermsDateTaken
from sop_hr.terms.ports import EmploymentTerms
from sop_hr.terms.schemas import TermsChangeIn, TermsFields, terms_out
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7

ONE_DAY = timedelta(days=1)


class References:
    """Org units and positions looked up at most once per request (an import checks
    thousands of rows that mostly name the same few)."""

    def __init__(self, hr: HRContext) -> None:
        self.hr = hr
        self._units: dict[uuid.UUID, OrgUnit | None] = {}
        self._positions: dict[uuid.UUID, Position | None] = {}

    def know(self, units: Collection[OrgUnit] = (), positions: Collection[Position] = ()) -> None:
        self._units.update((u.id, u) for u in units)
        self._positions.update((p.id, p) for p in positions)

    async def org_unit(self, org_unit_id: uuid.UUID) -> OrgUnit | None:
        if org_unit_id not in self._units:
            self._units[org_unit_id] = await self.hr.backend.org_units.get(
                self.hr.tenant, org_unit_id
            )
        return self._units[org_unit_id]

    async def position(self, position_id: uuid.UUID) -> Position | None:
        if position_id not in self._positions:
            self._positions[position_id] = await self.hr.backend.positions.get(
                self.hr.tenant, position_id
            )
        return self._positions[position_id]


async def reference_errors(
    refs: References, fields: TermsFields, prefix: str = ""
) -> list[tuple[str, str]]:
    """The org unit and position must exist, and the position must sit in that org unit."""
    errors: list[tuple[str, str]] = []
    unit = await refs.org_unit(fields.org_unit_id)
    if unit is None:
        errors.append((f"{prefix}org_unit_id", "no such org unit"))
    if fields.position_id is not None:
        position = await refs.position(fields.position_id)
        if position is None:
            errors.append((f"{prefix}position_id", "no such position"))
        elif unit is not None and position.org_unit_id != unit.id:
            errors.append(
                (f"{prefix}position_id", f"position {position.code} is in another org unit")
            )
    return errors


def terms_from(
    employee_id: uuid.UUID, effective_from: date, fields: TermsFields
) -> EmploymentTerms:
    return EmploymentTerms(
        id=uuid7(),
        employee_id=employee_id,
        effective_from=effective_from,
        org_unit_id=fields.org_unit_id,
        position_id=fields.position_id,
        grade=fields.grade,
        fte=fields.fte,
        annual_salary=fields.annual_salary,
        pay_frequency=fields.pay_frequency,
        contract_type=fields.contract_type,
    )


def in_force_on(history: Sequence[EmploymentTerms], day: date) -> EmploymentTerms | None:
    return next((t for t in history if t.in_force_on(day)), None)


def place_in_history(
    history: Sequence[EmploymentTerms], change: EmploymentTerms, *, employment_ends: date | None
) -> tuple[EmploymentTerms, list[EmploymentTerms]]:
    """Insert `change` into `history`: it runs until the day before the next change (or to the
    end of employment), and the change before it now ends the day before it starts. Returns
    the change with its end date and the earlier row whose end date moved, if any."""
    if any(t.effective_from == change.effective_from for t in history):
        raise TermsDateTaken(
            f"the terms already change on {change.effective_from}; date this change "
            "differently or correct that row"
        )
    ordered = sorted(history, key=lambda t: t.effective_from)
    earlier = [t for t in ordered if t.effective_from < change.effective_from]
    later = [t for t in ordered if t.effective_from > change.effective_from]
    ends = later[0].effective_from - ONE_DAY if later else employment_ends
    moved: list[EmploymentTerms] = []
    if earlier:
        previous = earlier[-1]
        previous_end = change.effective_from - ONE_DAY
        if previous.effective_to != previous_end:
            moved.append(dataclasses.replace(previous, effective_to=previous_end))
    return dataclasses.replace(change, effective_to=ends), moved


def snapshot(t: EmploymentTerms) -> dict[str, object]:
    return terms_out(t).model_dump(mode="json", exclude={"created_at", "updated_at"})


async def history(hr: HRContext, *, employee_id: uuid.UUID) -> list[EmploymentTerms]:
    if await hr.backend.employees.get(hr.tenant, employee_id) is None:
        raise NotFound(f"no employee {employee_id}")
    return await hr.backend.terms.history(hr.tenant, employee_id)


async def get(hr: HRContext, *, employee_id: uuid.UUID, terms_id: uuid.UUID) -> EmploymentTerms:
    terms = await hr.backend.terms.get(hr.tenant, terms_id)
    if terms is None or terms.employee_id != employee_id:
        raise NotFound(f"no terms {terms_id} for employee {employee_id}")
    return terms


async def in_force(
    hr: HRContext, *, employee_ids: Collection[uuid.UUID], day: date
) -> dict[uuid.UUID, EmploymentTerms]:
    rows = await hr.backend.terms.in_force(hr.tenant, day, employee_ids=employee_ids)
    return {t.employee_id: t for t in rows}


async def add_first(
    hr: HRContext, *, employee_id: uuid.UUID, starts: date, fields: TermsFields
) -> EmploymentTerms:
    """The terms a new employee starts on (checked by the caller)."""
    added = await hr.backend.terms.add(hr.tenant, terms_from(employee_id, starts, fields))
    await hr.audit.record(
        "employment_terms.created", "employment_terms", added.id, after=snapshot(added)
    )
    return added


async def change(
    hr: HRContext, *, employee_id: uuid.UUID, change: TermsChangeIn
) -> EmploymentTerms:
    """Book a change of terms from `change.effective_from`, back-dated or future-dated."""
    employees = hr.backend.employees
    # Held for the request, so two changes to one history cannot interleave.
    employee = await employees.get(hr.tenant, employee_id, for_update=True)
    if employee is None:
        raise NotFound(f"no employee {employee_id}")
    if change.effective_from < employee.start_date:
        raise ValidationFailed(
            f"terms cannot start before the employee's start date {employee.start_date}",
            errors=[("effective_from", f"before the start date {employee.start_date}")],
        )
    if employee.leaving_date is not None and change.effective_from > employee.leaving_date:
        raise AfterLeavingDate(
            f"the employee leaves on {employee.leaving_date}; no terms can start after that",
            errors=[("effective_from", f"after the leaving date {employee.leaving_date}")],
        )
    errors = await reference_errors(References(hr), change)
    if errors:
        raise ValidationFailed("; ".join(f"{f}: {m}" for f, m in errors), errors=errors)
    current = await hr.backend.terms.history(hr.tenant, employee_id)
    new, moved = place_in_history(
        current,
        terms_from(employee_id, change.effective_from, change),
        employment_ends=employee.leaving_date,
    )
    before = {t.id: t for t in current}
    for row in moved:
        stored = await hr.backend.terms.update(hr.tenant, row)
        await hr.audit.record(
            "employment_terms.updated",
            "employment_terms",
            stored.id,
            before=snapshot(before[row.id]),
            after=snapshot(stored),
        )
    added = await hr.backend.terms.add(hr.tenant, new)
    await hr.audit.record(
        "employment_terms.created", "employment_terms", added.id, after=snapshot(added)
    )
    # The employee's representation (its current terms) changed: new version, new ETag.
    await employees.update(hr.tenant, employee)
    return added
