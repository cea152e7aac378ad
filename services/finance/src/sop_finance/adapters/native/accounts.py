"""Native chart of accounts: accounts, cost centres and analysis codes in finance's database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import Select
from sqlmodel import col

from sop_finance.accounts.ports import (
    Account,
    AccountFilter,
    AnalysisCode,
    CodeFilter,
    CostCentre,
    Dimension,
)
from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import AccountRow, AnalysisCodeRow, CostCentreRow
from sop_finance.ports import PageRequest, RecordPage
from sop_shared.rows import to_domain

Coded = TypeVar("Coded", CostCentreRow, AnalysisCodeRow)  # the tables of plain codes


class NativeChartOfAccounts(NativeStore):
    # --- accounts
    async def list_accounts(self, flt: AccountFilter, page: PageRequest) -> RecordPage[Account]:
        t = AccountRow
        stmt = self.select(t)
        if flt.code is not None:
            stmt = stmt.where(col(t.code) == flt.code)
        if flt.type is not None:
            stmt = stmt.where(col(t.type) == flt.type)
        if flt.parent_code is not None:
            stmt = stmt.where(col(t.parent_code) == flt.parent_code)
        if flt.active is not None:
            stmt = stmt.where(col(t.active) == flt.active)
        if flt.control_role is not None:
            stmt = stmt.where(col(t.control_role) == flt.control_role)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return await self.page(stmt, t, page, Account)

    async def all_accounts(self) -> list[Account]:
        rows = (await self.session.execute(self.select(AccountRow))).scalars().all()
        return [to_domain(r, Account) for r in rows]

    async def accounts_by_code(self, codes: Iterable[str]) -> dict[str, Account]:
        wanted = set(codes)
        if not wanted:
            return {}
        stmt = self.select(AccountRow).where(col(AccountRow.code).in_(wanted))
        rows = (await self.session.execute(stmt)).scalars().all()
        return {r.code: to_domain(r, Account) for r in rows}

    async def get_account(self, account_id: uuid.UUID) -> Account | None:
        row = await self.row(AccountRow, account_id)
        return to_domain(row, Account) if row else None

    async def add_account(self, account: Account) -> Account:
        return to_domain(await self.insert_row(AccountRow, account), Account)

    async def update_account(self, account: Account) -> Account:
        return to_domain(await self.update_row(AccountRow, account), Account)

    # --- cost centres
    async def list_cost_centres(self, flt: CodeFilter, page: PageRequest) -> RecordPage[CostCentre]:
        return await self.page(self._coded(CostCentreRow, flt), CostCentreRow, page, CostCentre)

    async def cost_centres_by_code(self, codes: Iterable[str]) -> dict[str, CostCentre]:
        wanted = set(codes)
        if not wanted:
            return {}
        stmt = self.select(CostCentreRow).where(col(CostCentreRow.code).in_(wanted))
        rows = (await self.session.execute(stmt)).scalars().all()
        return {r.code: to_domain(r, CostCentre) for r in rows}

    async def get_cost_centre(self, cost_centre_id: uuid.UUID) -> CostCentre | None:
        row = await self.row(CostCentreRow, cost_centre_id)
        return to_domain(row, CostCentre) if row else None

    async def add_cost_centre(self, cost_centre: CostCentre) -> CostCentre:
        return to_domain(await self.insert_row(CostCentreRow, cost_centre), CostCentre)

    async def update_cost_centre(self, cost_centre: CostCentre) -> CostCentre:
        return to_domain(await self.update_row(CostCentreRow, cost_centre), CostCentre)

    # --- analysis codes
    async def list_analysis_codes(
        self, flt: CodeFilter, page: PageRequest
    ) -> RecordPage[AnalysisCode]:
        stmt = self._coded(AnalysisCodeRow, flt)
        if flt.dimension is not None:
            stmt = stmt.where(col(AnalysisCodeRow.dimension) == flt.dimension)
        return await self.page(stmt, AnalysisCodeRow, page, AnalysisCode)

    async def analysis_codes_by_key(
        self, keys: Iterable[tuple[Dimension, str]]
    ) -> dict[tuple[str, str], AnalysisCode]:
        wanted = set(keys)
        if not wanted:
            return {}
        codes = {code for _, code in wanted}
        stmt = self.select(AnalysisCodeRow).where(col(AnalysisCodeRow.code).in_(codes))
        rows = (await self.session.execute(stmt)).scalars().all()
        found = {(r.dimension, r.code): to_domain(r, AnalysisCode) for r in rows}
        return {k: v for k, v in found.items() if k in wanted}

    async def get_analysis_code(self, code_id: uuid.UUID) -> AnalysisCode | None:
        row = await self.row(AnalysisCodeRow, code_id)
        return to_domain(row, AnalysisCode) if row else None

    async def add_analysis_code(self, code: AnalysisCode) -> AnalysisCode:
        return to_domain(await self.insert_row(AnalysisCodeRow, code), AnalysisCode)

    async def update_analysis_code(self, code: AnalysisCode) -> AnalysisCode:
        return to_domain(await self.update_row(AnalysisCodeRow, code), AnalysisCode)

    def _coded(self, t: type[Coded], flt: CodeFilter) -> Select[Coded]:
        stmt = self.select(t)
        if flt.code is not None:
            stmt = stmt.where(col(t.code) == flt.code)
        if flt.active is not None:
            stmt = stmt.where(col(t.active) == flt.active)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return stmt
