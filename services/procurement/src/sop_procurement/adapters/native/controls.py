"""The tenant's policy and approval limits on procurement's own database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import ApprovalLimitRow, PolicyRow
from sop_procurement.controls.ports import ApprovalLimit, Policy
from sop_shared.rows import to_domain


class NativeControls(NativeStore):
    async def policy(self) -> Policy:
        row = (await self.session.execute(self.select(PolicyRow))).scalar_one_or_none()
        return Policy() if row is None else to_domain(row, Policy)

    async def save_policy(self, policy: Policy) -> Policy:
        row = (await self.session.execute(self.select(PolicyRow))).scalar_one_or_none()
        if row is None:
            return to_domain(await self.insert_row(PolicyRow, policy), Policy)
        stored: Any = row
        return to_domain(await self.update_row(PolicyRow, replace(policy, id=stored.id)), Policy)

    async def ensure_policy(self) -> Policy:
        row = (await self.session.execute(self.select(PolicyRow))).scalar_one_or_none()
        if row is None:
            return to_domain(await self.insert_row(PolicyRow, Policy()), Policy)
        return to_domain(row, Policy)

    async def limits(self) -> list[ApprovalLimit]:
        t: Any = ApprovalLimitRow
        stmt = self.select(ApprovalLimitRow).order_by(t.limit, t.role)
        return [to_domain(r, ApprovalLimit) for r in (await self.session.execute(stmt)).scalars()]

    async def get_limit(self, limit_id: uuid.UUID) -> ApprovalLimit | None:
        row = await self.row(ApprovalLimitRow, limit_id)
        return None if row is None else to_domain(row, ApprovalLimit)

    async def add_limit(self, limit: ApprovalLimit) -> ApprovalLimit:
        return to_domain(await self.insert_row(ApprovalLimitRow, limit), ApprovalLimit)

    async def update_limit(self, limit: ApprovalLimit) -> ApprovalLimit:
        return to_domain(await self.update_row(ApprovalLimitRow, limit), ApprovalLimit)

    async def delete_limit(self, limit: ApprovalLimit) -> None:
        row = await self.row(ApprovalLimitRow, limit.id)
        if row is not None:
            await self.session.delete(row)
            await self.session.flush()
