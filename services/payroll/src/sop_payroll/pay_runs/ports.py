"""Pay runs as payroll keeps them, and the ports a run needs: its records, HR (the people and
their terms), finance (the journal and the net-pay BACS batch) and the work queue the
calculation is chunked onto."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from sop_shared.pagination import PageRequest, RecordPage


class RunState(StrEnum):
    CALCULATING = "calculating"
    CALCULATED = "calculated"  # in review: exceptions resolved or held, then approved
    APPROVED = "approved"
    FINALISING = "finalising"
    FINALISED = "finalised"  # never changes again: corrections go in a later period
    CANCELLED = "cancelled"
    REVERSING = "reversing"
    REVERSED = "reversed"  # reversed before payment: money withdrawn, journal mirrored
    FAILED = "failed"  # the calculation could not finish (see `error`); recalculate


OPEN_STATES = frozenset(
    {
        RunState.CALCULATING,
        RunState.CALCULATED,
        RunState.APPROVED,
        RunState.FINALISING,
        RunState.FINALISED,
        RunState.FAILED,
    }
)


@dataclass(frozen=True, slots=True)
class RunPeriod:
    """The pay period a run pays: its days, its dates and its PAYE period."""

    tax_year: str  # "2026-27"
    number: int  # the group's period number in the tax year (1..12, 1..52/53, ...)
    start: date
    end: date
    pay_date: date  # contractual: reported on the FPS
    payment_date: date  # when the money arrives (moved earlier over non-working days)
    tax_period: int  # what the engine takes as `period`
    week_or_month_number: int  # MonthNo / WeekNo on the FPS
    week53_basis: bool = False  # week 53/54/56: non-cumulative on the week-1 basis


@dataclass(frozen=True, slots=True)
class RunTotals:
    gross: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    employee_ni: Decimal = Decimal("0.00")
    employer_ni: Decimal = Decimal("0.00")
    student_loan: Decimal = Decimal("0.00")
    postgraduate_loan: Decimal = Decimal("0.00")
    employee_pension: Decimal = Decimal("0.00")
    employer_pension: Decimal = Decimal("0.00")
    other_deductions: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PayRun:
    id: uuid.UUID
    pay_group_id: uuid.UUID
    pay_group_code: str
    period: RunPeriod
    state: RunState
    started_by: str
    calculation: int = 1  # bumped by a recalculation: chunks of an older one are ignored
    employees_total: int | None = None  # known once the last page of HR has been read
    employees_done: int = 0
    chunks_total: int | None = None
    chunks_done: int = 0
    exceptions: int = 0  # items with an unresolved exception, not held back
    held: int = 0
    totals: RunTotals = field(default_factory=RunTotals)
    approved_by: str | None = None
    error: str | None = None
    journal_id: str | None = None
    payment_batch_id: str | None = None
    fps_documents: int = 0
    calculation_started_at: datetime | None = None
    calculated_at: datetime | None = None
    approved_at: datetime | None = None
    finalised_at: datetime | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def reference(self) -> str:
        """The run's business key in finance and in bank references: PAYRUN-<group>-<year>-<n>."""
        return f"PAYRUN-{self.pay_group_code}-{self.period.tax_year}-{self.period.number:02d}"


# Exceptions a person may look at and accept (the figure is right, just unusual); the others
# must be fixed at the source (HR, RTI details) and recalculated, or the employee held back.
ACCEPTABLE = frozenset({"net-pay-variance"})


@dataclass(frozen=True, slots=True)
class ItemException:
    code: str  # missing-ni-number, missing-tax-code, missing-bank-details, negative-net-pay, ...
    message: str


@dataclass(frozen=True, slots=True)
class BankDetails:
    sort_code: str
    account_number: str
    account_name: str


