"""Leave types as a customer MDF object (cust_SOPLeaveType) per company, and absences as
SuccessFactors-like time off (EmployeeTime) whose approval status carries HR's decisions."""

from __future__ import annotations

import builtins
import dataclasses
import uuid
from typing import Any

from sop_hr.absences.ports import Absence, AbsenceFilter, AbsenceStatus, LeaveKind, LeaveType
from sop_hr.adapters.crossref import ABSENCE, EMPLOYEE, LEAVE_TYPE, LEAVE_TYPE_CODE
from sop_hr.adapters.sap_like.client import (
    Row,
    SuccessFactors,
    day,
    decimal,
    etag_of,
    f_all,
    key,
    lit,
    lits,
    moment,
    sf_date,
    sf_moment,
)
from sop_hr.adapters.vendor import Filler, changed_since, since_for_vendor, stamped, stamps
from sop_hr.ports import PageRequest, RecordGone, RecordPage
from sop_shared.errors import ValidationFailed

TIME = "EmployeeTime"
LEAVE_TYPES = "cust_SOPLeaveType"
# The time types the suite is configured with, for each kind of leave HR books.
TIME_TYPES = {
    LeaveKind.ANNUAL.value: "ANNUAL_LEAVE",
    LeaveKind.SICK.value: "SICKNESS",
    LeaveKind.MATERNITY.value: "MATERNITY",
    LeaveKind.PATERNITY.value: "PATERNITY",
    LeaveKind.ADOPTION.value: "ADOPTION",
    LeaveKind.SHARED_PARENTAL.value: "SHARED_PARENTAL",
    LeaveKind.UNPAID.value: "UNPAID",
    LeaveKind.SPECIAL.value: "SPECIAL",
}
LEAVE_KINDS = {code: kind for kind, code in TIME_TYPES.items()}
APPROVAL = {
    AbsenceStatus.REQUESTED: "PENDING",
    AbsenceStatus.APPROVED: "APPROVED",
    AbsenceStatus.REJECTED: "REJECTED",
    AbsenceStatus.CANCELLED: "CANCELLED",
}
STATUSES = {v: k for k, v in APPROVAL.items()} | {"PENDING_CANCELLATION": AbsenceStatus.APPROVED}


