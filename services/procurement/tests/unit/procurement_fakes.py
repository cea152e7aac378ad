"""In-memory fakes of procurement's ports and of finance (`FakeLedger`), and `World`, one
tenant's state that contexts for several people share."""

# Named procurement_fakes, not fakes: one pytest process imports a top-level module name once,
# and other tiers have their own fakes modules.

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sop_procurement.context import (
    PROCUREMENT_APPROVE,
    PROCUREMENT_READ,
    PROCUREMENT_WRITE,
    ProcurementContext,
)
from sop_procurement.contracts.ports import Contract, ContractFilter
from sop_procurement.controls.ports import ApprovalLimit, Policy
from sop_procurement.orders.ports import OrderFilter, PurchaseOrder
from sop_procurement.ports import (
    Availability,
    LedgerCommitment,
    PageRequest,
    PaidInvoice,
    ProcurementBackend,
    RecordGone,
    RecordPage,
    StaleRecord,
)
from sop_procurement.problems import FinanceRefused, FinanceUnavailable
from sop_procurement.receipts.ports import Receipt, ReceiptFilter
from sop_procurement.requisitions.ports import Requisition, RequisitionFilter
from sop_procurement.settings import ProcurementSettings
from sop_procurement.suppliers.ports import BankChange, Supplier, SupplierFilter
from sop_shared.audit import MemoryAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import UK, FixedClock
from sop_shared.context import Principal
from sop_shared.events.outbox import MemoryOutbox

ALL = frozenset({PROCUREMENT_READ, PROCUREMENT_WRITE, PROCUREMENT_APPROVE})
TENANT = "cabinet-office"
# Wednesday 1 April 2026, 09:00 UK: the first day of 2026-27.
TODAY = datetime(2026, 4, 1, 9, tzinfo=UK)

T = TypeVar("T", bound=Any)


class Table:
    """Records by id, as a store keeps them: copies in and out, versions checked and bumped."""

    def __init__(self, clock: FixedClock) -> None:
        self.rows: dict[uuid.UUID, Any] = {}
        self.clock = clock

    def add(self, record: T) -> T:
        now = self.clock.now()
        stored = dataclasses.replace(record, version=1, created_at=now, updated_at=now)
        self.rows[stored.id] = stored
        return copy.deepcopy(stored)

    def get(self, record_id: uuid.UUID) -> Any:
        found = self.rows.get(record_id)
        return None if found is None else copy.deepcopy(found)

    def update(self, record: T) -> T:
        current = self.rows.get(record.id)
        if current is None:
            raise RecordGone(f"{record.id} no longer exists")
        if current.version != record.version:
            raise StaleRecord("the resource was changed by a concurrent request")
        stored = dataclasses.replace(
            record, version=record.version + 1, updated_at=self.clock.now()
        )
        self.rows[stored.id] = copy.deepcopy(stored)
        return copy.deepcopy(stored)

    def page(self, keep: Callable[[Any], bool], page: PageRequest) -> RecordPage[Any]:
        items = sorted((r for r in self.rows.values() if keep(r)), key=lambda r: r.id)
        if page.cursor:
            after = uuid.UUID(page.cursor)
            items = [r for r in items if r.id > after]
        chosen = items[: page.limit]
        more = len(items) > page.limit
        return RecordPage([copy.deepcopy(r) for r in chosen], str(chosen[-1].id) if more else None)


