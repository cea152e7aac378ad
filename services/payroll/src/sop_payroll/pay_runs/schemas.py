"""Pay runs on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sop_payroll.calculations.schemas import Period, TaxYear
from sop_payroll.pay_runs.ports import PayRun, PayRunItem, RunState, RunTotals
from sop_shared.money import Money


class PayRunIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "pay_group_id": "0190a1a2-0000-7000-8000-000000000001",
                    "tax_year": "2026-27",
                    "period": 9,
                }
            ]
        },
    )
    pay_group_id: uuid.UUID
    tax_year: TaxYear
    period: Period = Field(description="The group's period number in the tax year.")


class TotalsOut(BaseModel):
    gross: Money
    tax: Money
    employee_ni: Money
    employer_ni: Money
    student_loan: Money
    postgraduate_loan: Money
    employee_pension: Money
    employer_pension: Money
    other_deductions: Money
    net: Money

    @classmethod
    def of(cls, t: RunTotals) -> TotalsOut:
        return cls(
            gross=t.gross,
            tax=t.tax,
            employee_ni=t.employee_ni,
            employer_ni=t.employer_ni,
            student_loan=t.student_loan,
            postgraduate_loan=t.postgraduate_loan,
            employee_pension=t.employee_pension,
            employer_pension=t.employer_pension,
            other_deductions=t.other_deductions,
            net=t.net,
        )


class P45Out(BaseModel):
    """The P45 figures a leaver takes to their next employer (parts 1A/2/3)."""

    employer_paye_reference: str = Field(examples=["123/AB45678"])
    employee_number: str
    name: str
    national_insurance_number: str | None
    leaving_date: date
    tax_code: str = Field(description="The code in use at leaving.")
    week1_month1: bool
    tax_year: str
    last_period: int = Field(description="The tax week or month of the last payment.")
    total_pay_to_date: Money = Field(description="Taxable pay to date, as used for tax.")
    total_tax_to_date: Money
    pay_in_this_employment: Money = Field(description="Less any previous employment's P45.")
    tax_in_this_employment: Money
    student_loan_deductions_continue: bool
    postgraduate_loan_deductions_continue: bool


class CostCentreTotals(BaseModel):
    cost_centre: str
    totals: TotalsOut


class CostCentreReport(BaseModel):
    reference: str
    cost_centres: list[CostCentreTotals]
    totals: TotalsOut = Field(description="The run's totals (equal to the sum of the above).")


class ProgressOut(BaseModel):
    employees_done: int
    employees_total: int | None = Field(description="Known once the calculation has finished.")
    chunks_done: int
    chunks_total: int | None
    rate_per_second: float | None = Field(description="Employees calculated per second so far.")
    elapsed_seconds: float | None
    eta_seconds: float | None = Field(
        description="Time left at the rate so far, once the number of chunks is known."
    )


class PayRunOut(BaseModel):
    id: uuid.UUID
    reference: str = Field(
        description="PAYRUN-<group>-<tax year>-<period>: finance's source_reference."
    )
    pay_group_id: uuid.UUID
    tax_year: str
    period: int
    period_start: date
    period_end: date
    pay_date: date
    payment_date: date
    tax_period: int
    week_or_month_number: int
    state: RunState
    calculation: int
    progress: ProgressOut
    exceptions: int = Field(description="Employees with an exception who are not held back.")
    held: int
    totals: TotalsOut
    started_by: str
    approved_by: str | None
    error: str | None
    journal_id: str | None
    payment_batch_id: str | None
    fps_documents: int = Field(description="GET /pay-runs/{id}/fps/{n} for n = 1 .. this.")
    calculated_at: datetime | None
    approved_at: datetime | None
    finalised_at: datetime | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, r: PayRun, now: datetime | None = None) -> PayRunOut:
        elapsed = rate = eta = None
        if r.calculation_started_at is not None:
            end = r.calculated_at or now
            if end is not None:
                elapsed = max((end - r.calculation_started_at).total_seconds(), 0.0)
                rate = round(r.employees_done / elapsed, 1) if elapsed > 0 else None
        if r.state is RunState.CALCULATED:
            eta = 0.0
        elif r.chunks_total and r.chunks_done and elapsed:
            eta = round(elapsed / r.chunks_done * (r.chunks_total - r.chunks_done), 1)
        return cls(
            id=r.id,
            reference=r.reference,
            pay_group_id=r.pay_group_id,
            tax_year=r.period.tax_year,
            period=r.period.number,
            period_start=r.period.start,
            period_end=r.period.end,
            pay_date=r.period.pay_date,
            payment_date=r.period.payment_date,
            tax_period=r.period.tax_period,
            week_or_month_number=r.period.week_or_month_number,
            state=r.state,
            calculation=r.calculation,
            progress=ProgressOut(
                employees_done=r.employees_done,
                employees_total=r.employees_total,
                chunks_done=r.chunks_done,
                chunks_total=r.chunks_total,
                rate_per_second=rate,
                elapsed_seconds=None if elapsed is None else round(elapsed, 3),
                eta_seconds=eta,
            ),
            exceptions=r.exceptions,
            held=r.held,
            totals=TotalsOut.of(r.totals),
            started_by=r.started_by,
            approved_by=r.approved_by,
            error=r.error,
            journal_id=r.journal_id,
            payment_batch_id=r.payment_batch_id,
            fps_documents=r.fps_documents,
            calculated_at=r.calculated_at,
            approved_at=r.approved_at,
            finalised_at=r.finalised_at,
            version=r.version,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class ExceptionOut(BaseModel):
    code: str = Field(examples=["missing-bank-details"])
    message: str


class PayRunItemOut(BaseModel):
    """One employee's pay in a run: totals, exceptions and the payslip, every line explained."""

    run_id: uuid.UUID
    employee_id: uuid.UUID
    employee_number: str
    name: str
    cost_centre: str | None
    tax_code: str | None
    ni_category: str | None
    totals: TotalsOut
    exceptions: list[ExceptionOut]
    held: bool
    accepted: bool = Field(description="Its warnings were accepted and no longer stop approval.")
    payslip: dict[str, Any] = Field(description="As POST /calculations/payslip answers it.")
    inputs: dict[str, Any] = Field(
        description="The calculator request this payslip was worked from (same answer)."
    )

    @classmethod
    def of(cls, i: PayRunItem) -> PayRunItemOut:
        return cls(
            run_id=i.run_id,
            employee_id=i.employee_id,
            employee_number=i.employee_number,
            name=i.name,
            cost_centre=i.cost_centre,
            tax_code=i.tax_code,
            ni_category=i.ni_category,
            totals=TotalsOut.of(i.totals),
            exceptions=[ExceptionOut(code=e.code, message=e.message) for e in i.exceptions],
            held=i.held,
            accepted=i.accepted,
            payslip=i.payslip,
            inputs=i.inputs,
        )