def _ms(value: Any) -> Any:
    """The suite keeps timestamps to the millisecond; so do we, to read back what we wrote."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value else value


class SapLeaveTypes:
    def __init__(self, sf: SuccessFactors) -> None:
        self.sf = sf
        self.refs = sf.refs
        self._etags: dict[uuid.UUID, str | None] = {}

    async def list(self, tenant: str) -> list[LeaveType]:
        rows = await self.sf.every(LEAVE_TYPES, **{"$filter": f"cust_company eq {lit(tenant)}"})
        refs = await self.refs.by_vendor_keys(tenant, LEAVE_TYPE, [r["externalCode"] for r in rows])
        found = []
        for row in rows:
            ref = refs.get(row["externalCode"])
            if ref is None:
                continue
            self._etags[ref.id] = etag_of(row)
            days = row.get("cust_entitlementDays")
            found.append(
                LeaveType(
                    id=ref.id,
                    code=row["cust_code"],
                    name=row["externalName"],
                    paid=bool(row.get("cust_paid")),
                    annual_entitlement_days=decimal(days) if days is not None else None,
                    **stamps(ref),
                )
            )
        return sorted(found, key=lambda t: t.code)

    @staticmethod
    def _body(t: LeaveType) -> dict[str, Any]:
        days = t.annual_entitlement_days
        return {
            "externalName": t.name,
            "cust_paid": t.paid,
            "cust_entitlementDays": str(days) if days is not None else None,
        }

    async def add(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        await self.refs.claim(tenant, LEAVE_TYPE_CODE, leave_type.id, leave_type.code)
        vendor_key = leave_type.id.hex
        await self.sf.create(
            LEAVE_TYPES,
            {
                "externalCode": vendor_key,
                "cust_company": tenant,
                "cust_code": leave_type.code,
                **self._body(leave_type),
            },
        )
        ref = await self.refs.add(
            tenant, LEAVE_TYPE, leave_type.id, vendor_key, created_at=leave_type.created_at
        )
        return stamped(leave_type, ref)

    async def update(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        ref = await self.refs.get(tenant, LEAVE_TYPE, leave_type.id, for_update=True)
        if ref is None:
            raise RecordGone(f"leave type {leave_type.id} no longer exists")
        self.refs.check_version(ref, leave_type.version)
        await self.sf.merge(
            f"{LEAVE_TYPES}{key(externalCode=ref.vendor_key)}",
            self._body(leave_type),
            self._etags.get(leave_type.id),
        )
        return stamped(leave_type, await self.refs.touch(ref))


class SapAbsences:
    def __init__(self, sf: SuccessFactors) -> None:
        self.sf = sf
        self.refs = sf.refs
        self._etags: dict[uuid.UUID, str | None] = {}

    async def _absences(self, tenant: str, rows: list[Row]) -> list[Absence | None]:
        refs = await self.refs.by_vendor_keys(tenant, ABSENCE, [r["externalCode"] for r in rows])
        people = await self.refs.by_vendor_keys(tenant, EMPLOYEE, [r["userId"] for r in rows])
        out: list[Absence | None] = []
        for row in rows:
            ref = refs.get(row["externalCode"])
            person = people.get(row["userId"])
            start, end = day(row["startDate"]), day(row["endDate"])
            if ref is None or person is None or start is None or end is None:
                out.append(None)
                continue
            self._etags[ref.id] = etag_of(row)
            time_type: str = row["timeType"]
            out.append(
                Absence(
                    id=ref.id,
                    employee_id=person.id,
                    leave_type=LEAVE_KINDS.get(time_type, time_type),
                    start_date=start,
                    end_date=end,
                    working_days=int(row.get("cust_workingDays") or 0),
                    status=STATUSES.get(row.get("approvalStatus") or "", AbsenceStatus.REQUESTED),
                    requested_by=row.get("cust_requestedBy") or "",
                    reason=row.get("comment"),
                    decided_by=row.get("cust_decidedBy"),
                    decided_at=moment(row.get("cust_decidedAt")),
                    decision_note=row.get("cust_decisionNote"),
                    **stamps(ref),
                )
            )
        return out

    async def get(
        self, tenant: str, absence_id: uuid.UUID, *, for_update: bool = False
    ) -> Absence | None:
        ref = await self.refs.get(tenant, ABSENCE, absence_id, for_update=for_update)
        if ref is None:
            return None
        entity, _ = await self.sf.entity(f"{TIME}{key(externalCode=ref.vendor_key)}")
        if entity is None:
            return None
        return (await self._absences(tenant, [entity]))[0]

    async def _filter(self, tenant: str, where: AbsenceFilter) -> tuple[str | None, bool]:
        # Time off belongs to the company of the employment it is booked on.
        terms: list[str | None] = [f"userIdNav/cust_company eq {lit(tenant)}"]
        if where.employee_id is not None:
            person = await self.refs.get(tenant, EMPLOYEE, where.employee_id)
            if person is None:
                return None, False
            terms.append(f"userId eq {lit(person.vendor_key)}")
        if where.leave_type is not None:
            if where.leave_type not in TIME_TYPES:
                return None, False
            terms.append(f"timeType eq {lit(TIME_TYPES[where.leave_type])}")
        if where.statuses is not None:
            if not where.statuses:
                return None, False
            codes = sorted(APPROVAL[s] for s in where.statuses)
            terms.append(f"approvalStatus in {lits(codes)}")
        if where.overlapping_from is not None:
            terms.append(f"endDate ge {lit(where.overlapping_from)}")
        if where.overlapping_to is not None:
            terms.append(f"startDate le {lit(where.overlapping_to)}")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"lastModifiedDateTime ge {lit(since)}")
        return f_all(*terms), True

    def _filler(self, tenant: str, where: AbsenceFilter, params: dict[str, Any]) -> Filler[Absence]:
        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.sf.page(TIME, token=position, size=size, **params)

        async def keep(rows: list[Row]) -> list[Absence | None]:
            return changed_since(await self._absences(tenant, rows), where.updated_since)

        return Filler(fetch, keep, "sap-time")

    async def list(
        self, tenant: str, where: AbsenceFilter, page: PageRequest
    ) -> RecordPage[Absence]:
        condition, possible = await self._filter(tenant, where)
        if not possible:
            return RecordPage(items=[])
        filler = self._filler(tenant, where, {"$filter": condition})
        return await filler.page(page.limit, page.cursor)

    # `builtins.list`: in this class `list` names the method above.
    async def find(self, tenant: str, where: AbsenceFilter) -> builtins.list[Absence]:
        condition, possible = await self._filter(tenant, where)
        if not possible:
            return []
        params = {"$filter": condition, "$orderby": "startDate"}
        return await self._filler(tenant, where, params).every()

    @staticmethod
    def _fields(absence: Absence) -> dict[str, Any]:
        return {
            "approvalStatus": APPROVAL[absence.status],
            "comment": absence.reason,
            "cust_requestedBy": absence.requested_by,
            "cust_decidedBy": absence.decided_by,
            "cust_decidedAt": sf_moment(_ms(absence.decided_at)),
            "cust_decisionNote": absence.decision_note,
            # The working days HR counted with the employee's bank holidays.
            "cust_workingDays": absence.working_days,
        }

    async def add(self, tenant: str, absence: Absence) -> Absence:
        person = await self.refs.get(tenant, EMPLOYEE, absence.employee_id)
        if person is None:
            raise RecordGone(f"employee {absence.employee_id} is not in the system of record")
        time_type = TIME_TYPES.get(absence.leave_type)
        if time_type is None:
            raise ValidationFailed(
                f"leave type {absence.leave_type!r} has no time type in the SAP-like suite",
                errors=[("leave_type", "no time type in the system of record")],
            )
        vendor_key = absence.id.hex
        await self.sf.create(
            TIME,
            {
                "externalCode": vendor_key,
                "userId": person.vendor_key,
                "timeType": time_type,
                "startDate": sf_date(absence.start_date),
                "endDate": sf_date(absence.end_date),
                **self._fields(absence),
            },
        )
        ref = await self.refs.add(
            tenant, ABSENCE, absence.id, vendor_key, created_at=absence.created_at
        )
        return stamped(dataclasses.replace(absence, decided_at=_ms(absence.decided_at)), ref)

    async def update(self, tenant: str, absence: Absence) -> Absence:
        ref = await self.refs.get(tenant, ABSENCE, absence.id, for_update=True)
        if ref is None:
            raise RecordGone(f"absence {absence.id} no longer exists")
        self.refs.check_version(ref, absence.version)
        path = f"{TIME}{key(externalCode=ref.vendor_key)}"
        if absence.id not in self._etags:
            entity, etag = await self.sf.entity(path)
            if entity is None:
                raise RecordGone(f"absence {absence.id} is no longer in the system of record")
            self._etags[absence.id] = etag
        body = {
            "startDate": sf_date(absence.start_date),
            "endDate": sf_date(absence.end_date),
            **self._fields(absence),
        }
        await self.sf.merge(path, body, self._etags.pop(absence.id, None))
        ref = await self.refs.touch(ref)
        return stamped(dataclasses.replace(absence, decided_at=_ms(absence.decided_at)), ref)
