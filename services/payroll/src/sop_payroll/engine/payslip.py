"""The gross-to-net payslip: one employee's pay for one period, every line explained."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, overload

from sop_payroll.engine.errors import InvalidInput
from sop_payroll.engine.explain import Explanation
from sop_payroll.engine.frequency import PayFrequency, pay_frequency, period_shape
from sop_payroll.engine.income_tax import IncomeTaxResult, income_tax
from sop_payroll.engine.money import ZERO, all_pennies, money, pennies
from sop_payroll.engine.national_insurance import (
    NI_NOTHING_TO_DATE,
    DirectorNIMethod,
    NIResult,
    NIYearToDate,
    national_insurance,
    ni_category,
    ni_year_to_date,
)
from sop_payroll.engine.pensions import (
    PensionMethod,
    PensionResult,
    PensionScheme,
    pension_contributions,
    pension_scheme,
)
from sop_payroll.engine.records import record
from sop_payroll.engine.rules import TaxYearRules, tax_year_rules
from sop_payroll.engine.student_loans import (
    NO_LOANS,
    StudentLoanPlan,
    StudentLoanResult,
    loan_deductions,
    loan_setup,
    student_loan_plans,
)
from sop_payroll.engine.tax_code import parse_tax_code


class PayItemKind(StrEnum):
    BASIC = "basic"
    OVERTIME = "overtime"
    ALLOWANCE = "allowance"
    BONUS = "bonus"
    COMMISSION = "commission"
    STATUTORY_PAY = "statutory_pay"
    OTHER = "other"


class PreTaxDeductionKind(StrEnum):
    SALARY_SACRIFICE = "salary_sacrifice"  # reduces pay for tax and for NICs
    NET_PAY_PENSION = "net_pay_pension"  # reduces pay for tax only


class LineSection(StrEnum):
    PAYMENT = "payment"
    PRE_TAX_DEDUCTION = "pre_tax_deduction"
    STATUTORY_DEDUCTION = "statutory_deduction"
    POST_TAX_DEDUCTION = "post_tax_deduction"
    EMPLOYER = "employer"  # employer costs: shown, not deducted


@record
class PayItem:
    """A payment: negative amounts (unpaid leave) are allowed, if pay stays positive."""

    kind: PayItemKind
    amount: Decimal
    description: str = ""
    taxable: bool = True
    ni_able: bool = True
    pensionable: bool = True


@record
class PreTaxDeduction:
    kind: PreTaxDeductionKind
    amount: Decimal
    description: str = ""


@record
class PostTaxDeduction:
    amount: Decimal
    description: str


@record
class DirectorNI:
    """A company director's NICs arrangement for the year."""

    method: DirectorNIMethod = DirectorNIMethod.ANNUAL
    appointed_in_week: int = 1
    final_period: bool = False  # last pay of the year or on leaving office


@record
class PayslipYearToDate:
    """Year-to-date figures before (in a PayslipInput) or after (in a Payslip) a period."""

    gross_pay: Decimal = ZERO
    taxable_pay: Decimal = ZERO
    tax_paid: Decimal = ZERO
    ni: NIYearToDate = NI_NOTHING_TO_DATE
    student_loan: Decimal = ZERO
    postgraduate_loan: Decimal = ZERO
    employee_pension: Decimal = ZERO
    employer_pension: Decimal = ZERO
    net_pay: Decimal = ZERO


NOTHING_TO_DATE = PayslipYearToDate()


@record
class PayslipInput:
    """Everything needed to work out one employee's pay for one period."""

    tax_year: str
    frequency: PayFrequency
    period: int
    tax_code: str
    ni_category: str
    pay_items: tuple[PayItem, ...]
    week1_month1: bool = False
    pre_tax_deductions: tuple[PreTaxDeduction, ...] = ()
    post_tax_deductions: tuple[PostTaxDeduction, ...] = ()
    pension: PensionScheme | None = None
    student_loan_plans: tuple[StudentLoanPlan, ...] = ()
    postgraduate_loan: bool = False
    director: DirectorNI | None = None
    year_to_date: PayslipYearToDate = NOTHING_TO_DATE


