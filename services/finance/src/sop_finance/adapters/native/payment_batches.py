"""Native payment batches: batch headers and their payments on finance's own database."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import (
    BatchPaymentRow,
    PaymentBatchFileRow,
    PaymentBatchRow,
)
from sop_finance.payment_batches.ports import RELEASED, BatchFilter, BatchPayment, PaymentBatch
from sop_finance.ports import PageRequest, RecordPage
from sop_shared.pagination import keyset_page
from sop_shared.rows import table_of, to_domain

_PAYMENT_COLUMNS = (
    "id",
    "line_number",
    "payee_reference",
    "name",
    "sort_code",
    "account_number",
    "account_name",
    "amount",
    "reference",
)
# Payee references looked up per statement: well under PostgreSQL's bind parameter limit.
_CHUNK = 5_000


class NativePaymentBatches(NativeStore):
    async def list_batches(self, flt: BatchFilter, page: PageRequest) -> RecordPage[PaymentBatch]:
        t = PaymentBatchRow
        stmt = self.select(t)
        if flt.source is not None:
            stmt = stmt.where(col(t.source) == flt.source)
        if flt.source_reference is not None:
            stmt = stmt.where(col(t.source_reference) == flt.source_reference)
        if flt.status is not None:
            stmt = stmt.where(col(t.status) == flt.status)
        if flt.number is not None:
            stmt = stmt.where(col(t.number) == flt.number)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return await self.page(stmt, t, page, PaymentBatch)

    async def get_batch(self, batch_id: uuid.UUID, *, lock: bool = False) -> PaymentBatch | None:
        row = await self.row(PaymentBatchRow, batch_id, lock=lock)
        return to_domain(row, PaymentBatch) if row else None

    async def find_live_batch(self, source: str, source_reference: str) -> PaymentBatch | None:
        t = PaymentBatchRow
        stmt = self.select(t).where(
            col(t.source) == source,
            col(t.source_reference) == source_reference,
            col(t.status).not_in(RELEASED),
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return to_domain(row, PaymentBatch) if row else None

    async def add_batch(self, batch: PaymentBatch) -> PaymentBatch:
        number = await self.take_number("payment_batch", "PBT")
        return to_domain(await self.insert_row(PaymentBatchRow, batch, number=number), PaymentBatch)

    async def update_batch(self, batch: PaymentBatch) -> PaymentBatch:
        return to_domain(await self.update_row(PaymentBatchRow, batch), PaymentBatch)

    async def taken_payee_references(
        self, batch_id: uuid.UUID, references: Collection[str]
    ) -> set[str]:
        t = BatchPaymentRow
        wanted, taken = list(references), set[str]()
        for start in range(0, len(wanted), _CHUNK):
            stmt = select(col(t.payee_reference)).where(
                col(t.tenant) == self.tenant,
                col(t.batch_id) == batch_id,
                col(t.payee_reference).in_(wanted[start : start + _CHUNK]),
            )
            taken.update((await self.session.execute(stmt)).scalars())
        return taken

    async def add_payments(self, batch_id: uuid.UUID, payments: Sequence[BatchPayment]) -> None:
        # One multi-row INSERT (Core, not ORM objects): a 5,000-row page in one round trip.
        rows: list[dict[str, Any]] = [
            {
                "tenant": self.tenant,
                "batch_id": batch_id,
                **{name: getattr(p, name) for name in _PAYMENT_COLUMNS},
            }
            for p in payments
        ]
        if rows:
            await self.session.execute(insert(table_of(BatchPaymentRow)), rows)

    async def list_payments(
        self, batch_id: uuid.UUID, page: PageRequest
    ) -> RecordPage[BatchPayment]:
        t = table_of(BatchPaymentRow)
        stmt = select(*(t.c[name] for name in _PAYMENT_COLUMNS)).where(
            t.c.tenant == self.tenant, t.c.batch_id == batch_id
        )
        rows, cursor = await keyset_page(self.session, stmt, t.c.id, page, scalars=False)
        return RecordPage([BatchPayment(**row._mapping) for row in rows], cursor)

    async def all_payments(self, batch_id: uuid.UUID) -> list[BatchPayment]:
        t = table_of(BatchPaymentRow)
        stmt = (
            select(*(t.c[name] for name in _PAYMENT_COLUMNS))
            .where(t.c.tenant == self.tenant, t.c.batch_id == batch_id)
            .order_by(t.c.line_number)
        )
        result = await self.session.execute(stmt)
        return [BatchPayment(**row._mapping) for row in result]

    async def add_bacs_file(self, batch_id: uuid.UUID, content: str) -> None:
        t = table_of(PaymentBatchFileRow)
        await self.session.execute(
            insert(t).values(batch_id=batch_id, tenant=self.tenant, content=content)
        )

    async def get_bacs_file(self, batch_id: uuid.UUID) -> str | None:
        t = table_of(PaymentBatchFileRow)
        stmt = select(t.c.content).where(t.c.tenant == self.tenant, t.c.batch_id == batch_id)
        content: str | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return content
