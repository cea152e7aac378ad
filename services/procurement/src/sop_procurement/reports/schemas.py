"""Response bodies and query types for the transparency reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Query
from pydantic import Field, PlainSerializer, WithJsonSchema

from sop_procurement.http import Out

Month = Annotated[
    str,
    Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-11"], description="YYYY-MM"),
]

Percentage = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.1f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,3}\.[0-9]$", "examples": ["87.5"]}),
]


class PromptPaymentOut(Out):
    """The share of supplier invoices finance paid within 5 and 30 days of receiving them."""

    paid_from: date = Field(serialization_alias="from")
    paid_to: date = Field(serialization_alias="to")
    invoices_paid: int
    within_5_days: int
    within_30_days: int
    percent_within_5_days: Percentage | None = Field(description="None when nothing was paid.")
    percent_within_30_days: Percentage | None
    target_within_5_days: Percentage = Field(
        default=Decimal("80"), description="Central government's policy: 80% within 5 days."
    )
    source: str = Field(
        default="finance", description="Read from finance's paid supplier invoices."
    )
