"""HR and finance as a pay run reaches them: through the gateway, with a token the platform
issues to payroll for the tenant (`PlatformClient.scheduled`: the run is payroll's work, not a
request a person is waiting on; the token's `act` claim names payroll, and HR's and finance's
audit trails record it as the acting service)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sop_payroll.pay_runs.ports import (
    PAY_AFFECTING_LEAVE,
    BankDetails,
    HrAbsence,
    HrEmployee,
    HrPage,
    PaymentSource,
    TermsSlice,
)
from sop_payroll.problems import PaymentsSent
from sop_shared.platform_client import PlatformClient, PlatformProblem

HR_SCOPES = "hr:read hr:sensitive"
FINANCE_SCOPES = "finance:read finance:write"


def _date(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def _terms(t: dict[str, Any] | None) -> TermsSlice | None:
    if not t:
        return None
    return TermsSlice(
        effective_from=date.fromisoformat(t["effective_from"]),
        effective_to=_date(t.get("effective_to")),
        annual_salary=Decimal(str(t["annual_salary"])),
        fte=Decimal(str(t["fte"])),
        org_unit_id=uuid.UUID(t["org_unit_id"]),
        pay_frequency=str(t.get("pay_frequency") or "monthly"),
    )


def hr_employee(e: dict[str, Any]) -> HrEmployee:
    payroll = e.get("payroll") or {}
    bank = e.get("bank_details")
    return HrEmployee(
        id=uuid.UUID(e["id"]),
        employee_number=e["employee_number"],
        first_name=e["first_name"],
        last_name=e["last_name"],
        home_region=e.get("home_region") or "england",
        start_date=date.fromisoformat(e["start_date"]),
        leaving_date=_date(e.get("leaving_date")),
        terms=_terms(e.get("terms")),
        tax_code=payroll.get("tax_code"),
        ni_category=payroll.get("ni_category"),
        student_loan_plans=tuple(payroll.get("student_loan_plans") or ()),
        postgraduate_loan=bool(payroll.get("postgraduate_loan")),
        pension_scheme=payroll.get("pension_scheme"),
        national_insurance_number=e.get("national_insurance_number"),
        date_of_birth=_date(e.get("date_of_birth")),
        bank=None
        if not bank
        else BankDetails(bank["sort_code"], bank["account_number"], bank["account_name"]),
        user_subject=e.get("user_subject"),
    )


class GatewayHr:
    """`HrDirectory` over HR's public API."""

    def __init__(self, platform: PlatformClient) -> None:
        self.platform = platform

    async def employees(
        self, tenant: str, *, as_of: date, cursor: str | None, limit: int
    ) -> HrPage:
        hr = await self.platform.scheduled(tenant, scopes=HR_SCOPES)
        params: dict[str, Any] = {"as_of": as_of.isoformat(), "limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = (await hr.get("/hr/v1/employees", params=params, deadline=30.0)).json()
        return HrPage([hr_employee(e) for e in body["items"]], body.get("next_cursor"))

    async def terms_history(self, tenant: str, employee_id: uuid.UUID) -> list[TermsSlice]:
        hr = await self.platform.scheduled(tenant, scopes=HR_SCOPES)
        found: list[TermsSlice] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            body = (await hr.get(f"/hr/v1/employees/{employee_id}/terms", params=params)).json()
            found += [t for t in map(_terms, body["items"]) if t is not None]
            cursor = body.get("next_cursor")
            if not cursor:
                return sorted(found, key=lambda t: t.effective_from)

    async def cost_centres(self, tenant: str) -> dict[uuid.UUID, str]:
        hr = await self.platform.scheduled(tenant, scopes=HR_SCOPES)
        found: dict[uuid.UUID, str] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            body = (await hr.get("/hr/v1/org-units", params=params)).json()
            for unit in body["items"]:
                if unit.get("cost_centre"):
                    found[uuid.UUID(unit["id"])] = str(unit["cost_centre"])
            cursor = body.get("next_cursor")
            if not cursor:
                return found

    async def absences(self, tenant: str, *, start: date, end: date) -> list[HrAbsence]:
        hr = await self.platform.scheduled(tenant, scopes=HR_SCOPES)
        types = (await hr.get("/hr/v1/leave-types")).json()["items"]
        paid = {t["code"]: bool(t.get("paid")) for t in types}
        found: list[HrAbsence] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {
                "status": "approved",
                "from": start.isoformat(),
                "to": end.isoformat(),
                "limit": 500,
            }
            if cursor:
                params["cursor"] = cursor
            body = (await hr.get("/hr/v1/absences", params=params, deadline=30.0)).json()
            found += [
                HrAbsence(
                    employee_id=uuid.UUID(a["employee_id"]),
                    leave_type=a["leave_type"],
                    start_date=date.fromisoformat(a["start_date"]),
                    end_date=date.fromisoformat(a["end_date"]),
                    paid=paid.get(a["leave_type"], False),
                )
                for a in body["items"]
                if a["leave_type"] in PAY_AFFECTING_LEAVE
            ]
            cursor = body.get("next_cursor")
            if not cursor:
                return found


class GatewayFinance:
    """`FinanceLedger` over finance's public API: journals by the posting contract
    (docs/finance.md) and net pay as a payment batch finance turns into a BACS file."""

    def __init__(self, platform: PlatformClient) -> None:
        self.platform = platform

    async def post_journal(
        self,
        tenant: str,
        *,
        reference: str,
        posting_date: date,
        description: str,
        lines: Sequence[dict[str, Any]],
        key: str,
    ) -> str:
        fin = await self.platform.scheduled(tenant, scopes=FINANCE_SCOPES)
        body = {
            "description": description[:200],
            "posting_date": posting_date.isoformat(),
            "source": "payroll",
            "source_reference": reference,
            "lines": list(lines),
            "post": True,
        }
        try:
            answer = await fin.post(
                "/finance/v1/journals", json=body, headers={"Idempotency-Key": key}
            )
        except PlatformProblem as problem:
            existing = _duplicate(problem, "journal_id")
            if existing:
                return existing  # posted before (the key expired): the same journal
            raise
        return str(answer.json()["id"])

    async def withdraw_payments(self, tenant: str, *, batch_id: str, reason: str, key: str) -> None:
        fin = await self.platform.scheduled(tenant, scopes=FINANCE_SCOPES)
        try:
            await fin.post(
                f"/finance/v1/payment-batches/{batch_id}/withdraw",
                json={"reason": reason[:200]},
                headers={"Idempotency-Key": key},
            )
        except PlatformProblem as problem:
            if problem.type.endswith("processing-day-passed"):
                raise PaymentsSent(
                    "the net pay's BACS file is past its processing day: the money is on its way",
                    processing_day=problem.extensions.get("processing_day"),
                ) from None
            if problem.status == 409 and problem.extensions.get("batch_status") == "withdrawn":
                return  # withdrawn before (a retry after the key expired)
            raise

    async def reverse_journal(self, tenant: str, *, journal_id: str, reason: str, key: str) -> str:
        fin = await self.platform.scheduled(tenant, scopes=FINANCE_SCOPES)
        answer = await fin.post(
            f"/finance/v1/journals/{journal_id}/reverse",
            json={"description": reason[:200]},
            headers={"Idempotency-Key": key},
        )
        return str(answer.json()["id"])

    async def pay_by_bacs(
        self,
        tenant: str,
        *,
        reference: str,
        bank_account_id: uuid.UUID,
        payment_date: date,
        description: str,
        payments: PaymentSource,
        key: str,
    ) -> str:
        fin = await self.platform.scheduled(tenant, scopes=FINANCE_SCOPES)
        header = {
            "bank_account_id": str(bank_account_id),
            "payment_date": payment_date.isoformat(),
            "source": "payroll",
            "source_reference": reference,
            "description": description[:200],
            "control_account_code": "52100000",
            "expected_count": payments.count,
            "expected_total": f"{payments.total:.2f}",
        }
        try:
            created = await fin.post(
                "/finance/v1/payment-batches", json=header, headers={"Idempotency-Key": key}
            )
            batch = created.json()
        except PlatformProblem as problem:
            existing = _duplicate(problem, "batch_id") or _duplicate(problem, "payment_batch_id")
            if not existing:
                raise
            batch = (await fin.get(f"/finance/v1/payment-batches/{existing}")).json()
        if batch.get("status") == "submitted":
            return str(batch["id"])
        number = 0
        async for page in payments.pages(5000):
            number += 1
            rows = [
                {
                    "payee_reference": p.payee_reference,
                    "name": p.name,
                    "sort_code": p.bank.sort_code,
                    "account_number": p.bank.account_number,
                    "account_name": p.bank.account_name,
                    "amount": f"{p.amount:.2f}",
                    "reference": p.reference[:18],
                }
                for p in page
            ]
            try:
                await fin.post(
                    f"/finance/v1/payment-batches/{batch['id']}/payments",
                    json={"payments": rows},
                    headers={"Idempotency-Key": f"{key}-page-{number}"},
                )
            except PlatformProblem as problem:
                if problem.status != 409:
                    raise  # 409: this page went in before a restart (payees already there)
        await fin.post(
            f"/finance/v1/payment-batches/{batch['id']}/submit",
            headers={"Idempotency-Key": f"{key}-submit"},
        )
        return str(batch["id"])


def _duplicate(problem: PlatformProblem, field: str) -> str | None:
    if problem.status != 409:
        return None
    value = problem.extensions.get(field)
    return None if value is None else str(value)
