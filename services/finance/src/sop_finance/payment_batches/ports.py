"""Payment batches as every adapter speaks them: a batch of BACS credits another system (payroll's
net pay) hands finance to pay, its payments, and the payment-batches port."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sop_finance.ports import PageRequest, Record, RecordPage
from sop_shared.ids import uuid7

ZERO = Decimal("0.00")

# draft (payments arrive in pages) -> submitted (file written, journal posted) -> withdrawn
# (before its Bacs processing day: the journal reversed, the file kept but never served again);
# a draft may be cancelled instead, and nothing is posted. Cancelled and withdrawn never change.
BatchStatus = Literal["draft", "submitted", "cancelled", "withdrawn"]
BATCH_STATUSES: tuple[BatchStatus, ...] = ("draft", "submitted", "cancelled", "withdrawn")
# Batches that no longer hold their source document: the sender may send it again.
RELEASED: tuple[BatchStatus, ...] = ("cancelled", "withdrawn")


@dataclass(kw_only=True)
class PaymentBatch(Record):
    """A batch's header: what the source system promised (`expected_*`) and what it has sent
    so far (`payment_count`, `total`, kept by the store as pages arrive). Its payments are read
    through the port a page at a time: a payroll of 100,000 people is never one record."""

    bank_account_id: uuid.UUID
    payment_date: date
    processing_day: date
    source: str
    source_reference: str
    control_account_code: str
    expected_count: int
    expected_total: Decimal
    created_by: str
    description: str | None = None
    number: str = ""  # the store assigns it ("PBT-000001")
    status: BatchStatus = "draft"
    payment_count: int = 0
    total: Decimal = ZERO
    journal_id: uuid.UUID | None = None
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    # Set when submitted; the file itself (10 MB for 100,000 payments) is read on its own.
    bacs_file_name: str | None = None
    # Set when withdrawn: who, when and why (the posting's reversal is its journal's
    # `reversed_by_journal_id`).
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None


@dataclass(kw_only=True)
class BatchPayment:
    """One BACS credit of a batch, with the bank details the source system sent."""

    payee_reference: str  # the source's key for the payee (an employee number), once per batch
    name: str
    sort_code: str
    account_number: str
    account_name: str
    amount: Decimal
    reference: str
    line_number: int = 0  # its place in the batch (1, 2, ...), the order of the file's credits
    id: uuid.UUID = field(default_factory=uuid7)


@dataclass(kw_only=True)
class BatchFilter:
    source: str | None = None
    source_reference: str | None = None
    status: BatchStatus | None = None
    number: str | None = None  # finance's own number ("PBT-000042")
    updated_since: datetime | None = None


class PaymentBatchesPort(Protocol):
    async def list_batches(
        self, flt: BatchFilter, page: PageRequest
    ) -> RecordPage[PaymentBatch]: ...

    async def get_batch(self, batch_id: uuid.UUID, *, lock: bool = False) -> PaymentBatch | None:
        """The header. `lock=True` serialises changes to the batch (pages, submit, cancel)."""
        ...

    async def find_live_batch(self, source: str, source_reference: str) -> PaymentBatch | None:
        """The batch, neither cancelled nor withdrawn (`RELEASED`), that holds this source
        document."""
        ...

    async def add_batch(self, batch: PaymentBatch) -> PaymentBatch:
        """Store a new draft. The store assigns `number`."""
        ...

    async def update_batch(self, batch: PaymentBatch) -> PaymentBatch:
        """Store the header (status, running totals, journal, file) at `batch.version`."""
        ...

    async def taken_payee_references(
        self, batch_id: uuid.UUID, references: Collection[str]
    ) -> set[str]:
        """Which of `references` the batch already holds."""
        ...

    async def add_payments(self, batch_id: uuid.UUID, payments: Sequence[BatchPayment]) -> None:
        """Store a page of payments (numbered by the service) in one statement."""
        ...

    async def list_payments(
        self, batch_id: uuid.UUID, page: PageRequest
    ) -> RecordPage[BatchPayment]: ...

    async def all_payments(self, batch_id: uuid.UUID) -> list[BatchPayment]:
        """Every payment of the batch in line order (the file is written from them)."""
        ...

    async def add_bacs_file(self, batch_id: uuid.UUID, content: str) -> None:
        """Keep the batch's BACS file (written once, never changed)."""
        ...

    async def get_bacs_file(self, batch_id: uuid.UUID) -> str | None: ...
