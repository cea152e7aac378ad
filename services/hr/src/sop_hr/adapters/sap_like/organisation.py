"""Org units as SuccessFactors-like departments (FODepartment) and positions (Position),
foundation objects dated from 1900, keyed by HR's id, with the tenant as their company and
HR's codes in the customer's cust_code field."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sop_hr.adapters.crossref import ORG_UNIT, ORG_UNIT_CODE, POSITION, POSITION_CODE, VendorRef
from sop_hr.adapters.sap_like.client import (
    BEGINNING,
    Row,
    SuccessFactors,
    decimal,
    f_all,
    key,
    lit,
    lits,
    sf_date,
)
from sop_hr.adapters.vendor import Filler, changed_since, since_for_vendor, stamped, stamps
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import PageRequest, RecordGone, RecordPage
from sop_hr.positions.ports import Position, PositionFilter
from sop_hr.terms.ports import Grade

DEPARTMENTS = "FODepartment"
POSITIONS = "Position"


class _Objects:
    """What departments and positions share: one entity per record, keyed by HR's id."""

    resource_type: str
    entity_set: str
    key_prop: str
    start_prop: str
    kind: str
    code_claim: str

    def __init__(self, sf: SuccessFactors) -> None:
        self.sf = sf
        self.refs = sf.refs
        self._etags: dict[uuid.UUID, str | None] = {}

    def path(self, vendor_key: str) -> str:
        parts = {self.key_prop: vendor_key, self.start_prop: BEGINNING}
        return f"{self.entity_set}{key(**parts)}"

    async def _read(self, ref: VendorRef) -> Row | None:
        entity, etag = await self.sf.entity(self.path(ref.vendor_key))
        if entity is not None:
            self._etags[ref.id] = etag
        return entity

    async def _page(self, condition: str | None, page: PageRequest, keep: Any) -> RecordPage[Any]:
        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.sf.page(
                self.entity_set, token=position, size=size, **{"$filter": condition}
            )

        return await Filler(fetch, keep, self.kind).page(page.limit, page.cursor)

    def _since(self, where: Any, terms: list[str | None]) -> None:
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"lastModifiedDateTime ge {lit(since)}")

    async def _add(self, tenant: str, record: Any, body: dict[str, Any]) -> VendorRef:
        await self.refs.claim(tenant, self.code_claim, record.id, record.code)
        vendor_key = record.id.hex
        _, etag = await self.sf.create(
            self.entity_set,
            {self.key_prop: vendor_key, self.start_prop: sf_date(BEGINNING), **body},
        )
        ref = await self.refs.add(
            tenant, self.resource_type, record.id, vendor_key, created_at=record.created_at
        )
        self._etags[record.id] = etag
        return ref

    async def _change(self, tenant: str, record: Any, body: dict[str, Any]) -> VendorRef:
        ref = await self.refs.get(tenant, self.resource_type, record.id, for_update=True)
        if ref is None:
            raise RecordGone(f"{self.resource_type} {record.id} no longer exists")
        self.refs.check_version(ref, record.version)
        await self.refs.claim(tenant, self.code_claim, record.id, record.code)
        if record.id not in self._etags and await self._read(ref) is None:
            raise RecordGone(f"{self.resource_type} {record.id} is not in the system of record")
        await self.sf.merge(self.path(ref.vendor_key), body, self._etags.pop(record.id, None))
        return await self.refs.touch(ref)


