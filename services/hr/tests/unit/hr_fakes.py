"""In-memory fakes of HR's ports (one per Protocol, over tenant-keyed dicts, with the native
adapter's semantics) and `context()`, an `HRContext` built on them for unit tests."""

from __future__ import annotations

import builtins
import dataclasses
import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar, cast

from sop_hr.absences.ports import (
    Absence,
    AbsenceFilter,
    AbsenceRecords,
    LeaveType,
    LeaveTypeRecords,
)
from sop_hr.absences.service import ensure_leave_types
from sop_hr.context import HRContext
from sop_hr.employees.ports import Employee, EmployeeFilter, EmployeeRecords
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter, OrgUnitRecords
from sop_hr.ports import (
    HRBackend,
    InvalidCursor,
    PageRequest,
    RecordGone,
    RecordPage,
    StaleRecord,
)
from sop_hr.positions.ports import Position, PositionFilter, PositionRecords
from sop_hr.settings import HRSettings
from sop_hr.terms.ports import EmploymentTerms, TermsRecords
from sop_shared.audit import MemoryAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import UK, Clock, FixedClock
from sop_shared.context import Principal
from sop_shared.errors import Conflict, ValidationFailed
from sop_shared.events import Event, MemoryOutbox
from sop_shared.pagination import decode_cursor, encode_cursor

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ALL_SCOPES = frozenset({"hr:read", "hr:write", "hr:sensitive"})
WITHOUT_SENSITIVE = frozenset({"hr:read", "hr:write"})
TODAY = date(2026, 1, 15)

# The kernel's calendar, read once: every context shares it (it is immutable).
CALENDAR = WorkingCalendar.load()


class _Record(Protocol):
    """What every stored record has: an id HR gave it and the version the store keeps."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def version(self) -> int: ...

    @property
    def updated_at(self) -> datetime | None: ...


R = TypeVar("R", bound=_Record)


class FakeStore:
    """The fakes' "database": one clock for created_at/updated_at, and each record kind's rows
    by tenant and id. The fakes are ports over it, as the native adapter's are over a session,
    so one port can answer a question about another's rows (employees by the terms in force)
    and check the references the native tables' foreign keys check."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.employees: _Table[Employee] = _Table("employees", clock)
        self.terms: _Table[EmploymentTerms] = _Table("employment_terms", clock)
        self.org_units: _Table[OrgUnit] = _Table("org_units", clock)
        self.positions: _Table[Position] = _Table("positions", clock)
        self.leave_types: _Table[LeaveType] = _Table("leave_types", clock)
        self.absences: _Table[Absence] = _Table("absences", clock)


class _Table(Generic[R]):
    """Rows of one kind by tenant, with the native tables' version and timestamp rules."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self._clock = clock
        self._by_tenant: dict[str, dict[uuid.UUID, R]] = {}

    def rows(self, tenant: str) -> dict[uuid.UUID, R]:
        if not tenant:
            raise PermissionError("a repository needs the current tenant")
        return self._by_tenant.setdefault(tenant, {})

    def ordered(self, tenant: str) -> builtins.list[R]:
        """Every row of the tenant in id order (ids are UUIDv7: creation order)."""
        return sorted(self.rows(tenant).values(), key=lambda r: r.id)

    def get(self, tenant: str, row_id: uuid.UUID) -> R | None:
        return self.rows(tenant).get(row_id)

    def insert(self, tenant: str, record: R) -> R:
        """A new row at version 1, stamped now (whatever version the caller passed)."""
        if any(record.id in rows for rows in self._by_tenant.values()):
            raise Conflict(f"{self.name} {record.id} already exists")
        now = self._clock.now()
        stored = _replace(record, version=1, created_at=now, updated_at=now)
        self.rows(tenant)[record.id] = stored
        return stored

    def replace(self, tenant: str, record: R) -> R:
        """Overwrite a row still at `record.version`; the version bumps and updated_at moves
        even when no field changed (the native adapter touches the row either way)."""
        current = self.rows(tenant).get(record.id)
        if current is None:
            raise RecordGone(f"{self.name} {record.id} no longer exists")
        if current.version != record.version:
            raise StaleRecord(
                f"the record is at version {current.version}, not {record.version}; read it again"
            )
        stored = _replace(
            record,
            version=current.version + 1,
            created_at=cast(Any, current).created_at,
            updated_at=self._clock.now(),
        )
        self.rows(tenant)[record.id] = stored
        return stored

    def page(self, tenant: str, keep: Callable[[R], bool], page: PageRequest) -> RecordPage[R]:
        """One page in id order after the cursor, as the native adapter's keyset pages."""
        after: uuid.UUID | None = None
        if page.cursor:
            try:
                after = decode_cursor(page.cursor)
            except ValidationFailed:
                raise InvalidCursor() from None
        matching = [r for r in self.ordered(tenant) if keep(r) and (after is None or r.id > after)]
        items = matching[: page.limit]
        more = len(matching) > page.limit
        return RecordPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)

    def unique(self, tenant: str, record: R, field: str) -> None:
        """Refuse a second row with the same value of `field` in the tenant (a unique
        constraint: the native adapter's IntegrityError is a generic 409)."""
        value = getattr(record, field)
        for other in self.rows(tenant).values():
            if other.id != record.id and getattr(other, field) == value:
                raise Conflict(f"{self.name}.{field} {value!r} is already in use")


