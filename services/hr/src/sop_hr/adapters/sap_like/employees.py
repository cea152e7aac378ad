"""Employees as SuccessFactors-like Employee Central records: the employment (EmpEmployment,
with the company and SOP's custom fields), the person's biographical and personal information,
business email and National Insurance number, payment information, and the termination."""

from __future__ import annotations

import asyncio
import builtins
import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sop_hr.adapters.crossref import EMPLOYEE, EMPLOYEE_NUMBER, ORG_UNIT, POSITION, VendorRef
from sop_hr.adapters.sap_like.client import (
    Row,
    SuccessFactors,
    day,
    f_all,
    key,
    lit,
    lits,
    nav,
    sf_date,
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

EMPLOYMENT = "EmpEmployment"
PERSON_NAVS = "personNav/personalInfoNav,personNav/nationalIdNav,personNav/emailNav"
EXPAND = f"personNav,{PERSON_NAVS},empEmploymentTerminationNav"
PAYMENTS = "PaymentInformationV3"
BUSINESS_EMAIL = "B"
NINO = ("GBR", "NINO")


def person_key(employee_id: uuid.UUID) -> str:
    """The personIdExternal (and userId) HR gives a new person: its canonical id's hex, so
    the suite's key order is HR's creation order too."""
    return employee_id.hex


def employment_path(person: str) -> str:
    return f"{EMPLOYMENT}{key(personIdExternal=person, userId=person)}"


def custom_fields(tenant: str, e: Employee) -> dict[str, Any]:
    return {
        "cust_company": tenant,
        "cust_employeeNumber": e.employee_number,
        "cust_homeRegion": e.home_region.value,
        "cust_userSubject": e.user_subject,
        "cust_taxCode": e.payroll.tax_code,
        "cust_niCategory": e.payroll.ni_category,
        "cust_studentLoanPlans": ",".join(p.value for p in e.payroll.student_loan_plans) or None,
        "cust_postgraduateLoan": e.payroll.postgraduate_loan,
        "cust_pensionScheme": e.payroll.pension_scheme,
    }


def _one(rows: list[Row], **match: Any) -> Row | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def to_employee(employment: Row, payment: Row | None, ref: VendorRef) -> Employee:
    person = employment.get("personNav") or {}
    personal = (nav(person, "personalInfoNav") or [{}])[-1]
    email = _one(nav(person, "emailNav"), emailType=BUSINESS_EMAIL)
    nino = _one(nav(person, "nationalIdNav"), country=NINO[0], cardType=NINO[1])
    detail = next(iter(nav(payment, "toPaymentInformationDetailV3")), None) if payment else None
    bank = None
    if detail and detail.get("routingNumber") and detail.get("accountNumber"):
        bank = BankDetails(
            sort_code=detail["routingNumber"],
            account_number=detail["accountNumber"],
            account_name=detail.get("accountOwner") or "",
        )
    ending = next(iter(nav(employment, "empEmploymentTerminationNav")), None)
    reason = ending.get("eventReason") if ending else None
    plans = [p for p in (employment.get("cust_studentLoanPlans") or "").split(",") if p]
    return Employee(
        id=ref.id,
        employee_number=employment.get("cust_employeeNumber") or "",
        first_name=personal.get("firstName") or "",
        last_name=personal.get("lastName") or "",
        work_email=email["emailAddress"] if email else None,
        user_subject=employment.get("cust_userSubject"),
        date_of_birth=day(person.get("dateOfBirth")),
        national_insurance_number=nino["nationalId"] if nino else None,
        home_region=HomeRegion(employment.get("cust_homeRegion") or HomeRegion.ENGLAND),
        start_date=day(employment["startDate"]) or date.min,
        leaving_date=day(employment.get("endDate")),
        leaving_reason=leaving_reason(reason),
        payroll=PayrollDetails(
            tax_code=employment.get("cust_taxCode"),
            ni_category=employment.get("cust_niCategory"),
            student_loan_plans=tuple(StudentLoanPlan(p) for p in plans),
            postgraduate_loan=bool(employment.get("cust_postgraduateLoan")),
            pension_scheme=employment.get("cust_pensionScheme"),
        ),
        bank_details=bank,
        **stamps(ref),
    )


class SapEmployees:
    def __init__(self, sf: SuccessFactors) -> None:
        self.sf = sf
        self.refs = sf.refs
        # What this request last read of each employee: the entities an update changes.
        self._seen: dict[uuid.UUID, tuple[Row, Row | None, str | None]] = {}

    async def _payments(self, people: list[str]) -> dict[str, Row]:
        if not people:
            return {}
        rows = await self.sf.every_chunked(
            PAYMENTS,
            people,
            lambda chunk: f"worker in {lits(chunk)}",
            **{"$expand": "toPaymentInformationDetailV3"},
        )
        return {r["worker"]: r for r in rows}

    async def _read(self, tenant: str, ref: VendorRef) -> tuple[Row, Row | None] | None:
        person = ref.vendor_key
        (employment, etag), payments = await asyncio.gather(
            self.sf.entity(employment_path(person), **{"$expand": EXPAND}),
            self._payments([person]),
        )
        if employment is None or employment.get("cust_company") != tenant:
            return None
        payment = payments.get(person)
        self._seen[ref.id] = (employment, payment, etag)
        return employment, payment

    async def get(
        self, tenant: str, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> Employee | None:
        ref = await self.refs.get(tenant, EMPLOYEE, employee_id, for_update=for_update)
        if ref is None:
            return None
        found = await self._read(tenant, ref)
        return to_employee(*found, ref) if found else None

    async def numbers_in_use(self, tenant: str, employee_numbers: Collection[str]) -> set[str]:
        wanted = sorted(set(employee_numbers))
        if not wanted:
            return set()
        rows = await self.sf.every_chunked(
            EMPLOYMENT,
            wanted,
            lambda chunk: f"cust_company eq {lit(tenant)} and cust_employeeNumber in {lits(chunk)}",
            **{"$select": "cust_employeeNumber"},
        )
        return {r["cust_employeeNumber"] for r in rows} & set(wanted)

    async def _filter(self, tenant: str, where: EmployeeFilter) -> tuple[str | None, bool]:
        terms: list[str | None] = [f"cust_company eq {lit(tenant)}"]
        if where.employee_number is not None:
            terms.append(f"cust_employeeNumber eq {lit(where.employee_number)}")
        since = since_for_vendor(where.updated_since)
        if since is not None:
            terms.append(f"lastModifiedDateTime ge {lit(since)}")
        if where.employed_on is not None:
            d = lit(where.employed_on)
            terms.append(f"startDate le {d}")
            terms.append(f"endDate eq null or endDate ge {d}")
        if where.starting_after is not None:
            terms.append(f"startDate gt {lit(where.starting_after)}")
        if where.left_before is not None:
            terms.append(f"endDate lt {lit(where.left_before)}")
        if where.org_unit_id is not None or where.position_id is not None:
            if where.terms_on is None:
                raise ValueError("terms_on is required with org_unit_id or position_id")
            # The job record in force on `terms_on` (asOfDate), unless it is the terminated one.
            terms.append("jobInfoNav/emplStatus ne 'T'")
        for ref_id, kind, prop in (
            (where.org_unit_id, ORG_UNIT, "department"),
            (where.position_id, POSITION, "position"),
        ):
            if ref_id is not None:
                target = await self.refs.get(tenant, kind, ref_id)
                if target is None:
                    return None, False
                terms.append(f"jobInfoNav/{prop} eq {lit(target.vendor_key)}")
        return f_all(*terms), True

    async def list(
        self, tenant: str, where: EmployeeFilter, page: PageRequest
    ) -> RecordPage[Employee]:
        condition, possible = await self._filter(tenant, where)
        if not possible:
            return RecordPage(items=[])
        params: dict[str, Any] = {"$filter": condition, "$expand": EXPAND}
        if where.terms_on is not None:
            params["asOfDate"] = where.terms_on.isoformat()

        async def fetch(position: Any, size: int) -> tuple[list[Row], Any]:
            return await self.sf.page(EMPLOYMENT, token=position, size=size, **params)

        async def keep(rows: list[Row]) -> list[Employee | None]:
            people = [r["personIdExternal"] for r in rows]
            refs, payments = await asyncio.gather(
                self.refs.by_vendor_keys(tenant, EMPLOYEE, people), self._payments(people)
            )
            out: list[Employee | None] = []
            for row in rows:
                ref = refs.get(row["personIdExternal"])
                if ref is None:
                    out.append(None)
                    continue
                employee = to_employee(row, payments.get(row["personIdExternal"]), ref)
                out.append(employee)
            return changed_since(out, where.updated_since)

        return await Filler(fetch, keep, "sap-employments").page(page.limit, page.cursor)

    # `builtins.list`: in this class `list` names the method above.
    def _person_entities(
        self, person: str, e: Employee, names_from: date
    ) -> builtins.list[dict[str, Any]]:
        entities: list[dict[str, Any]] = [
            {
                "__metadata": {"uri": "PerPerson"},
                "personIdExternal": person,
                "dateOfBirth": sf_date(e.date_of_birth) if e.date_of_birth else None,
            },
            {
                "__metadata": {"uri": "PerPersonal"},
                "personIdExternal": person,
                "startDate": sf_date(names_from),
                "firstName": e.first_name,
                "lastName": e.last_name,
            },
        ]
        if e.work_email:
            entities.append(
                {
                    "__metadata": {"uri": "PerEmail"},
                    "personIdExternal": person,
                    "emailType": BUSINESS_EMAIL,
                    "emailAddress": e.work_email,
                    "isPrimary": True,
                }
            )
        if e.national_insurance_number:
            entities.append(
                {
                    "__metadata": {"uri": "PerNationalId"},
                    "personIdExternal": person,
                    "country": NINO[0],
                    "cardType": NINO[1],
                    "nationalId": e.national_insurance_number,
                }
            )
        return entities

    @staticmethod
    def _payment(person: str, e: Employee, since: date, detail: Row | None) -> dict[str, Any]:
        assert e.bank_details is not None
        line = {
            "paymentMethod": "BANK_TRANSFER",
            "bankCountry": "GBR",
            "routingNumber": e.bank_details.sort_code,
            "accountNumber": e.bank_details.account_number,
            "accountOwner": e.bank_details.account_name,
        }
        if detail is not None:
            line["externalCode"] = detail["externalCode"]
        return {
            "__metadata": {"uri": PAYMENTS},
            "worker": person,
            "effectiveStartDate": sf_date(since),
            "toPaymentInformationDetailV3": {"results": [line]},
        }

    @staticmethod
    def _termination(person: str, e: Employee) -> dict[str, Any]:
        assert e.leaving_date is not None
        return {
            "__metadata": {"uri": "EmpEmploymentTermination"},
            "personIdExternal": person,
            "userId": person,
            "endDate": sf_date(e.leaving_date),
            "eventReason": e.leaving_reason.value.upper() if e.leaving_reason else None,
        }

    async def add(self, tenant: str, employee: Employee) -> Employee:
        person = person_key(employee.id)
        # Personal information starts on the start date, or today for a future starter, so
        # the suite shows it whenever HR reads the employee.
        since = min(employee.start_date, self.sf.clock.today())
        entities = self._person_entities(person, employee, since)
        entities.append(
            {
                "__metadata": {"uri": EMPLOYMENT},
                "personIdExternal": person,
                "userId": person,
                "startDate": sf_date(employee.start_date),
                **custom_fields(tenant, employee),
            }
        )
        if employee.bank_details is not None:
            entities.append(self._payment(person, employee, since, None))
        if employee.leaving_date is not None:
            entities.append(self._termination(person, employee))
        await self.refs.claim(tenant, EMPLOYEE_NUMBER, employee.id, employee.employee_number)
        await self.sf.upsert(*entities)
        ref = await self.refs.add(
            tenant,
            EMPLOYEE,
            employee.id,
            person,
            data={"since": since.isoformat()},
            created_at=employee.created_at,
        )
        return stamped(employee, ref)

    async def update(self, tenant: str, employee: Employee) -> Employee:
        ref = await self.refs.get(tenant, EMPLOYEE, employee.id, for_update=True)
        if ref is None:
            raise RecordGone(f"employee {employee.id} no longer exists")
        self.refs.check_version(ref, employee.version)
        await self.refs.claim(tenant, EMPLOYEE_NUMBER, employee.id, employee.employee_number)
        if employee.id not in self._seen and await self._read(tenant, ref) is None:
            raise RecordGone(f"employee {employee.id} is no longer in the system of record")
        employment, payment, etag = self._seen[employee.id]
        current = to_employee(employment, payment, ref)
        person = ref.vendor_key
        # The employment first, with If-Match: a change made meanwhile in the suite is a 412
        # before anything else is touched; it also moves lastModifiedDateTime, which
        # `updated_since` asks the suite about.
        await self.sf.merge(employment_path(person), custom_fields(tenant, employee), etag)
        person_info = employment.get("personNav") or {}
        personal = nav(person_info, "personalInfoNav")
        since = day(personal[-1]["startDate"]) if personal else self.sf.clock.today()
        assert since is not None
        changed = [
            entity
            for entity in self._person_entities(person, employee, since)
            if _differs(entity, current, employee)
        ]
        if changed:
            await self.sf.upsert(*changed)
        if current.work_email and not employee.work_email:
            email = _one(nav(person_info, "emailNav"), emailType=BUSINESS_EMAIL)
            path = f"PerEmail{key(personIdExternal=person, emailType=BUSINESS_EMAIL)}"
            await self.sf.delete(path, (email or {}).get("__metadata", {}).get("etag"))
        if current.national_insurance_number and not employee.national_insurance_number:
            nino = _one(nav(person_info, "nationalIdNav"), country=NINO[0], cardType=NINO[1])
            path = f"PerNationalId{key(personIdExternal=person, country=NINO[0], cardType=NINO[1])}"
            await self.sf.delete(path, (nino or {}).get("__metadata", {}).get("etag"))
        if employee.bank_details != current.bank_details:
            await self._change_payment(person, employee, payment, since)
        if (employee.leaving_date, employee.leaving_reason) != (
            current.leaving_date,
            current.leaving_reason,
        ):
            if employee.leaving_date is not None:
                await self.sf.upsert(self._termination(person, employee))
            else:
                ending = (nav(employment, "empEmploymentTerminationNav") or [{}])[0]
                path = f"EmpEmploymentTermination{key(personIdExternal=person, userId=person)}"
                await self.sf.delete(path, (ending.get("__metadata") or {}).get("etag"))
        self._seen.pop(employee.id, None)
        return stamped(employee, await self.refs.touch(ref))

    async def _change_payment(
        self, person: str, employee: Employee, payment: Row | None, since: date
    ) -> None:
        if employee.bank_details is None:
            if payment is not None:
                start = day(payment["effectiveStartDate"])
                path = f"{PAYMENTS}{key(effectiveStartDate=start, worker=person)}"
                await self.sf.delete(path, (payment.get("__metadata") or {}).get("etag"))
            return
        detail = next(iter(nav(payment, "toPaymentInformationDetailV3")), None) if payment else None
        start = day(payment["effectiveStartDate"]) if payment else since
        assert start is not None
        await self.sf.upsert(self._payment(person, employee, start, detail))


def _differs(entity: dict[str, Any], current: Employee, wanted: Employee) -> bool:
    """Whether an entity of the person carries a field that changed."""
    kind = entity["__metadata"]["uri"]
    fields = {
        "PerPerson": ("date_of_birth",),
        "PerPersonal": ("first_name", "last_name"),
        "PerEmail": ("work_email",),
        "PerNationalId": ("national_insurance_number",),
    }[kind]
    return any(getattr(current, f) != getattr(wanted, f) for f in fields)
