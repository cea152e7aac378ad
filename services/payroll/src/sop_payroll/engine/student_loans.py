"""Student loan (plans 1, 2, 4, 5) and postgraduate loan deductions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import cache, lru_cache
from types import MappingProxyType

from sop_payroll.engine.errors import InvalidInput
from sop_payroll.engine.explain import Explanation, Step
from sop_payroll.engine.frequency import SHAPES, PayFrequency, pay_frequency, period_shape
from sop_payroll.engine.money import PENNY, ZERO, fmt_rate, money, round_down_to_pound
from sop_payroll.engine.records import record
from sop_payroll.engine.rules import tax_year_rules


class StudentLoanPlan(StrEnum):
    PLAN_1 = "plan_1"
    PLAN_2 = "plan_2"
    PLAN_4 = "plan_4"
    PLAN_5 = "plan_5"

    @property
    def label(self) -> str:
        """The plan's name in explanations: "Plan 1", "Plan 2"..."""
        return f"Plan {self.value[-1]}"


@record
class LoanDeduction:
    """One loan's deduction: `loan` is a plan ("plan_2") or "postgraduate"."""

    loan: str
    threshold: Decimal  # for the period (annual when calculated cumulatively)
    amount: Decimal


@record
class StudentLoanResult:
    student_loan: Decimal  # all plans together, as the FPS reports it
    postgraduate_loan: Decimal
    deductions: tuple[LoanDeduction, ...]
    explanation: Explanation


NO_LOANS = StudentLoanResult(ZERO, ZERO, (), Explanation())


@cache
def loan_thresholds(tax_year: str, frequency: PayFrequency) -> Mapping[str, Decimal]:
    """Period thresholds: annual / 52 x weeks (or / 12), cut down to the penny."""
    rules = tax_year_rules(tax_year).student_loans
    shape = SHAPES[frequency]
    annual = {**rules.plan_thresholds, "postgraduate": rules.postgraduate_threshold}
    return MappingProxyType(
        {
            loan: (value * shape.units_per_period / shape.units_per_year).quantize(
                PENNY, rounding=ROUND_FLOOR
            )
            for loan, value in annual.items()
        }
    )


def student_loan_plans(
    plans: Iterable[StudentLoanPlan | str], *, field: str = "plans"
) -> tuple[StudentLoanPlan, ...]:
    """Plans as enum members, each once; InvalidInput naming `field` for anything else."""
    if plans.__class__ is tuple and all(plan.__class__ is StudentLoanPlan for plan in plans):
        return plans if len(set(plans)) == len(plans) else tuple(dict.fromkeys(plans))
    return _plans(plans, field)


def _plans(plans: Iterable[StudentLoanPlan | str], field: str) -> tuple[StudentLoanPlan, ...]:
    chosen = []
    for plan in plans:
        try:
            chosen.append(StudentLoanPlan(plan))
        except ValueError:
            allowed = ", ".join(p.value for p in StudentLoanPlan)
            raise InvalidInput(field, f"{plan!r} is not one of {allowed}") from None
    return tuple(dict.fromkeys(chosen))


@record
class _LoanSetup:
    """One combination of loans in one year and frequency, ready to apply to earnings."""

    plans: tuple[tuple[str, Decimal, str], ...]  # (plan, threshold, title), highest first
    plan_rate: Decimal
    plan_rate_text: str
    postgraduate_threshold: Decimal | None
    postgraduate_rate: Decimal
    postgraduate_rate_text: str
    opening: str
    not_collected: tuple[Step, ...]
    cumulative: bool


@lru_cache(maxsize=4096)
def _setup(
    tax_year: str,
    frequency: PayFrequency,
    plans: tuple[StudentLoanPlan, ...],
    postgraduate: bool,
    cumulative: bool,
) -> _LoanSetup:
    rules = tax_year_rules(tax_year).student_loans
    thresholds: Mapping[str, Decimal]
    if cumulative:
        thresholds = {**rules.plan_thresholds, "postgraduate": rules.postgraduate_threshold}
        opening = "Student loans: earnings to date {:,.2f} against annual thresholds"
    else:
        thresholds = loan_thresholds(tax_year, frequency)
        opening = "Student loans: earnings for NICs {:,.2f} against period thresholds"
    active = sorted(
        ((thresholds[plan], plan) for plan in plans if plan in thresholds), reverse=True
    )
    return _LoanSetup(
        plans=tuple((plan.value, threshold, plan.label) for threshold, plan in active),
        plan_rate=rules.plan_rate,
        plan_rate_text=fmt_rate(rules.plan_rate),
        postgraduate_threshold=thresholds["postgraduate"] if postgraduate else None,
        postgraduate_rate=rules.postgraduate_rate,
        postgraduate_rate_text=fmt_rate(rules.postgraduate_rate),
        opening=opening,
        not_collected=tuple(
            (f"{plan.label}: no repayments are collected in {tax_year}", ())
            for plan in plans
            if plan not in thresholds
        ),
        cumulative=cumulative,
    )


