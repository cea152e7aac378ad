"""Workplace pensions: qualifying earnings or pensionable pay; RAS, net pay, salary sacrifice."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sop_payroll.engine.errors import InvalidInput
from sop_payroll.engine.explain import Explanation, Step
from sop_payroll.engine.frequency import PayFrequency, pay_frequency
from sop_payroll.engine.money import ZERO, fmt_rate, money, round_nearest_penny
from sop_payroll.engine.records import record
from sop_payroll.engine.rules import PensionRules, QualifyingEarningsBand, tax_year_rules


class PensionMethod(StrEnum):
    RELIEF_AT_SOURCE = "relief_at_source"  # paid from net pay less basic-rate relief
    NET_PAY = "net_pay"  # deducted before tax, not before NICs
    SALARY_SACRIFICE = "salary_sacrifice"  # pay given up before tax and NICs; employer pays it in


class PensionBasis(StrEnum):
    QUALIFYING_EARNINGS = "qualifying_earnings"  # automatic-enrolment band only
    PENSIONABLE_PAY = "pensionable_pay"  # all pensionable pay from the first pound (e.g. alpha)


@record
class PensionScheme:
    """A member's workplace pension: rates are fractions of the basis (0.05 = 5%)."""

    name: str
    method: PensionMethod
    basis: PensionBasis
    employee_rate: Decimal
    employer_rate: Decimal


@record
class PensionResult:
    scheme: str
    method: PensionMethod
    basis: PensionBasis
    pensionable_earnings: Decimal  # what the rates were applied to
    employee_contribution: Decimal  # the member's gross contribution (nil under sacrifice)
    employee_deduction: Decimal  # what comes off pay: net of relief at source, or sacrificed
    relief_at_source: Decimal  # basic-rate relief the scheme claims from HMRC
    employer_contribution: Decimal  # including any pay sacrificed
    explanation: Explanation


def pension_scheme(scheme: PensionScheme) -> PensionScheme:
    """Check a scheme's method, basis and rates; InvalidInput naming the field otherwise."""
    if not isinstance(scheme, PensionScheme):
        raise InvalidInput("pension", "must be a PensionScheme")
    method, basis = scheme.method, scheme.basis
    if method.__class__ is not PensionMethod or basis.__class__ is not PensionBasis:
        try:
            method = PensionMethod(method)
        except ValueError:
            raise InvalidInput("pension.method", f"{method!r} is not a pension method") from None
        try:
            basis = PensionBasis(basis)
        except ValueError:
            raise InvalidInput("pension.basis", f"{basis!r} is not a pension basis") from None
        scheme = PensionScheme(
            scheme.name, method, basis, scheme.employee_rate, scheme.employer_rate
        )
    if not _is_fraction(scheme.employee_rate):
        raise InvalidInput("pension.employee_rate", "must be a Decimal fraction from 0 to 1")
    if not _is_fraction(scheme.employer_rate):
        raise InvalidInput("pension.employer_rate", "must be a Decimal fraction from 0 to 1")
    return scheme


def _is_fraction(rate: object) -> bool:
    return rate.__class__ is Decimal and 0 <= rate <= 1


def calculate_pension(
    *,
    tax_year: str,
    frequency: PayFrequency | str,
    pensionable_pay: Decimal,
    scheme: PensionScheme,
) -> PensionResult:
    """Contributions for one period; amounts are rounded to the nearest penny."""
    rules = tax_year_rules(tax_year).pensions
    return pension_contributions(
        rules,
        pay_frequency(frequency),
        money(pensionable_pay, field="pensionable_pay", allow_negative=True),
        pension_scheme(scheme),
    )


def pension_contributions(
    rules: PensionRules, frequency: PayFrequency, pay: Decimal, scheme: PensionScheme
) -> PensionResult:
    """The calculation itself, on inputs already checked (the payslip's hot path)."""
    band = None
    if scheme.basis is PensionBasis.QUALIFYING_EARNINGS:
        band = rules.qualifying_earnings_per_period[frequency]
        base = pay - band.lower
        if base < 0:
            base = ZERO
        elif base > band.width:
            base = band.width
    else:
        base = pay if pay > 0 else ZERO
    employee = round_nearest_penny(base * scheme.employee_rate)
    employer = round_nearest_penny(base * scheme.employer_rate)
    member = employee
    relief = ZERO
    deduction = employee
    method = scheme.method
    if method is PensionMethod.RELIEF_AT_SOURCE:
        deduction = round_nearest_penny(employee * rules.relief_at_source_net)
        relief = employee - deduction
    elif method is PensionMethod.SALARY_SACRIFICE:
        # The member gives up pay instead of contributing: it reaches the scheme as the
        # employer's money, so the member's own contribution is nil.
        employer += employee
        employee = ZERO
    return PensionResult(
        scheme.name,
        method,
        scheme.basis,
        base,
        employee,
        deduction,
        relief,
        employer,
        Explanation.deferred(
            _explain, rules, scheme, band, pay, base, member, deduction, relief, employer
        ),
    )


_METHOD_WORDS = {method: method.value.replace("_", " ") for method in PensionMethod}


def _explain(
    rules: PensionRules,
    scheme: PensionScheme,
    band: QualifyingEarningsBand | None,
    pay: Decimal,
    base: Decimal,
    member: Decimal,
    deduction: Decimal,
    relief: Decimal,
    employer: Decimal,
) -> list[Step]:
    method = scheme.method
    if band is not None:
        opening: Step = (
            "Pension {} ({}) on qualifying earnings: pay {:,.2f} between {:,.2f} and {:,.2f} "
            "gives {:,.2f}",
            (scheme.name, _METHOD_WORDS[method], pay, band.lower, band.upper, base),
        )
    else:
        opening = (
            "Pension {} ({}) on pensionable pay {:,.2f}",
            (scheme.name, _METHOD_WORDS[method], base),
        )
    steps: list[Step] = [
        opening,
        (
            "Member {}: {:,.2f}; employer {}: {:,.2f}",
            (
                fmt_rate(scheme.employee_rate),
                member,
                fmt_rate(scheme.employer_rate),
                round_nearest_penny(base * scheme.employer_rate),
            ),
        ),
    ]
    if method is PensionMethod.RELIEF_AT_SOURCE:
        steps.append(
            (
                "Relief at source: the scheme claims {} ({:,.2f}) from HMRC, so {:,.2f} comes "
                "off net pay",
                (fmt_rate(rules.relief_at_source_rate), relief, deduction),
            )
        )
    elif method is PensionMethod.NET_PAY:
        steps.append(("Net pay arrangement: {:,.2f} comes off pay before tax", (deduction,)))
    else:
        steps.append(
            (
                "Salary sacrifice: {:,.2f} of pay is given up before tax and NICs and paid in "
                "by the employer, whose contribution becomes {:,.2f}",
                (deduction, employer),
            )
        )
    return steps
