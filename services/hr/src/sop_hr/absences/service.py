"""Absences and leave: booking rules (employment dates, no overlaps, working days, annual
leave balance), who may decide, and entitlement per leave year pro rata to FTE."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from sop_hr.absences.ports import (
    Absence,
    AbsenceFilter,
    AbsenceStatus,
    LeaveKind,
    LeaveType,
)
from sop_hr.absences.schemas import (
    AbsenceRequestIn,
    LeaveTypeUpdate,
    absence_snapshot,
    leave_type_snapshot,
)
from sop_hr.context import HRContext
from sop_hr.employees.ports import Employee
from sop_hr.ports import HRBackend, PageRequest, RecordPage
from sop_hr.problems import (
    AfterLeavingDate,
    InvalidTransition,
    LeaveBalanceExceeded,
    OverlappingAbsence,
    OwnAbsenceDecision,
)
from sop_hr.settings import HRSettings
from sop_hr.terms.ports import EmploymentTerms
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7

ONE_DAY = timedelta(days=1)
OPEN = frozenset({AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED})  # what still books time

# (code, name, paid): what every tenant starts with.
DEFAULT_LEAVE_TYPES: tuple[tuple[LeaveKind, str, bool], ...] = (
    (LeaveKind.ANNUAL, "Annual leave", True),
    (LeaveKind.SICK, "Sickness absence", True),
    (LeaveKind.MATERNITY, "Maternity leave", True),
    (LeaveKind.PATERNITY, "Paternity leave", True),
    (LeaveKind.ADOPTION, "Adoption leave", True),
    (LeaveKind.SHARED_PARENTAL, "Shared parental leave", True),
    (LeaveKind.UNPAID, "Unpaid leave", False),
    (LeaveKind.SPECIAL, "Special leave", True),
)


async def ensure_leave_types(records: HRBackend, tenant: str, settings: HRSettings) -> None:
    """Give a tenant the default leave types it lacks (idempotent: provisioning retries)."""
    have = {t.code for t in await records.leave_types.list(tenant)}
    for kind, name, paid in DEFAULT_LEAVE_TYPES:
        if kind.value not in have:
            await records.leave_types.add(
                tenant,
                LeaveType(
                    id=uuid7(),
                    code=kind.value,
                    name=name,
                    paid=paid,
                    annual_entitlement_days=(
                        settings.annual_leave_days if kind is LeaveKind.ANNUAL else None
                    ),
                ),
            )


@dataclasses.dataclass(frozen=True, slots=True)
class LeaveYear:
    """A leave year, named by the calendar year it starts in."""

    year: int
    starts: date
    ends: date

    @classmethod
    def starting_in(cls, year: int, start_month: int) -> LeaveYear:
        starts = date(year, start_month, 1)
        return cls(year, starts, date(year + 1, start_month, 1) - ONE_DAY)

    @classmethod
    def containing(cls, day: date, start_month: int) -> LeaveYear:
        year = day.year if day.month >= start_month else day.year - 1
        return cls.starting_in(year, start_month)

    @property
    def days(self) -> int:
        return (self.ends - self.starts).days + 1


def leave_years_spanned(start: date, end: date, start_month: int) -> list[LeaveYear]:
    years = [LeaveYear.containing(start, start_month)]
    while years[-1].ends < end:
        years.append(LeaveYear.starting_in(years[-1].year + 1, start_month))
    return years


def entitlement_days(
    full_time_days: Decimal, employee: Employee, history: Sequence[EmploymentTerms], year: LeaveYear
) -> Decimal:
    """Full-time entitlement scaled by FTE, day by day over the part of the leave year the
    employee is employed, rounded up to the nearest half day."""
    employed_from = max(year.starts, employee.start_date)
    employed_to = min(year.ends, employee.leaving_date or year.ends)
    fte_days = Decimal(0)
    for terms in history:
        first = max(terms.effective_from, employed_from)
        last = min(terms.effective_to or year.ends, employed_to)
        if last >= first:
            fte_days += terms.fte * ((last - first).days + 1)
    # No intermediate rounding: a division whose exact result is a half day is exact in
    # Decimal, and anything above one (8.500048 days) rounds up to the next half day.
    exact = full_time_days * fte_days / year.days
    return (exact * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def _days_within(hr: HRContext, employee: Employee, absence: Absence, year: LeaveYear) -> int:
    first, last = max(absence.start_date, year.starts), min(absence.end_date, year.ends)
    if first == absence.start_date and last == absence.end_date:
        return absence.working_days
    return hr.calendar.working_days(employee.home_region, first, last)


@dataclasses.dataclass(frozen=True, slots=True)
class LeaveBalance:
    employee_id: uuid.UUID
    leave_type: str
    year: LeaveYear
    entitlement_days: Decimal
    approved_days: Decimal
    requested_days: Decimal

    @property
    def remaining_days(self) -> Decimal:
        return self.entitlement_days - self.approved_days - self.requested_days


async def _leave_type(hr: HRContext, code: str) -> LeaveType | None:
    return next((t for t in await hr.backend.leave_types.list(hr.tenant) if t.code == code), None)


async def _balance(
    hr: HRContext,
    employee: Employee,
    leave_type: LeaveType,
    year: LeaveYear,
    history: list[EmploymentTerms] | None = None,
) -> LeaveBalance:
    """`history`: the employee's terms, when the caller has read them already."""
    if history is None:
        history = await hr.backend.terms.history(hr.tenant, employee.id)
    booked = await hr.backend.absences.find(
        hr.tenant,
        AbsenceFilter(
            employee_id=employee.id,
            leave_type=leave_type.code,
            statuses=OPEN,
            overlapping_from=year.starts,
            overlapping_to=year.ends,
        ),
    )
    days = {AbsenceStatus.APPROVED: 0, AbsenceStatus.REQUESTED: 0}
    for absence in booked:
        days[absence.status] += _days_within(hr, employee, absence, year)
    return LeaveBalance(
        employee_id=employee.id,
        leave_type=leave_type.code,
        year=year,
        entitlement_days=entitlement_days(
            leave_type.annual_entitlement_days or Decimal(0), employee, history, year
        ),
        approved_days=Decimal(days[AbsenceStatus.APPROVED]),
        requested_days=Decimal(days[AbsenceStatus.REQUESTED]),
    )