@dataclass(frozen=True, slots=True)
class PayRunItem:
    """One employee's pay in a run: the figures, the payslip as the engine explained it, and
    what needs a person's attention."""

    id: uuid.UUID
    run_id: uuid.UUID
    employee_id: uuid.UUID
    employee_number: str
    name: str
    cost_centre: str | None
    totals: RunTotals
    payslip: dict[str, Any]  # the engine's payslip as the calculator API shows it
    inputs: dict[str, Any]  # what was calculated from (terms, tax code, YTD before, ...)
    exceptions: tuple[ItemException, ...] = ()
    held: bool = False
    accepted: bool = False  # its warnings (ACCEPTABLE codes) were looked at and accepted
    bank: BankDetails | None = None
    national_insurance_number: str | None = None
    tax_code: str | None = None
    ni_category: str | None = None
    leaving_date: date | None = None
    ytd_after: dict[str, Any] = field(default_factory=dict)
    user_subject: str | None = None  # the person's login, for their own payslips
    person: dict[str, Any] = field(default_factory=dict)  # as the FPS reports them
    version: int = 1
    updated_at: datetime | None = None

    @property
    def blocking(self) -> bool:
        """Its exceptions stop approval: any at all, unless every one is a warning accepted."""
        if not self.exceptions:
            return False
        return not (self.accepted and all(e.code in ACCEPTABLE for e in self.exceptions))


@dataclass(frozen=True, slots=True)
class ItemFilter:
    with_exceptions: bool | None = None
    employee_id: uuid.UUID | None = None


class PayRunRecords(Protocol):
    """A tenant's pay runs and their items (the store is bound to the tenant)."""

    async def list(
        self, page: PageRequest, *, pay_group_id: uuid.UUID | None, state: RunState | None
    ) -> RecordPage[PayRun]: ...

    async def get(self, run_id: uuid.UUID, *, for_update: bool = False) -> PayRun | None: ...

    async def open_for_period(
        self, pay_group_id: uuid.UUID, tax_year: str, number: int
    ) -> PayRun | None: ...

    async def add(self, run: PayRun) -> PayRun: ...

    async def update(self, run: PayRun, *, expected_version: int | None = None) -> PayRun: ...

    async def items(
        self, run_id: uuid.UUID, page: PageRequest, flt: ItemFilter
    ) -> RecordPage[PayRunItem]: ...

    async def item(self, run_id: uuid.UUID, employee_id: uuid.UUID) -> PayRunItem | None: ...

    async def set_held(self, item: PayRunItem, held: bool) -> PayRunItem: ...

    async def accept(self, item: PayRunItem) -> PayRunItem: ...

    async def clear_items(self, run_id: uuid.UUID) -> None: ...

    async def clear_documents(self, run_id: uuid.UUID) -> None: ...

    async def claim_chunk(self, run_id: uuid.UUID, calculation: int, seq: int) -> bool:
        """Mark a chunk done in this transaction; False when another delivery already did."""
        ...

    async def save_items(self, items: Sequence[PayRunItem]) -> None: ...

    async def summarise(self, run_id: uuid.UUID) -> tuple[RunTotals, int, int, int]:
        """(totals of items not held, items, blocking exceptions, held) for a run."""
        ...

    async def previous_net(
        self, employee_ids: Sequence[uuid.UUID], pay_group_id: uuid.UUID, before: date
    ) -> dict[uuid.UUID, Decimal]:
        """Each employee's net pay in the group's last finalised run paid before `before`."""
        ...

    async def year_to_date(
        self, employee_ids: Sequence[uuid.UUID], tax_year: str
    ) -> dict[uuid.UUID, dict[str, Any]]: ...

    async def restore_year_to_date(self, run: PayRun) -> int:
        """Undo `store_year_to_date` for a reversed run: each employee's figures go back to
        their last other finalised run in the tax year (or are removed)."""
        ...

    async def later_runs(self, run: PayRun) -> Sequence[PayRun]:
        """The group's runs after this one's pay date that are not cancelled or reversed."""
        ...

    async def store_year_to_date(self, run: PayRun) -> int:
        """Carry every paid item's YTD-after into the year's figures (idempotent per run)."""
        ...

    async def paid_items(self, run_id: uuid.UUID, page: PageRequest) -> RecordPage[PayRunItem]:
        """Items that are paid (not held), in a stable order."""
        ...

    async def cost_centre_totals(self, run_id: uuid.UUID) -> dict[str, RunTotals]: ...

    async def payment_totals(self, run_id: uuid.UUID) -> tuple[int, Decimal]:
        """How many paid items have net pay to send, and its total (approval guarantees each
        has bank details: their absence is an exception that holds them back)."""
        ...

    async def store_document(
        self, run_id: uuid.UUID, kind: str, name: str, body: bytes
    ) -> None: ...

    async def document(self, run_id: uuid.UUID, kind: str) -> tuple[str, bytes] | None: ...

    async def payslips(
        self,
        page: PageRequest,
        *,
        employee_id: uuid.UUID | None,
        tax_year: str | None,
        user_subject: str | None = None,
        run_id: uuid.UUID | None = None,
    ) -> RecordPage[tuple[PayRun, PayRunItem]]: ...


