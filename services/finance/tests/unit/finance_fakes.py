"""In-memory fakes of finance's ports and `context()`, a FinanceContext built on them."""

# One fake per Protocol, each bound to one tenant over a shared FakeLedger, with the native
# adapter's semantics. Named finance_fakes, not fakes: HR's unit tier has its own (hr_fakes.py),
# and one pytest process (`make test`) imports a top-level module name once, so two tiers sharing
# a name would get each other's.

from __future__ import annotations

import builtins
import copy
import dataclasses
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

from sop_finance.accounts.ports import (
    Account,
    AccountFilter,
    AnalysisCode,
    ChartOfAccountsPort,
    CodeFilter,
    CostCentre,
    Dimension,
)
from sop_finance.accounts.service import ensure_default_chart
from sop_finance.budgets.ports import (
    Budget,
    BudgetFilter,
    BudgetsPort,
    Commitment,
    CommitmentFilter,
)
from sop_finance.context import FINANCE_APPROVE, FINANCE_READ, FINANCE_WRITE, FinanceContext
from sop_finance.journals.ports import MANUAL, Journal, JournalFilter, JournalLine, JournalsPort
from sop_finance.payables.ports import (
    BankAccount,
    InvoiceFilter,
    PayablesPort,
    PaymentRun,
    Supplier,
    SupplierFilter,
    SupplierInvoice,
)
from sop_finance.payment_batches.ports import (
    RELEASED,
    BatchFilter,
    BatchPayment,
    PaymentBatch,
    PaymentBatchesPort,
)
from sop_finance.periods.ports import FinancialYear, Period, PeriodRef, PeriodsPort, PeriodStatus
from sop_finance.periods.service import ensure_current_years
from sop_finance.ports import (
    FinanceBackend,
    PageRequest,
    Record,
    RecordGone,
    RecordPage,
    StaleRecord,
)
from sop_finance.reports.ports import BalancesPort, BalanceTotal
from sop_finance.settings import FinanceSettings
from sop_shared.audit import MemoryAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import UK, Clock, FixedClock
from sop_shared.context import Principal
from sop_shared.errors import Conflict
from sop_shared.events import MemoryOutbox
from sop_shared.pagination import decode_cursor, encode_cursor

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ALL_SCOPES = frozenset({FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE})
WRITER = frozenset({FINANCE_READ, FINANCE_WRITE})
THRESHOLD = Decimal("1000.00")  # the approval threshold the tests run with (as the HTTP tier)
TODAY = date(2026, 8, 14)  # a Friday in period 5 of 2026-27
ZERO = Decimal("0.00")
NO_COST_CENTRE = ""  # balances key "no cost centre" as "", as the native tables do

# The kernel's calendar, read once: every context shares it (it is immutable).
CALENDAR = WorkingCalendar.load()

R = TypeVar("R", bound=Record)
BalanceKey = tuple[int, str, str]  # period key, account code, cost centre code ("" for none)