async def _employee(hr: HRContext, employee_id: uuid.UUID, *, for_update: bool = False) -> Employee:
    employee = await hr.backend.employees.get(hr.tenant, employee_id, for_update=for_update)
    if employee is None:
        raise NotFound(f"no employee {employee_id}")
    return employee


async def leave_balance(hr: HRContext, *, employee_id: uuid.UUID, year: int | None) -> LeaveBalance:
    employee = await _employee(hr, employee_id)
    leave_type = await _leave_type(hr, LeaveKind.ANNUAL.value)
    if leave_type is None or leave_type.annual_entitlement_days is None:
        raise NotFound("this tenant has no annual leave type with an entitlement")
    start_month = hr.settings.leave_year_start_month
    leave_year = (
        LeaveYear.starting_in(year, start_month)
        if year is not None
        else LeaveYear.containing(hr.today(), start_month)
    )
    return await _balance(hr, employee, leave_type, leave_year)


async def request(hr: HRContext, *, employee_id: uuid.UUID, data: AbsenceRequestIn) -> Absence:
    """Book an absence (status requested) after every rule has passed."""
    # Held for the request: two bookings for one employee cannot both pass the overlap check.
    employee = await _employee(hr, employee_id, for_update=True)
    leave_type = await _leave_type(hr, data.leave_type)
    if leave_type is None:
        raise ValidationFailed(
            f"no leave type {data.leave_type!r}", errors=[("leave_type", "no such leave type")]
        )
    if data.start_date < employee.start_date:
        raise ValidationFailed(
            f"the employee starts on {employee.start_date}",
            errors=[("start_date", f"before the start date {employee.start_date}")],
        )
    if employee.leaving_date is not None and data.end_date > employee.leaving_date:
        raise AfterLeavingDate(
            f"the employee leaves on {employee.leaving_date}; no absence can be booked after it",
            errors=[("end_date", f"after the leaving date {employee.leaving_date}")],
        )
    working_days = hr.calendar.working_days(employee.home_region, data.start_date, data.end_date)
    if working_days == 0:
        raise ValidationFailed(
            "the absence has no working days (only weekends and bank holidays)",
            errors=[("end_date", "no working days in the span")],
        )
    clashes = await hr.backend.absences.find(
        hr.tenant,
        AbsenceFilter(
            employee_id=employee.id,
            statuses=OPEN,
            overlapping_from=data.start_date,
            overlapping_to=data.end_date,
        ),
    )
    if clashes:
        raise OverlappingAbsence(
            "overlaps "
            + "; ".join(
                f"{a.status} {a.leave_type} absence {a.start_date} to {a.end_date} ({a.id})"
                for a in clashes
            ),
            clashes=[
                {
                    "id": str(a.id),
                    "leave_type": a.leave_type,
                    "start_date": a.start_date.isoformat(),
                    "end_date": a.end_date.isoformat(),
                    "status": a.status.value,
                }
                for a in clashes
            ],
        )
    absence = Absence(
        id=uuid7(),
        employee_id=employee.id,
        leave_type=leave_type.code,
        start_date=data.start_date,
        end_date=data.end_date,
        working_days=working_days,
        status=AbsenceStatus.REQUESTED,
        requested_by=hr.principal.subject,
        reason=data.reason,
    )
    if leave_type.annual_entitlement_days is not None:
        start_month = hr.settings.leave_year_start_month
        # One read of the terms serves every leave year the absence spans.
        history = await hr.backend.terms.history(hr.tenant, employee.id)
        for year in leave_years_spanned(data.start_date, data.end_date, start_month):
            balance = await _balance(hr, employee, leave_type, year, history)
            wanted = _days_within(hr, employee, absence, year)
            if wanted > balance.remaining_days:
                raise LeaveBalanceExceeded(
                    f"{wanted} days asked in leave year {year.year} but "
                    f"{balance.remaining_days} left of {balance.entitlement_days}",
                    errors=[("end_date", "more days than the balance left")],
                )
    stored = await hr.backend.absences.add(hr.tenant, absence)
    await hr.audit.record("absence.requested", "absence", stored.id, after=absence_snapshot(stored))
    return stored


