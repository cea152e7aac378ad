"""Leave types as Oracle-like absence types in the tenant's reference data set, and absences
as Oracle absence entries: requested is submitted and awaiting approval, and decisions are the
approveAbsence, denyAbsence and withdrawAbsence actions."""

from __future__ import annotations

import builtins
import dataclasses
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sop_hr.absences.ports import Absence, AbsenceFilter, AbsenceStatus, LeaveKind, LeaveType
from sop_hr.adapters.crossref import ABSENCE, EMPLOYEE, LEAVE_TYPE, LEAVE_TYPE_CODE
from sop_hr.adapters.oracle_like.client import OracleHcm, Row, lit, moment, q_all, vendor_day
from sop_hr.adapters.vendor import Filler, changed_since, since_for_vendor, stamped, stamps
from sop_hr.ports import PageRequest, RecordGone, RecordPage
from sop_shared.errors import ValidationFailed

ABSENCES = "absences"
ABSENCE_TYPES = "absenceTypes"
# The absence types the suite is configured with, for each kind of leave HR books.
ORACLE_TYPES = {
    LeaveKind.ANNUAL.value: "Annual Leave",
    LeaveKind.SICK.value: "Sickness",
    LeaveKind.MATERNITY.value: "Maternity Leave",
    LeaveKind.PATERNITY.value: "Paternity Leave",
    LeaveKind.ADOPTION.value: "Adoption Leave",
    LeaveKind.SHARED_PARENTAL.value: "Shared Parental Leave",
    LeaveKind.UNPAID.value: "Unpaid Leave",
    LeaveKind.SPECIAL.value: "Special Leave",
}
LEAVE_KINDS = {name: code for code, name in ORACLE_TYPES.items()}
# (absenceStatusCd, approvalStatusCd) for each canonical status, and how `q` finds it.
CODES = {
    AbsenceStatus.REQUESTED: ("SUBMITTED", "AWAITING"),
    AbsenceStatus.APPROVED: ("SUBMITTED", "APPROVED"),
    AbsenceStatus.REJECTED: ("SUBMITTED", "DENIED"),
    AbsenceStatus.CANCELLED: ("ORA_WITHDRAWN", "ORA_WITHDRAWN"),
}
STATUS_Q = {
    AbsenceStatus.REQUESTED: "absenceStatusCd='SUBMITTED' and approvalStatusCd='AWAITING'",
    AbsenceStatus.APPROVED: "approvalStatusCd='APPROVED'",
    AbsenceStatus.REJECTED: "approvalStatusCd='DENIED'",
    AbsenceStatus.CANCELLED: "absenceStatusCd='ORA_WITHDRAWN'",
}
ACTIONS = {
    AbsenceStatus.APPROVED: "approveAbsence",
    AbsenceStatus.REJECTED: "denyAbsence",
    AbsenceStatus.CANCELLED: "withdrawAbsence",
}


def status_of(row: Row) -> AbsenceStatus:
    if row.get("absenceStatusCd") == "ORA_WITHDRAWN":
        return AbsenceStatus.CANCELLED
    return {"APPROVED": AbsenceStatus.APPROVED, "DENIED": AbsenceStatus.REJECTED}.get(
        row.get("approvalStatusCd") or "", AbsenceStatus.REQUESTED
    )


def oracle_type(code: str) -> str:
    try:
        return ORACLE_TYPES[code]
    except KeyError:
        raise ValidationFailed(
            f"leave type {code!r} has no absence type in the Oracle-like suite",
            errors=[("leave_type", "no absence type in the system of record")],
        ) from None


