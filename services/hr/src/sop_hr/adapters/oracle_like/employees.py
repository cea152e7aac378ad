"""Employees as Oracle-like workers: the worker (date of birth and SOP's person flexfield
segments), its names, work email and National Insurance number, and one work relationship
with the tenant's legal employer (start, employee number, termination)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sop_hr.adapters.crossref import EMPLOYEE, EMPLOYEE_NUMBER, ORG_UNIT, POSITION, VendorRef
from sop_hr.adapters.oracle_like.client import (
    OPEN_END,
    OracleHcm,
    Row,
    day,
    lit,
    lits,
    q_all,
    self_key,
    vendor_day,
)
from sop_hr.adapters.vendor import (
    Filler,
    changed_since,
    leaving_reason,
    since_for_vendor,
    stamped,
    stamps,
)
from sop_hr.employees.ports import (
    BankDetails,
    Employee,
    EmployeeFilter,
    HomeRegion,
    PayrollDetails,
    StudentLoanPlan,
)
from sop_hr.ports import PageRequest, RecordGone, RecordPage

WORKERS = "workers"
EXPAND = "names,emails,nationalIdentifiers,workRelationships"
PERSON_SEGMENTS = (
    "homeRegion",
    "userSubject",
    "taxCode",
    "niCategory",
    "studentLoanPlans",
    "postgraduateLoan",
    "pensionScheme",
    "bankSortCode",
    "bankAccountNumber",
    "bankAccountName",
)


def relationship_of(item: Row, tenant: str) -> Row | None:
    """The worker's work relationship with the tenant's legal employer."""
    return next(
        (r for r in item.get("workRelationships") or () if r.get("LegalEmployerName") == tenant),
        None,
    )


def _first(rows: Sequence[Row] | None, **match: Any) -> Row | None:
    return next(
        (r for r in rows or () if all(r.get(k) == v for k, v in match.items())),
        None,
    )


def segments(e: Employee) -> dict[str, Any]:
    bank = e.bank_details
    return {
        "homeRegion": e.home_region.value,
        "userSubject": e.user_subject,
        "taxCode": e.payroll.tax_code,
        "niCategory": e.payroll.ni_category,
        "studentLoanPlans": ",".join(p.value for p in e.payroll.student_loan_plans) or None,
        "postgraduateLoan": e.payroll.postgraduate_loan,
        "pensionScheme": e.payroll.pension_scheme,
        "bankSortCode": bank.sort_code if bank else None,
        "bankAccountNumber": bank.account_number if bank else None,
        "bankAccountName": bank.account_name if bank else None,
    }


def to_employee(item: Row, relationship: Row, ref: VendorRef) -> Employee:
    name = _first(item.get("names")) or {}
    email = _first(item.get("emails"), EmailType="W1")
    nino = _first(item.get("nationalIdentifiers"), NationalIdentifierType="NIN")
    bank = None
    if item.get("bankSortCode") and item.get("bankAccountNumber"):
        bank = BankDetails(
            sort_code=item["bankSortCode"],
            account_number=item["bankAccountNumber"],
            account_name=item.get("bankAccountName") or "",
        )
    plans = [p for p in (item.get("studentLoanPlans") or "").split(",") if p]
    # No termination date, or Oracle's "no end date" (4712-12-31): not leaving, and so no
    # leaving reason either, whatever code the relationship still carries.
    leaving = day(relationship.get("TerminationDate"))
    reason = relationship.get("ReasonCode") if leaving is not None else None
    born = item.get("DateOfBirth")
    return Employee(
        id=ref.id,
        employee_number=relationship.get("WorkerNumber") or "",
        first_name=name.get("FirstName") or "",
        last_name=name.get("LastName") or "",
        work_email=email["EmailAddress"] if email else None,
        user_subject=item.get("userSubject"),
        date_of_birth=date.fromisoformat(born) if born else None,
        national_insurance_number=nino["NationalIdentifierNumber"] if nino else None,
        home_region=HomeRegion(item.get("homeRegion") or HomeRegion.ENGLAND),
        start_date=date.fromisoformat(relationship["StartDate"]),
        leaving_date=leaving,
        leaving_reason=leaving_reason(reason),
        payroll=PayrollDetails(
            tax_code=item.get("taxCode"),
            ni_category=item.get("niCategory"),
            student_loan_plans=tuple(StudentLoanPlan(p) for p in plans),
            postgraduate_loan=bool(item.get("postgraduateLoan")),
            pension_scheme=item.get("pensionScheme"),
        ),
        bank_details=bank,
        **stamps(ref),
    )


def _check_dates(employee: Employee) -> None:
    """Refused before anything is sent, so a refusal leaves the suite as it was."""
    vendor_day(employee.start_date, "start_date")
    if employee.leaving_date is not None:
        vendor_day(employee.leaving_date, "leaving_date")


class OracleEmployees:
    def __init__(self, hcm: OracleHcm) -> None:
        self.hcm = hcm
        self.refs = hcm.refs
        # What this request last read of each worker: the children's keys and the ETag an
        # update sends as If-Match.
        self._seen: dict[uuid.UUID, tuple[Row, str | None]] = {}

    @staticmethod
    def path(ref: VendorRef) -> str:
        return f"{WORKERS}/{ref.vendor_data['uniq']}"

    async def _read(self, tenant: str, ref: VendorRef) -> Row | None:
        item, etag = await self.hcm.get(self.path(ref), expand=EXPAND)
        if item is None or relationship_of(item, tenant) is None:
            return None
        self._seen[ref.id] = (item, etag)
        return item

    async def get(
        self, tenant: str, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> Employee | None:
        ref = await self.refs.get(tenant, EMPLOYEE, employee_id, for_update=for_update)
        if ref is None:
            return None
        item = await self._read(tenant, ref)
        if item is None:
            return None
        relationship = relationship_of(item, tenant)
        assert relationship is not None
        return to_employee(item, relationship, ref)

    async def numbers_in_use(self, tenant: str, employee_numbers: Collection[str]) -> set[str]:
        wanted = sorted(set(employee_numbers))
        if not wanted:
            return set()

        def q_for(chunk: list[str]) -> str:
            return (
                f"workRelationships.LegalEmployerName={lit(tenant)} and "
                f"workRelationships.WorkerNumber in {lits(chunk)}"
            )

        items = await self.hcm.every_chunked(
            WORKERS, wanted, q_for, expand="workRelationships", onlyData="true"
        )
        found = {(relationship_of(i, tenant) or {}).get("WorkerNumber") for i in items}
        return set(wanted) & found

    async def _vendor_q(self, tenant: str, where: EmployeeFilter) -> tuple[str | None, bool]:
        """The filter as a `q` expression; False when it cannot match anything."""
        rel = "workRelationships"
        terms: list[str | None] = [f"{rel}.LegalEmployerName={lit(tenant)}"]
        if where.employee_number is not None:
            terms.append(f"{rel}.WorkerNumber={lit(where.employee_number)}")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"LastUpdateDate>={lit(since)}")
        if where.employed_on is not None:
            d = lit(where.employed_on)
            terms.append(f"{rel}.StartDate<={d}")
            terms.append(f"{rel}.TerminationDate is null or {rel}.TerminationDate>={d}")
        if where.starting_after is not None:
            terms.append(f"{rel}.StartDate>{lit(where.starting_after)}")
        if where.left_before is not None:
            # Never past Oracle's open end, which is "not leaving", not a leaving date.
            before = min(where.left_before, OPEN_END)
            terms.append(f"{rel}.TerminationDate<{lit(before)}")
        assignments = f"{rel}.assignments"
        if where.org_unit_id is not None or where.position_id is not None:
            if where.terms_on is None:
                raise ValueError("terms_on is required with org_unit_id or position_id")
            terms.append(f"{assignments}.AssignmentStatusType='ACTIVE'")
        for ref_id, kind, attr in (
            (where.org_unit_id, ORG_UNIT, "DepartmentId"),
            (where.position_id, POSITION, "PositionId"),
        ):
            if ref_id is not None:
                target = await self.refs.get(tenant, kind, ref_id)
                if target is None:
                    return None, False
                terms.append(f"{assignments}.{attr}={target.vendor_key}")
        return q_all(*terms), True

    async def list(
        self, tenant: str, where: EmployeeFilter, page: PageRequest
    ) -> RecordPage[Employee]:
        q, possible = await self._vendor_q(tenant, where)
        if not possible:
            return RecordPage(items=[])
        params: dict[str, Any] = {"expand": EXPAND, "orderBy": "PersonId", "onlyData": "true"}
        if where.terms_on is not None:
            # The assignment conditions hold on this day (names start before any terms do).
            params["effectiveDate"] = where.terms_on.isoformat()

        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.hcm.page(
                WORKERS, q=q, offset=int(position or 0), limit=size, **params
            )

        async def keep(rows: list[Row]) -> list[Employee | None]:
            refs = await self.refs.by_vendor_keys(
                tenant, EMPLOYEE, [str(r["PersonId"]) for r in rows]
            )
            out: list[Employee | None] = []
            for row in rows:
                ref = refs.get(str(row["PersonId"]))
                relationship = relationship_of(row, tenant)
                if ref is None or relationship is None:
                    out.append(None)
                    continue
                employee = to_employee(row, relationship, ref)
                out.append(employee)
            return changed_since(out, where.updated_since)

        return await Filler(fetch, keep, "oracle-workers").page(page.limit, page.cursor)

    async def add(self, tenant: str, employee: Employee) -> Employee:
        _check_dates(employee)
        # Names are dated from the start, or today for a future starter, so the suite shows
        # them whenever HR reads the worker.
        names_from = min(employee.start_date, self.hcm.clock.today())
        body: dict[str, Any] = {
            "DateOfBirth": employee.date_of_birth.isoformat() if employee.date_of_birth else None,
            **segments(employee),
            "names": [
                {
                    "LegislationCode": "GB",
                    "FirstName": employee.first_name,
                    "LastName": employee.last_name,
                    "EffectiveStartDate": names_from.isoformat(),
                }
            ],
            "workRelationships": [
                {
                    "LegalEmployerName": tenant,
                    "StartDate": employee.start_date.isoformat(),
                    "WorkerNumber": employee.employee_number,
                    "WorkerType": "E",
                }
            ],
        }
        if employee.work_email:
            body["emails"] = [
                {"EmailType": "W1", "EmailAddress": employee.work_email, "PrimaryFlag": True}
            ]
        if employee.national_insurance_number:
            body["nationalIdentifiers"] = [
                {
                    "LegislationCode": "GB",
                    "NationalIdentifierType": "NIN",
                    "NationalIdentifierNumber": employee.national_insurance_number,
                }
            ]
        await self.refs.claim(tenant, EMPLOYEE_NUMBER, employee.id, employee.employee_number)
        item, _ = await self.hcm.call("POST", WORKERS, body=body)
        relationship = item["workRelationships"][0]
        ref = await self.refs.add(
            tenant,
            EMPLOYEE,
            employee.id,
            str(item["PersonId"]),
            data={"uniq": self_key(item), "relationship": relationship["PeriodOfServiceId"]},
            created_at=employee.created_at,
        )
        if employee.leaving_date is not None:
            await self._terminate(ref, employee)
        return stamped(employee, ref)

    async def update(self, tenant: str, employee: Employee) -> Employee:
        _check_dates(employee)
        ref = await self.refs.get(tenant, EMPLOYEE, employee.id, for_update=True)
        if ref is None:
            raise RecordGone(f"employee {employee.id} no longer exists")
        self.refs.check_version(ref, employee.version)
        await self.refs.claim(tenant, EMPLOYEE_NUMBER, employee.id, employee.employee_number)
        seen = self._seen.get(employee.id)
        if seen is None:
            item = await self._read(tenant, ref)
            if item is None:
                raise RecordGone(f"employee {employee.id} is no longer in the system of record")
            seen = self._seen[employee.id]
        item, etag = seen
        relationship = relationship_of(item, tenant)
        assert relationship is not None
        current = to_employee(item, relationship, ref)
        path = self.path(ref)
        # The worker itself first, with If-Match: a change made meanwhile in the suite is a
        # 412, before anything else is touched. It also moves the worker's LastUpdateDate,
        # which `updated_since` asks the suite about.
        root = {
            "DateOfBirth": employee.date_of_birth.isoformat() if employee.date_of_birth else None,
            **segments(employee),
        }
        await self.hcm.call("PATCH", path, body=root, headers={"If-Match": etag} if etag else None)
        if (employee.first_name, employee.last_name) != (current.first_name, current.last_name):
            name = _first(item.get("names"))
            changes = {"FirstName": employee.first_name, "LastName": employee.last_name}
            if name is None:
                await self.hcm.call(
                    "POST", f"{path}/child/names", body={"LegislationCode": "GB", **changes}
                )
            else:
                await self.hcm.call(
                    "PATCH", f"{path}/child/names/{name['PersonNameId']}", body=changes
                )
        await self._child(
            f"{path}/child/emails",
            _first(item.get("emails"), EmailType="W1"),
            "EmailAddressId",
            {"EmailAddress": employee.work_email} if employee.work_email else None,
            {"EmailType": "W1", "PrimaryFlag": True},
        )
        await self._child(
            f"{path}/child/nationalIdentifiers",
            _first(item.get("nationalIdentifiers"), NationalIdentifierType="NIN"),
            "NationalIdentifierId",
            {"NationalIdentifierNumber": employee.national_insurance_number}
            if employee.national_insurance_number
            else None,
            {"LegislationCode": "GB", "NationalIdentifierType": "NIN"},
        )
        if employee.employee_number != current.employee_number:
            await self.hcm.call(
                "PATCH",
                f"{path}/child/workRelationships/{ref.vendor_data['relationship']}",
                body={"WorkerNumber": employee.employee_number},
            )
        if (employee.leaving_date, employee.leaving_reason) != (
            current.leaving_date,
            current.leaving_reason,
        ):
            if current.leaving_date is not None:
                await self._relationship_action(ref, "reverseTermination", {})
            if employee.leaving_date is not None:
                await self._terminate(ref, employee)
        self._seen.pop(employee.id, None)
        ref = await self.refs.touch(ref)
        return stamped(employee, ref)

    async def _child(
        self,
        collection: str,
        current: Row | None,
        key: str,
        wanted: dict[str, Any] | None,
        fixed: dict[str, Any],
    ) -> None:
        """Create, change or remove a one-of-a-kind child (the work email, the NI number)."""
        if current is None and wanted is not None:
            await self.hcm.call("POST", collection, body={**fixed, **wanted})
        elif current is not None and wanted is None:
            await self.hcm.call("DELETE", f"{collection}/{current[key]}")
        elif (
            current is not None
            and wanted is not None
            and any(current.get(k) != v for k, v in wanted.items())
        ):
            await self.hcm.call("PATCH", f"{collection}/{current[key]}", body=wanted)

    async def _relationship_action(
        self, ref: VendorRef, action: str, params: dict[str, Any]
    ) -> None:
        relationship = ref.vendor_data["relationship"]
        await self.hcm.call(
            "POST",
            f"{self.path(ref)}/child/workRelationships/{relationship}/action/{action}",
            body=params,
        )

    async def _terminate(self, ref: VendorRef, employee: Employee) -> None:
        assert employee.leaving_date is not None
        reason = employee.leaving_reason.value.upper() if employee.leaving_reason else None
        await self._relationship_action(
            ref,
            "terminate",
            {
                "TerminationDate": vendor_day(employee.leaving_date, "leaving_date"),
                "ReasonCode": reason,
            },
        )
