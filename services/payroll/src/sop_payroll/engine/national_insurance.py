"""Class 1 National Insurance: period thresholds, the exact percentage method, directors."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from functools import cache
from types import MappingProxyType

from sop_payroll.engine.errors import InvalidInput, UnknownNICategory
from sop_payroll.engine.explain import Explanation, Step
from sop_payroll.engine.frequency import SHAPES, PayFrequency, pay_frequency, period_shape
from sop_payroll.engine.money import (
    ZERO,
    all_pennies,
    fmt,
    fmt_rate,
    money,
    round_ni,
    round_threshold,
)
from sop_payroll.engine.records import record
from sop_payroll.engine.rules import NIBandRule, NICategoryRules, tax_year_rules


class DirectorNIMethod(StrEnum):
    ANNUAL = "annual"  # the standard annual earnings period: cumulative on annual thresholds
    ALTERNATIVE = "alternative"  # per period like other employees, squared up in the last period


@record
class NIYearToDate:
    """An employee's NICs figures for the tax year so far under one category letter."""

    gross_pay: Decimal = ZERO  # earnings for NICs
    earnings_at_lel: Decimal = ZERO
    earnings_lel_to_pt: Decimal = ZERO
    earnings_pt_to_uel: Decimal = ZERO
    employee_contribution: Decimal = ZERO
    employer_contribution: Decimal = ZERO


NI_NOTHING_TO_DATE = NIYearToDate()


def ni_year_to_date(value: object, *, field: str = "year_to_date") -> NIYearToDate:
    """Check figures to date: an NIYearToDate of two-place amounts (earnings not negative)."""
    if value.__class__ is not NIYearToDate:
        raise InvalidInput(field, "must be an NIYearToDate")
    figures = (
        value.gross_pay,
        value.earnings_at_lel,
        value.earnings_lel_to_pt,
        value.earnings_pt_to_uel,
        value.employee_contribution,
        value.employer_contribution,
    )
    if not all_pennies(figures) or min(figures[:4]) < 0:
        for name in ("gross_pay", "earnings_at_lel", "earnings_lel_to_pt", "earnings_pt_to_uel"):
            money(getattr(value, name), field=f"{field}.{name}")
        for name in ("employee_contribution", "employer_contribution"):
            # Directors' square-ups and corrections can leave contributions negative.
            money(getattr(value, name), field=f"{field}.{name}", allow_negative=True)
    return value


@record
class NIBand:
    """One rate band for one payer, in money for the earnings period in use."""

    payer: str  # "employee" or "employer"
    threshold: str  # where the band starts: "PT", "ST", "UEL"...
    lower: Decimal
    upper: Decimal | None
    upper_threshold: str
    rate: Decimal
    span: str  # "PT 1,048.00 to UEL 4,189.00", for explanations
    title: str  # "Employee 8%", for explanations


@record
class NIBandCharge:
    """NICs in one band: the earnings in it and the contribution, rounded on its own."""

    band: NIBand
    earnings: Decimal
    contribution: Decimal


@record
class NIResult:
    """Class 1 NICs for one pay period; figures `earnings_*` are for this period."""

    tax_year: str
    frequency: PayFrequency
    period: int
    category: str
    method: str  # "period", "director_annual" or "director_alternative"
    gross_pay: Decimal
    employee_contribution: Decimal
    employer_contribution: Decimal
    earnings_at_lel: Decimal
    earnings_lel_to_pt: Decimal
    earnings_pt_to_uel: Decimal
    thresholds: tuple[tuple[str, Decimal], ...]  # the thresholds used (period or annual)
    bands: tuple[NIBandCharge, ...]
    year_to_date: NIYearToDate
    explanation: Explanation


@record
class _NITable:
    """A category's bands and the reporting thresholds for one earnings period."""

    category: NICategoryRules
    thresholds: Mapping[str, Decimal]
    employee: tuple[NIBand, ...]
    employer: tuple[NIBand, ...]
    heading: str
    threshold_items: tuple[tuple[str, Decimal], ...]