class PayslipOut(BaseModel):
    run_id: uuid.UUID
    reference: str
    tax_year: str
    period: int
    pay_date: date
    employee_id: uuid.UUID
    employee_number: str
    name: str
    net_pay: Money
    gross_pay: Money
    payslip: dict[str, Any]

    @classmethod
    def of(cls, pair: tuple[PayRun, PayRunItem]) -> PayslipOut:
        run, item = pair
        return cls(
            run_id=run.id,
            reference=run.reference,
            tax_year=run.period.tax_year,
            period=run.period.number,
            pay_date=run.period.pay_date,
            employee_id=item.employee_id,
            employee_number=item.employee_number,
            name=item.name,
            net_pay=item.totals.net,
            gross_pay=item.totals.gross,
            payslip=item.payslip,
        )


ZERO = Decimal("0.00")


class PayRunEvent(BaseModel):
    """What pay-run events carry: the run's state and counts, never anyone's figures."""

    id: uuid.UUID
    reference: str
    pay_group_id: uuid.UUID
    tax_year: str
    period: int
    pay_date: date
    state: RunState
    employees_total: int | None
    employees_done: int
    chunks_done: int
    chunks_total: int | None
    exceptions: int


EVENTS = {
    "uk.gov.sop.payroll.pay_run.started.v1": (
        "A pay run started calculating (or recalculating).",
        PayRunEvent,
    ),
    "uk.gov.sop.payroll.pay_run.progressed.v1": (
        "A pay run's calculation moved on (every 10 chunks): chunks and employees done.",
        PayRunEvent,
    ),
    "uk.gov.sop.payroll.pay_run.calculated.v1": (
        "A pay run was calculated and is ready for review.",
        PayRunEvent,
    ),
    "uk.gov.sop.payroll.pay_run.approved.v1": ("A pay run was approved.", PayRunEvent),
    "uk.gov.sop.payroll.pay_run.finalised.v1": (
        "A pay run was finalised: payslips issued, net pay with finance, journal posted.",
        PayRunEvent,
    ),
    "uk.gov.sop.payroll.pay_run.cancelled.v1": ("A pay run was cancelled.", PayRunEvent),
    "uk.gov.sop.payroll.pay_run.reversed.v1": (
        "A finalised pay run was reversed before payment (net pay withdrawn, journal mirrored).",
        PayRunEvent,
    ),
}
