"""Income tax (PAYE): free pay, cumulative and week 1/month 1 tax, and the regulatory limit."""

from __future__ import annotations

from decimal import Decimal
from functools import cache, lru_cache

from sop_payroll.engine.errors import MalformedTaxCode
from sop_payroll.engine.explain import Explanation, Step
from sop_payroll.engine.frequency import SHAPES, PayFrequency, pay_frequency, period_shape
from sop_payroll.engine.money import (
    ZERO,
    fmt_rate,
    money,
    round_down_to_penny,
    round_down_to_pound,
    round_nearest_penny,
    round_up_to_penny,
)
from sop_payroll.engine.records import record
from sop_payroll.engine.rules import RegimeRules, TaxBand, tax_year_rules
from sop_payroll.engine.tax_code import TaxCode, TaxCodeKind, TaxRegime, parse_tax_code


@record
class TaxBandCharge:
    """Tax charged in one rate band: the pay that fell in it (to date when cumulative)."""

    band: str
    rate: Decimal
    taxable_income: Decimal
    tax: Decimal


@record
class IncomeTaxResult:
    """PAYE for one pay period. Negative `tax_due` is a refund (cumulative codes only)."""

    tax_year: str
    frequency: PayFrequency
    period: int
    tax_code: str
    regime: TaxRegime
    cumulative: bool
    unit_number: int  # the tax week or month number used: period-end, or 1 (x2, x4) if not
    taxable_pay: Decimal
    taxable_pay_to_date: Decimal
    free_pay: Decimal  # free pay deducted: to date if cumulative, else for this period
    additional_pay: Decimal  # K codes: pay added, on the same basis
    taxable_income: Decimal  # the whole pounds taxed, after free pay or additional pay
    bands: tuple[TaxBandCharge, ...]
    tax_on_taxable_income: Decimal  # before subtracting tax paid, and before the limit
    regulatory_limit: Decimal
    tax_held_back: Decimal  # kept back by the regulatory limit
    tax_due: Decimal
    tax_due_to_date: Decimal
    explanation: Explanation


@record
class _TaxTable:
    """One year's bands for one regime on the week or month tables."""

    units_per_year: Decimal
    regime: RegimeRules
    regulatory_limit_rate: Decimal
    block: int
    per_block: Decimal


@cache
def _table(tax_year: str, regime: TaxRegime, unit: str) -> _TaxTable:
    rules = tax_year_rules(tax_year).income_tax
    return _TaxTable(
        units_per_year=Decimal(52 if unit == "week" else 12),
        regime=rules.regimes[regime],
        regulatory_limit_rate=rules.regulatory_limit_rate,
        block=rules.pay_adjustment_block,
        per_block=rules.pay_adjustment_per_block[unit],
    )


@lru_cache(maxsize=65536)
def free_pay_per_unit(tax_year: str, number: int, unit: str) -> Decimal:
    """Free pay (or K additional pay) for one week or month of a code number.

    HMRC's table routine: q, r = divmod(n - 1, 500); r + 1 gives 10r + 9 pounds a year,
    divided by 52 or 12 and rounded up to the penny, plus q blocks of 96.16 a week or
    416.67 a month. 1257 gives 1,048.26 a month and 241.92 a week.
    """
    if number <= 0:
        return ZERO
    table = _table(tax_year, TaxRegime.REST_OF_UK, unit)
    blocks, remainder = divmod(number - 1, table.block)
    annual = Decimal(10 * (remainder + 1) + 9)
    return round_up_to_penny(annual / table.units_per_year) + blocks * table.per_block


@record
class _BandLimit:
    """A band's limits to date, scaled by the periods in the year so they stay whole."""

    band: TaxBand
    low: Decimal  # lower limit x units
    high: Decimal | None  # upper limit x units
    tax_below: Decimal  # tax on all lower bands, scaled likewise
    full_charge: TaxBandCharge  # the band's charge when pay passes its upper limit


@record
class _CodePeriod:
    """Everything about one code in one period that does not depend on the pay."""

    code: TaxCode
    per_year: Decimal
    cumulative: bool
    units: int
    free_pay: Decimal
    additional_pay: Decimal
    flat_band: TaxBand | None  # the band of a flat-rate code (BR, D0...); None for other codes
    limits: tuple[_BandLimit, ...]
    limit_rate: Decimal
    pay_words: str
    opening: tuple[Step, ...]