def ni_category(tax_year: str, letter: str, *, field: str = "category") -> NICategoryRules:
    """The rules for a category letter (A, B, C... X, Z); UnknownNICategory otherwise."""
    categories = tax_year_rules(tax_year).national_insurance.categories
    rules = categories.get(letter) if letter.__class__ is str else None
    if rules is None and isinstance(letter, str):
        rules = categories.get(letter.strip().upper())
    if rules is None:
        known = " ".join(categories)
        raise UnknownNICategory(field, f"{letter!r} is not an NI category letter ({known})")
    return rules


@cache
def period_thresholds(tax_year: str, frequency: PayFrequency) -> Mapping[str, Decimal]:
    """Every NICs threshold for one pay period of `frequency`, in whole pounds.

    HMRC derives them as annual x weeks / 52 (or / 12), rounded as the rule file says:
    to the nearest pound weekly and monthly, up for two- and four-weekly periods.
    """
    rules = tax_year_rules(tax_year).national_insurance
    shape = SHAPES[frequency]
    method = rules.period_threshold_rounding[frequency]
    return MappingProxyType(
        {
            name: round_threshold(annual * shape.units_per_period / shape.units_per_year, method)
            for name, annual in rules.thresholds.items()
        }
    )


@cache
def director_thresholds(tax_year: str, weeks: int) -> Mapping[str, Decimal]:
    """Annual thresholds for a director's earnings period of `weeks` weeks (pro rata if < 52)."""
    rules = tax_year_rules(tax_year).national_insurance
    if weeks >= 52:
        return rules.thresholds
    return MappingProxyType(
        {
            name: round_threshold(annual * weeks / 52, rules.director_pro_rata_rounding)
            for name, annual in rules.thresholds.items()
        }
    )


def _bands(
    payer: str, rules: tuple[NIBandRule, ...], thresholds: Mapping[str, Decimal]
) -> tuple[NIBand, ...]:
    bands = []
    for index, rule in enumerate(rules):
        following = rules[index + 1] if index + 1 < len(rules) else None
        lower = thresholds[rule.threshold]
        if following is None:
            upper, span = None, f"above {rule.threshold} {fmt(lower)}"
        else:
            upper = thresholds[following.threshold]
            span = f"{rule.threshold} {fmt(lower)} to {following.threshold} {fmt(upper)}"
        bands.append(
            NIBand(
                payer=payer,
                threshold=rule.threshold,
                lower=lower,
                upper=upper,
                upper_threshold=following.threshold if following else "",
                rate=rule.rate,
                span=span,
                title=f"{payer.capitalize()} {fmt_rate(rule.rate)}",
            )
        )
    return tuple(bands)


def _table(tax_year: str, letter: str, thresholds: Mapping[str, Decimal], heading: str) -> _NITable:
    category = tax_year_rules(tax_year).national_insurance.categories[letter]
    return _NITable(
        category=category,
        thresholds=thresholds,
        employee=_bands("employee", category.employee, thresholds),
        employer=_bands("employer", category.employer, thresholds),
        heading=heading,
        threshold_items=tuple(thresholds.items()),
    )


@cache
def _period_table(tax_year: str, frequency: PayFrequency, letter: str) -> _NITable:
    t = period_thresholds(tax_year, frequency)
    heading = (
        f"{frequency.value.replace('_', '-')} thresholds: LEL {fmt(t['LEL'])}, "
        f"PT {fmt(t['PT'])}, ST {fmt(t['ST'])}, UEL {fmt(t['UEL'])}"
    )
    return _table(tax_year, letter, t, heading)


@cache
def _director_table(tax_year: str, weeks: int, letter: str) -> _NITable:
    t = director_thresholds(tax_year, weeks)
    span = "annual" if weeks >= 52 else f"pro rata {weeks}/52 (rounded up)"
    heading = (
        f"director's {span} thresholds: LEL {fmt(t['LEL'])}, PT {fmt(t['PT'])}, "
        f"ST {fmt(t['ST'])}, UEL {fmt(t['UEL'])}"
    )
    return _table(tax_year, letter, t, heading)


def _contributions(
    bands: tuple[NIBand, ...], earnings: Decimal, charges: list[NIBandCharge]
) -> Decimal:
    """The exact percentage method: each band's part is rounded on its own, then added."""
    total = ZERO
    for band in bands:
        if earnings <= band.lower:
            break
        upper = band.upper
        portion = (earnings if upper is None or earnings < upper else upper) - band.lower
        rate = band.rate
        if rate:
            contribution = round_ni(portion * rate)
            total += contribution
            charges.append(NIBandCharge(band, portion, contribution))
    return total


