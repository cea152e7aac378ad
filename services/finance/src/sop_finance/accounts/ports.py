"""What the service needs from a system of record for the chart of accounts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol

from sop_finance.accounts.models import (
    Account,
    AccountFilter,
    AnalysisCode,
    CodeFilter,
    CostCentre,
    Dimension,
)
from sop_finance.canonical import Slice
from sop_shared.pagination import PageParams


class ChartOfAccountsPort(Protocol):
    """Accounts, cost centres and analysis codes. Codes are immutable business keys; an
    `update_*` stores the object's fields if its `version` is still current (else 412)."""

    async def list_accounts(self, flt: AccountFilter, page: PageParams) -> Slice[Account]: ...

    async def all_accounts(self) -> list[Account]: ...

    async def accounts_by_code(self, codes: Iterable[str]) -> dict[str, Account]: ...

    async def get_account(self, account_id: uuid.UUID) -> Account | None: ...

    async def add_account(self, account: Account) -> Account: ...

    async def update_account(self, account: Account) -> Account: ...

    async def list_cost_centres(self, flt: CodeFilter, page: PageParams) -> Slice[CostCentre]: ...

    async def cost_centres_by_code(self, codes: Iterable[str]) -> dict[str, CostCentre]: ...

    async def get_cost_centre(self, cost_centre_id: uuid.UUID) -> CostCentre | None: ...

    async def add_cost_centre(self, cost_centre: CostCentre) -> CostCentre: ...

    async def update_cost_centre(self, cost_centre: CostCentre) -> CostCentre: ...

    async def list_analysis_codes(
        self, flt: CodeFilter, page: PageParams
    ) -> Slice[AnalysisCode]: ...

    async def analysis_codes_by_key(
        self, keys: Iterable[tuple[Dimension, str]]
    ) -> dict[tuple[str, str], AnalysisCode]: ...

    async def get_analysis_code(self, code_id: uuid.UUID) -> AnalysisCode | None: ...

    async def add_analysis_code(self, code: AnalysisCode) -> AnalysisCode: ...

    async def update_analysis_code(self, code: AnalysisCode) -> AnalysisCode: ...