@lru_cache(maxsize=65536)
def _code_period(
    tax_year: str, code_text: str, frequency: PayFrequency, period: int, week1_month1: bool
) -> _CodePeriod:
    code = parse_tax_code(code_text)
    shape = SHAPES[frequency]
    table = _table(tax_year, code.regime, shape.unit)
    flat_band = None
    if code.kind is TaxCodeKind.FLAT_RATE:
        flat_band = table.regime.flat_rate_codes.get(code.flat_rate_code)
        if flat_band is None:
            raise MalformedTaxCode(
                "tax_code", f"{code.code} is not a {code.regime.label} code in {tax_year}"
            )
    extra_period = period > shape.regular_periods
    cumulative = not (week1_month1 or code.non_cumulative or extra_period)
    units = period * shape.units_per_period if cumulative else shape.units_per_period
    if cumulative:
        where = f"{shape.unit} {units}"
        basis = f"cumulative, {where}"
        pay_words = "Taxable pay to date"
    else:
        where = f"{shape.unit} 1" if units == 1 else f"{units} x week 1"
        reason = (
            f"{shape.label(period)} is always non-cumulative"
            if extra_period
            else "week 1/month 1 basis"
        )
        basis = f"non-cumulative ({reason}), {where}"
        pay_words = "Taxable pay"
    opening: list[Step] = [(f"Tax code {code.code} ({code.regime.label}), {basis}", ())]

    free_pay = additional_pay = ZERO
    if code.kind is TaxCodeKind.ALLOWANCE or code.kind is TaxCodeKind.K:
        amount = free_pay_per_unit(tax_year, code.number, shape.unit) * units
        if code.kind is TaxCodeKind.K:
            additional_pay = amount
            opening.append(("Additional pay for code {} {}: {:,.2f}", (code.body, where, amount)))
        else:
            free_pay = amount
            opening.append(("Free pay for code {} {}: {:,.2f}", (code.body, where, amount)))

    per_year = table.units_per_year
    limits = []
    tax_below = Decimal(0)
    for band in table.regime.bands:
        low = band.lower * units
        high = None if band.upper is None else band.upper * units
        full_tax = ZERO if high is None else (high - low) * band.rate
        charge = TaxBandCharge(
            band.name,
            band.rate,
            ZERO if high is None else round_nearest_penny((high - low) / per_year),
            ZERO if high is None else round_down_to_penny(full_tax / per_year),
        )
        limits.append(
            _BandLimit(band=band, low=low, high=high, tax_below=tax_below, full_charge=charge)
        )
        tax_below += full_tax
    return _CodePeriod(
        code=code,
        per_year=per_year,
        cumulative=cumulative,
        units=units,
        free_pay=free_pay,
        additional_pay=additional_pay,
        flat_band=flat_band,
        limits=tuple(limits),
        limit_rate=table.regulatory_limit_rate,
        pay_words=pay_words,
        opening=tuple(opening),
    )


def calculate_income_tax(
    *,
    tax_year: str,
    frequency: PayFrequency | str,
    period: int,
    tax_code: TaxCode | str,
    taxable_pay: Decimal,
    previous_taxable_pay_to_date: Decimal = ZERO,
    previous_tax_paid_to_date: Decimal = ZERO,
    week1_month1: bool = False,
) -> IncomeTaxResult:
    """PAYE due for one period.

    `period` counts pay periods of the frequency (weekly 1-53, fortnightly 1-27, four-weekly
    1-14, monthly 1-12); the last of each (week 53, 54 or 56) is always non-cumulative.
    `taxable_pay` is this period's pay for tax; the `previous_*` figures are to date before it.
    """
    tax_year_rules(tax_year)
    frequency = pay_frequency(frequency)
    period_shape(frequency, period)
    code = tax_code if isinstance(tax_code, TaxCode) else parse_tax_code(tax_code)
    return income_tax(
        tax_year,
        frequency,
        period,
        code,
        money(taxable_pay, field="taxable_pay"),
        money(previous_taxable_pay_to_date, field="previous_taxable_pay_to_date"),
        money(previous_tax_paid_to_date, field="previous_tax_paid_to_date", allow_negative=True),
        bool(week1_month1),
    )


def income_tax(
    tax_year: str,
    frequency: PayFrequency,
    period: int,
    code: TaxCode,
    pay: Decimal,
    previous_pay: Decimal,
    previous_tax: Decimal,
    week1_month1: bool,
) -> IncomeTaxResult:
    """The calculation itself, on inputs already checked (the payslip's hot path)."""
    context = _code_period(tax_year, code.code, frequency, period, week1_month1)
    cumulative = context.cumulative
    pay_to_date = previous_pay + pay
    basis_pay = pay_to_date if cumulative else pay
    kind = code.kind
    if kind is TaxCodeKind.ALLOWANCE:
        income = basis_pay - context.free_pay
        taxable_income = round_down_to_pound(income) if income > 0 else ZERO
        tax, bands = _banded_tax(context, taxable_income)
    elif kind is TaxCodeKind.K:
        income = basis_pay + context.additional_pay
        taxable_income = round_down_to_pound(income)
        tax, bands = _banded_tax(context, taxable_income)
    elif context.flat_band is not None:  # a flat-rate code
        flat_band = context.flat_band
        income = basis_pay
        taxable_income = round_down_to_pound(basis_pay)
        tax = round_down_to_penny(taxable_income * flat_band.rate)
        bands = (TaxBandCharge(flat_band.name, flat_band.rate, taxable_income, tax),)
    else:  # NT: no tax, and on a cumulative basis any tax paid this year comes back
        income = basis_pay
        taxable_income = tax = ZERO
        bands = ()

    tax_due = tax - previous_tax if cumulative else tax
    limit = round_down_to_penny(pay * context.limit_rate)
    held_back = ZERO
    if tax_due > limit:
        held_back = tax_due - limit
        tax_due = limit

    # Positional arguments, in field order, keep the hot path quick.
    return IncomeTaxResult(
        tax_year,
        frequency,
        period,
        code.code,
        code.regime,
        cumulative,
        context.units,
        pay,
        pay_to_date,
        context.free_pay,
        context.additional_pay,
        taxable_income,
        bands,
        tax,
        limit,
        held_back,
        tax_due,
        previous_tax + tax_due,
        Explanation.deferred(
            _explain,
            context,
            pay,
            basis_pay,
            income,
            taxable_income,
            bands,
            tax,
            previous_tax,
            tax_due,
            limit,
            held_back,
        ),
    )