def _clone(value: Any) -> Any:
    """A copy no caller can change the stored row through: records and their lists (journal
    lines, payments, invoice ids) are copied, immutable values (Decimal, date, UUID) shared."""
    if isinstance(value, list):
        return [_clone(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        copied = copy.copy(value)
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            if isinstance(inner, list):
                setattr(copied, f.name, _clone(inner))
        return copied
    return value


class _Table(Generic[R]):
    """Rows of one kind by tenant, with the native tables' version and timestamp rules. Reads
    and writes copy, as rows mapped to records do: a record a service changes in hand is not
    the stored row until it is written back."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self._clock = clock
        self._by_tenant: dict[str, dict[uuid.UUID, R]] = {}

    def rows(self, tenant: str) -> dict[uuid.UUID, R]:
        """The stored rows themselves (for the fakes and for tests asserting what is held)."""
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        return self._by_tenant.setdefault(tenant, {})

    def ordered(self, tenant: str) -> builtins.list[R]:
        """Every row of the tenant in id order (ids are UUIDv7: creation order)."""
        return sorted(self.rows(tenant).values(), key=lambda r: r.id)

    def get(self, tenant: str, row_id: uuid.UUID | None) -> R | None:
        row = self.rows(tenant).get(row_id) if row_id is not None else None
        return cast(R, _clone(row)) if row is not None else None

    def find(self, tenant: str, keep: Callable[[R], bool]) -> builtins.list[R]:
        """Copies of the matching rows in id order."""
        return [cast(R, _clone(r)) for r in self.ordered(tenant) if keep(r)]

    def exists(self, tenant: str, keep: Callable[[R], bool]) -> bool:
        return any(keep(r) for r in self.rows(tenant).values())

    def insert(self, tenant: str, record: R, **columns: Any) -> R:
        """A new row at version 1, stamped now (whatever the record carried), with `columns`
        the store sets itself (a business number)."""
        if any(record.id in rows for rows in self._by_tenant.values()):
            raise Conflict(f"{self.name} {record.id} already exists")
        now = self._clock.now()
        stored = cast(R, _clone(record))
        for name, value in {"version": 1, "created_at": now, "updated_at": now, **columns}.items():
            setattr(stored, name, value)
        self.rows(tenant)[record.id] = stored
        return cast(R, _clone(stored))

    def replace(self, tenant: str, record: R, *, keep: Iterable[str] = (), **columns: Any) -> R:
        """Overwrite a row still at `record.version`: the version bumps and updated_at moves
        (even when nothing changed: the native adapter touches the row either way). Fields in
        `keep` stay as stored (rows of another table the update does not rewrite)."""
        current = self.rows(tenant).get(record.id)
        if current is None:
            raise RecordGone(f"{self.name} {record.id} no longer exists")
        if current.version != record.version:
            raise StaleRecord("the resource was changed by a concurrent request")
        stored = cast(R, _clone(record))
        for name in keep:
            setattr(stored, name, _clone(getattr(current, name)))
        changes = {
            "version": current.version + 1,
            "created_at": current.created_at,
            "updated_at": self._clock.now(),
            **columns,
        }
        for name, value in changes.items():
            setattr(stored, name, value)
        self.rows(tenant)[record.id] = stored
        return cast(R, _clone(stored))

    def delete(self, tenant: str, row_id: uuid.UUID) -> None:
        self.rows(tenant).pop(row_id, None)

    def page(
        self,
        tenant: str,
        keep: Callable[[R], bool],
        page: PageRequest,
        shown: Callable[[R], R] = lambda r: r,
    ) -> RecordPage[R]:
        """One page in id order after the cursor, as the native adapter's keyset pages (a
        cursor it did not issue is the kernel's 422)."""
        after = decode_cursor(page.cursor) if page.cursor else None
        matching = [r for r in self.ordered(tenant) if keep(r) and (after is None or r.id > after)]
        items = [shown(cast(R, _clone(r))) for r in matching[: page.limit]]
        more = len(matching) > page.limit
        return RecordPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)

    def unique(self, tenant: str, record: R, *fields: str) -> None:
        """A unique constraint over `fields` (NULLs never clash, as in SQL); the native
        adapter's IntegrityError is a generic 409."""
        values = tuple(getattr(record, f) for f in fields)
        if any(v is None for v in values):
            return
        for other in self.rows(tenant).values():
            if other.id != record.id and tuple(getattr(other, f) for f in fields) == values:
                raise Conflict(f"{self.name} {'/'.join(fields)} {values!r} is already in use")


class FakeLedger:
    """The fakes' "database": every tenant's rows of every table, the maintained balances, the
    per-tenant number counters, and one clock for created_at/updated_at. A fake port is bound
    to one tenant over it, as the native stores are bound to one tenant over a session."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.accounts: _Table[Account] = _Table("accounts", clock)
        self.cost_centres: _Table[CostCentre] = _Table("cost_centres", clock)
        self.analysis_codes: _Table[AnalysisCode] = _Table("analysis_codes", clock)
        self.years: _Table[FinancialYear] = _Table("financial_years", clock)
        self.periods: _Table[Period] = _Table("periods", clock)
        self.journals: _Table[Journal] = _Table("journals", clock)
        self.budgets: _Table[Budget] = _Table("budgets", clock)
        self.commitments: _Table[Commitment] = _Table("commitments", clock)
        self.suppliers: _Table[Supplier] = _Table("suppliers", clock)
        self.bank_accounts: _Table[BankAccount] = _Table("bank_accounts", clock)
        self.invoices: _Table[SupplierInvoice] = _Table("supplier_invoices", clock)
        self.payment_runs: _Table[PaymentRun] = _Table("payment_runs", clock)
        self.payment_batches: _Table[PaymentBatch] = _Table("payment_batches", clock)
        # Each batch's payments in the order stored (the native payment_batch_payments rows).
        self.batch_payments: dict[uuid.UUID, list[BatchPayment]] = {}
        self.batch_files: dict[uuid.UUID, str] = {}  # payment_batch_files
        self._balances: dict[str, dict[BalanceKey, list[Decimal]]] = {}
        self._counters: dict[tuple[str, str], int] = {}

    def balances(self, tenant: str) -> dict[BalanceKey, list[Decimal]]:
        """[debit, credit] per (period key, account, cost centre): `ledger_balances`."""
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        return self._balances.setdefault(tenant, {})

    def add_to_balances(self, tenant: str, period_key: int, lines: Iterable[JournalLine]) -> None:
        rows = self.balances(tenant)
        for line in lines:
            key = (period_key, line.account_code, line.cost_centre_code or NO_COST_CENTRE)
            debit, credit = rows.get(key, [ZERO, ZERO])
            rows[key] = [debit + line.debit, credit + line.credit]

    def next_number(self, tenant: str, name: str, prefix: str, width: int = 6) -> str:
        """The tenant's next business number for `name` ("JNL-000042"): gap-free per tenant."""
        value = self._counters.get((tenant, name), 0) + 1
        self._counters[(tenant, name)] = value
        return f"{prefix}-{value:0{width}d}"

    # The foreign keys the native tables declare: a code or id must exist in the tenant.

    def account_code(self, tenant: str, code: str) -> None:
        if not self.accounts.exists(tenant, lambda a: a.code == code):
            raise Conflict(f"no account {code} (foreign key)")

    def cost_centre_code(self, tenant: str, code: str | None) -> None:
        if code is not None and not self.cost_centres.exists(tenant, lambda c: c.code == code):
            raise Conflict(f"no cost centre {code} (foreign key)")

    def row_id(self, table: _Table[Any], tenant: str, row_id: uuid.UUID | None) -> None:
        if row_id is not None and row_id not in table.rows(tenant):
            raise Conflict(f"no {table.name} {row_id} (foreign key)")


def _since(record: Record, since: datetime | None) -> bool:
    return since is None or record.updated_at >= since


def _bound(tenant: str) -> str:
    if not tenant:
        raise PermissionError("a store needs the current tenant")
    return tenant


class FakeChartOfAccounts:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    # --- accounts
    async def list_accounts(self, flt: AccountFilter, page: PageRequest) -> RecordPage[Account]:
        def keep(a: Account) -> bool:
            return (
                (flt.code is None or a.code == flt.code)
                and (flt.type is None or a.type == flt.type)
                and (flt.parent_code is None or a.parent_code == flt.parent_code)
                and (flt.active is None or a.active == flt.active)
                and (flt.control_role is None or a.control_role == flt.control_role)
                and _since(a, flt.updated_since)
            )

        return self.ledger.accounts.page(self.tenant, keep, page)

    async def all_accounts(self) -> list[Account]:
        return self.ledger.accounts.find(self.tenant, lambda a: True)

    async def accounts_by_code(self, codes: Iterable[str]) -> dict[str, Account]:
        wanted = set(codes)
        return {
            a.code: a for a in self.ledger.accounts.find(self.tenant, lambda a: a.code in wanted)
        }

    async def get_account(self, account_id: uuid.UUID) -> Account | None:
        return self.ledger.accounts.get(self.tenant, account_id)

    def _check_account(self, account: Account) -> None:
        self.ledger.accounts.unique(self.tenant, account, "code")
        self.ledger.accounts.unique(self.tenant, account, "control_role")

    async def add_account(self, account: Account) -> Account:
        self._check_account(account)
        return self.ledger.accounts.insert(self.tenant, account)

    async def update_account(self, account: Account) -> Account:
        self._check_account(account)
        return self.ledger.accounts.replace(self.tenant, account)

    # --- cost centres
    async def list_cost_centres(self, flt: CodeFilter, page: PageRequest) -> RecordPage[CostCentre]:
        return self.ledger.cost_centres.page(self.tenant, _coded(flt), page)

    async def cost_centres_by_code(self, codes: Iterable[str]) -> dict[str, CostCentre]:
        wanted = set(codes)
        found = self.ledger.cost_centres.find(self.tenant, lambda c: c.code in wanted)
        return {c.code: c for c in found}

    async def get_cost_centre(self, cost_centre_id: uuid.UUID) -> CostCentre | None:
        return self.ledger.cost_centres.get(self.tenant, cost_centre_id)

    async def add_cost_centre(self, cost_centre: CostCentre) -> CostCentre:
        self.ledger.cost_centres.unique(self.tenant, cost_centre, "code")
        return self.ledger.cost_centres.insert(self.tenant, cost_centre)

    async def update_cost_centre(self, cost_centre: CostCentre) -> CostCentre:
        self.ledger.cost_centres.unique(self.tenant, cost_centre, "code")
        return self.ledger.cost_centres.replace(self.tenant, cost_centre)

    # --- analysis codes
    async def list_analysis_codes(
        self, flt: CodeFilter, page: PageRequest
    ) -> RecordPage[AnalysisCode]:
        coded = _coded(flt)

        def keep(c: AnalysisCode) -> bool:
            return coded(c) and (flt.dimension is None or c.dimension == flt.dimension)

        return self.ledger.analysis_codes.page(self.tenant, keep, page)

    async def analysis_codes_by_key(
        self, keys: Iterable[tuple[Dimension, str]]
    ) -> dict[tuple[str, str], AnalysisCode]:
        wanted: set[tuple[str, str]] = set(keys)
        found = self.ledger.analysis_codes.find(
            self.tenant, lambda c: (c.dimension, c.code) in wanted
        )
        return {(c.dimension, c.code): c for c in found}

    async def get_analysis_code(self, code_id: uuid.UUID) -> AnalysisCode | None:
        return self.ledger.analysis_codes.get(self.tenant, code_id)

    async def add_analysis_code(self, code: AnalysisCode) -> AnalysisCode:
        self.ledger.analysis_codes.unique(self.tenant, code, "dimension", "code")
        return self.ledger.analysis_codes.insert(self.tenant, code)

    async def update_analysis_code(self, code: AnalysisCode) -> AnalysisCode:
        self.ledger.analysis_codes.unique(self.tenant, code, "dimension", "code")
        return self.ledger.analysis_codes.replace(self.tenant, code)


def _coded(flt: CodeFilter) -> Callable[[Any], bool]:
    def keep(c: CostCentre | AnalysisCode) -> bool:
        return (
            (flt.code is None or c.code == flt.code)
            and (flt.active is None or c.active == flt.active)
            and _since(c, flt.updated_since)
        )

    return keep


class FakePeriods:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    async def list_years(self) -> list[FinancialYear]:
        years = self.ledger.years.find(self.tenant, lambda y: True)
        return sorted(years, key=lambda y: y.start_year)

    async def get_year(self, start_year: int, *, lock: bool = False) -> FinancialYear | None:
        found = self.ledger.years.find(self.tenant, lambda y: y.start_year == start_year)
        return found[0] if found else None

    async def add_year(self, year: FinancialYear, periods: list[Period]) -> FinancialYear:
        self.ledger.years.unique(self.tenant, year, "start_year")
        for period in periods:
            self.ledger.periods.unique(self.tenant, period, "code")
            self.ledger.periods.unique(self.tenant, period, "fiscal_year", "number")
        added = self.ledger.years.insert(self.tenant, year)
        for period in periods:
            self.ledger.periods.insert(self.tenant, period)
        return added

    async def update_year(self, year: FinancialYear) -> FinancialYear:
        return self.ledger.years.replace(self.tenant, year)

    async def list_periods(
        self, *, fiscal_year: int | None = None, status: PeriodStatus | None = None
    ) -> list[Period]:
        found = self.ledger.periods.find(
            self.tenant,
            lambda p: (
                (fiscal_year is None or p.fiscal_year == fiscal_year)
                and (status is None or p.status == status)
            ),
        )
        return sorted(found, key=lambda p: (p.fiscal_year, p.number))

    async def get_period(self, code: str, *, hold: bool = False) -> Period | None:
        # `hold` is a row lock in the native adapter; one caller at a time here, so nothing.
        found = self.ledger.periods.find(self.tenant, lambda p: p.code == code)
        return found[0] if found else None

    async def update_period(self, period: Period) -> Period:
        self.ledger.periods.unique(self.tenant, period, "code")
        return self.ledger.periods.replace(self.tenant, period)


class FakeJournals:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)
        self._table = ledger.journals

    def _check(self, journal: Journal, *, lines: bool) -> None:
        """The journal tables' constraints: one journal per (source, source_reference) for
        every source but manual (a partial unique index), the lines' accounts and cost centres
        exist (foreign keys), and the journals it links to exist."""
        if journal.source != MANUAL and journal.source_reference is not None:
            for other in self._table.rows(self.tenant).values():
                if (
                    other.id != journal.id
                    and other.source == journal.source
                    and other.source_reference == journal.source_reference
                ):
                    raise Conflict(f"{journal.source} {journal.source_reference} already posted")
        if lines:
            for line in journal.lines:
                self.ledger.account_code(self.tenant, line.account_code)
                self.ledger.cost_centre_code(self.tenant, line.cost_centre_code)
        self.ledger.row_id(self._table, self.tenant, journal.reverses_journal_id)
        self.ledger.row_id(self._table, self.tenant, journal.reversed_by_journal_id)

    @staticmethod
    def _numbered(journal: Journal) -> list[JournalLine]:
        return [dataclasses.replace(line, line_number=n) for n, line in enumerate(journal.lines, 1)]

    async def add(self, journal: Journal) -> Journal:
        self._check(journal, lines=True)
        number = self.ledger.next_number(self.tenant, "journal", "JNL")
        saved = self._table.insert(
            self.tenant, journal, number=number, lines=self._numbered(journal)
        )
        if saved.status == "posted":
            self.ledger.add_to_balances(self.tenant, saved.period.key, saved.lines)
        return saved

    async def get(self, journal_id: uuid.UUID, *, lock: bool = False) -> Journal | None:
        return self._table.get(self.tenant, journal_id)

    async def find_by_source(self, source: str, source_reference: str) -> Journal | None:
        found = self._table.find(
            self.tenant, lambda j: j.source == source and j.source_reference == source_reference
        )
        return found[0] if found else None

    async def line_totals(
        self,
        journal_id: uuid.UUID,
        *,
        account_codes: Iterable[str] | None = None,
        cost_centre_code: str | None = None,
    ) -> list[BalanceTotal]:
        journal = self._table.rows(self.tenant).get(journal_id)
        accounts = set(account_codes) if account_codes is not None else None
        sums: dict[tuple[str, str | None], list[Decimal]] = {}
        for line in journal.lines if journal is not None else []:
            if (accounts is not None and line.account_code not in accounts) or (
                cost_centre_code is not None and line.cost_centre_code != cost_centre_code
            ):
                continue
            total = sums.setdefault((line.account_code, line.cost_centre_code), [ZERO, ZERO])
            total[0] += line.debit
            total[1] += line.credit
        return [
            BalanceTotal(account_code=account, cost_centre_code=centre, debit=d, credit=c)
            for (account, centre), (d, c) in sorted(sums.items(), key=lambda kv: str(kv[0]))
        ]

    async def list(self, flt: JournalFilter, page: PageRequest) -> RecordPage[Journal]:
        ids = set(flt.ids)

        def keep(j: Journal) -> bool:
            return (
                (flt.status is None or j.status == flt.status)
                and (flt.source is None or j.source == flt.source)
                and (flt.source_reference is None or j.source_reference == flt.source_reference)
                and (flt.period_code is None or j.period_code == flt.period_code)
                and (flt.posting_date_from is None or j.posting_date >= flt.posting_date_from)
                and (flt.posting_date_to is None or j.posting_date <= flt.posting_date_to)
                and _since(j, flt.updated_since)
                and (not ids or j.id in ids)
            )

        # Lists stay light: without lines, as the native adapter lists them.
        return self._table.page(
            self.tenant, keep, page, shown=lambda j: dataclasses.replace(j, lines=[])
        )

    async def update(self, journal: Journal, *, replace_lines: bool = False) -> Journal:
        if self._table.get(self.tenant, journal.id) is not None:
            self._check(journal, lines=replace_lines)
        if replace_lines:
            return self._table.replace(self.tenant, journal, lines=self._numbered(journal))
        return self._table.replace(self.tenant, journal, keep=("lines",))

    async def delete(self, journal: Journal) -> None:
        self._table.delete(self.tenant, journal.id)

    async def post(self, journal: Journal, period: PeriodRef) -> Journal:
        saved = self._table.replace(self.tenant, journal, keep=("lines",), period_code=period.code)
        self.ledger.add_to_balances(self.tenant, period.key, journal.lines)
        return saved


