"""Request and response bodies for receipts."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_procurement.http import BusinessDate, In, Out, QuantityOut, SignedQuantity, Text


class ReceiptLineIn(In):
    order_line_id: uuid.UUID
    quantity: SignedQuantity = Field(
        description='Received ("2") or returned to the supplier ("-1", with a reason).'
    )
    received_on: BusinessDate | None = Field(None, description="Default: today; never later.")
    note: Text | None = None
    reason: Text | None = Field(None, description="Why it was returned (required for a return).")


class ReceiptCreate(In):
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=200)


class ReceiptLineOut(Out):
    order_line_id: uuid.UUID
    line_number: int
    quantity: QuantityOut
    received_on: date
    note: str | None
    reason: str | None
    ordered: QuantityOut = Field(description="The order line afterwards: ordered …")
    received: QuantityOut = Field(description="… everything received …")
    returned: QuantityOut = Field(description="… everything returned …")
    outstanding: QuantityOut = Field(description="… and what is still to come.")


class ReceiptOut(Out):
    id: uuid.UUID
    number: str
    order_id: uuid.UUID
    order_number: str
    supplier_id: uuid.UUID
    recorded_by: str
    lines: list[ReceiptLineOut]
    version: int
    created_at: datetime
    updated_at: datetime