def _banded_tax(
    context: _CodePeriod, taxable_income: Decimal
) -> tuple[Decimal, tuple[TaxBandCharge, ...]]:
    """Tax on whole pounds of taxable income against band limits of annual x units / N.

    Everything is scaled by N (52 or 12) so the band limits stay whole numbers and a single
    division at the end is the only inexact step: the result is then truncated to the
    penny, as HMRC's routine does, without drift from repeating fractions.
    """
    per_year = context.per_year
    scaled_income = taxable_income * per_year
    charges = []
    for limit in context.limits:
        if scaled_income <= limit.low:
            break
        high = limit.high
        if high is not None and scaled_income >= high:
            charges.append(limit.full_charge)
            continue
        portion = scaled_income - limit.low
        scaled_tax = portion * limit.band.rate
        charges.append(
            TaxBandCharge(
                limit.band.name,
                limit.band.rate,
                round_nearest_penny(portion / per_year),
                round_down_to_penny(scaled_tax / per_year),
            )
        )
        return round_down_to_penny((limit.tax_below + scaled_tax) / per_year), tuple(charges)
    if not charges:
        return ZERO, ()
    # Income ends exactly at a band's upper limit, where the next band starts (only the
    # last band has no upper limit): the tax is the next band's tax on the bands below it.
    total = context.limits[len(charges)].tax_below
    return round_down_to_penny(total / per_year), tuple(charges)


def _explain(
    context: _CodePeriod,
    pay: Decimal,
    basis_pay: Decimal,
    income: Decimal,
    taxable_income: Decimal,
    bands: tuple[TaxBandCharge, ...],
    tax: Decimal,
    previous_tax: Decimal,
    tax_due: Decimal,
    limit: Decimal,
    held_back: Decimal,
) -> list[Step]:
    """The steps of one calculation, in the words of HMRC's tables."""
    code = context.code
    pay_words = context.pay_words
    steps = list(context.opening)
    if code.kind is TaxCodeKind.NO_TAX:
        steps.append(("Code NT: no tax on {} {:,.2f}", (pay_words.lower(), basis_pay)))
    elif context.flat_band is not None:  # a flat-rate code
        band = context.flat_band
        steps.append(
            (
                "Code {}: all pay at the {} rate {}; {} {:,.2f} rounded down to {:,.2f} gives "
                "{:,.2f}",
                (
                    code.flat_rate_code,
                    band.name,
                    fmt_rate(band.rate),
                    pay_words.lower(),
                    basis_pay,
                    taxable_income,
                    tax,
                ),
            )
        )
    else:
        if code.kind is TaxCodeKind.K:
            template = "{} {:,.2f} plus additional pay {:,.2f} = {:,.2f}, rounded down to {:,.2f}"
            adjustment = context.additional_pay
        else:
            template = "{} {:,.2f} less free pay {:,.2f} = {:,.2f}, rounded down to {:,.2f}"
            adjustment = context.free_pay
        steps.append((template, (pay_words, basis_pay, adjustment, income, taxable_income)))
        for charge in bands:
            steps.append(
                (
                    "{} rate {} on {:,.2f} = {:,.2f}",
                    (
                        charge.band.capitalize(),
                        fmt_rate(charge.rate),
                        charge.taxable_income,
                        charge.tax,
                    ),
                )
            )
        steps.append(("Tax on {:,.2f}, rounded down: {:,.2f}", (taxable_income, tax)))
    if context.cumulative:
        steps.append(
            (
                "Tax due to date {:,.2f} less tax paid to date {:,.2f}: {:,.2f}{}",
                (
                    tax,
                    previous_tax,
                    tax - previous_tax,
                    " (a refund)" if tax < previous_tax else "",
                ),
            )
        )
    if held_back:
        steps.append(
            (
                "Regulatory limit: at most {} of this period's pay {:,.2f}, {:,.2f}; {:,.2f} {}",
                (
                    fmt_rate(context.limit_rate),
                    pay,
                    limit,
                    held_back,
                    "carried forward to later periods" if context.cumulative else "not collected",
                ),
            )
        )
    steps.append(("Tax this period: {:,.2f}", (tax_due,)))
    return steps