def calculate_student_loans(
    *,
    tax_year: str,
    frequency: PayFrequency | str,
    period: int,
    earnings: Decimal,
    plans: Iterable[StudentLoanPlan | str] = (),
    postgraduate: bool = False,
    cumulative: bool = False,
    earnings_to_date: Decimal = ZERO,
    student_loan_to_date: Decimal = ZERO,
    postgraduate_loan_to_date: Decimal = ZERO,
) -> StudentLoanResult:
    """Loan deductions on a period's earnings for NICs (9% plans, 6% postgraduate).

    Deductions are non-cumulative and rounded down to whole pounds. With several plans, 9%
    is taken once on earnings above the lowest threshold; each higher plan is credited with
    the part above its own threshold. `cumulative` is for directors on the annual earnings
    period: annual thresholds against `earnings_to_date` (before this period) plus
    `earnings`, less what was deducted to date; employers never refund loan deductions.
    """
    plan_list = student_loan_plans(plans)
    if not plan_list and not postgraduate:
        return NO_LOANS
    tax_year_rules(tax_year)
    frequency = pay_frequency(frequency)
    period_shape(frequency, period)
    pay = money(earnings, field="earnings")
    if cumulative:
        pay += money(earnings_to_date, field="earnings_to_date")
    return loan_deductions(
        _setup(tax_year, frequency, plan_list, bool(postgraduate), bool(cumulative)),
        pay,
        money(student_loan_to_date, field="student_loan_to_date"),
        money(postgraduate_loan_to_date, field="postgraduate_loan_to_date"),
    )


def loan_setup(
    tax_year: str,
    frequency: PayFrequency,
    plans: tuple[StudentLoanPlan, ...],
    postgraduate: bool,
    cumulative: bool,
) -> _LoanSetup:
    """The cached thresholds and wording for a set of loans (plans already checked)."""
    return _setup(tax_year, frequency, plans, postgraduate, cumulative)


def loan_deductions(
    setup: _LoanSetup,
    pay: Decimal,
    student_loan_to_date: Decimal,
    postgraduate_loan_to_date: Decimal,
) -> StudentLoanResult:
    """The calculation itself, on inputs already checked (the payslip's hot path).

    `pay` is the period's earnings, or the year's to date when the setup is cumulative.
    """
    deductions: list[LoanDeduction] = []
    plan_total = plans_due = ZERO
    if setup.plans:
        # Amounts due above each threshold, highest first: each plan keeps the part above
        # its own threshold that the plans above it have not taken.
        rate = setup.plan_rate
        for plan, threshold, _title in setup.plans:
            due = round_down_to_pound((pay - threshold) * rate) if pay > threshold else ZERO
            deductions.append(LoanDeduction(plan, threshold, due - plans_due))
            plans_due = due
        deductions.reverse()
        plan_total = plans_due
        if setup.cumulative:
            plan_total = max(plans_due - student_loan_to_date, ZERO)

    postgraduate_total = postgraduate_due = ZERO
    postgraduate_threshold = setup.postgraduate_threshold
    if postgraduate_threshold is not None:
        if pay > postgraduate_threshold:
            postgraduate_due = round_down_to_pound(
                (pay - postgraduate_threshold) * setup.postgraduate_rate
            )
        deductions.append(LoanDeduction("postgraduate", postgraduate_threshold, postgraduate_due))
        postgraduate_total = postgraduate_due
        if setup.cumulative:
            postgraduate_total = max(postgraduate_due - postgraduate_loan_to_date, ZERO)
    return StudentLoanResult(
        plan_total,
        postgraduate_total,
        tuple(deductions),
        Explanation.deferred(
            _explain,
            setup,
            pay,
            deductions,
            plans_due,
            student_loan_to_date,
            plan_total,
            postgraduate_due,
            postgraduate_loan_to_date,
            postgraduate_total,
        ),
    )


def _explain(
    setup: _LoanSetup,
    pay: Decimal,
    deductions: list[LoanDeduction],
    plans_due: Decimal,
    student_loan_to_date: Decimal,
    plan_total: Decimal,
    postgraduate_due: Decimal,
    postgraduate_loan_to_date: Decimal,
    postgraduate_total: Decimal,
) -> list[Step]:
    steps: list[Step] = [(setup.opening, (pay,)), *setup.not_collected]
    plan_shares = [d for d in deductions if d.loan != "postgraduate"]
    titles = {plan: title for plan, _threshold, title in setup.plans}
    if len(plan_shares) > 1:
        # Several plans: 9% is taken once, above the lowest threshold, and shared out.
        lowest = plan_shares[0]
        steps.append(
            (
                "All plans: {} above the lowest threshold {:,.2f}, rounded down to whole "
                "pounds: {:,.2f}",
                (setup.plan_rate_text, lowest.threshold, plans_due),
            )
        )
        for share in reversed(plan_shares[1:]):
            steps.append(
                (
                    "{}: the part above its threshold {:,.2f}: {:,.2f}",
                    (titles[share.loan], share.threshold, share.amount),
                )
            )
        steps.append(("{}: the rest: {:,.2f}", (titles[lowest.loan], lowest.amount)))
    for share in plan_shares if len(plan_shares) == 1 else ():
        steps.append(
            (
                "{}: {} above {:,.2f}, rounded down to whole pounds: {:,.2f}",
                (titles[share.loan], setup.plan_rate_text, share.threshold, share.amount),
            )
        )
    for deduction in deductions:
        if deduction.loan == "postgraduate":
            steps.append(
                (
                    "Postgraduate loan: {} above {:,.2f}, rounded down to whole pounds: {:,.2f}",
                    (setup.postgraduate_rate_text, deduction.threshold, deduction.amount),
                )
            )
    if setup.cumulative and setup.plans:
        steps.append(
            (
                "Plans due to date {:,.2f} less deducted {:,.2f}: {:,.2f}",
                (plans_due, student_loan_to_date, plan_total),
            )
        )
    if setup.cumulative and setup.postgraduate_threshold is not None:
        steps.append(
            (
                "Postgraduate loan due to date {:,.2f} less deducted {:,.2f}: {:,.2f}",
                (postgraduate_due, postgraduate_loan_to_date, postgraduate_total),
            )
        )
    return steps