def _ms(value: Any) -> Any:
    """Oracle keeps timestamps to the millisecond; so do we, to read back what we wrote."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value else value


class OracleLeaveTypes:
    def __init__(self, hcm: OracleHcm) -> None:
        self.hcm = hcm
        self.refs = hcm.refs
        self._etags: dict[uuid.UUID, str | None] = {}

    async def list(self, tenant: str) -> list[LeaveType]:
        rows = await self.hcm.every(ABSENCE_TYPES, q=f"SetCode={lit(tenant)}")
        refs = await self.refs.by_vendor_keys(
            tenant, LEAVE_TYPE, [str(r["AbsenceTypeId"]) for r in rows]
        )
        found = []
        for row in rows:
            ref = refs.get(str(row["AbsenceTypeId"]))
            if ref is None:
                continue
            self._etags[ref.id] = next(
                (
                    f'"{link["properties"]["changeIndicator"]}"'
                    for link in row.get("links", ())
                    if link.get("rel") == "self" and link.get("properties")
                ),
                None,
            )
            days = row.get("EntitlementDays")
            found.append(
                LeaveType(
                    id=ref.id,
                    code=row["AbsenceTypeCode"],
                    name=row["Name"],
                    paid=bool(row.get("PaidFlag")),
                    annual_entitlement_days=(
                        Decimal(str(days)).quantize(Decimal("0.1")) if days is not None else None
                    ),
                    **stamps(ref),
                )
            )
        return sorted(found, key=lambda t: t.code)

    def _body(self, t: LeaveType) -> dict[str, Any]:
        return {"Name": t.name, "PaidFlag": t.paid, "EntitlementDays": t.annual_entitlement_days}

    async def add(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        body = {"AbsenceTypeCode": leave_type.code, "SetCode": tenant, **self._body(leave_type)}
        await self.refs.claim(tenant, LEAVE_TYPE_CODE, leave_type.id, leave_type.code)
        item, _ = await self.hcm.call("POST", ABSENCE_TYPES, body=body)
        ref = await self.refs.add(
            tenant,
            LEAVE_TYPE,
            leave_type.id,
            str(item["AbsenceTypeId"]),
            created_at=leave_type.created_at,
        )
        return stamped(leave_type, ref)

    async def update(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        ref = await self.refs.get(tenant, LEAVE_TYPE, leave_type.id, for_update=True)
        if ref is None:
            raise RecordGone(f"leave type {leave_type.id} no longer exists")
        self.refs.check_version(ref, leave_type.version)
        etag = self._etags.get(leave_type.id)
        await self.hcm.call(
            "PATCH",
            f"{ABSENCE_TYPES}/{ref.vendor_key}",
            body=self._body(leave_type),
            headers={"If-Match": etag} if etag else None,
        )
        return stamped(leave_type, await self.refs.touch(ref))


class OracleAbsences:
    def __init__(self, hcm: OracleHcm) -> None:
        self.hcm = hcm
        self.refs = hcm.refs
        self._seen: dict[uuid.UUID, tuple[Row, str | None]] = {}

    async def _absences(self, tenant: str, rows: list[Row]) -> list[Absence | None]:
        refs = await self.refs.by_vendor_keys(
            tenant, ABSENCE, [str(r["personAbsenceEntryId"]) for r in rows]
        )
        people = await self.refs.by_vendor_keys(
            tenant, EMPLOYEE, [str(r["personId"]) for r in rows]
        )
        out: list[Absence | None] = []
        for row in rows:
            ref = refs.get(str(row["personAbsenceEntryId"]))
            person = people.get(str(row["personId"]))
            if ref is None or person is None or row.get("employer") != tenant:
                out.append(None)
                continue
            absence_type: str = row["absenceType"]
            out.append(
                Absence(
                    id=ref.id,
                    employee_id=person.id,
                    leave_type=LEAVE_KINDS.get(absence_type, absence_type),
                    start_date=date.fromisoformat(row["startDate"]),
                    end_date=date.fromisoformat(row["endDate"]),
                    working_days=int(Decimal(str(row.get("duration") or 0))),
                    status=status_of(row),
                    requested_by=row.get("requestedBy") or "",
                    reason=row.get("absenceReason"),
                    decided_by=row.get("decidedBy"),
                    decided_at=moment(row.get("decidedAt")),
                    decision_note=row.get("comments"),
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
        item, etag = await self.hcm.get(f"{ABSENCES}/{ref.vendor_key}")
        if item is None:
            return None
        self._seen[absence_id] = (item, etag)
        return (await self._absences(tenant, [item]))[0]

    async def _q(self, tenant: str, where: AbsenceFilter) -> tuple[str | None, bool]:
        terms: list[str | None] = [f"employer={lit(tenant)}"]
        if where.employee_id is not None:
            person = await self.refs.get(tenant, EMPLOYEE, where.employee_id)
            if person is None:
                return None, False
            terms.append(f"personId={person.vendor_key}")
        if where.leave_type is not None:
            if where.leave_type not in ORACLE_TYPES:
                return None, False
            terms.append(f"absenceType={lit(ORACLE_TYPES[where.leave_type])}")
        if where.statuses is not None:
            if not where.statuses:
                return None, False
            terms.append(" or ".join(f"({STATUS_Q[s]})" for s in sorted(where.statuses)))
        if where.overlapping_from is not None:
            terms.append(f"endDate>={lit(where.overlapping_from)}")
        if where.overlapping_to is not None:
            terms.append(f"startDate<={lit(where.overlapping_to)}")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"lastUpdateDate>={lit(since)}")
        return q_all(*terms), True

    def _filler(
        self, tenant: str, where: AbsenceFilter, q: str | None, order: str
    ) -> Filler[Absence]:
        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.hcm.page(
                ABSENCES, q=q, offset=int(position or 0), limit=size, orderBy=order, onlyData="true"
            )

        async def keep(rows: list[Row]) -> list[Absence | None]:
            return changed_since(await self._absences(tenant, rows), where.updated_since)

        return Filler(fetch, keep, "oracle-absences")

    async def list(
        self, tenant: str, where: AbsenceFilter, page: PageRequest
    ) -> RecordPage[Absence]:
        q, possible = await self._q(tenant, where)
        if not possible:
            return RecordPage(items=[])
        filler = self._filler(tenant, where, q, "personAbsenceEntryId")
        return await filler.page(page.limit, page.cursor)

    # `builtins.list`: in this class `list` names the method above.
    async def find(self, tenant: str, where: AbsenceFilter) -> builtins.list[Absence]:
        q, possible = await self._q(tenant, where)
        if not possible:
            return []
        return await self._filler(tenant, where, q, "startDate,personAbsenceEntryId").every()

    def _segments(self, a: Absence) -> dict[str, Any]:
        decided_at = _ms(a.decided_at)
        return {
            "requestedBy": a.requested_by,
            "decidedBy": a.decided_by,
            "decidedAt": decided_at.isoformat() if decided_at else None,
            "comments": a.decision_note,
        }

    async def add(self, tenant: str, absence: Absence) -> Absence:
        person = await self.refs.get(tenant, EMPLOYEE, absence.employee_id)
        if person is None:
            raise RecordGone(f"employee {absence.employee_id} is not in the system of record")
        entry, approval = CODES[absence.status]
        body = {
            "personId": int(person.vendor_key),
            "employer": tenant,
            "absenceType": oracle_type(absence.leave_type),
            "startDate": vendor_day(absence.start_date, "start_date"),
            "endDate": vendor_day(absence.end_date, "end_date"),
            # The working days HR counted with the employee's bank holidays.
            "duration": absence.working_days,
            "absenceReason": absence.reason,
            "absenceStatusCd": entry,
            "approvalStatusCd": approval,
            **self._segments(absence),
        }
        item, _ = await self.hcm.call("POST", ABSENCES, body=body)
        ref = await self.refs.add(
            tenant,
            ABSENCE,
            absence.id,
            str(item["personAbsenceEntryId"]),
            created_at=absence.created_at,
        )
        return stamped(dataclasses.replace(absence, decided_at=_ms(absence.decided_at)), ref)

    async def update(self, tenant: str, absence: Absence) -> Absence:
        ref = await self.refs.get(tenant, ABSENCE, absence.id, for_update=True)
        if ref is None:
            raise RecordGone(f"absence {absence.id} no longer exists")
        self.refs.check_version(ref, absence.version)
        seen = self._seen.get(absence.id)
        if seen is None:
            item, etag = await self.hcm.get(f"{ABSENCES}/{ref.vendor_key}")
            if item is None:
                raise RecordGone(f"absence {absence.id} is no longer in the system of record")
            seen = (item, etag)
        item, etag = seen
        path = f"{ABSENCES}/{ref.vendor_key}"
        body = {
            **self._segments(absence),
            "absenceReason": absence.reason,
            "startDate": vendor_day(absence.start_date, "start_date"),
            "endDate": vendor_day(absence.end_date, "end_date"),
            "duration": absence.working_days,
        }
        # The recorded fields first (a withdrawn entry can no longer be changed), then the
        # decision as the action Oracle offers for it.
        _, etag = await self.hcm.call(
            "PATCH", path, body=body, headers={"If-Match": etag} if etag else None
        )
        current = status_of(item)
        if absence.status is not current:
            action = ACTIONS.get(absence.status)
            if action is None:
                raise ValidationFailed(f"an absence cannot go back to {absence.status}")
            await self.hcm.call("POST", f"{path}/action/{action}", body={})
        self._seen.pop(absence.id, None)
        ref = await self.refs.touch(ref)
        return stamped(dataclasses.replace(absence, decided_at=_ms(absence.decided_at)), ref)