class FakeBalances:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    async def totals(
        self,
        *,
        to_key: int,
        from_key: int | None = None,
        by_cost_centre: bool = False,
        cost_centre_code: str | None = None,
        account_codes: Iterable[str] | None = None,
    ) -> list[BalanceTotal]:
        accounts = set(account_codes) if account_codes is not None else None
        sums: dict[tuple[str, str], list[Decimal]] = {}
        for (key, account, centre), (debit, credit) in self.ledger.balances(self.tenant).items():
            if (
                key > to_key
                or (from_key is not None and key < from_key)
                or (cost_centre_code is not None and centre != cost_centre_code)
                or (accounts is not None and account not in accounts)
            ):
                continue
            group = (account, centre if by_cost_centre else NO_COST_CENTRE)
            total = sums.setdefault(group, [ZERO, ZERO])
            total[0] += debit
            total[1] += credit
        return [
            BalanceTotal(
                account_code=account,
                debit=debit,
                credit=credit,
                cost_centre_code=(centre or None) if by_cost_centre else None,
            )
            for (account, centre), (debit, credit) in sorted(sums.items())
        ]


def _key(record: Budget | Commitment) -> int:
    return PeriodRef.parse(record.period_code).key


class FakeBudgets:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    def _references(self, record: Budget | Commitment) -> None:
        self.ledger.account_code(self.tenant, record.account_code)
        self.ledger.cost_centre_code(self.tenant, record.cost_centre_code)

    # --- budgets
    async def list_budgets(self, flt: BudgetFilter, page: PageRequest) -> RecordPage[Budget]:
        def keep(b: Budget) -> bool:
            return (
                (flt.cost_centre_code is None or b.cost_centre_code == flt.cost_centre_code)
                and (flt.account_code is None or b.account_code == flt.account_code)
                and (flt.period_code is None or b.period_code == flt.period_code)
                and (flt.fiscal_year is None or _key(b) // 100 == flt.fiscal_year)
                and _since(b, flt.updated_since)
            )

        return self.ledger.budgets.page(self.tenant, keep, page)

    async def get_budget(self, budget_id: uuid.UUID) -> Budget | None:
        return self.ledger.budgets.get(self.tenant, budget_id)

    async def find_budget(
        self, cost_centre_code: str, account_code: str, period_key: int
    ) -> Budget | None:
        found = self.ledger.budgets.find(
            self.tenant,
            lambda b: (
                (b.cost_centre_code, b.account_code, _key(b))
                == (cost_centre_code, account_code, period_key)
            ),
        )
        return found[0] if found else None

    def _check_budget(self, budget: Budget) -> None:
        self._references(budget)
        for other in self.ledger.budgets.rows(self.tenant).values():
            if other.id != budget.id and (
                other.cost_centre_code,
                other.account_code,
                _key(other),
            ) == (budget.cost_centre_code, budget.account_code, _key(budget)):
                raise Conflict("a budget for this cost centre, account and period exists")

    async def add_budget(self, budget: Budget) -> Budget:
        self._check_budget(budget)
        return self.ledger.budgets.insert(self.tenant, budget)

    async def update_budget(self, budget: Budget) -> Budget:
        self._check_budget(budget)
        return self.ledger.budgets.replace(self.tenant, budget)

    async def budget_total(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal:
        return sum(
            (
                b.amount
                for b in self.ledger.budgets.rows(self.tenant).values()
                if b.cost_centre_code == cost_centre_code
                and b.account_code == account_code
                and from_key <= _key(b) <= to_key
            ),
            ZERO,
        )

    # --- commitments
    async def list_commitments(
        self, flt: CommitmentFilter, page: PageRequest
    ) -> RecordPage[Commitment]:
        def keep(c: Commitment) -> bool:
            return (
                (flt.cost_centre_code is None or c.cost_centre_code == flt.cost_centre_code)
                and (flt.account_code is None or c.account_code == flt.account_code)
                and (flt.status is None or c.status == flt.status)
                and (flt.source_reference is None or c.source_reference == flt.source_reference)
                and _since(c, flt.updated_since)
            )

        return self.ledger.commitments.page(self.tenant, keep, page)

    async def get_commitment(
        self, commitment_id: uuid.UUID, *, lock: bool = False
    ) -> Commitment | None:
        return self.ledger.commitments.get(self.tenant, commitment_id)

    async def add_commitment(self, commitment: Commitment) -> Commitment:
        self._references(commitment)
        number = self.ledger.next_number(self.tenant, "commitment", "CMT")
        return self.ledger.commitments.insert(self.tenant, commitment, number=number)

    async def update_commitment(self, commitment: Commitment) -> Commitment:
        self._references(commitment)
        return self.ledger.commitments.replace(self.tenant, commitment)

    async def outstanding_commitments(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal:
        return sum(
            (
                c.amount - c.released
                for c in self.ledger.commitments.rows(self.tenant).values()
                if c.status == "open"
                and c.cost_centre_code == cost_centre_code
                and c.account_code == account_code
                and from_key <= _key(c) <= to_key
            ),
            ZERO,
        )


class FakePayables:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    # --- suppliers
    async def list_suppliers(self, flt: SupplierFilter, page: PageRequest) -> RecordPage[Supplier]:
        def keep(s: Supplier) -> bool:
            return (
                (flt.number is None or s.number == flt.number)
                and (flt.active is None or s.active == flt.active)
                and _since(s, flt.updated_since)
            )

        return self.ledger.suppliers.page(self.tenant, keep, page)

    async def get_supplier(self, supplier_id: uuid.UUID) -> Supplier | None:
        return self.ledger.suppliers.get(self.tenant, supplier_id)

    async def suppliers_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Supplier]:
        wanted = set(ids)
        return {s.id: s for s in self.ledger.suppliers.find(self.tenant, lambda s: s.id in wanted)}

    async def add_supplier(self, supplier: Supplier) -> Supplier:
        number = self.ledger.next_number(self.tenant, "supplier", "SUP")
        return self.ledger.suppliers.insert(self.tenant, supplier, number=number)

    async def update_supplier(self, supplier: Supplier) -> Supplier:
        self.ledger.suppliers.unique(self.tenant, supplier, "number")
        return self.ledger.suppliers.replace(self.tenant, supplier)

    # --- bank accounts
    async def list_bank_accounts(self, page: PageRequest) -> RecordPage[BankAccount]:
        return self.ledger.bank_accounts.page(self.tenant, lambda b: True, page)

    async def get_bank_account(self, bank_account_id: uuid.UUID) -> BankAccount | None:
        return self.ledger.bank_accounts.get(self.tenant, bank_account_id)

    async def add_bank_account(self, account: BankAccount) -> BankAccount:
        return self.ledger.bank_accounts.insert(self.tenant, account)

    async def update_bank_account(self, account: BankAccount) -> BankAccount:
        return self.ledger.bank_accounts.replace(self.tenant, account)

    # --- supplier invoices
    def _check_invoice(self, invoice: SupplierInvoice, *, lines: bool) -> None:
        """Unique (supplier, supplier's invoice number), and the supplier, journal, run and
        each line's account, cost centre and commitment exist (foreign keys)."""
        invoices = self.ledger.invoices
        invoices.unique(self.tenant, invoice, "number")
        invoices.unique(self.tenant, invoice, "supplier_id", "supplier_invoice_number")
        self.ledger.row_id(self.ledger.suppliers, self.tenant, invoice.supplier_id)
        self.ledger.row_id(self.ledger.journals, self.tenant, invoice.journal_id)
        self.ledger.row_id(self.ledger.payment_runs, self.tenant, invoice.payment_run_id)
        if lines:
            for line in invoice.lines:
                self.ledger.account_code(self.tenant, line.account_code)
                self.ledger.cost_centre_code(self.tenant, line.cost_centre_code)
                self.ledger.row_id(self.ledger.commitments, self.tenant, line.commitment_id)

    @staticmethod
    def _numbered(invoice: SupplierInvoice) -> list[Any]:
        return [dataclasses.replace(line, line_number=n) for n, line in enumerate(invoice.lines, 1)]

    async def list_invoices(
        self, flt: InvoiceFilter, page: PageRequest
    ) -> RecordPage[SupplierInvoice]:
        def keep(i: SupplierInvoice) -> bool:
            return (
                (flt.status is None or i.status == flt.status)
                and (flt.supplier_id is None or i.supplier_id == flt.supplier_id)
                and (flt.due_by is None or i.due_date <= flt.due_by)
                and (flt.payment_run_id is None or i.payment_run_id == flt.payment_run_id)
                and (flt.source_reference is None or i.source_reference == flt.source_reference)
                and (flt.number is None or i.number == flt.number)
                and _since(i, flt.updated_since)
            )

        return self.ledger.invoices.page(self.tenant, keep, page)

    async def get_invoice(
        self, invoice_id: uuid.UUID, *, lock: bool = False
    ) -> SupplierInvoice | None:
        return self.ledger.invoices.get(self.tenant, invoice_id)

    async def find_invoice(
        self, supplier_id: uuid.UUID, supplier_invoice_number: str
    ) -> SupplierInvoice | None:
        found = self.ledger.invoices.find(
            self.tenant,
            lambda i: (
                i.supplier_id == supplier_id
                and i.supplier_invoice_number == supplier_invoice_number
            ),
        )
        return found[0] if found else None

    async def add_invoice(self, invoice: SupplierInvoice) -> SupplierInvoice:
        self._check_invoice(invoice, lines=True)
        number = self.ledger.next_number(self.tenant, "invoice", "INV")
        return self.ledger.invoices.insert(
            self.tenant, invoice, number=number, lines=self._numbered(invoice)
        )

    async def update_invoice(
        self, invoice: SupplierInvoice, *, replace_lines: bool = False
    ) -> SupplierInvoice:
        if self.ledger.invoices.get(self.tenant, invoice.id) is not None:
            self._check_invoice(invoice, lines=replace_lines)
        if replace_lines:
            return self.ledger.invoices.replace(self.tenant, invoice, lines=self._numbered(invoice))
        return self.ledger.invoices.replace(self.tenant, invoice, keep=("lines",))

    async def claim_due_invoices(self, due_by: date) -> list[SupplierInvoice]:
        # FOR UPDATE SKIP LOCKED in the native adapter; one caller at a time here.
        return self.ledger.invoices.find(
            self.tenant,
            lambda i: i.status == "posted" and i.payment_run_id is None and i.due_date <= due_by,
        )

    async def invoices_of_run(self, run_id: uuid.UUID) -> list[SupplierInvoice]:
        return self.ledger.invoices.find(self.tenant, lambda i: i.payment_run_id == run_id)

    # --- payment runs
    async def list_payment_runs(self, page: PageRequest) -> RecordPage[PaymentRun]:
        return self.ledger.payment_runs.page(self.tenant, lambda r: True, page)

    async def get_payment_run(self, run_id: uuid.UUID, *, lock: bool = False) -> PaymentRun | None:
        return self.ledger.payment_runs.get(self.tenant, run_id)

    async def add_payment_run(self, run: PaymentRun) -> PaymentRun:
        self.ledger.row_id(self.ledger.bank_accounts, self.tenant, run.bank_account_id)
        for payment in run.payments:
            self.ledger.row_id(self.ledger.suppliers, self.tenant, payment.supplier_id)
        number = self.ledger.next_number(self.tenant, "payment_run", "PAY")
        return self.ledger.payment_runs.insert(self.tenant, run, number=number)

    async def update_payment_run(self, run: PaymentRun) -> PaymentRun:
        # The native adapter updates the run's row; its payments (another table) stay.
        self.ledger.row_id(self.ledger.journals, self.tenant, run.journal_id)
        return self.ledger.payment_runs.replace(self.tenant, run, keep=("payments",))


class FakePaymentBatches:
    def __init__(self, ledger: FakeLedger, tenant: str) -> None:
        self.ledger, self.tenant = ledger, _bound(tenant)

    async def list_batches(self, flt: BatchFilter, page: PageRequest) -> RecordPage[PaymentBatch]:
        def keep(b: PaymentBatch) -> bool:
            return (
                (flt.source is None or b.source == flt.source)
                and (flt.source_reference is None or b.source_reference == flt.source_reference)
                and (flt.status is None or b.status == flt.status)
                and (flt.number is None or b.number == flt.number)
                and _since(b, flt.updated_since)
            )

        return self.ledger.payment_batches.page(self.tenant, keep, page)

    async def get_batch(self, batch_id: uuid.UUID, *, lock: bool = False) -> PaymentBatch | None:
        return self.ledger.payment_batches.get(self.tenant, batch_id)

    async def find_live_batch(self, source: str, source_reference: str) -> PaymentBatch | None:
        found = self.ledger.payment_batches.find(
            self.tenant,
            lambda b: (
                (b.source, b.source_reference) == (source, source_reference)
                and b.status not in RELEASED
            ),
        )
        return found[0] if found else None

    def _check(self, batch: PaymentBatch) -> None:
        # The native foreign keys and the partial unique index on live batches' references.
        self.ledger.row_id(self.ledger.bank_accounts, self.tenant, batch.bank_account_id)
        self.ledger.row_id(self.ledger.journals, self.tenant, batch.journal_id)
        self.ledger.account_code(self.tenant, batch.control_account_code)
        if batch.status not in RELEASED and self.ledger.payment_batches.exists(
            self.tenant,
            lambda b: (
                b.id != batch.id
                and b.status not in RELEASED
                and (b.source, b.source_reference) == (batch.source, batch.source_reference)
            ),
        ):
            raise Conflict(f"a live batch already holds {batch.source} {batch.source_reference}")

    async def add_batch(self, batch: PaymentBatch) -> PaymentBatch:
        self._check(batch)
        number = self.ledger.next_number(self.tenant, "payment_batch", "PBT")
        return self.ledger.payment_batches.insert(self.tenant, batch, number=number)

    async def update_batch(self, batch: PaymentBatch) -> PaymentBatch:
        self._check(batch)
        return self.ledger.payment_batches.replace(self.tenant, batch)

    def _payments(self, batch_id: uuid.UUID) -> list[BatchPayment]:
        if batch_id not in self.ledger.payment_batches.rows(self.tenant):
            return []  # another tenant's batch holds nothing for this one
        return self.ledger.batch_payments.setdefault(batch_id, [])

    async def taken_payee_references(
        self, batch_id: uuid.UUID, references: Collection[str]
    ) -> set[str]:
        held = {p.payee_reference for p in self._payments(batch_id)}
        return held & set(references)

    async def add_payments(self, batch_id: uuid.UUID, payments: Sequence[BatchPayment]) -> None:
        self.ledger.row_id(self.ledger.payment_batches, self.tenant, batch_id)
        stored = self._payments(batch_id)
        held = {p.payee_reference for p in stored}
        for payment in payments:  # UNIQUE (batch_id, payee_reference)
            if payment.payee_reference in held:
                raise Conflict(f"payee {payment.payee_reference} is already in the batch")
            held.add(payment.payee_reference)
        stored.extend(_clone(list(payments)))

    async def list_payments(
        self, batch_id: uuid.UUID, page: PageRequest
    ) -> RecordPage[BatchPayment]:
        after = decode_cursor(page.cursor) if page.cursor else None
        ordered = sorted(self._payments(batch_id), key=lambda p: p.id)
        matching = [p for p in ordered if after is None or p.id > after]
        items = _clone(matching[: page.limit])
        more = len(matching) > page.limit
        return RecordPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)

    async def all_payments(self, batch_id: uuid.UUID) -> list[BatchPayment]:
        return cast(
            list[BatchPayment],
            _clone(sorted(self._payments(batch_id), key=lambda p: p.line_number)),
        )

    async def add_bacs_file(self, batch_id: uuid.UUID, content: str) -> None:
        self.ledger.row_id(self.ledger.payment_batches, self.tenant, batch_id)
        if batch_id in self.ledger.batch_files:  # the primary key
            raise Conflict(f"payment batch {batch_id} already has its file")
        self.ledger.batch_files[batch_id] = content

    async def get_bacs_file(self, batch_id: uuid.UUID) -> str | None:
        if batch_id not in self.ledger.payment_batches.rows(self.tenant):
            return None
        return self.ledger.batch_files.get(batch_id)


# mypy checks that each fake satisfies its port (`mypy services/finance/tests/unit`).
_ledger = FakeLedger(FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
_accounts: ChartOfAccountsPort = FakeChartOfAccounts(_ledger, TENANT)
_periods: PeriodsPort = FakePeriods(_ledger, TENANT)
_journals: JournalsPort = FakeJournals(_ledger, TENANT)
_balances: BalancesPort = FakeBalances(_ledger, TENANT)
_budgets: BudgetsPort = FakeBudgets(_ledger, TENANT)
_payables: PayablesPort = FakePayables(_ledger, TENANT)
_payment_batches: PaymentBatchesPort = FakePaymentBatches(_ledger, TENANT)


def fake_backend(tenant: str = TENANT, ledger: FakeLedger | None = None) -> FinanceBackend:
    """Every port for `tenant` over `ledger` (a new, empty one unless given), as the
    composition root binds an adapter's ports to the caller's tenant."""
    ledger = ledger or FakeLedger(FixedClock(datetime.combine(TODAY, time(9), tzinfo=UK)))
    return FinanceBackend(
        accounts=FakeChartOfAccounts(ledger, tenant),
        periods=FakePeriods(ledger, tenant),
        journals=FakeJournals(ledger, tenant),
        balances=FakeBalances(ledger, tenant),
        budgets=FakeBudgets(ledger, tenant),
        payables=FakePayables(ledger, tenant),
        payment_batches=FakePaymentBatches(ledger, tenant),
    )


def settings(**overrides: Any) -> FinanceSettings:
    """Finance's settings for tests, pinned so SOP_FINANCE_* in the environment cannot move
    them (values passed in win over the environment)."""
    values: dict[str, Any] = {
        "env": "test",
        "service": "finance",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "internal_jwks_file": "unit-tests-have-no-keys.json",
        "bank_holidays_file": None,
        "approval_threshold": THRESHOLD,
        **overrides,
    }
    return FinanceSettings(**values)


def context(
    *,
    tenant: str = TENANT,
    scopes: Iterable[str] = ALL_SCOPES,
    subject: str = "preparer",
    today: date = TODAY,
    clock: FixedClock | None = None,
    ledger: FakeLedger | None = None,
    finance_settings: FinanceSettings | None = None,
) -> FinanceContext:
    """A finance context over fakes: a caller of `tenant` holding `scopes`, at 09:00 UK time
    on `today` (or `clock`), on a new empty ledger unless one is given."""
    clock = clock or FixedClock(datetime.combine(today, time(9), tzinfo=UK))
    principal = Principal(
        subject=subject,
        client_id="unit-tests",
        tenant=tenant,
        cluster="matrix",
        scopes=frozenset(scopes),
    )
    return FinanceContext(
        backend=fake_backend(tenant, ledger or FakeLedger(clock)),
        principal=principal,
        settings=finance_settings or settings(),
        audit=MemoryAuditTrail(principal),
        events=MemoryOutbox(principal, "finance", clock=clock),
        clock=clock,
        calendar=CALENDAR,
    )


def outbox_of(fin: FinanceContext) -> MemoryOutbox:
    assert isinstance(fin.events, MemoryOutbox), "not a context built by context()"
    return fin.events


def ledger_of(fin: FinanceContext) -> FakeLedger:
    """The fake "database" under a context built by `context()`."""
    accounts = fin.backend.accounts
    assert isinstance(accounts, FakeChartOfAccounts), "not a context built by context()"
    return accounts.ledger


def audit_log(fin: FinanceContext) -> MemoryAuditTrail:
    assert isinstance(fin.audit, MemoryAuditTrail), "not a context built by context()"
    return fin.audit


def as_(
    fin: FinanceContext,
    subject: str | None = None,
    *,
    scopes: Iterable[str] | None = None,
    tenant: str | None = None,
) -> FinanceContext:
    """Another caller on the same ledger, audit log, clock and settings (another tenant's
    caller gets that tenant's ports, as the composition root would bind them)."""
    principal = dataclasses.replace(
        fin.principal,
        subject=subject if subject is not None else fin.principal.subject,
        scopes=frozenset(scopes) if scopes is not None else fin.principal.scopes,
        tenant=tenant if tenant is not None else fin.principal.tenant,
    )
    backend = fin.backend
    if principal.tenant != fin.principal.tenant:
        backend = fake_backend(principal.tenant or "", ledger_of(fin))
    # The same log, recording as the new caller.
    audit = MemoryAuditTrail(principal, audit_log(fin).events)
    return dataclasses.replace(fin, principal=principal, backend=backend, audit=audit)


def actions(fin: FinanceContext, resource_id: uuid.UUID | str | None = None) -> list[str]:
    """The audit actions recorded in `fin`'s tenant (for one resource if given), in order."""
    return [
        e.action
        for e in audit_log(fin).events
        if e.tenant == fin.tenant and (resource_id is None or e.resource_id == str(resource_id))
    ]


async def provisioned(fin: FinanceContext) -> FinanceContext:
    """`fin` after its tenant is onboarded as app.py provisions one: the default chart and the
    current and next financial years, by the provisioning principal."""
    system = as_(fin, "system:provisioning")
    await ensure_default_chart(system)
    await ensure_current_years(system)
    return fin