class SapOrgUnits(_Objects):
    resource_type = ORG_UNIT
    entity_set = DEPARTMENTS
    kind = "sap-departments"
    key_prop = "externalCode"
    start_prop = "startDate"
    code_claim = ORG_UNIT_CODE

    async def _units(self, tenant: str, rows: list[Row]) -> list[OrgUnit | None]:
        keys = [r["externalCode"] for r in rows] + [r["parent"] for r in rows if r.get("parent")]
        refs = await self.refs.by_vendor_keys(tenant, ORG_UNIT, keys)
        out: list[OrgUnit | None] = []
        for row in rows:
            ref = refs.get(row["externalCode"])
            if ref is None or row.get("cust_company") != tenant:
                out.append(None)
                continue
            parent = refs.get(row.get("parent") or "")
            out.append(
                OrgUnit(
                    id=ref.id,
                    code=row.get("cust_code") or "",
                    name=row.get("name") or "",
                    cost_centre=row.get("costCenter") or "",
                    parent_id=parent.id if parent else None,
                    **stamps(ref),
                )
            )
        return out

    async def get(self, tenant: str, org_unit_id: uuid.UUID) -> OrgUnit | None:
        ref = await self.refs.get(tenant, ORG_UNIT, org_unit_id)
        if ref is None:
            return None
        entity = await self._read(ref)
        return (await self._units(tenant, [entity]))[0] if entity else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, OrgUnit]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.sf.every_chunked(
            DEPARTMENTS,
            wanted,
            lambda c: f"cust_company eq {lit(tenant)} and cust_code in {lits(c)}",
        )
        return {u.code: u for u in await self._units(tenant, rows) if u is not None}

    async def list(
        self, tenant: str, where: OrgUnitFilter, page: PageRequest
    ) -> RecordPage[OrgUnit]:
        terms: list[str | None] = [f"cust_company eq {lit(tenant)}"]
        if where.code is not None:
            terms.append(f"cust_code eq {lit(where.code)}")
        if where.parent_id is not None:
            parent = await self.refs.get(tenant, ORG_UNIT, where.parent_id)
            if parent is None:
                return RecordPage(items=[])
            terms.append(f"parent eq {lit(parent.vendor_key)}")
        if where.ids is not None:
            refs = await self.refs.many(tenant, ORG_UNIT, where.ids)
            if not refs:
                return RecordPage(items=[])
            terms.append(f"externalCode in {lits(sorted(r.vendor_key for r in refs.values()))}")
        self._since(where, terms)

        async def keep(rows: list[Row]) -> list[OrgUnit | None]:
            return changed_since(await self._units(tenant, rows), where.updated_since)

        return await self._page(f_all(*terms), page, keep)

    async def hierarchy(self, tenant: str) -> dict[uuid.UUID, uuid.UUID | None]:
        rows = await self.sf.every(
            DEPARTMENTS,
            **{"$filter": f"cust_company eq {lit(tenant)}", "$select": "externalCode,parent"},
        )
        refs = {r.vendor_key: r.id for r in await self.refs.every(tenant, ORG_UNIT)}
        return {
            refs[r["externalCode"]]: refs.get(r.get("parent") or "")
            for r in rows
            if r["externalCode"] in refs
        }

    async def _body(self, tenant: str, unit: OrgUnit) -> dict[str, Any]:
        parent = None
        if unit.parent_id is not None:
            parent = await self.refs.get(tenant, ORG_UNIT, unit.parent_id)
            if parent is None:
                raise RecordGone(f"org unit {unit.parent_id} is not in the system of record")
        return {
            "name": unit.name,
            "costCenter": unit.cost_centre,
            "parent": parent.vendor_key if parent else None,
            "cust_code": unit.code,
        }

    async def add(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        body = {**(await self._body(tenant, unit)), "cust_company": tenant, "status": "A"}
        return stamped(unit, await self._add(tenant, unit, body))

    async def update(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        return stamped(unit, await self._change(tenant, unit, await self._body(tenant, unit)))


class SapPositions(_Objects):
    resource_type = POSITION
    entity_set = POSITIONS
    kind = "sap-positions"
    key_prop = "code"
    start_prop = "effectiveStartDate"
    code_claim = POSITION_CODE

    async def _positions(self, tenant: str, rows: list[Row]) -> list[Position | None]:
        refs = await self.refs.by_vendor_keys(tenant, POSITION, [r["code"] for r in rows])
        units = await self.refs.by_vendor_keys(
            tenant, ORG_UNIT, [r["department"] for r in rows if r.get("department")]
        )
        out: list[Position | None] = []
        for row in rows:
            ref = refs.get(row["code"])
            unit = units.get(row.get("department") or "")
            if ref is None or unit is None or row.get("company") != tenant:
                out.append(None)
                continue
            out.append(
                Position(
                    id=ref.id,
                    code=row.get("cust_code") or "",
                    title=row.get("externalName_defaultValue") or "",
                    grade=Grade(row["payGrade"]),
                    org_unit_id=unit.id,
                    budgeted_fte=decimal(row["targetFTE"]).normalize(),
                    **stamps(ref),
                )
            )
        return out

    async def get(self, tenant: str, position_id: uuid.UUID) -> Position | None:
        ref = await self.refs.get(tenant, POSITION, position_id)
        if ref is None:
            return None
        entity = await self._read(ref)
        return (await self._positions(tenant, [entity]))[0] if entity else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, Position]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.sf.every_chunked(
            POSITIONS,
            wanted,
            lambda c: f"company eq {lit(tenant)} and cust_code in {lits(c)}",
        )
        return {p.code: p for p in await self._positions(tenant, rows) if p is not None}

    async def list(
        self, tenant: str, where: PositionFilter, page: PageRequest
    ) -> RecordPage[Position]:
        terms: list[str | None] = [f"company eq {lit(tenant)}"]
        if where.code is not None:
            terms.append(f"cust_code eq {lit(where.code)}")
        if where.org_unit_id is not None:
            unit = await self.refs.get(tenant, ORG_UNIT, where.org_unit_id)
            if unit is None:
                return RecordPage(items=[])
            terms.append(f"department eq {lit(unit.vendor_key)}")
        self._since(where, terms)

        async def keep(rows: list[Row]) -> list[Position | None]:
            return changed_since(await self._positions(tenant, rows), where.updated_since)

        return await self._page(f_all(*terms), page, keep)

    async def _body(self, tenant: str, position: Position) -> dict[str, Any]:
        unit = await self.refs.get(tenant, ORG_UNIT, position.org_unit_id)
        if unit is None:
            raise RecordGone(f"org unit {position.org_unit_id} is not in the system of record")
        return {
            "externalName_defaultValue": position.title,
            "department": unit.vendor_key,
            "payGrade": position.grade.value,
            "targetFTE": str(position.budgeted_fte),
            "cust_code": position.code,
        }

    async def add(self, tenant: str, position: Position) -> Position:
        body = {
            **(await self._body(tenant, position)),
            "company": tenant,
            # A post may be shared or pooled, so it may be funded above 1 FTE.
            "multipleIncumbentsAllowed": True,
        }
        return stamped(position, await self._add(tenant, position, body))

    async def update(self, tenant: str, position: Position) -> Position:
        body = await self._body(tenant, position)
        return stamped(position, await self._change(tenant, position, body))
