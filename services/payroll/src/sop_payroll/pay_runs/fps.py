"""A finalised run's Full Payment Submission: each paid employee's payslip and year to date as
HMRC's FPS records (`sop_payroll.rti`), in documents of at most `FPS_EMPLOYEES` employees (a
large department's run is several FPS documents for the same pay date, each validated)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Final

from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.student_loans import StudentLoanPlan
from sop_payroll.pay_groups.ports import PayGroup
from sop_payroll.pay_runs.ports import PayRun, PayRunItem
from sop_payroll.rti import fps as rti

FPS_EMPLOYEES: Final = 5000
FULL_TIME_HOURS: Final = Decimal("37")  # the civil service's full-time week
ZERO: Final = Decimal("0.00")


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _pounds(value: Any) -> Decimal:
    """Whole pounds, as HMRC wants loans and AtLELYTD (rounded down)."""
    return Decimal(str(value)).to_integral_value(rounding=ROUND_FLOOR)


def _hours(fte: Decimal) -> rti.HoursWorked:
    weekly = fte * FULL_TIME_HOURS
    if weekly < 16:
        return rti.HoursWorked.UP_TO_16
    if weekly < 24:
        return rti.HoursWorked.FROM_16_TO_24
    if weekly < 30:
        return rti.HoursWorked.FROM_24_TO_30
    return rti.HoursWorked.FROM_30


def _date(value: Any) -> date | None:
    return None if not value else date.fromisoformat(str(value))


def employee_record(group: PayGroup, run: PayRun, item: PayRunItem) -> rti.FpsEmployee:
    slip, person, ytd = item.payslip, item.person, item.ytd_after
    period = run.period
    p45_pay = _money(person.get("p45_taxable_pay") or 0)
    p45_tax = _money(person.get("p45_tax_paid") or 0)
    plans = [StudentLoanPlan(p) for p in item.inputs.get("student_loan_plans", [])]
    student_loan = _money(slip.get("student_loan", 0))
    postgraduate = _money(slip.get("postgraduate_loan", 0))
    monthly = group.frequency is PayFrequency.MONTHLY
    payment = rti.FpsPayment(
        pay_frequency=rti.FpsPayFrequency.of(group.frequency),
        payment_date=period.pay_date,
        tax_code=str(slip["tax_code"]),
        taxable_pay=_money(slip["taxable_pay"]),
        tax_deducted_or_refunded=_money(slip["income_tax"]),
        hours_worked=_hours(Decimal(str(person.get("fte") or "1"))),
        week_number=None if monthly else period.week_or_month_number,
        month_number=period.week_or_month_number if monthly else None,
        non_cumulative=bool(item.inputs.get("week1_month1")),
        payment_after_leaving=bool(person.get("after_leaving")),
        pay_after_statutory_deductions=_money(slip["gross_pay"])
        - _money(slip["pre_tax_deductions"])
        - _money(slip["income_tax"])
        - _money(slip["employee_ni"])
        - student_loan
        - postgraduate,
        student_loan_recovered=_pounds(student_loan) if plans and student_loan else None,
        student_loan_plan=rti.StudentLoanPlanType.of(plans[0]) if plans and student_loan else None,
        postgraduate_loan_recovered=_pounds(postgraduate) if postgraduate else None,
    )
    current = str(slip["ni_category"])
    by_letter = ytd.get("ni_by_letter") or {current: ytd.get("ni", {})}
    letters = tuple(
        rti.FpsNiLetter(
            letter=letter,
            gross_earnings_in_period=_money(slip["ni_able_pay"]) if letter == current else ZERO,
            gross_earnings_ytd=_money(ni.get("gross_pay", 0)),
            at_lel_ytd=_pounds(ni.get("earnings_at_lel", 0)),
            lel_to_pt_ytd=_money(ni.get("earnings_lel_to_pt", 0)),
            pt_to_uel_ytd=_money(ni.get("earnings_pt_to_uel", 0)),
            employer_nic_in_period=_money(slip["employer_ni"]) if letter == current else ZERO,
            employer_nic_ytd=_money(ni.get("employer_contribution", 0)),
            employee_nic_in_period=_money(slip["employee_ni"]) if letter == current else ZERO,
            employee_nic_ytd=_money(ni.get("employee_contribution", 0)),
        )
        for letter, ni in sorted(by_letter.items())
    )
    starter = None
    if person.get("starter"):
        declaration = person.get("starter_declaration")
        starter = rti.FpsStarter(
            start_date=date.fromisoformat(person["start_date"]),
            declaration=None if not declaration else rti.StarterDeclaration(declaration),
            student_loan=bool(plans),
            postgraduate_loan=bool(item.inputs.get("postgraduate_loan")),
        )
    leaving = item.leaving_date if item.leaving_date and item.leaving_date <= period.end else None
    employment = rti.FpsEmployment(
        pay_id=item.employee_number,
        figures_to_date=rti.FpsFiguresToDate(
            taxable_pay=_money(ytd.get("taxable_pay", 0)) - p45_pay,
            total_tax=_money(ytd.get("tax_paid", 0)) - p45_tax,
            student_loans=_pounds(ytd.get("student_loan", 0)) if plans else None,
            postgraduate_loans=_pounds(ytd.get("postgraduate_loan", 0))
            if item.inputs.get("postgraduate_loan")
            else None,
        ),
        payment=payment,
        ni_letters=letters,
        starter=starter,
        leaving_date=leaving,
    )
    address = person.get("address")
    return rti.FpsEmployee(
        surname=str(person["last_name"]),
        forenames=(str(person["first_name"]),),
        gender=rti.Gender(person["gender"]),
        birth_date=_date(person.get("date_of_birth")),
        employments=(employment,),
        nino=item.national_insurance_number,
        address=None
        if not address
        else rti.FpsAddress(
            lines=tuple(address["lines"]),
            uk_postcode=address.get("postcode"),
            foreign_country=address.get("country"),
        ),
    )


def document(
    group: PayGroup, run: PayRun, items: Sequence[PayRunItem], *, sender_id: str
) -> rti.FpsDocument:
    return rti.FpsDocument(
        tax_year=run.period.tax_year,
        employer=rti.Employer(
            office_number=group.scheme.tax_office_number,
            paye_reference=group.scheme.paye_reference,
            accounts_office_reference=group.scheme.accounts_office_reference,
            sender_id=sender_id,
        ),
        period_end=_within_year(run.period.end, run.period.tax_year),
        employees=tuple(employee_record(group, run, item) for item in items),
    )


def _within_year(day: date, tax_year: str) -> date:
    """The period's end, or the tax year's edge when a period straddles 6 April."""
    first = date(int(tax_year[:4]), 4, 6)
    last = date(first.year + 1, 4, 5)
    return min(max(day, first), last)


def parts(count: int) -> int:
    return max(1, math.ceil(count / FPS_EMPLOYEES))