@record
class PayslipLine:
    section: LineSection
    code: str
    description: str
    amount: Decimal
    explanation: Explanation


@record
class Payslip:
    """The result: `net_pay` is `gross_pay` less every deduction line (refunds negative)."""

    tax_year: str
    frequency: PayFrequency
    period: int
    lines: PayslipLines
    gross_pay: Decimal
    pre_tax_deductions: Decimal
    taxable_pay: Decimal
    ni_able_pay: Decimal
    income_tax: IncomeTaxResult
    national_insurance: NIResult
    student_loans: StudentLoanResult
    pension: PensionResult | None
    post_tax_deductions: Decimal
    total_deductions: Decimal
    net_pay: Decimal
    employer_ni: Decimal
    employer_pension: Decimal
    employer_cost: Decimal
    year_to_date: PayslipYearToDate


_PAY_TITLES = {
    PayItemKind.BASIC: "Basic pay",
    PayItemKind.OVERTIME: "Overtime",
    PayItemKind.ALLOWANCE: "Allowance",
    PayItemKind.BONUS: "Bonus",
    PayItemKind.COMMISSION: "Commission",
    PayItemKind.STATUTORY_PAY: "Statutory pay",
    PayItemKind.OTHER: "Other pay",
}
_SACRIFICE = Explanation.of("Salary sacrifice: reduces pay for tax and NICs")
_NET_PAY = Explanation.of("Net pay arrangement pension: reduces pay for tax, not for NICs")


@record
class _PeriodContext:
    """A tax year, frequency and period, checked once and remembered."""

    rules: TaxYearRules
    frequency: PayFrequency
    label: str


@lru_cache(maxsize=4096)
def _period(tax_year: str, frequency: PayFrequency | str, period: int) -> _PeriodContext:
    rules = tax_year_rules(tax_year)
    frequency = pay_frequency(frequency)
    return _PeriodContext(rules, frequency, period_shape(frequency, period).label(period))


def _period_context(payslip: PayslipInput) -> _PeriodContext:
    # True and 1.0 would find period 1's entry in the cache: only a true int may use it.
    if payslip.period.__class__ is int and payslip.tax_year.__class__ is str:
        try:
            return _period(payslip.tax_year, payslip.frequency, payslip.period)
        except TypeError:  # an unhashable frequency: the checks below name the field
            pass
    tax_year_rules(payslip.tax_year)
    frequency = pay_frequency(payslip.frequency)
    period_shape(frequency, payslip.period)
    raise InvalidInput("frequency", f"{payslip.frequency!r} is not a pay frequency")


@lru_cache(maxsize=4096)
def _pay_explanation(
    kind: PayItemKind, label: str, taxable: bool, ni_able: bool, pensionable: bool
) -> Explanation:
    treatment = ", ".join(
        (
            "taxable" if taxable else "not taxable",
            "NI-able" if ni_able else "not NI-able",
            "pensionable" if pensionable else "not pensionable",
        )
    )
    return Explanation.of(f"{_PAY_TITLES[kind]} for {label}: {treatment}")


@lru_cache(maxsize=256)
def _loan_titles(plans: tuple[StudentLoanPlan, ...]) -> str:
    return f"Student loan ({', '.join(plan.label for plan in plans)})"


def _field(name: str, index: int, part: str) -> str:
    return f"{name}[{index}].{part}"


class PayslipLines(Sequence[PayslipLine]):
    """A payslip's lines, each explained; built when first read.

    Payments first, then deductions before tax, tax, NICs and loans, deductions after tax,
    and the employer's costs. A pay run needs only the totals for most payslips (for RTI,
    BACS and the ledger), so the lines are put together from the finished calculation
    on demand; the figures in them are fixed when the payslip is.
    """

    __slots__ = ("_args", "_lines")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._lines: tuple[PayslipLine, ...] | None = None

    def _built(self) -> tuple[PayslipLine, ...]:
        lines = self._lines
        if lines is None:
            lines = self._lines = _build_lines(*self._args)
            self._args = ()
        return lines

    @overload
    def __getitem__(self, index: int) -> PayslipLine: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PayslipLine]: ...
    def __getitem__(self, index: int | slice) -> PayslipLine | Sequence[PayslipLine]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self) -> Iterator[PayslipLine]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PayslipLines):
            return self._built() == other._built()
        if isinstance(other, tuple | list):
            return list(self._built()) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return f"PayslipLines({self._built()!r})"