def _replace(record: R, **changes: Any) -> R:
    return cast(R, dataclasses.replace(cast(Any, record), **changes))


def _since(record: _Record, since: datetime | None) -> bool:
    return since is None or (record.updated_at is not None and record.updated_at >= since)


def _references(store_table: _Table[Any], tenant: str, row_id: uuid.UUID | None, what: str) -> None:
    """A foreign key: the row must exist (in the same tenant; nothing crosses tenants)."""
    if row_id is not None and store_table.get(tenant, row_id) is None:
        raise Conflict(f"{what} {row_id} does not exist")


class FakeEmployees:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.employees

    async def get(
        self, tenant: str, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> Employee | None:
        return self._table.get(tenant, employee_id)

    async def numbers_in_use(self, tenant: str, employee_numbers: Collection[str]) -> set[str]:
        wanted = set(employee_numbers)
        return {e.employee_number for e in self._table.rows(tenant).values()} & wanted

    async def list(
        self, tenant: str, where: EmployeeFilter, page: PageRequest
    ) -> RecordPage[Employee]:
        if (where.org_unit_id is not None or where.position_id is not None) and (
            where.terms_on is None
        ):
            raise ValueError("terms_on is required with org_unit_id or position_id")
        terms = self.store.terms.rows(tenant).values()

        def placed(e: Employee) -> bool:
            if where.org_unit_id is None and where.position_id is None:
                return True
            assert where.terms_on is not None
            return any(
                t.employee_id == e.id
                and t.in_force_on(where.terms_on)
                and (where.org_unit_id is None or t.org_unit_id == where.org_unit_id)
                and (where.position_id is None or t.position_id == where.position_id)
                for t in terms
            )

        def keep(e: Employee) -> bool:
            on, after, before = where.employed_on, where.starting_after, where.left_before
            return (
                (where.employee_number is None or e.employee_number == where.employee_number)
                and _since(e, where.updated_since)
                and (
                    on is None
                    or (e.start_date <= on and (e.leaving_date is None or e.leaving_date >= on))
                )
                and (after is None or e.start_date > after)
                and (before is None or (e.leaving_date is not None and e.leaving_date < before))
                and placed(e)
            )

        return self._table.page(tenant, keep, page)

    async def add(self, tenant: str, employee: Employee) -> Employee:
        self._table.unique(tenant, employee, "employee_number")
        return self._table.insert(tenant, employee)

    async def update(self, tenant: str, employee: Employee) -> Employee:
        self._table.unique(tenant, employee, "employee_number")
        return self._table.replace(tenant, employee)


class FakeTerms:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.terms

    async def history(self, tenant: str, employee_id: uuid.UUID) -> list[EmploymentTerms]:
        rows = [t for t in self._table.rows(tenant).values() if t.employee_id == employee_id]
        return sorted(rows, key=lambda t: t.effective_from)

    async def get(self, tenant: str, terms_id: uuid.UUID) -> EmploymentTerms | None:
        return self._table.get(tenant, terms_id)

    async def in_force(
        self,
        tenant: str,
        on: date,
        *,
        employee_ids: Collection[uuid.UUID] | None = None,
        position_ids: Collection[uuid.UUID] | None = None,
    ) -> list[EmploymentTerms]:
        return [
            t
            for t in self._table.ordered(tenant)
            if t.in_force_on(on)
            and (employee_ids is None or t.employee_id in employee_ids)
            and (position_ids is None or t.position_id in position_ids)
        ]

    def _check(self, tenant: str, terms: EmploymentTerms) -> None:
        """The native table's constraints: one row per employee and day, 0 < fte <= 1, dates
        in order, and the employee, org unit and position it names exist."""
        for other in self._table.rows(tenant).values():
            if (
                other.id != terms.id
                and other.employee_id == terms.employee_id
                and other.effective_from == terms.effective_from
            ):
                raise Conflict(f"terms already change on {terms.effective_from}")
        if not Decimal(0) < terms.fte <= Decimal(1):
            raise Conflict(f"fte {terms.fte} is outside 0 < fte <= 1")
        if terms.effective_to is not None and terms.effective_to < terms.effective_from:
            raise Conflict(f"terms end {terms.effective_to} before they start")
        _references(self.store.employees, tenant, terms.employee_id, "employee")
        _references(self.store.org_units, tenant, terms.org_unit_id, "org unit")
        _references(self.store.positions, tenant, terms.position_id, "position")

    async def add(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        self._check(tenant, terms)
        return self._table.insert(tenant, terms)

    async def update(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        if self._table.get(tenant, terms.id) is not None:
            self._check(tenant, terms)
        return self._table.replace(tenant, terms)


class FakeOrgUnits:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.org_units

    async def get(self, tenant: str, org_unit_id: uuid.UUID) -> OrgUnit | None:
        return self._table.get(tenant, org_unit_id)

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, OrgUnit]:
        wanted = set(codes)
        return {u.code: u for u in self._table.rows(tenant).values() if u.code in wanted}

    async def list(
        self, tenant: str, where: OrgUnitFilter, page: PageRequest
    ) -> RecordPage[OrgUnit]:
        ids = set(where.ids) if where.ids is not None else None

        def keep(u: OrgUnit) -> bool:
            return (
                (where.code is None or u.code == where.code)
                and (where.parent_id is None or u.parent_id == where.parent_id)
                and (ids is None or u.id in ids)
                and _since(u, where.updated_since)
            )

        return self._table.page(tenant, keep, page)

    async def hierarchy(self, tenant: str) -> dict[uuid.UUID, uuid.UUID | None]:
        return {u.id: u.parent_id for u in self._table.rows(tenant).values()}

    async def add(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        self._table.unique(tenant, unit, "code")
        _references(self._table, tenant, unit.parent_id, "parent org unit")
        return self._table.insert(tenant, unit)

    async def update(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        self._table.unique(tenant, unit, "code")
        _references(self._table, tenant, unit.parent_id, "parent org unit")
        return self._table.replace(tenant, unit)


class FakePositions:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.positions

    async def get(self, tenant: str, position_id: uuid.UUID) -> Position | None:
        return self._table.get(tenant, position_id)

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, Position]:
        wanted = set(codes)
        return {p.code: p for p in self._table.rows(tenant).values() if p.code in wanted}

    async def list(
        self, tenant: str, where: PositionFilter, page: PageRequest
    ) -> RecordPage[Position]:
        def keep(p: Position) -> bool:
            return (
                (where.code is None or p.code == where.code)
                and (where.org_unit_id is None or p.org_unit_id == where.org_unit_id)
                and _since(p, where.updated_since)
            )

        return self._table.page(tenant, keep, page)

    def _check(self, tenant: str, position: Position) -> None:
        self._table.unique(tenant, position, "code")
        if position.budgeted_fte <= 0:
            raise Conflict("budgeted_fte must be positive")
        _references(self.store.org_units, tenant, position.org_unit_id, "org unit")

    async def add(self, tenant: str, position: Position) -> Position:
        self._check(tenant, position)
        return self._table.insert(tenant, position)

    async def update(self, tenant: str, position: Position) -> Position:
        self._check(tenant, position)
        return self._table.replace(tenant, position)


class FakeLeaveTypes:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.leave_types

    async def list(self, tenant: str) -> builtins.list[LeaveType]:
        return sorted(self._table.rows(tenant).values(), key=lambda t: t.code)

    async def add(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        self._table.unique(tenant, leave_type, "code")
        return self._table.insert(tenant, leave_type)

    async def update(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        self._table.unique(tenant, leave_type, "code")
        return self._table.replace(tenant, leave_type)


class FakeAbsences:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._table = store.absences

    @staticmethod
    def _matches(where: AbsenceFilter) -> Callable[[Absence], bool]:
        def keep(a: Absence) -> bool:
            return (
                (where.employee_id is None or a.employee_id == where.employee_id)
                and (where.leave_type is None or a.leave_type == where.leave_type)
                and (where.statuses is None or a.status in where.statuses)
                and (where.overlapping_from is None or a.end_date >= where.overlapping_from)
                and (where.overlapping_to is None or a.start_date <= where.overlapping_to)
                and _since(a, where.updated_since)
            )

        return keep

    async def get(
        self, tenant: str, absence_id: uuid.UUID, *, for_update: bool = False
    ) -> Absence | None:
        return self._table.get(tenant, absence_id)

    async def list(
        self, tenant: str, where: AbsenceFilter, page: PageRequest
    ) -> RecordPage[Absence]:
        return self._table.page(tenant, self._matches(where), page)

    async def find(self, tenant: str, where: AbsenceFilter) -> builtins.list[Absence]:
        keep = self._matches(where)
        found = [a for a in self._table.ordered(tenant) if keep(a)]
        return sorted(found, key=lambda a: a.start_date)

    def _check(self, tenant: str, absence: Absence) -> None:
        if absence.end_date < absence.start_date:
            raise Conflict("an absence cannot end before it starts")
        _references(self.store.employees, tenant, absence.employee_id, "employee")

    async def add(self, tenant: str, absence: Absence) -> Absence:
        self._check(tenant, absence)
        return self._table.insert(tenant, absence)

    async def update(self, tenant: str, absence: Absence) -> Absence:
        self._check(tenant, absence)
        return self._table.replace(tenant, absence)


# mypy checks that each fake satisfies its port (`mypy services/hr/tests/unit`).
_store = FakeStore(FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
_employees: EmployeeRecords = FakeEmployees(_store)
_terms: TermsRecords = FakeTerms(_store)
_org_units: OrgUnitRecords = FakeOrgUnits(_store)
_positions: PositionRecords = FakePositions(_store)
_leave_types: LeaveTypeRecords = FakeLeaveTypes(_store)
_absences: AbsenceRecords = FakeAbsences(_store)


def fake_backend(clock: Clock | None = None) -> HRBackend:
    """Every port over one new, empty store (stamping records with `clock`'s time)."""
    store = FakeStore(clock or FixedClock(datetime.combine(TODAY, time(9), tzinfo=UK)))
    return HRBackend(
        employees=FakeEmployees(store),
        terms=FakeTerms(store),
        org_units=FakeOrgUnits(store),
        positions=FakePositions(store),
        leave_types=FakeLeaveTypes(store),
        absences=FakeAbsences(store),
    )


def settings(**overrides: Any) -> HRSettings:
    """HR's settings for tests, pinned so SOP_HR_* in the environment cannot move them."""
    values: dict[str, Any] = {
        "env": "test",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "annual_leave_days": Decimal(25),
        "leave_year_start_month": 1,
        "import_max_rows": 5000,
        **overrides,
    }
    return HRSettings(**values)


def context(
    *,
    tenant: str = TENANT,
    scopes: Iterable[str] = ALL_SCOPES,
    subject: str = "hr-officer",
    today: date = TODAY,
    clock: FixedClock | None = None,
    backend: HRBackend | None = None,
    audit: MemoryAuditTrail | None = None,
    hr_settings: HRSettings | None = None,
) -> HRContext:
    """An HR context over fakes: a caller of `tenant` with `scopes`, at 09:00 UK time on
    `today` (or `clock`), on a new empty backend unless one is given."""
    clock = clock or FixedClock(datetime.combine(today, time(9), tzinfo=UK))
    principal = Principal(
        subject=subject,
        client_id="unit-tests",
        tenant=tenant,
        cluster="matrix",
        scopes=frozenset(scopes),
    )
    return HRContext(
        principal=principal,
        backend=backend or fake_backend(clock),
        audit=MemoryAuditTrail(principal, audit.events if audit else []),
        events=MemoryOutbox(principal, "hr", clock=clock),
        clock=clock,
        calendar=CALENDAR,
        settings=hr_settings or settings(),
    )


def as_(
    hr: HRContext,
    *,
    tenant: str | None = None,
    scopes: Iterable[str] | None = None,
    subject: str | None = None,
) -> HRContext:
    """Another caller of the same backend, audit log, clock and settings."""
    principal = dataclasses.replace(
        hr.principal,
        tenant=tenant if tenant is not None else hr.principal.tenant,
        scopes=frozenset(scopes) if scopes is not None else hr.principal.scopes,
        subject=subject if subject is not None else hr.principal.subject,
    )
    # The same log and outbox, recording as the new caller.
    audit = MemoryAuditTrail(principal, audit_log(hr).events)
    outbox = MemoryOutbox(principal, "hr", clock=hr.clock)
    outbox.events = published(hr)
    return dataclasses.replace(hr, principal=principal, audit=audit, events=outbox)


def published(hr: HRContext) -> builtins.list[Event]:
    """The events published through `hr`'s outbox, in order."""
    assert isinstance(hr.events, MemoryOutbox), "not a context built by hr_fakes.context()"
    return hr.events.events


def audit_log(hr: HRContext) -> MemoryAuditTrail:
    assert isinstance(hr.audit, MemoryAuditTrail), "not a context built by hr_fakes.context()"
    return hr.audit


def actions(hr: HRContext, resource_id: uuid.UUID | None = None) -> builtins.list[str]:
    """The audit actions recorded through `hr`'s log (for one resource if given), in order."""
    return [
        e.action
        for e in audit_log(hr).events
        if resource_id is None or e.resource_id == str(resource_id)
    ]


async def provisioned(hr: HRContext) -> HRContext:
    """`hr` after its tenant is onboarded: the default leave types, as app.py provisions."""
    await ensure_leave_types(hr.backend, hr.tenant, hr.settings)
    return hr