async def get(hr: HRContext, *, absence_id: uuid.UUID, for_update: bool = False) -> Absence:
    absence = await hr.backend.absences.get(hr.tenant, absence_id, for_update=for_update)
    if absence is None:
        raise NotFound(f"no absence {absence_id}")
    return absence


def _to_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def _move(
    hr: HRContext,
    absence: Absence,
    to: AbsenceStatus,
    note: str | None,
    action: str,
) -> Absence:
    moved = dataclasses.replace(
        absence,
        status=to,
        decided_by=hr.principal.subject,
        # To the millisecond: what every system of record HR binds keeps, so the time reads
        # back the same whichever holds it (and after a supplier switch).
        decided_at=_to_millisecond(hr.clock.now()),
        decision_note=note,
    )
    stored = await hr.backend.absences.update(hr.tenant, moved)
    await hr.audit.record(
        action,
        "absence",
        stored.id,
        before=absence_snapshot(absence),
        after=absence_snapshot(stored),
    )
    return stored


async def decide(
    hr: HRContext,
    *,
    absence_id: uuid.UUID,
    approve: bool,
    note: str | None,
    check_version: Callable[[int], None] | None = None,
) -> Absence:
    """Approve or reject a requested absence; nobody decides their own."""
    absence = await get(hr, absence_id=absence_id, for_update=True)
    if check_version is not None:
        check_version(absence.version)
    verb = "approve" if approve else "reject"
    if absence.status is not AbsenceStatus.REQUESTED:
        raise InvalidTransition(f"cannot {verb} an absence that is {absence.status}")
    employee = await _employee(hr, absence.employee_id)
    if employee.user_subject is not None and employee.user_subject == hr.principal.subject:
        raise OwnAbsenceDecision(f"you cannot {verb} your own absence; ask another approver")
    to = AbsenceStatus.APPROVED if approve else AbsenceStatus.REJECTED
    return await _move(hr, absence, to, note, f"absence.{to.value}")


async def cancel(
    hr: HRContext,
    *,
    absence_id: uuid.UUID,
    note: str | None,
    check_version: Callable[[int], None] | None = None,
) -> Absence:
    absence = await get(hr, absence_id=absence_id, for_update=True)
    if check_version is not None:
        check_version(absence.version)
    if absence.status not in OPEN:
        raise InvalidTransition(f"cannot cancel an absence that is {absence.status}")
    return await _move(hr, absence, AbsenceStatus.CANCELLED, note, "absence.cancelled")


async def list_absences(
    hr: HRContext,
    *,
    page: PageRequest,
    employee_id: uuid.UUID | None = None,
    status: AbsenceStatus | None = None,
    leave_type: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    updated_since: datetime | None = None,
) -> RecordPage[Absence]:
    where = AbsenceFilter(
        employee_id=employee_id,
        leave_type=leave_type,
        statuses=frozenset({status}) if status else None,
        overlapping_from=from_,
        overlapping_to=to,
        updated_since=updated_since,
    )
    return await hr.backend.absences.list(hr.tenant, where, page)


async def list_for_employee(
    hr: HRContext,
    *,
    employee_id: uuid.UUID,
    page: PageRequest,
    status: AbsenceStatus | None = None,
    leave_type: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    updated_since: datetime | None = None,
) -> RecordPage[Absence]:
    await _employee(hr, employee_id)
    return await list_absences(
        hr,
        page=page,
        employee_id=employee_id,
        status=status,
        leave_type=leave_type,
        from_=from_,
        to=to,
        updated_since=updated_since,
    )


async def leave_types(hr: HRContext) -> list[LeaveType]:
    return await hr.backend.leave_types.list(hr.tenant)


async def update_leave_type(
    hr: HRContext, *, code: str, changes: LeaveTypeUpdate, check_version: Callable[[int], None]
) -> LeaveType:
    current = await _leave_type(hr, code)
    if current is None:
        raise NotFound(f"no leave type {code}")
    check_version(current.version)
    updated = dataclasses.replace(
        current, **{name: getattr(changes, name) for name in changes.model_fields_set}
    )
    if updated == current:
        return current
    stored = await hr.backend.leave_types.update(hr.tenant, updated)
    await hr.audit.record(
        "leave_type.updated",
        "leave_type",
        stored.id,
        before=leave_type_snapshot(current),
        after=leave_type_snapshot(stored),
    )
    return stored