def _earnings_bands(
    thresholds: Mapping[str, Decimal], earnings: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Earnings at the LEL, from LEL to PT and from PT to UEL, as the FPS reports them."""
    lel, pt, uel = thresholds["LEL"], thresholds["PT"], thresholds["UEL"]
    if earnings < lel:
        return ZERO, ZERO, ZERO
    lel_to_pt = (earnings if earnings < pt else pt) - lel
    pt_to_uel = (earnings if earnings < uel else uel) - pt if earnings > pt else ZERO
    return lel, lel_to_pt, pt_to_uel


def calculate_ni(
    *,
    tax_year: str,
    frequency: PayFrequency | str,
    period: int,
    category: str,
    gross_pay: Decimal,
    director: bool = False,
    director_method: DirectorNIMethod | str = DirectorNIMethod.ANNUAL,
    appointed_in_week: int = 1,
    final_period: bool = False,
    year_to_date: NIYearToDate = NI_NOTHING_TO_DATE,
) -> NIResult:
    """Class 1 NICs on one period's earnings (`gross_pay`: pay for NICs after salary sacrifice).

    `year_to_date` holds the figures before this period. Directors use the annual earnings
    period (cumulative, on annual thresholds pro-rated from `appointed_in_week`) or, with
    the alternative method, the ordinary per-period calculation squared up to the annual
    figures when `final_period` is set (the last pay of the year, or leaving office).
    """
    tax_year_rules(tax_year)
    frequency = pay_frequency(frequency)
    period_shape(frequency, period)
    rules = ni_category(tax_year, category)
    earnings = money(gross_pay, field="gross_pay")
    ni_year_to_date(year_to_date)
    method = None
    if director:
        try:
            method = DirectorNIMethod(director_method)
        except ValueError:
            raise InvalidInput(
                "director_method", f"{director_method!r} is not annual or alternative"
            ) from None
        if isinstance(appointed_in_week, bool) or not isinstance(appointed_in_week, int):
            raise InvalidInput("appointed_in_week", "must be a week number 1-53")
        if not 1 <= appointed_in_week <= 53:
            raise InvalidInput("appointed_in_week", f"{appointed_in_week} is not in 1-53")
    return national_insurance(
        tax_year,
        frequency,
        period,
        rules.letter,
        earnings,
        method,
        appointed_in_week,
        final_period,
        year_to_date,
    )


def national_insurance(
    tax_year: str,
    frequency: PayFrequency,
    period: int,
    letter: str,
    earnings: Decimal,
    director_method: DirectorNIMethod | None,
    appointed_in_week: int,
    final_period: bool,
    before: NIYearToDate,
) -> NIResult:
    """The calculation itself, on inputs already checked (the payslip's hot path)."""
    table = _period_table(tax_year, frequency, letter)
    gross_to_date = before.gross_pay + earnings

    if not table.category.liable:
        return NIResult(
            tax_year,
            frequency,
            period,
            letter,
            "period",
            earnings,
            ZERO,
            ZERO,
            ZERO,
            ZERO,
            ZERO,
            (),
            (),
            NIYearToDate(
                gross_to_date,
                before.earnings_at_lel,
                before.earnings_lel_to_pt,
                before.earnings_pt_to_uel,
                before.employee_contribution,
                before.employer_contribution,
            ),
            Explanation.deferred(_explain_not_liable, table),
        )

    charges: list[NIBandCharge] = []
    method = "period"
    annual: _NITable | None = None  # a director's table for the year (or pro rata)
    if director_method is not None:
        annual = _director_table(tax_year, max(52 - appointed_in_week + 1, 1), letter)
        method = (
            "director_annual"
            if director_method is DirectorNIMethod.ANNUAL
            else ("director_alternative")
        )

    if annual is not None and method == "director_annual":
        # Cumulative: NICs on all earnings to date against the annual thresholds, less paid.
        table = annual
        employee_due = _contributions(table.employee, gross_to_date, charges)
        employer_due = _contributions(table.employer, gross_to_date, charges)
        employee = employee_due - before.employee_contribution
        employer = employer_due - before.employer_contribution
        at_lel_td, lel_pt_td, pt_uel_td = _earnings_bands(table.thresholds, gross_to_date)
        at_lel = at_lel_td - before.earnings_at_lel
        lel_pt = lel_pt_td - before.earnings_lel_to_pt
        pt_uel = pt_uel_td - before.earnings_pt_to_uel
    else:
        employee_due = employee = _contributions(table.employee, earnings, charges)
        employer_due = employer = _contributions(table.employer, earnings, charges)
        at_lel, lel_pt, pt_uel = _earnings_bands(table.thresholds, earnings)
        at_lel_td = before.earnings_at_lel + at_lel
        lel_pt_td = before.earnings_lel_to_pt + lel_pt
        pt_uel_td = before.earnings_pt_to_uel + pt_uel
        if annual is not None and final_period:
            # A director on the alternative method: it squares up to the annual calculation
            # at the year's end; the earnings figures stay the sum of the periods'.
            charges = []
            employee_due = _contributions(annual.employee, gross_to_date, charges)
            employer_due = _contributions(annual.employer, gross_to_date, charges)
            employee = employee_due - before.employee_contribution
            employer = employer_due - before.employer_contribution
        else:
            annual = None

    # Positional arguments, in field order, keep the hot path quick.
    return NIResult(
        tax_year,
        frequency,
        period,
        letter,
        method,
        earnings,
        employee,
        employer,
        at_lel,
        lel_pt,
        pt_uel,
        table.threshold_items,
        tuple(charges),
        NIYearToDate(
            gross_to_date,
            at_lel_td,
            lel_pt_td,
            pt_uel_td,
            before.employee_contribution + employee,
            before.employer_contribution + employer,
        ),
        Explanation.deferred(
            _explain,
            table,
            annual,
            method,
            earnings,
            gross_to_date,
            charges,
            employee_due,
            employer_due,
            before,
            employee,
            employer,
        ),
    )


_CHARGE = "{0.band.title} on {0.earnings:,.2f} ({0.band.span}): {0.contribution:,.2f}"


def _explain_not_liable(table: _NITable) -> list[Step]:
    return [
        ("NI category {} ({})", (table.category.letter, table.category.description)),
        ("Category X: no NICs are due and no earnings are recorded", ()),
    ]


def _explain(
    table: _NITable,
    annual: _NITable | None,
    method: str,
    earnings: Decimal,
    gross_to_date: Decimal,
    charges: list[NIBandCharge],
    employee_due: Decimal,
    employer_due: Decimal,
    before: NIYearToDate,
    employee: Decimal,
    employer: Decimal,
) -> list[Step]:
    """The steps of one calculation: thresholds, each band's part, and the totals."""
    steps: list[Step] = [
        ("NI category {} ({})", (table.category.letter, table.category.description))
    ]
    if method == "director_annual":
        steps.append(
            (
                "Director, annual earnings period: NICs on earnings to date {:,.2f} against {}",
                (gross_to_date, table.heading),
            )
        )
        steps.extend((_CHARGE, (charge,)) for charge in charges)
        steps.append(
            (
                "Employee NICs to date {:,.2f} less paid {:,.2f}: {:,.2f}; "
                "employer {:,.2f} less paid {:,.2f}: {:,.2f}",
                (
                    employee_due,
                    before.employee_contribution,
                    employee,
                    employer_due,
                    before.employer_contribution,
                    employer,
                ),
            )
        )
    elif annual is not None:
        steps.append(
            (
                "Director, alternative method, final period: annual NICs on {:,.2f} against {}",
                (gross_to_date, annual.heading),
            )
        )
        steps.extend((_CHARGE, (charge,)) for charge in charges)
        steps.append(
            (
                "Annual NICs are employee {:,.2f} and employer {:,.2f}; less paid to date "
                "gives employee {:,.2f} and employer {:,.2f}",
                (employee_due, employer_due, employee, employer),
            )
        )
    else:
        steps.append(("Earnings {:,.2f} against {}", (earnings, table.heading)))
        steps.extend((_CHARGE, (charge,)) for charge in charges)
    steps.append(("Employee NICs {:,.2f}, employer NICs {:,.2f}", (employee, employer)))
    return steps