class FakeSuppliers:
    def __init__(self, clock: FixedClock) -> None:
        self.suppliers = Table(clock)
        self.changes = Table(clock)

    async def add(self, supplier: Supplier) -> Supplier:
        return self.suppliers.add(supplier)

    async def get(self, supplier_id: uuid.UUID, *, lock: bool = False) -> Supplier | None:
        found: Supplier | None = self.suppliers.get(supplier_id)
        return found

    async def update(self, supplier: Supplier) -> Supplier:
        return self.suppliers.update(supplier)

    async def search(self, flt: SupplierFilter, page: PageRequest) -> RecordPage[Supplier]:
        return self.suppliers.page(
            lambda s: (
                (flt.status is None or s.status == flt.status)
                and (flt.company_number is None or s.company_number == flt.company_number)
                and (flt.vat_number is None or s.vat_number == flt.vat_number)
                and (flt.updated_since is None or s.updated_at >= flt.updated_since)
            ),
            page,
        )

    async def find(
        self, *, company_number: str | None = None, vat_number: str | None = None
    ) -> Supplier | None:
        for s in self.suppliers.rows.values():
            if (company_number is not None and s.company_number == company_number) or (
                vat_number is not None and s.vat_number == vat_number
            ):
                return copy.deepcopy(s)
        return None

    async def add_bank_change(self, change: BankChange) -> BankChange:
        return self.changes.add(change)

    async def get_bank_change(self, change_id: uuid.UUID) -> BankChange | None:
        found: BankChange | None = self.changes.get(change_id)
        return found

    async def update_bank_change(self, change: BankChange) -> BankChange:
        return self.changes.update(change)

    async def bank_changes(self, supplier_id: uuid.UUID) -> list[BankChange]:
        return [
            copy.deepcopy(c)
            for c in sorted(self.changes.rows.values(), key=lambda c: c.id)
            if c.supplier_id == supplier_id
        ]


class FakeControls:
    def __init__(self, clock: FixedClock) -> None:
        self.stored: Policy | None = None
        self.table = Table(clock)
        self.clock = clock

    async def policy(self) -> Policy:
        return copy.deepcopy(self.stored) if self.stored else Policy()

    async def save_policy(self, policy: Policy) -> Policy:
        if self.stored is None:
            self.stored = dataclasses.replace(policy, version=1)
        else:
            if self.stored.version != policy.version:
                raise StaleRecord("the policy changed")
            self.stored = dataclasses.replace(policy, version=policy.version + 1)
        return copy.deepcopy(self.stored)

    async def ensure_policy(self) -> Policy:
        return await self.policy() if self.stored else await self.save_policy(Policy())

    async def limits(self) -> list[ApprovalLimit]:
        return sorted(
            (copy.deepcopy(v) for v in self.table.rows.values()), key=lambda v: (v.limit, v.role)
        )

    async def get_limit(self, limit_id: uuid.UUID) -> ApprovalLimit | None:
        found: ApprovalLimit | None = self.table.get(limit_id)
        return found

    async def add_limit(self, limit: ApprovalLimit) -> ApprovalLimit:
        return self.table.add(limit)

    async def update_limit(self, limit: ApprovalLimit) -> ApprovalLimit:
        return self.table.update(limit)

    async def delete_limit(self, limit: ApprovalLimit) -> None:
        self.table.rows.pop(limit.id, None)


class Numbered:
    def __init__(self, clock: FixedClock, prefix: str) -> None:
        self.table = Table(clock)
        self.prefix = prefix
        self.counter = 0

    async def next_number(self) -> str:
        self.counter += 1
        return f"{self.prefix}-{self.counter:06d}"

    async def get(self, record_id: uuid.UUID, *, lock: bool = False) -> Any:
        return self.table.get(record_id)


class FakeRequisitions(Numbered):
    async def add(self, requisition: Requisition) -> Requisition:
        return self.table.add(requisition)

    async def update(self, requisition: Requisition) -> Requisition:
        return self.table.update(requisition)

    async def search(self, flt: RequisitionFilter, page: PageRequest) -> RecordPage[Requisition]:
        return self.table.page(
            lambda r: (
                (flt.status is None or r.status == flt.status)
                and (flt.requested_by is None or r.requested_by == flt.requested_by)
            ),
            page,
        )


class FakeOrders(Numbered):
    async def add(self, order: PurchaseOrder) -> PurchaseOrder:
        return self.table.add(order)

    async def update(self, order: PurchaseOrder) -> PurchaseOrder:
        return self.table.update(order)

    async def search(self, flt: OrderFilter, page: PageRequest) -> RecordPage[PurchaseOrder]:
        return self.table.page(
            lambda o: (
                (flt.status is None or o.status == flt.status)
                and (
                    flt.issued_from is None
                    or (o.issued_at is not None and o.issued_at >= flt.issued_from)
                )
                and (
                    flt.issued_before is None
                    or (o.issued_at is not None and o.issued_at < flt.issued_before)
                )
            ),
            page,
        )