def calculate_payslip(payslip: PayslipInput) -> Payslip:
    """Gross to net for one employee-period. Deterministic: same input, same pennies.

    Errors are PayrollEngineError subclasses whose `field` names the PayslipInput field.
    """
    context = _period_context(payslip)
    tax_year = payslip.tax_year
    frequency = context.frequency
    period = payslip.period
    code = parse_tax_code(payslip.tax_code)
    category = ni_category(tax_year, payslip.ni_category, field="ni_category")
    director = payslip.director
    director_method = None if director is None else _director_method(director)
    plans = payslip.student_loan_plans
    if plans:
        plans = student_loan_plans(plans, field="student_loan_plans")
    before = _year_to_date(payslip.year_to_date)
    previous_taxable = before.taxable_pay
    previous_tax = before.tax_paid

    gross = taxable = ni_able = pensionable = ZERO
    item_amounts = []
    for index, item in enumerate(payslip.pay_items):
        if item.kind.__class__ is not PayItemKind:
            _pay_item_kind(item.kind, index)
        amount = pennies(item.amount)
        if amount is None:
            amount = money(
                item.amount, field=_field("pay_items", index, "amount"), allow_negative=True
            )
        item_amounts.append(amount)
        gross += amount
        if item.taxable:
            taxable += amount
        if item.ni_able:
            ni_able += amount
        if item.pensionable:
            pensionable += amount

    if taxable < 0 or ni_able < 0:
        raise InvalidInput(
            "pay_items", f"pay for tax {taxable} or for NICs {ni_able} would be negative"
        )

    pension = None
    if payslip.pension is not None:
        pension = pension_contributions(
            context.rules.pensions, frequency, pensionable, pension_scheme(payslip.pension)
        )

    pre_tax = ZERO
    pre_tax_amounts = []
    for index, deduction in enumerate(payslip.pre_tax_deductions):
        kind = deduction.kind
        if kind.__class__ is not PreTaxDeductionKind:
            kind = _pre_tax_kind(kind, index)
        amount = pennies(deduction.amount)
        if amount is None or amount < 0:
            amount = money(deduction.amount, field=_field("pre_tax_deductions", index, "amount"))
        pre_tax_amounts.append(amount)
        pre_tax += amount
        taxable -= amount
        if kind is PreTaxDeductionKind.SALARY_SACRIFICE:
            ni_able -= amount
    if pension is not None and pension.method is not PensionMethod.RELIEF_AT_SOURCE:
        pre_tax += pension.employee_deduction
        taxable -= pension.employee_deduction
        if pension.method is PensionMethod.SALARY_SACRIFICE:
            ni_able -= pension.employee_deduction
    if taxable < 0 or ni_able < 0:
        raise InvalidInput(
            "pre_tax_deductions",
            f"pay for tax {taxable} or for NICs {ni_able} would be negative",
        )

    tax = income_tax(
        tax_year,
        frequency,
        period,
        code,
        taxable,
        previous_taxable,
        previous_tax,
        bool(payslip.week1_month1),
    )
    ni = national_insurance(
        tax_year,
        frequency,
        period,
        category.letter,
        ni_able,
        director_method,
        1 if director is None else director.appointed_in_week,
        False if director is None else director.final_period,
        before.ni,
    )

    loans = NO_LOANS
    if plans or payslip.postgraduate_loan:
        cumulative = ni.method == "director_annual"
        loans = loan_deductions(
            loan_setup(tax_year, frequency, plans, bool(payslip.postgraduate_loan), cumulative),
            before.ni.gross_pay + ni_able if cumulative else ni_able,
            before.student_loan,
            before.postgraduate_loan,
        )

    post_tax = ZERO
    if pension is not None and pension.method is PensionMethod.RELIEF_AT_SOURCE:
        post_tax = pension.employee_deduction
    post_tax_amounts = []
    for index, after_tax in enumerate(payslip.post_tax_deductions):
        amount = pennies(after_tax.amount)
        if amount is None or amount < 0:
            amount = money(after_tax.amount, field=_field("post_tax_deductions", index, "amount"))
        post_tax_amounts.append(amount)
        post_tax += amount

    total_deductions = (
        pre_tax
        + tax.tax_due
        + ni.employee_contribution
        + loans.student_loan
        + loans.postgraduate_loan
        + post_tax
    )
    net = gross - total_deductions
    employer_ni = ni.employer_contribution
    employee_pension = employer_pension = sacrificed = ZERO
    if pension is not None:
        employee_pension = pension.employee_contribution
        employer_pension = pension.employer_contribution
        if pension.method is PensionMethod.SALARY_SACRIFICE:
            # Pay sacrificed to the pension is in gross pay and in the employer's
            # contribution: count it once in what the employee costs.
            sacrificed = pension.employee_deduction
    # Positional arguments, in field order, keep the hot path quick.
    after = PayslipYearToDate(
        before.gross_pay + gross,
        tax.taxable_pay_to_date,
        tax.tax_due_to_date,
        ni.year_to_date,
        before.student_loan + loans.student_loan,
        before.postgraduate_loan + loans.postgraduate_loan,
        before.employee_pension + employee_pension,
        before.employer_pension + employer_pension,
        before.net_pay + net,
    )
    return Payslip(
        tax_year,
        frequency,
        period,
        PayslipLines(
            payslip,
            context.label,
            item_amounts,
            pre_tax_amounts,
            post_tax_amounts,
            plans,
            tax,
            ni,
            loans,
            pension,
        ),
        gross,
        pre_tax,
        taxable,
        ni_able,
        tax,
        ni,
        loans,
        pension,
        post_tax,
        total_deductions,
        net,
        employer_ni,
        employer_pension,
        gross - sacrificed + employer_ni + employer_pension,
        after,
    )


