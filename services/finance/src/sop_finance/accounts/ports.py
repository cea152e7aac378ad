"""The chart of accounts as every adapter speaks it (accounts, cost centres, analysis
codes), and the port an adapter implements."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sop_finance.ports import PageRequest, Record, RecordPage

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


class ChartOfAccountsPort(Protocol):
    """Accounts, cost centres and analysis codes. Codes are immutable business keys; an
    `update_*` stores the object's fields if its `version` is still current (else 412)."""

    async def list_accounts(self, flt: AccountFilter, page: PageRequest) -> RecordPage[Account]: ...

    async def all_accounts(self) -> list[Account]: ...

    async def accounts_by_code(self, codes: Iterable[str]) -> dict[str, Account]: ...

    async def get_account(self, account_id: uuid.UUID) -> Account | None: ...

    async def add_account(self, account: Account) -> Account: ...

    async def update_account(self, account: Account) -> Account: ...

    async def list_cost_centres(
        self, flt: CodeFilter, page: PageRequest
    ) -> RecordPage[CostCentre]: ...

    async def cost_centres_by_code(self, codes: Iterable[str]) -> dict[str, CostCentre]: ...

    async def get_cost_centre(self, cost_centre_id: uuid.UUID) -> CostCentre | None: ...

    async def add_cost_centre(self, cost_centre: CostCentre) -> CostCentre: ...

    async def update_cost_centre(self, cost_centre: CostCentre) -> CostCentre: ...

    async def list_analysis_codes(
        self, flt: CodeFilter, page: PageRequest
    ) -> RecordPage[AnalysisCode]: ...

    async def analysis_codes_by_key(
        self, keys: Iterable[tuple[Dimension, str]]
    ) -> dict[tuple[str, str], AnalysisCode]: ...

    async def get_analysis_code(self, code_id: uuid.UUID) -> AnalysisCode | None: ...

    async def add_analysis_code(self, code: AnalysisCode) -> AnalysisCode: ...

    async def update_analysis_code(self, code: AnalysisCode) -> AnalysisCode: ...
