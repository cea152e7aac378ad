"""Canonical chart-of-accounts objects, as every adapter must speak them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sop_finance.canonical import Record

AccountType = Literal["asset", "liability", "equity", "income", "expense"]
ACCOUNT_TYPES: tuple[AccountType, ...] = ("asset", "liability", "equity", "income", "expense")
# Accounts whose balance normally sits on the debit side; the rest are credit-natured.
DEBIT_NATURED: frozenset[str] = frozenset({"asset", "expense"})
# Income and expense are the operating statement: closed to reserves at year end.
OPERATING: frozenset[str] = frozenset({"income", "expense"})

ControlRole = Literal["retained_earnings", "payables_control", "vat_recoverable"]
CONTROL_ROLES: tuple[ControlRole, ...] = (
    "retained_earnings",
    "payables_control",
    "vat_recoverable",
)

Dimension = Literal["programme", "project"]


@dataclass(kw_only=True)
class Account(Record):
    code: str
    name: str
    type: AccountType
    parent_code: str | None = None
    # Header accounts exist for roll-up only; journals post to the accounts beneath them.
    postable: bool = True
    active: bool = True
    control_role: ControlRole | None = None


@dataclass(kw_only=True)
class CostCentre(Record):
    code: str
    name: str
    active: bool = True


@dataclass(kw_only=True)
class AnalysisCode(Record):
    dimension: Dimension
    code: str
    name: str
    active: bool = True


@dataclass(kw_only=True)
class AccountFilter:
    code: str | None = None
    type: AccountType | None = None
    parent_code: str | None = None
    active: bool | None = None
    control_role: ControlRole | None = None
    updated_since: datetime | None = None


@dataclass(kw_only=True)
class CodeFilter:
    code: str | None = None
    dimension: Dimension | None = None
    active: bool | None = None
    updated_since: datetime | None = None
