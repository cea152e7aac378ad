"""Employment terms as SuccessFactors-like time slices: a job information record (EmpJob) and
a recurring base salary pay component, both starting on the terms' date; the suite ends each
slice the day before the next starts, and a termination adds the terminated slice after the
leaving date (no terms row: HR does not show it)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sop_hr.adapters.crossref import EMPLOYEE, ORG_UNIT, POSITION, TERMS
from sop_hr.adapters.sap_like.client import (
    Row,
    SuccessFactors,
    day,
    decimal,
    f_all,
    key,
    lit,
    lits,
    sf_date,
)
from sop_hr.adapters.vendor import stamped, stamps
from sop_hr.ports import RecordGone
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency

JOBS = "EmpJob"
PAY = "EmpPayCompRecurring"
SALARY = "BASE_SALARY"
ALL_DATES = {"fromDate": "1900-01-01", "toDate": "9999-12-31"}


def row_key(person: str, start: date) -> str:
    return f"{person}@{start.isoformat()}"


class SapTerms:
    def __init__(self, sf: SuccessFactors) -> None:
        self.sf = sf
        self.refs = sf.refs

    async def _entities(self, tenant: str, person: str, terms: EmploymentTerms) -> list[Row]:
        unit = await self.refs.get(tenant, ORG_UNIT, terms.org_unit_id)
        if unit is None:
            raise RecordGone(f"org unit {terms.org_unit_id} is not in the system of record")
        position = None
        if terms.position_id is not None:
            position = await self.refs.get(tenant, POSITION, terms.position_id)
            if position is None:
                raise RecordGone(f"position {terms.position_id} is not in the system of record")
        start = sf_date(terms.effective_from)
        return [
            {
                "__metadata": {"uri": JOBS},
                "seqNumber": "1",
                "startDate": start,
                "userId": person,
                "company": tenant,
                "department": unit.vendor_key,
                "position": position.vendor_key if position else None,
                "payGrade": terms.grade.value,
                "fte": str(terms.fte),
                "standardHours": "37.5",
                "payGroup": terms.pay_frequency.value.upper(),
                "contractType": terms.contract_type.value.upper(),
                "emplStatus": "A",
            },
            {
                "__metadata": {"uri": PAY},
                "payComponent": SALARY,
                "seqNumber": "1",
                "startDate": start,
                "userId": person,
                "paycompvalue": str(terms.annual_salary.quantize(Decimal("0.01"))),
                "currencyCode": "GBP",
                "frequency": "ANN",
            },
        ]

    async def _to_terms(
        self, tenant: str, jobs: list[Row], pay: list[Row]
    ) -> list[EmploymentTerms]:
        """Job slices (not the terminated one) with the salary slice starting with each."""
        salaries = {(p["userId"], p["startDate"]): p for p in pay}
        live = [j for j in jobs if j.get("emplStatus") != "T"]
        refs = await self.refs.by_vendor_keys(
            tenant, TERMS, [row_key(j["userId"], day(j["startDate"]) or date.min) for j in live]
        )
        units = await self.refs.by_vendor_keys(
            tenant, ORG_UNIT, [j["department"] for j in live if j.get("department")]
        )
        positions = await self.refs.by_vendor_keys(
            tenant, POSITION, [j["position"] for j in live if j.get("position")]
        )
        out = []
        for job in live:
            start = day(job["startDate"])
            assert start is not None
            ref = refs.get(row_key(job["userId"], start))
            unit = units.get(job.get("department") or "")
            salary = salaries.get((job["userId"], job["startDate"]))
            if ref is None or ref.parent_id is None or unit is None or salary is None:
                continue
            position = positions.get(job.get("position") or "")
            out.append(
                EmploymentTerms(
                    id=ref.id,
                    employee_id=ref.parent_id,
                    effective_from=start,
                    effective_to=day(job.get("endDate")),
                    org_unit_id=unit.id,
                    position_id=position.id if position else None,
                    grade=Grade(job["payGrade"]),
                    fte=decimal(job["fte"]).normalize(),
                    annual_salary=decimal(salary["paycompvalue"]).quantize(Decimal("0.01")),
                    pay_frequency=PayFrequency(job["payGroup"].lower()),
                    contract_type=ContractType(job["contractType"].lower()),
                    **stamps(ref),
                )
            )
        return out

    async def history(self, tenant: str, employee_id: uuid.UUID) -> list[EmploymentTerms]:
        employee = await self.refs.get(tenant, EMPLOYEE, employee_id)
        if employee is None:
            return []
        person = lit(employee.vendor_key)
        # fromDate/toDate: every time slice, not just today's.
        jobs, pay = await asyncio.gather(
            self.sf.every(JOBS, **{"$filter": f"userId eq {person}"}, **ALL_DATES),
            self.sf.every(
                PAY,
                **{"$filter": f"userId eq {person} and payComponent eq '{SALARY}'"},
                **ALL_DATES,
            ),
        )
        found = await self._to_terms(tenant, jobs, pay)
        return sorted(found, key=lambda t: t.effective_from)

    async def get(self, tenant: str, terms_id: uuid.UUID) -> EmploymentTerms | None:
        ref = await self.refs.get(tenant, TERMS, terms_id)
        if ref is None or ref.parent_id is None:
            return None
        person, start = ref.vendor_key.split("@")
        start_date = date.fromisoformat(start)
        (job, _), (pay, _) = await asyncio.gather(
            self.sf.entity(f"{JOBS}{key(seqNumber=1, startDate=start_date, userId=person)}"),
            self.sf.entity(
                f"{PAY}{key(payComponent=SALARY, seqNumber=1, startDate=start_date, userId=person)}"
            ),
        )
        if job is None or pay is None:
            return None
        found = await self._to_terms(tenant, [job], [pay])
        return found[0] if found else None

    async def in_force(
        self,
        tenant: str,
        on: date,
        *,
        employee_ids: Collection[uuid.UUID] | None = None,
        position_ids: Collection[uuid.UUID] | None = None,
    ) -> list[EmploymentTerms]:
        as_of = {"asOfDate": on.isoformat()}
        if employee_ids is not None:
            refs = await self.refs.many(tenant, EMPLOYEE, employee_ids)
            people = sorted(r.vendor_key for r in refs.values())
            if not people:
                return []
            jobs, pay = await asyncio.gather(
                self.sf.every_chunked(JOBS, people, lambda c: f"userId in {lits(c)}", **as_of),
                self.sf.every_chunked(
                    PAY,
                    people,
                    lambda c: f"userId in {lits(c)} and payComponent eq '{SALARY}'",
                    **as_of,
                ),
            )
        else:
            condition = f"company eq {lit(tenant)}"
            if position_ids is not None:
                wanted = await self.refs.many(tenant, POSITION, position_ids)
                if not wanted:
                    return []
                condition = (
                    f_all(
                        condition,
                        f"position in {lits(sorted(r.vendor_key for r in wanted.values()))}",
                    )
                    or condition
                )
            jobs = await self.sf.every(JOBS, **{"$filter": condition}, **as_of)
            people = sorted({j["userId"] for j in jobs})
            pay = (
                await self.sf.every_chunked(
                    PAY,
                    people,
                    lambda c: f"userId in {lits(c)} and payComponent eq '{SALARY}'",
                    **as_of,
                )
                if people
                else []
            )
        terms = await self._to_terms(tenant, jobs, pay)
        if position_ids is not None:
            terms = [t for t in terms if t.position_id in set(position_ids)]
        return sorted(terms, key=lambda t: t.id)

    async def add(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        employee = await self.refs.get(tenant, EMPLOYEE, terms.employee_id)
        if employee is None:
            raise RecordGone(f"employee {terms.employee_id} is not in the system of record")
        person = employee.vendor_key
        # One upsert: the job slice and the salary slice start together.
        await self.sf.upsert(*(await self._entities(tenant, person, terms)))
        ref = await self.refs.add(
            tenant,
            TERMS,
            terms.id,
            row_key(person, terms.effective_from),
            parent_id=terms.employee_id,
            created_at=terms.created_at,
        )
        return stamped(terms, ref)

    async def update(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        ref = await self.refs.get(tenant, TERMS, terms.id, for_update=True)
        if ref is None or ref.parent_id is None:
            raise RecordGone(f"terms {terms.id} no longer exist")
        self.refs.check_version(ref, terms.version)
        current = await self.get(tenant, terms.id)
        if current is None:
            raise RecordGone(f"terms {terms.id} are no longer in the system of record")
        same = dataclasses.replace(current, effective_to=terms.effective_to, version=terms.version)
        compared = dataclasses.replace(
            terms, created_at=current.created_at, updated_at=current.updated_at
        )
        if same != compared:
            person = ref.vendor_key.split("@")[0]
            await self.sf.upsert(*(await self._entities(tenant, person, terms)))
        # An end date alone needs no call: the suite ends a slice the day before the next
        # starts, or at the termination, exactly as the service has decided.
        return stamped(terms, await self.refs.touch(ref))