def _build_lines(
    payslip: PayslipInput,
    label: str,
    item_amounts: list[Decimal],
    pre_tax_amounts: list[Decimal],
    post_tax_amounts: list[Decimal],
    plans: tuple[StudentLoanPlan, ...],
    tax: IncomeTaxResult,
    ni: NIResult,
    loans: StudentLoanResult,
    pension: PensionResult | None,
) -> tuple[PayslipLine, ...]:
    """Every line of the payslip, in order, each with the explanation of its amount."""
    lines = []
    for item, amount in zip(payslip.pay_items, item_amounts, strict=True):
        kind = PayItemKind(item.kind)
        lines.append(
            PayslipLine(
                LineSection.PAYMENT,
                kind.value,
                item.description or _PAY_TITLES[kind],
                amount,
                _pay_explanation(kind, label, item.taxable, item.ni_able, item.pensionable),
            )
        )
    for deduction, amount in zip(payslip.pre_tax_deductions, pre_tax_amounts, strict=True):
        deduction_kind = PreTaxDeductionKind(deduction.kind)
        if deduction_kind is PreTaxDeductionKind.SALARY_SACRIFICE:
            why, title = _SACRIFICE, "Salary sacrifice"
        else:
            why, title = _NET_PAY, "Net pay pension"
        lines.append(
            PayslipLine(
                LineSection.PRE_TAX_DEDUCTION,
                deduction_kind.value,
                deduction.description or title,
                amount,
                why,
            )
        )
    if pension is not None and pension.method is not PensionMethod.RELIEF_AT_SOURCE:
        lines.append(
            PayslipLine(
                LineSection.PRE_TAX_DEDUCTION,
                "pension_salary_sacrifice"
                if pension.method is PensionMethod.SALARY_SACRIFICE
                else "pension_net_pay",
                f"Pension: {pension.scheme}",
                pension.employee_deduction,
                pension.explanation,
            )
        )
    lines.append(
        PayslipLine(
            LineSection.STATUTORY_DEDUCTION,
            "income_tax",
            f"Income tax ({tax.tax_code})" if tax.tax_due >= 0 else "Income tax refund",
            tax.tax_due,
            tax.explanation,
        )
    )
    lines.append(
        PayslipLine(
            LineSection.STATUTORY_DEDUCTION,
            "employee_ni",
            f"National Insurance ({ni.category})",
            ni.employee_contribution,
            ni.explanation,
        )
    )
    if plans:
        lines.append(
            PayslipLine(
                LineSection.STATUTORY_DEDUCTION,
                "student_loan",
                _loan_titles(plans),
                loans.student_loan,
                loans.explanation,
            )
        )
    if payslip.postgraduate_loan:
        lines.append(
            PayslipLine(
                LineSection.STATUTORY_DEDUCTION,
                "postgraduate_loan",
                "Postgraduate loan",
                loans.postgraduate_loan,
                loans.explanation,
            )
        )
    if pension is not None and pension.method is PensionMethod.RELIEF_AT_SOURCE:
        lines.append(
            PayslipLine(
                LineSection.POST_TAX_DEDUCTION,
                "pension_relief_at_source",
                f"Pension: {pension.scheme}",
                pension.employee_deduction,
                pension.explanation,
            )
        )
    for after_tax, amount in zip(payslip.post_tax_deductions, post_tax_amounts, strict=True):
        lines.append(
            PayslipLine(
                LineSection.POST_TAX_DEDUCTION,
                "post_tax_deduction",
                after_tax.description,
                amount,
                Explanation.of(f"{after_tax.description}: taken from pay after tax and NICs"),
            )
        )
    lines.append(
        PayslipLine(
            LineSection.EMPLOYER,
            "employer_ni",
            f"Employer National Insurance ({ni.category})",
            ni.employer_contribution,
            ni.explanation,
        )
    )
    if pension is not None:
        lines.append(
            PayslipLine(
                LineSection.EMPLOYER,
                "employer_pension",
                f"Employer pension: {pension.scheme}",
                pension.employer_contribution,
                pension.explanation,
            )
        )
    return tuple(lines)


