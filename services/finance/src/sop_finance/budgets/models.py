"""Canonical budgets and commitments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sop_finance.canonical import Record

CommitmentStatus = Literal["open", "closed"]


@dataclass(kw_only=True)
class Budget(Record):
    cost_centre_code: str
    account_code: str
    period_code: str
    amount: Decimal


@dataclass(kw_only=True)
class Commitment(Record):
    """Money promised but not yet spent (a purchase order): it reduces what is available until
    an invoice releases it."""

    cost_centre_code: str
    account_code: str
    commitment_date: date
    period_code: str
    amount: Decimal
    created_by: str
    number: str = ""  # the store assigns it
    released: Decimal = Decimal("0.00")
    status: CommitmentStatus = "open"
    source: str = "manual"
    source_reference: str | None = None
    description: str | None = None

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.released


@dataclass(kw_only=True)
class BudgetFilter:
    cost_centre_code: str | None = None
    account_code: str | None = None
    period_code: str | None = None
    fiscal_year: int | None = None
    updated_since: datetime | None = None


@dataclass(kw_only=True)
class CommitmentFilter:
    cost_centre_code: str | None = None
    account_code: str | None = None
    status: CommitmentStatus | None = None
    source_reference: str | None = None
    updated_since: datetime | None = None