class FakeReceipts(Numbered):
    async def add(self, receipt: Receipt) -> Receipt:
        return self.table.add(receipt)

    async def search(self, flt: ReceiptFilter, page: PageRequest) -> RecordPage[Receipt]:
        return self.table.page(lambda r: flt.order_id is None or r.order_id == flt.order_id, page)


class FakeContracts(Numbered):
    async def add(self, contract: Contract) -> Contract:
        return self.table.add(contract)

    async def update(self, contract: Contract) -> Contract:
        return self.table.update(contract)

    async def search(self, flt: ContractFilter, page: PageRequest) -> RecordPage[Contract]:
        return self.table.page(
            lambda c: (
                (flt.status is None or c.status == flt.status)
                and (flt.supplier_id is None or c.supplier_id == flt.supplier_id)
                and (flt.procedure is None or c.procedure == flt.procedure)
            ),
            page,
        )


@dataclasses.dataclass
class FakeCommitment:
    id: str
    number: str
    cost_centre: str
    account: str
    amount: Decimal
    released: Decimal = Decimal("0.00")
    source_reference: str = ""
    description: str | None = None

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.released

    def view(self) -> LedgerCommitment:
        return LedgerCommitment(
            id=self.id,
            number=self.number,
            amount=self.amount,
            outstanding=self.outstanding,
            status="open" if self.outstanding > 0 else "closed",
            description=self.description,
        )


class FakeLedger:
    """Finance as procurement sees it: budgets per cost centre and account, commitments
    (an Idempotency-Key replays the first answer), and a switch to make it unreachable."""

    def __init__(self) -> None:
        self.budgets: dict[tuple[str, str], Decimal] = {}
        self.held: dict[str, FakeCommitment] = {}
        self.keys: dict[str, LedgerCommitment] = {}
        self.down = False
        self.calls = 0
        self.fail_at: int | None = None  # the call (1, 2, ...) that finds finance away
        self.paid: list[PaidInvoice] = []  # supplier invoices finance has paid

    def pay(self, number: str, received_on: date, paid_on: date, total: str = "100.00") -> None:
        self.paid.append(
            PaidInvoice(
                number=number,
                supplier_id="s",
                total=Decimal(total),
                received_on=received_on,
                paid_on=paid_on,
            )
        )

    async def paid_invoices(self, paid_from: date, paid_to: date) -> list[PaidInvoice]:
        self._reach()
        return [i for i in self.paid if paid_from <= i.paid_on <= paid_to]

    def budget(self, cost_centre: str, account: str, amount: str) -> None:
        self.budgets[(cost_centre, account)] = Decimal(amount)

    def _reach(self) -> None:
        self.calls += 1
        if self.down or self.calls == self.fail_at:
            raise FinanceUnavailable("finance could not be reached", retry_after=7)

    def available(self, cost_centre: str, account: str) -> Decimal:
        held = sum(
            (
                c.outstanding
                for c in self.held.values()
                if (c.cost_centre, c.account) == (cost_centre, account)
            ),
            Decimal("0.00"),
        )
        return self.budgets.get((cost_centre, account), Decimal("0.00")) - held

    async def availability(self, cost_centre: str, account: str) -> Availability:
        self._reach()
        budget = self.budgets.get((cost_centre, account), Decimal("0.00"))
        available = self.available(cost_centre, account)
        return Availability(
            cost_centre_code=cost_centre,
            account_code=account,
            financial_year="2026-27",
            budget=budget,
            commitments=budget - available,
            actuals=Decimal("0.00"),
            available=available,
        )

    async def commitments(self, source_reference: str) -> list[LedgerCommitment]:
        self._reach()
        return [c.view() for c in self.held.values() if c.source_reference == source_reference]

    async def raise_commitment(
        self,
        *,
        key: str,
        cost_centre: str,
        account: str,
        commitment_date: date,
        amount: Decimal,
        source_reference: str,
        description: str | None = None,
    ) -> LedgerCommitment:
        self._reach()
        if key in self.keys:
            return self.keys[key]
        number = f"CMT-{len(self.held) + 1:06d}"
        commitment = FakeCommitment(
            str(uuid.uuid4()),
            number,
            cost_centre,
            account,
            amount,
            source_reference=source_reference,
            description=description,
        )
        self.held[commitment.id] = commitment
        self.keys[key] = commitment.view()
        return commitment.view()

    async def release_commitment(
        self, commitment_id: str, *, key: str, amount: Decimal | None = None
    ) -> LedgerCommitment:
        self._reach()
        if key in self.keys:
            return self.keys[key]
        commitment = self.held[commitment_id]
        take = commitment.outstanding if amount is None else amount
        if take > commitment.outstanding:
            raise FinanceRefused("more than is outstanding")
        commitment.released += take
        self.keys[key] = commitment.view()
        return commitment.view()

    def outstanding(self, reference: str) -> Decimal:
        return sum(
            (c.outstanding for c in self.held.values() if c.source_reference == reference),
            Decimal("0.00"),
        )


