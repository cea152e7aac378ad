"""The events finance publishes about payment batches, and their data: what a sender (payroll)
needs to mark its document paid. No bank details travel in an event."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Final

from pydantic import BaseModel

from sop_finance.context import FinanceContext
from sop_finance.payment_batches.ports import PaymentBatch
from sop_shared.money import Money

SUBMITTED: Final = "uk.gov.sop.finance.payment_batch.submitted.v1"
WITHDRAWN: Final = "uk.gov.sop.finance.payment_batch.withdrawn.v1"


class PaymentBatchSubmitted(BaseModel):
    id: uuid.UUID
    number: str
    source: str
    source_reference: str
    count: int
    total: Money
    payment_date: date
    processing_day: date
    journal_id: uuid.UUID | None


class PaymentBatchWithdrawn(BaseModel):
    id: uuid.UUID
    number: str
    source: str
    source_reference: str
    count: int
    total: Money
    payment_date: date
    processing_day: date
    journal_id: uuid.UUID | None
    reversal_journal_id: uuid.UUID
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    reason: str | None


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    SUBMITTED: (
        "A payment batch was submitted: its BACS file is written and its journal posted "
        "(debit the control account, credit the bank). The sender's document is paid.",
        PaymentBatchSubmitted,
    ),
    WITHDRAWN: (
        "A submitted payment batch was withdrawn before its Bacs processing day: its journal "
        "is reversed and its file will not be sent. The sender's document is unpaid, and may "
        "be sent again in a new batch.",
        PaymentBatchWithdrawn,
    ),
}


async def submitted(fin: FinanceContext, batch: PaymentBatch) -> None:
    data = PaymentBatchSubmitted(
        id=batch.id,
        number=batch.number,
        source=batch.source,
        source_reference=batch.source_reference,
        count=batch.payment_count,
        total=batch.total,
        payment_date=batch.payment_date,
        processing_day=batch.processing_day,
        journal_id=batch.journal_id,
    )
    await fin.events.publish(
        SUBMITTED,
        subject=f"payment-batches/{batch.id}",
        aggregate=f"payment_batch:{batch.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{SUBMITTED}",
    )


async def withdrawn(
    fin: FinanceContext, batch: PaymentBatch, *, reversal_journal_id: uuid.UUID
) -> None:
    data = PaymentBatchWithdrawn(
        id=batch.id,
        number=batch.number,
        source=batch.source,
        source_reference=batch.source_reference,
        count=batch.payment_count,
        total=batch.total,
        payment_date=batch.payment_date,
        processing_day=batch.processing_day,
        journal_id=batch.journal_id,
        reversal_journal_id=reversal_journal_id,
        withdrawn_by=batch.withdrawn_by,
        withdrawn_at=batch.withdrawn_at,
        reason=batch.withdrawal_reason,
    )
    await fin.events.publish(
        WITHDRAWN,
        subject=f"payment-batches/{batch.id}",
        aggregate=f"payment_batch:{batch.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{WITHDRAWN}",
    )
