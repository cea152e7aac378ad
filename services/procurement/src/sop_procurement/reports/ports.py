"""The transparency reports' records: lines of the monthly "spend over £25,000" publication
and the prompt payment figures. Reports read orders, suppliers and finance's paid invoices
through the other ports; they store nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SPEND_COLUMNS = (
    "Department family",
    "Entity",
    "Date",
    "Expense type",
    "Expense area",
    "Supplier",
    "Transaction number",
    "Amount",
    "Description",
)


@dataclass(frozen=True, slots=True)
class SpendLine:
    department_family: str
    entity: str
    date: date
    expense_type: str  # finance's account code
    expense_area: str  # finance's cost centre code
    supplier: str
    transaction_number: str  # the order number: lines of one order share it
    amount: Decimal
    description: str


@dataclass(frozen=True, slots=True)
class PromptPayment:
    paid_from: date
    paid_to: date
    invoices_paid: int
    within_5_days: int
    within_30_days: int
    percent_within_5_days: Decimal | None  # None when nothing was paid
    percent_within_30_days: Decimal | None