class World:
    """One tenant's records, finance and clock, shared by every person's context."""

    def __init__(self, tenant: str = TENANT) -> None:
        self.tenant = tenant
        self.clock = FixedClock(TODAY)
        self.calendar = WorkingCalendar.load()
        self.suppliers = FakeSuppliers(self.clock)
        self.controls = FakeControls(self.clock)
        self.requisitions = FakeRequisitions(self.clock, "REQ")
        self.orders = FakeOrders(self.clock, "PO")
        self.receipts = FakeReceipts(self.clock, "GRN")
        self.contracts = FakeContracts(self.clock, "CON")
        self.ledger = FakeLedger()
        self.outbox = MemoryOutbox(
            Principal(subject="x", client_id="t", tenant=tenant, cluster="matrix"),
            "procurement",
            clock=self.clock,
        )
        self.audits: list[MemoryAuditTrail] = []

    def as_(self, subject: str, scopes: Iterable[str] = ALL) -> ProcurementContext:
        principal = Principal(
            subject=subject,
            client_id="test",
            tenant=self.tenant,
            cluster="matrix",
            scopes=frozenset(scopes),
        )
        audit = MemoryAuditTrail(principal)
        self.audits.append(audit)
        return ProcurementContext(
            backend=ProcurementBackend(
                suppliers=self.suppliers,
                requisitions=self.requisitions,
                controls=self.controls,
                orders=self.orders,
                receipts=self.receipts,
                contracts=self.contracts,
            ),
            ledger=self.ledger,
            principal=principal,
            settings=ProcurementSettings(env="test", database_url="sqlite+aiosqlite://"),
            audit=audit,
            events=self.outbox,
            clock=self.clock,
            calendar=self.calendar,
        )

    @property
    def event_types(self) -> list[str]:
        return [e.type for e in self.outbox.events]

    @property
    def audit_actions(self) -> list[str]:
        return [e.action for a in self.audits for e in a.events]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- builders ------------------------------------------------------------------------------------


def supplier_body(**overrides: Any) -> Any:
    from sop_procurement.suppliers.schemas import SupplierCreate

    body: dict[str, Any] = {
        "legal_name": "Acme Widgets Ltd",
        "company_number": "SC123456",
        "vat_number": "GB980780684",
        "sme": True,
        "bank_details": {
            "sort_code": "12-34-56",
            "account_number": "12345678",
            "account_name": "ACME WIDGETS",
        },
        "addresses": [
            {"lines": ["1 High Street"], "town": "Leeds", "postcode": "ls1 4ap"},
        ],
    }
    body.update(overrides)
    return SupplierCreate.model_validate(body)


def line(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "description": "Laptops",
        "cpv_code": "30213100-6",
        "quantity": "2",
        "unit_price": "500.00",
        "vat_rate": "20",
        "cost_centre_code": "CC01",
        "account_code": "41100000",
    }
    body.update(overrides)
    return body


def requisition_body(*lines: dict[str, Any], supplier_id: Any = None) -> Any:
    from sop_procurement.requisitions.schemas import RequisitionCreate

    return RequisitionCreate.model_validate(
        {
            "title": "Laptops for new starters",
            "lines": list(lines) or [line()],
            "supplier_id": supplier_id,
        }
    )


async def limits(world: World, **roles: tuple[str, list[str]]) -> None:
    """Approval limits straight into the tenant's controls: role -> (limit, members)."""
    for role, (limit, members) in roles.items():
        await world.controls.add_limit(
            ApprovalLimit(role=role, limit=Decimal(limit), members=members)
        )
