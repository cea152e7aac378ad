"""The vocabulary every procurement port shares: what each record carries, page requests and
pages (the kernel's), the errors an adapter may raise, `ProcurementBackend` (the bundle of
ports one adapter provides for one tenant) and `FinanceLedger`, the port to finance's budgets
and commitments (an HTTP adapter through the gateway; an in-memory fake in unit tests)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from sop_shared.db import utcnow
from sop_shared.errors import NotFound, PreconditionFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, RecordPage

if TYPE_CHECKING:
    from sop_procurement.contracts.ports import ContractsPort
    from sop_procurement.controls.ports import ControlsPort
    from sop_procurement.orders.ports import OrdersPort
    from sop_procurement.receipts.ports import ReceiptsPort
    from sop_procurement.requisitions.ports import RequisitionsPort
    from sop_procurement.suppliers.ports import SuppliersPort

__all__ = [
    "Availability",
    "FinanceLedger",
    "LedgerCommitment",
    "PageRequest",
    "PaidInvoice",
    "ProcurementBackend",
    "Record",
    "RecordGone",
    "RecordPage",
    "StaleRecord",
]


@dataclass(kw_only=True)
class Record:
    """Identity, version and timestamps: the same on every adapter."""

    id: uuid.UUID = field(default_factory=uuid7)
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


class StaleRecord(PreconditionFailed):
    """An update named a version the system of record no longer holds (412)."""


class RecordGone(NotFound):
    """An update named a record the system of record no longer holds (404)."""


@dataclass(frozen=True, slots=True)
class ProcurementBackend:
    """The ports of one system of record for one tenant, as the composition root hands them
    to a request."""

    suppliers: SuppliersPort
    requisitions: RequisitionsPort
    controls: ControlsPort
    orders: OrdersPort
    receipts: ReceiptsPort
    contracts: ContractsPort


# --- finance ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Availability:
    """Finance's answer for one cost centre and account in the current financial year."""

    cost_centre_code: str
    account_code: str
    financial_year: str
    budget: Decimal
    commitments: Decimal
    actuals: Decimal
    available: Decimal


@dataclass(frozen=True, slots=True)
class LedgerCommitment:
    """A commitment as finance holds it."""

    id: str
    number: str
    amount: Decimal
    outstanding: Decimal
    status: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class PaidInvoice:
    """A supplier invoice finance has paid: when finance received (recorded) it and the
    payment date of the run that paid it."""

    number: str
    supplier_id: str
    total: Decimal
    received_on: date
    paid_on: date


class FinanceLedger(Protocol):
    """Finance's budgets and commitments, acting for the person whose request this is. A
    failure to reach finance raises the kernel's `ServiceUnavailable` (503, Retry-After);
    finance refusing a call raises the procurement problem `FinanceRefused`."""

    async def availability(self, cost_centre: str, account: str) -> Availability: ...

    async def commitments(self, source_reference: str) -> list[LedgerCommitment]:
        """Every commitment procurement raised for a document (an order number), oldest
        first, as finance holds them now (invoices may have released some)."""
        ...

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
        """Raise a commitment; `key` is the Idempotency-Key, so a retry never doubles it."""
        ...

    async def release_commitment(
        self, commitment_id: str, *, key: str, amount: Decimal | None = None
    ) -> LedgerCommitment:
        """Release `amount` of a commitment (everything outstanding when None)."""
        ...

    async def paid_invoices(self, paid_from: date, paid_to: date) -> list[PaidInvoice]:
        """Every supplier invoice paid by a posted payment run dated from `paid_from` to
        `paid_to` (inclusive)."""
        ...
