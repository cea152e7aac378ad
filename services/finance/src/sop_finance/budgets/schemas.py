"""Request and response bodies for budgets, commitments and budget availability."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_finance.budgets.ports import CommitmentStatus
from sop_finance.http import (
    Amount,
    BusinessDate,
    Code,
    In,
    Out,
    PositiveAmount,
    Reference,
    Source,
    Text,
)
from sop_shared.money import Money


class BudgetCreate(In):
    cost_centre_code: Code
    account_code: Code
    period: str = Field(max_length=12, examples=["2026-08"])
    amount: Amount


class BudgetUpdate(In):
    amount: Amount


class BudgetOut(Out):
    id: uuid.UUID
    cost_centre_code: str
    account_code: str
    period: str = Field(validation_alias="period_code")
    amount: Money
    version: int
    created_at: datetime
    updated_at: datetime


class CommitmentCreate(In):
    cost_centre_code: Code
    account_code: Code
    commitment_date: BusinessDate = Field(description="Decides the period (and year) it counts in.")
    amount: PositiveAmount
    source: Source = "manual"
    source_reference: Reference | None = Field(None, description="e.g. the purchase order.")
    description: Text | None = None


class CommitmentRelease(In):
    amount: PositiveAmount | None = Field(
        None, description="Default: everything still outstanding."
    )


class CommitmentOut(Out):
    id: uuid.UUID
    number: str
    cost_centre_code: str
    account_code: str
    commitment_date: date
    period: str = Field(validation_alias="period_code")
    amount: Money
    released: Money
    outstanding: Money
    status: CommitmentStatus
    source: str
    source_reference: str | None
    description: str | None
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime


class BudgetAvailability(Out):
    cost_centre_code: str
    account_code: str
    financial_year: str
    period: str | None = Field(description="Set when the figures are for one period only.")
    budget: Money
    commitments: Money = Field(description="Outstanding (unreleased) commitments.")
    actuals: Money = Field(description="Posted spend (net debits; net credits for income).")
    available: Money = Field(description="budget - commitments - actuals")