def _pay_item_kind(kind: str, index: int) -> PayItemKind:
    try:
        return PayItemKind(kind)
    except ValueError:
        raise InvalidInput(_field("pay_items", index, "kind"), f"{kind!r} is unknown") from None


def _pre_tax_kind(kind: str, index: int) -> PreTaxDeductionKind:
    try:
        return PreTaxDeductionKind(kind)
    except ValueError:
        raise InvalidInput(
            _field("pre_tax_deductions", index, "kind"), f"{kind!r} is unknown"
        ) from None


_NOT_NEGATIVE = (
    "gross_pay",
    "taxable_pay",
    "student_loan",
    "postgraduate_loan",
    "employee_pension",
    "employer_pension",
)


def _year_to_date(value: object) -> PayslipYearToDate:
    """Check the figures to date; the usual case (the engine's own output) passes quickly."""
    if value.__class__ is not PayslipYearToDate:
        raise InvalidInput("year_to_date", "must be a PayslipYearToDate")
    before = value
    ni = before.ni
    if ni.__class__ is not NIYearToDate:
        raise InvalidInput("year_to_date.ni", "must be an NIYearToDate")
    figures = (
        before.gross_pay,
        before.taxable_pay,
        before.student_loan,
        before.postgraduate_loan,
        before.employee_pension,
        before.employer_pension,
        ni.gross_pay,
        ni.earnings_at_lel,
        ni.earnings_lel_to_pt,
        ni.earnings_pt_to_uel,
        before.tax_paid,
        before.net_pay,
        ni.employee_contribution,
        ni.employer_contribution,
    )
    if not all_pennies(figures) or min(figures[:10]) < 0:
        for name in _NOT_NEGATIVE:
            money(getattr(before, name), field=f"year_to_date.{name}")
        # Refunds can leave tax paid negative, and deductions can exceed pay.
        money(before.tax_paid, field="year_to_date.tax_paid", allow_negative=True)
        money(before.net_pay, field="year_to_date.net_pay", allow_negative=True)
        ni_year_to_date(ni, field="year_to_date.ni")
    return before


def _director_method(director: DirectorNI) -> DirectorNIMethod:
    try:
        method = DirectorNIMethod(director.method)
    except ValueError:
        raise InvalidInput(
            "director.method", f"{director.method!r} is not annual or alternative"
        ) from None
    week = director.appointed_in_week
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 53:
        raise InvalidInput("director.appointed_in_week", f"{week!r} is not a week 1-53")
    return method