# --- the world outside payroll -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermsSlice:
    effective_from: date
    effective_to: date | None
    annual_salary: Decimal
    fte: Decimal
    org_unit_id: uuid.UUID
    pay_frequency: str


@dataclass(frozen=True, slots=True)
class HrEmployee:
    """What a pay run needs of one of HR's employees, as of the period's end."""

    id: uuid.UUID
    employee_number: str
    first_name: str
    last_name: str
    home_region: str
    start_date: date
    leaving_date: date | None
    terms: TermsSlice | None  # in force at the period's end (None: none, or left)
    tax_code: str | None
    ni_category: str | None
    student_loan_plans: tuple[str, ...]
    postgraduate_loan: bool
    pension_scheme: str | None
    national_insurance_number: str | None
    date_of_birth: date | None
    bank: BankDetails | None
    user_subject: str | None = None


PAY_AFFECTING_LEAVE = frozenset(
    {"sick", "maternity", "paternity", "adoption", "shared_parental", "unpaid"}
)


@dataclass(frozen=True, slots=True)
class HrAbsence:
    """An approved absence from HR that pay depends on (sickness, family leave, unpaid leave)."""

    employee_id: uuid.UUID
    leave_type: str  # sick, maternity, paternity, adoption, shared_parental, unpaid, ...
    start_date: date
    end_date: date  # inclusive
    paid: bool  # the leave type is paid (contractual pay continues)


@dataclass(frozen=True, slots=True)
class HrPage:
    employees: Sequence[HrEmployee]
    next_cursor: str | None


class HrDirectory(Protocol):
    """HR's API as a pay run reads it (for a tenant, whatever adapter HR binds)."""

    async def employees(
        self, tenant: str, *, as_of: date, cursor: str | None, limit: int
    ) -> HrPage: ...

    async def terms_history(self, tenant: str, employee_id: uuid.UUID) -> list[TermsSlice]: ...

    async def cost_centres(self, tenant: str) -> dict[uuid.UUID, str]:
        """Every org unit's cost centre code, by org unit id."""
        ...

    async def absences(self, tenant: str, *, start: date, end: date) -> list[HrAbsence]:
        """Approved absences of the kinds pay depends on overlapping `start`..`end`."""
        ...


@dataclass(frozen=True, slots=True)
class Payment:
    payee_reference: str
    name: str
    bank: BankDetails
    amount: Decimal
    reference: str


class FinanceLedger(Protocol):
    """Finance's API as a pay run uses it: idempotent by key and by the run's reference."""

    async def post_journal(
        self,
        tenant: str,
        *,
        reference: str,
        posting_date: date,
        description: str,
        lines: Sequence[dict[str, Any]],
        key: str,
    ) -> str: ...

    async def withdraw_payments(self, tenant: str, *, batch_id: str, reason: str, key: str) -> None:
        """Stop a submitted batch before its processing day (its journal mirrored); raises
        PaymentsSent when the money is already on its way."""
        ...

    async def reverse_journal(
        self, tenant: str, *, journal_id: str, reason: str, key: str
    ) -> str: ...

    async def pay_by_bacs(
        self,
        tenant: str,
        *,
        reference: str,
        bank_account_id: uuid.UUID,
        payment_date: date,
        description: str,
        payments: PaymentSource,
        key: str,
    ) -> str: ...


class PaymentSource(Protocol):
    """The run's payments, read page by page (never all in memory), with their count and total."""

    count: int
    total: Decimal

    def pages(self, size: int) -> Any:  # AsyncIterator[Sequence[Payment]]
        ...


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One message on the payroll work queue."""

    tenant: str
    cluster: str | None
    run_id: uuid.UUID
    calculation: int
    stage: str  # "calculate" (a page of HR's employees) or "finalise"
    seq: int = 0
    cursor: str | None = None

    @property
    def message_id(self) -> str:
        return f"{self.run_id}:{self.calculation}:{self.stage}:{self.seq}"


class WorkQueue(Protocol):
    async def put(self, item: WorkItem) -> None:
        """Queue `item`; refuses with ServiceUnavailable when the queue cannot take it."""
        ...
