"""Employment terms as the physical rows of an Oracle-like assignment: each change is an
`Effective-Of: RangeMode=UPDATE` on its date (Oracle ends the row before it), a correction is
`RangeMode=CORRECTION`, and end dates follow from the next change or the termination."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sop_hr.adapters.crossref import EMPLOYEE, ORG_UNIT, POSITION, TERMS, VendorRef
from sop_hr.adapters.oracle_like.client import (
    OracleHcm,
    Row,
    day,
    lit,
    lits,
    vendor_day,
)
from sop_hr.adapters.oracle_like.employees import WORKERS, OracleEmployees
from sop_hr.adapters.vendor import stamped, stamps
from sop_hr.ports import RecordGone
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_shared.errors import Conflict

# FTE is kept as Oracle derives it: normal hours over the standard working week.
STANDARD_HOURS = Decimal("37.5")
FTE_PLACES = Decimal("0.0001")
# What a rebuilt assignment's rows take over from the old ones.
REPLAYED = (
    "ActionCode",
    "DepartmentId",
    "PositionId",
    "GradeCode",
    "NormalHours",
    "Frequency",
    "StandardWorkingHours",
    "AssignmentStatusTypeCode",
    "annualSalary",
    "payFrequency",
    "contractType",
)
ASSIGNMENT_FIELDS = (
    "DepartmentId",
    "PositionId",
    "GradeCode",
    "NormalHours",
    "annualSalary",
    "payFrequency",
    "contractType",
)


def row_key(assignment_id: Any, start: date) -> str:
    return f"{assignment_id}:{start.isoformat()}"


class OracleTerms:
    def __init__(self, hcm: OracleHcm, employees: OracleEmployees) -> None:
        self.hcm = hcm
        self.refs = hcm.refs
        self.employees = employees
        self._etags: dict[uuid.UUID, str | None] = {}

    def _assignments(self, employee: VendorRef) -> str:
        relationship = employee.vendor_data["relationship"]
        worker = OracleEmployees.path(employee)
        return f"{worker}/child/workRelationships/{relationship}/child/assignments"

    async def _fields(self, tenant: str, terms: EmploymentTerms) -> dict[str, Any]:
        unit = await self.refs.get(tenant, ORG_UNIT, terms.org_unit_id)
        if unit is None:
            raise RecordGone(f"org unit {terms.org_unit_id} is not in the system of record")
        position = None
        if terms.position_id is not None:
            position = await self.refs.get(tenant, POSITION, terms.position_id)
            if position is None:
                raise RecordGone(f"position {terms.position_id} is not in the system of record")
        return {
            # Each reference goes with its code cleared, so Oracle resolves it by id.
            "DepartmentId": int(unit.vendor_key),
            "DepartmentName": None,
            "PositionId": int(position.vendor_key) if position else None,
            "PositionCode": None,
            "GradeCode": terms.grade.value,
            "NormalHours": terms.fte * STANDARD_HOURS,
            "Frequency": "W",
            "StandardWorkingHours": STANDARD_HOURS,
            "annualSalary": terms.annual_salary,
            "payFrequency": terms.pay_frequency.value,
            "contractType": terms.contract_type.value,
        }

    async def _to_terms(
        self, tenant: str, rows: list[tuple[Row, VendorRef, uuid.UUID]]
    ) -> list[EmploymentTerms]:
        units = await self.refs.by_vendor_keys(
            tenant, ORG_UNIT, [str(r["DepartmentId"]) for r, _, _ in rows if r.get("DepartmentId")]
        )
        positions = await self.refs.by_vendor_keys(
            tenant, POSITION, [str(r["PositionId"]) for r, _, _ in rows if r.get("PositionId")]
        )
        out = []
        for row, ref, employee_id in rows:
            unit = units.get(str(row.get("DepartmentId")))
            if unit is None:
                continue  # a department HR does not know: not a canonical terms row
            position = positions.get(str(row.get("PositionId")))
            hours = Decimal(str(row.get("NormalHours") or 0))
            standard = Decimal(str(row.get("StandardWorkingHours") or STANDARD_HOURS))
            out.append(
                EmploymentTerms(
                    id=ref.id,
                    employee_id=employee_id,
                    effective_from=date.fromisoformat(row["EffectiveStartDate"]),
                    effective_to=day(row.get("EffectiveEndDate")),
                    org_unit_id=unit.id,
                    position_id=position.id if position else None,
                    grade=Grade(row["GradeCode"]),
                    fte=(hours / standard).quantize(FTE_PLACES).normalize(),
                    annual_salary=Decimal(str(row["annualSalary"])).quantize(Decimal("0.01")),
                    pay_frequency=PayFrequency(row["payFrequency"]),
                    contract_type=ContractType(row["contractType"]),
                    **stamps(ref),
                )
            )
        return out

    async def _row(self, employee: VendorRef, ref: VendorRef) -> Row | None:
        """The physical row a terms id names: the assignment as of the row's start date."""
        start = date.fromisoformat(ref.vendor_data["start"])
        item, etag = await self.hcm.get(
            f"{self._assignments(employee)}/{ref.vendor_data['assignment']}",
            effectiveDate=start.isoformat(),
        )
        if item is None or item.get("EffectiveStartDate") != start.isoformat():
            return None
        self._etags[ref.id] = etag
        return item

    async def history(self, tenant: str, employee_id: uuid.UUID) -> list[EmploymentTerms]:
        employee = await self.refs.get(tenant, EMPLOYEE, employee_id)
        if employee is None:
            return []
        refs = await self.refs.children(tenant, TERMS, employee_id)
        # Oracle answers for one date at a time; the rows' start dates are in the references.
        rows = await asyncio.gather(*(self._row(employee, ref) for ref in refs))
        found = [(row, ref, employee_id) for row, ref in zip(rows, refs, strict=True) if row]
        return sorted(await self._to_terms(tenant, found), key=lambda t: t.effective_from)

    async def get(self, tenant: str, terms_id: uuid.UUID) -> EmploymentTerms | None:
        ref = await self.refs.get(tenant, TERMS, terms_id)
        if ref is None or ref.parent_id is None:
            return None
        employee = await self.refs.get(tenant, EMPLOYEE, ref.parent_id)
        if employee is None:
            return None
        row = await self._row(employee, ref)
        if row is None:
            return None
        found = await self._to_terms(tenant, [(row, ref, ref.parent_id)])
        return found[0] if found else None

    async def in_force(
        self,
        tenant: str,
        on: date,
        *,
        employee_ids: Collection[uuid.UUID] | None = None,
        position_ids: Collection[uuid.UUID] | None = None,
    ) -> list[EmploymentTerms]:
        rel = "workRelationships"
        params = {
            "expand": f"{rel}.assignments",
            "effectiveDate": on.isoformat(),
            "onlyData": "true",
            "orderBy": "PersonId",
        }
        people: dict[str, uuid.UUID] = {}
        if employee_ids is not None:
            refs = await self.refs.many(tenant, EMPLOYEE, employee_ids)
            people = {r.vendor_key: r.id for r in refs.values()}
            if not people:
                return []
            items = await self.hcm.every_chunked(
                WORKERS, sorted(people, key=int), lambda c: f"PersonId in ({','.join(c)})", **params
            )
        else:
            q = f"{rel}.LegalEmployerName={lit(tenant)}"
            if position_ids is not None:
                wanted = await self.refs.many(tenant, POSITION, position_ids)
                if not wanted:
                    return []
                vendor_ids = sorted(int(r.vendor_key) for r in wanted.values())
                q += f" and {rel}.assignments.PositionId in {lits(vendor_ids)}"
            items = await self.hcm.every(WORKERS, q=q, **params)
            people = {
                r.vendor_key: r.id
                for r in (
                    await self.refs.by_vendor_keys(
                        tenant, EMPLOYEE, [str(i["PersonId"]) for i in items]
                    )
                ).values()
            }
        rows: list[tuple[Row, str]] = []
        for item in items:
            for relationship in item.get(rel) or ():
                if relationship.get("LegalEmployerName") != tenant:
                    continue
                for assignment in relationship.get("assignments") or ():
                    if assignment.get("AssignmentStatusType") != "ACTIVE":
                        continue  # the inactive row a termination leaves is no terms row
                    key = row_key(
                        assignment["AssignmentId"],
                        date.fromisoformat(assignment["EffectiveStartDate"]),
                    )
                    rows.append((assignment, key))
        refs_by_key = await self.refs.by_vendor_keys(tenant, TERMS, [k for _, k in rows])
        found = [
            (row, ref, ref.parent_id)
            for row, key in rows
            if (ref := refs_by_key.get(key)) is not None and ref.parent_id is not None
        ]
        terms = await self._to_terms(tenant, found)
        if position_ids is not None:
            terms = [t for t in terms if t.position_id in set(position_ids)]
        return sorted(terms, key=lambda t: t.id)

    async def add(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        employee = await self.refs.get(tenant, EMPLOYEE, terms.employee_id)
        if employee is None:
            raise RecordGone(f"employee {terms.employee_id} is not in the system of record")
        vendor_day(terms.effective_from, "effective_from")
        fields = await self._fields(tenant, terms)
        start = terms.effective_from
        assignment = employee.vendor_data.get("assignment")
        if assignment is None:
            item, _ = await self.hcm.call(
                "POST",
                self._assignments(employee),
                body={"EffectiveStartDate": start.isoformat(), "ActionCode": "HIRE", **fields},
            )
            assignment = item["AssignmentId"]
            await self.refs.remember(employee, assignment=assignment)
        else:
            try:
                # Oracle ends the row in force the day before and starts a new one.
                await self.hcm.call(
                    "PATCH",
                    f"{self._assignments(employee)}/{assignment}",
                    params={"effectiveDate": start.isoformat()},
                    body={"ActionCode": "ASG_CHANGE", **fields},
                    headers={
                        "Effective-Of": f"RangeMode=UPDATE;RangeStartDate={start.isoformat()}"
                    },
                )
            except RecordGone:
                # No row is in force that day: the change comes before the first. Oracle
                # cannot move an assignment's start, so the assignment is rebuilt from it.
                assignment = await self._rebuild(tenant, employee, start, fields)
        ref = await self.refs.add(
            tenant,
            TERMS,
            terms.id,
            row_key(assignment, start),
            data={"assignment": assignment, "start": start.isoformat()},
            parent_id=terms.employee_id,
            created_at=terms.created_at,
        )
        return stamped(terms, ref)

    async def _rebuild(
        self, tenant: str, employee: VendorRef, start: date, fields: dict[str, Any]
    ) -> int:
        """A new assignment from `start`, every row of the old one replayed on it on its own
        date, the old one deleted, and the cross-references moved to the new rows."""
        refs = sorted(
            await self.refs.children(tenant, TERMS, employee.id),
            key=lambda r: r.vendor_data["start"],
        )
        rows = await asyncio.gather(*(self._row(employee, ref) for ref in refs))
        if any(row is None for row in rows):
            raise Conflict("the assignment's rows changed in the suite; try again")
        collection = self._assignments(employee)
        item, _ = await self.hcm.call(
            "POST",
            collection,
            body={
                "EffectiveStartDate": start.isoformat(),
                "ActionCode": "HIRE",
                "PrimaryAssignmentFlag": True,
                **fields,
            },
        )
        assignment = int(item["AssignmentId"])
        for ref, row in zip(refs, rows, strict=True):
            assert row is not None
            day_ = ref.vendor_data["start"]
            replay = {k: row.get(k) for k in REPLAYED}
            await self.hcm.call(
                "PATCH",
                f"{collection}/{assignment}",
                params={"effectiveDate": day_},
                body={**replay, "DepartmentName": None, "PositionCode": None},
                headers={"Effective-Of": f"RangeMode=UPDATE;RangeStartDate={day_}"},
            )
        await self.hcm.call("DELETE", f"{collection}/{employee.vendor_data['assignment']}")
        for ref in refs:
            start_ = date.fromisoformat(ref.vendor_data["start"])
            await self.refs.repoint(ref, row_key(assignment, start_), assignment=assignment)
        await self.refs.remember(employee, assignment=assignment)
        return assignment

    async def update(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        ref = await self.refs.get(tenant, TERMS, terms.id, for_update=True)
        if ref is None or ref.parent_id is None:
            raise RecordGone(f"terms {terms.id} no longer exist")
        self.refs.check_version(ref, terms.version)
        employee = await self.refs.get(tenant, EMPLOYEE, ref.parent_id)
        if employee is None:
            raise RecordGone(f"employee {ref.parent_id} is not in the system of record")
        row = await self._row(employee, ref)
        if row is None:
            raise RecordGone(f"terms {terms.id} are no longer in the system of record")
        wanted = await self._fields(tenant, terms)
        if any(_differs(row.get(k), wanted[k]) for k in ASSIGNMENT_FIELDS):
            start = terms.effective_from.isoformat()
            etag = self._etags.get(terms.id)
            await self.hcm.call(
                "PATCH",
                f"{self._assignments(employee)}/{ref.vendor_data['assignment']}",
                params={"effectiveDate": start},
                body=wanted,
                headers={
                    "Effective-Of": f"RangeMode=CORRECTION;RangeStartDate={start}",
                    **({"If-Match": etag} if etag else {}),
                },
            )
        # An end date alone needs no call: Oracle ends a row the day before the next change
        # starts, or on the termination date, exactly as the service has decided.
        ref = await self.refs.touch(ref)
        return stamped(terms, ref)


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, Decimal) and current is not None:
        return Decimal(str(current)) != wanted
    return current != wanted
