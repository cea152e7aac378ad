"""Org units as Oracle-like departments (in the tenant's reference data set: Name the unit's
code, Title its name) and positions (in the tenant's business unit), both dated from 1951."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sop_hr.adapters.crossref import ORG_UNIT, ORG_UNIT_CODE, POSITION, POSITION_CODE, VendorRef
from sop_hr.adapters.oracle_like.client import BEGINNING, OracleHcm, Row, lit, lits, q_all
from sop_hr.adapters.vendor import Filler, changed_since, since_for_vendor, stamped, stamps
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import PageRequest, RecordGone, RecordPage
from sop_hr.positions.ports import Position, PositionFilter
from sop_hr.terms.ports import Grade

DEPARTMENTS = "departments"
POSITIONS = "positions"


class _Records:
    """What departments and positions share: cross-referenced items, paged and changed with
    the ETag this request read."""

    resource_type: str
    collection: str
    id_attr: str
    kind: str
    code_claim: str

    def __init__(self, hcm: OracleHcm) -> None:
        self.hcm = hcm
        self.refs = hcm.refs
        self._etags: dict[uuid.UUID, str | None] = {}

    async def _read(self, ref: VendorRef) -> Row | None:
        item, etag = await self.hcm.get(f"{self.collection}/{ref.vendor_key}")
        if item is not None:
            self._etags[ref.id] = etag
        return item

    async def _refs_for(self, tenant: str, rows: list[Row]) -> dict[str, VendorRef]:
        return await self.refs.by_vendor_keys(
            tenant, self.resource_type, [str(r[self.id_attr]) for r in rows]
        )

    async def _page(self, q: str | None, page: PageRequest, keep: Any) -> RecordPage[Any]:
        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.hcm.page(
                self.collection,
                q=q,
                offset=int(position or 0),
                limit=size,
                orderBy=self.id_attr,
                onlyData="true",
            )

        return await Filler(fetch, keep, self.kind).page(page.limit, page.cursor)

    async def _change(self, tenant: str, record: Any, body: dict[str, Any]) -> VendorRef:
        ref = await self.refs.get(tenant, self.resource_type, record.id, for_update=True)
        if ref is None:
            raise RecordGone(f"{self.resource_type} {record.id} no longer exists")
        self.refs.check_version(ref, record.version)
        await self.refs.claim(tenant, self.code_claim, record.id, record.code)
        etag = self._etags.get(record.id)
        await self.hcm.call(
            "PATCH",
            f"{self.collection}/{ref.vendor_key}",
            body=body,
            headers={"If-Match": etag} if etag else None,
        )
        self._etags.pop(record.id, None)
        return await self.refs.touch(ref)


class OracleOrgUnits(_Records):
    resource_type = ORG_UNIT
    collection = DEPARTMENTS
    id_attr = "OrganizationId"
    kind = "oracle-dept"
    code_claim = ORG_UNIT_CODE

    async def _units(self, tenant: str, rows: list[Row]) -> list[OrgUnit | None]:
        refs = await self._refs_for(tenant, rows)
        parents = await self.refs.by_vendor_keys(
            tenant,
            ORG_UNIT,
            [str(r["ParentOrganizationId"]) for r in rows if r.get("ParentOrganizationId")],
        )
        out: list[OrgUnit | None] = []
        for row in rows:
            ref = refs.get(str(row[self.id_attr]))
            if ref is None or row.get("SetCode") != tenant:
                out.append(None)
                continue
            parent = parents.get(str(row.get("ParentOrganizationId")))
            out.append(
                OrgUnit(
                    id=ref.id,
                    code=row["Name"],
                    name=row.get("Title") or "",
                    cost_centre=row.get("CostCenter") or "",
                    parent_id=parent.id if parent else None,
                    **stamps(ref),
                )
            )
        return out

    async def get(self, tenant: str, org_unit_id: uuid.UUID) -> OrgUnit | None:
        ref = await self.refs.get(tenant, ORG_UNIT, org_unit_id)
        if ref is None:
            return None
        item = await self._read(ref)
        return (await self._units(tenant, [item]))[0] if item else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, OrgUnit]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.hcm.every_chunked(
            DEPARTMENTS,
            wanted,
            lambda chunk: f"SetCode={lit(tenant)} and Name in {lits(chunk)}",
            onlyData="true",
        )
        return {u.code: u for u in await self._units(tenant, rows) if u is not None}

    async def list(
        self, tenant: str, where: OrgUnitFilter, page: PageRequest
    ) -> RecordPage[OrgUnit]:
        terms: list[str | None] = [f"SetCode={lit(tenant)}"]
        if where.code is not None:
            terms.append(f"Name={lit(where.code)}")
        if where.parent_id is not None:
            parent = await self.refs.get(tenant, ORG_UNIT, where.parent_id)
            if parent is None:
                return RecordPage(items=[])
            terms.append(f"ParentOrganizationId={parent.vendor_key}")
        if where.ids is not None:
            refs = await self.refs.many(tenant, ORG_UNIT, where.ids)
            if not refs:
                return RecordPage(items=[])
            terms.append(f"OrganizationId in ({','.join(r.vendor_key for r in refs.values())})")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"LastUpdateDate>={lit(since)}")

        async def keep(rows: list[Row]) -> list[OrgUnit | None]:
            return changed_since(await self._units(tenant, rows), where.updated_since)

        return await self._page(q_all(*terms), page, keep)

    async def hierarchy(self, tenant: str) -> dict[uuid.UUID, uuid.UUID | None]:
        rows = await self.hcm.every(
            DEPARTMENTS,
            q=f"SetCode={lit(tenant)}",
            fields="OrganizationId,ParentOrganizationId",
            onlyData="true",
        )
        refs = {r.vendor_key: r.id for r in await self.refs.every(tenant, ORG_UNIT)}
        tree: dict[uuid.UUID, uuid.UUID | None] = {}
        for row in rows:
            unit = refs.get(str(row["OrganizationId"]))
            if unit is not None:
                tree[unit] = refs.get(str(row.get("ParentOrganizationId")))
        return tree

    async def _body(self, tenant: str, unit: OrgUnit) -> dict[str, Any]:
        parent = None
        if unit.parent_id is not None:
            parent = await self.refs.get(tenant, ORG_UNIT, unit.parent_id)
            if parent is None:
                raise RecordGone(f"org unit {unit.parent_id} is not in the system of record")
        return {
            "Name": unit.code,
            "Title": unit.name,
            "CostCenter": unit.cost_centre,
            "ParentOrganizationId": int(parent.vendor_key) if parent else None,
            # Cleared so Oracle resolves the parent by id, even when there is none now.
            "ParentOrganizationName": None,
        }

    async def add(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        body = {
            **(await self._body(tenant, unit)),
            "SetCode": tenant,
            "EffectiveStartDate": BEGINNING.isoformat(),
        }
        await self.refs.claim(tenant, ORG_UNIT_CODE, unit.id, unit.code)
        item, _ = await self.hcm.call("POST", DEPARTMENTS, body=body)
        ref = await self.refs.add(
            tenant, ORG_UNIT, unit.id, str(item[self.id_attr]), created_at=unit.created_at
        )
        return stamped(unit, ref)

    async def update(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        if unit.id not in self._etags:
            ref = await self.refs.get(tenant, ORG_UNIT, unit.id)
            if ref is not None:
                await self._read(ref)
        ref = await self._change(tenant, unit, await self._body(tenant, unit))
        return stamped(unit, ref)


class OraclePositions(_Records):
    resource_type = POSITION
    collection = POSITIONS
    id_attr = "PositionId"
    kind = "oracle-pos"
    code_claim = POSITION_CODE

    async def _positions(self, tenant: str, rows: list[Row]) -> list[Position | None]:
        refs = await self._refs_for(tenant, rows)
        units = await self.refs.by_vendor_keys(
            tenant, ORG_UNIT, [str(r["DepartmentId"]) for r in rows if r.get("DepartmentId")]
        )
        out: list[Position | None] = []
        for row in rows:
            ref = refs.get(str(row[self.id_attr]))
            unit = units.get(str(row.get("DepartmentId")))
            if ref is None or unit is None or row.get("BusinessUnitName") != tenant:
                out.append(None)
                continue
            out.append(
                Position(
                    id=ref.id,
                    code=row["PositionCode"],
                    title=row.get("Name") or "",
                    grade=Grade(row["GradeCode"]),
                    org_unit_id=unit.id,
                    budgeted_fte=Decimal(str(row["FTE"])).normalize(),
                    **stamps(ref),
                )
            )
        return out

    async def get(self, tenant: str, position_id: uuid.UUID) -> Position | None:
        ref = await self.refs.get(tenant, POSITION, position_id)
        if ref is None:
            return None
        item = await self._read(ref)
        return (await self._positions(tenant, [item]))[0] if item else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, Position]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.hcm.every_chunked(
            POSITIONS,
            wanted,
            lambda chunk: f"BusinessUnitName={lit(tenant)} and PositionCode in {lits(chunk)}",
            onlyData="true",
        )
        return {p.code: p for p in await self._positions(tenant, rows) if p is not None}

    async def list(
        self, tenant: str, where: PositionFilter, page: PageRequest
    ) -> RecordPage[Position]:
        terms: list[str | None] = [f"BusinessUnitName={lit(tenant)}"]
        if where.code is not None:
            terms.append(f"PositionCode={lit(where.code)}")
        if where.org_unit_id is not None:
            unit = await self.refs.get(tenant, ORG_UNIT, where.org_unit_id)
            if unit is None:
                return RecordPage(items=[])
            terms.append(f"DepartmentId={unit.vendor_key}")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"LastUpdateDate>={lit(since)}")

        async def keep(rows: list[Row]) -> list[Position | None]:
            return changed_since(await self._positions(tenant, rows), where.updated_since)

        return await self._page(q_all(*terms), page, keep)

    async def _body(self, tenant: str, position: Position) -> dict[str, Any]:
        unit = await self.refs.get(tenant, ORG_UNIT, position.org_unit_id)
        if unit is None:
            raise RecordGone(f"org unit {position.org_unit_id} is not in the system of record")
        return {
            "PositionCode": position.code,
            "Name": position.title,
            "GradeCode": position.grade.value,
            "DepartmentId": int(unit.vendor_key),
            "DepartmentName": None,
            "FTE": position.budgeted_fte,
        }

    async def add(self, tenant: str, position: Position) -> Position:
        body = {
            **(await self._body(tenant, position)),
            "BusinessUnitName": tenant,
            "EffectiveStartDate": BEGINNING.isoformat(),
        }
        await self.refs.claim(tenant, POSITION_CODE, position.id, position.code)
        item, _ = await self.hcm.call("POST", POSITIONS, body=body)
        ref = await self.refs.add(
            tenant, POSITION, position.id, str(item[self.id_attr]), created_at=position.created_at
        )
        return stamped(position, ref)

    async def update(self, tenant: str, position: Position) -> Position:
        if position.id not in self._etags:
            ref = await self.refs.get(tenant, POSITION, position.id)
            if ref is not None:
                await self._read(ref)
        ref = await self._change(tenant, position, await self._body(tenant, position))
        return stamped(position, ref)
