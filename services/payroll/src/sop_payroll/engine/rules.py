"""Tax-year rule data: one TOML file per year under rates/, validated into frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from sop_payroll.engine.errors import RuleDataError, UnknownTaxYear
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.tax_code import TaxRegime

NI_CATEGORY_LETTERS = tuple("ABCDEFHIJKLMNSVXZ")
NI_THRESHOLD_NAMES = ("LEL", "PT", "ST", "FUST", "IZUST", "UEL", "UST", "AUST", "VUST")
STUDENT_LOAN_PLANS = ("plan_1", "plan_2", "plan_4", "plan_5")
_TAX_YEAR = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class TaxBand:
    """A rate band of income tax; `upper` is the annual limit on taxable pay (None: no limit)."""

    name: str
    rate: Decimal
    lower: Decimal
    upper: Decimal | None

    @property
    def title(self) -> str:
        return f"{self.name.capitalize()} rate"


@dataclass(frozen=True, slots=True)
class RegimeRules:
    regime: TaxRegime
    bands: tuple[TaxBand, ...]
    flat_rate_codes: Mapping[str, TaxBand]  # "BR", "D0"... -> the band whose rate applies


@dataclass(frozen=True, slots=True)
class IncomeTaxRules:
    personal_allowance: Decimal
    emergency_code: str
    regulatory_limit_rate: Decimal
    pay_adjustment_block: int
    pay_adjustment_per_block: Mapping[str, Decimal]  # "week" / "month" -> free pay per block
    regimes: Mapping[TaxRegime, RegimeRules]


@dataclass(frozen=True, slots=True)
class NIBandRule:
    """From `threshold` (a name such as "PT") to the next band's threshold, at `rate`."""

    threshold: str
    rate_name: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class NICategoryRules:
    letter: str
    description: str
    liable: bool
    employee: tuple[NIBandRule, ...]
    employer: tuple[NIBandRule, ...]


@dataclass(frozen=True, slots=True)
class NationalInsuranceRules:
    thresholds: Mapping[str, Decimal]  # annual
    period_threshold_rounding: Mapping[PayFrequency, str]
    director_pro_rata_rounding: str
    rates: Mapping[str, Decimal]
    categories: Mapping[str, NICategoryRules]


@dataclass(frozen=True, slots=True)
class StudentLoanRules:
    plan_rate: Decimal
    postgraduate_rate: Decimal
    plan_thresholds: Mapping[str, Decimal]  # annual; a plan absent here is not deducted this year
    postgraduate_threshold: Decimal


@dataclass(frozen=True, slots=True)
class QualifyingEarningsBand:
    lower: Decimal
    upper: Decimal
    trigger: Decimal

    @property
    def width(self) -> Decimal:
        return self.upper - self.lower


@dataclass(frozen=True, slots=True)
class PensionRules:
    relief_at_source_rate: Decimal
    relief_at_source_net: Decimal  # 1 - the relief rate: the share the member pays
    qualifying_earnings: QualifyingEarningsBand  # annual
    qualifying_earnings_per_period: Mapping[PayFrequency, QualifyingEarningsBand]


@dataclass(frozen=True, slots=True)
class TaxYearRules:
    tax_year: str
    starts: dt.date
    ends: dt.date
    unverified: tuple[str, ...]  # dotted paths of values from third-party sources only
    income_tax: IncomeTaxRules
    national_insurance: NationalInsuranceRules
    student_loans: StudentLoanRules
    pensions: PensionRules


def available_tax_years() -> tuple[str, ...]:
    """Every tax year with a rule file, oldest first."""
    folder = resources.files("sop_payroll.engine").joinpath("rates")
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return tuple(sorted(name.removesuffix(".toml") for name in names))


def tax_year_rules(tax_year: str, *, field: str = "tax_year") -> TaxYearRules:
    """The validated rules for a tax year written like "2025-26"; UnknownTaxYear otherwise."""
    if not isinstance(tax_year, str):
        raise UnknownTaxYear(field, f"{tax_year!r} is not a tax year like 2025-26")
    try:
        return _load(tax_year)
    except UnknownTaxYear as error:
        raise error.at(field) from None


@cache
def _load(tax_year: str) -> TaxYearRules:
    match = _TAX_YEAR.fullmatch(tax_year)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise UnknownTaxYear("tax_year", f"{tax_year!r} is not a tax year like 2025-26")
    source = resources.files("sop_payroll.engine").joinpath("rates").joinpath(f"{tax_year}.toml")
    if not source.is_file():
        known = ", ".join(available_tax_years())
        raise UnknownTaxYear("tax_year", f"no payroll rules for {tax_year} (known: {known})")
    with source.open("rb") as handle:
        data = tomllib.load(handle, parse_float=Decimal)
    return _RuleReader(tax_year).year(data)


class _RuleReader:
    """Turns the parsed TOML into rule objects, failing loudly on anything missing or odd."""

    def __init__(self, tax_year: str) -> None:
        self.tax_year = tax_year

    def fail(self, path: str, problem: str) -> RuleDataError:
        return RuleDataError(f"rates/{self.tax_year}.toml: {path}: {problem}")

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{path}{key}", "missing table")
        return value

    def amount(self, data: Mapping[str, Any], key: str, path: str) -> Decimal:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(f"{path}{key}", "missing number")
        if value < 0:
            raise self.fail(f"{path}{key}", "must not be negative")
        return Decimal(value)

    def rate(self, data: Mapping[str, Any], key: str, path: str) -> Decimal:
        value = self.amount(data, key, path)
        if value > 1:
            raise self.fail(f"{path}{key}", "a rate is a fraction between 0 and 1")
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{path}{key}", "missing text")
        return value

    def year(self, data: Mapping[str, Any]) -> TaxYearRules:
        if data.get("tax_year") != self.tax_year:
            raise self.fail("tax_year", f"file says {data.get('tax_year')!r}")
        starts, ends = data.get("starts"), data.get("ends")
        if not isinstance(starts, dt.date) or not isinstance(ends, dt.date) or starts >= ends:
            raise self.fail("starts/ends", "need two dates, starts before ends")
        unverified = data.get("unverified", [])
        if not isinstance(unverified, list) or not all(isinstance(p, str) for p in unverified):
            raise self.fail("unverified", "must be a list of dotted paths")
        for dotted in unverified:
            self.resolve(data, dotted)
        return TaxYearRules(
            tax_year=self.tax_year,
            starts=starts,
            ends=ends,
            unverified=tuple(unverified),
            income_tax=self.income_tax(self.table(data, "income_tax", "")),
            national_insurance=self.national_insurance(self.table(data, "national_insurance", "")),
            student_loans=self.student_loans(self.table(data, "student_loans", "")),
            pensions=self.pensions(self.table(data, "pensions", "")),
        )

    def resolve(self, data: Mapping[str, Any], dotted: str) -> None:
        node: Any = data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise self.fail("unverified", f"{dotted!r} names no value")
            node = node[part]

    def income_tax(self, data: Mapping[str, Any]) -> IncomeTaxRules:
        path = "income_tax."
        block = data.get("pay_adjustment_block")
        if not isinstance(block, int) or block <= 0:
            raise self.fail(f"{path}pay_adjustment_block", "must be a positive whole number")
        per_block = self.table(data, "pay_adjustment_per_block", path)
        regimes_data = self.table(data, "regimes", path)
        regimes = {}
        for regime in TaxRegime:
            regimes[regime] = self.regime(
                regime, self.table(regimes_data, regime.value, f"{path}regimes.")
            )
        return IncomeTaxRules(
            personal_allowance=self.amount(data, "personal_allowance", path),
            emergency_code=self.text(data, "emergency_code", path),
            regulatory_limit_rate=self.rate(data, "regulatory_limit_rate", path),
            pay_adjustment_block=block,
            pay_adjustment_per_block=MappingProxyType(
                {
                    unit: self.amount(per_block, unit, f"{path}pay_adjustment_per_block.")
                    for unit in ("week", "month")
                }
            ),
            regimes=MappingProxyType(regimes),
        )

    def regime(self, regime: TaxRegime, data: Mapping[str, Any]) -> RegimeRules:
        path = f"income_tax.regimes.{regime.value}."
        raw_bands = data.get("bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            raise self.fail(f"{path}bands", "missing list of bands")
        bands: list[TaxBand] = []
        lower = Decimal(0)
        for index, raw in enumerate(raw_bands):
            where = f"{path}bands[{index}]."
            last = index == len(raw_bands) - 1
            upper = None if last else self.amount(raw, "upper", where)
            if last and "upper" in raw:
                raise self.fail(f"{where}upper", "the last band has no upper limit")
            if upper is not None and upper <= lower:
                raise self.fail(f"{where}upper", "band limits must rise")
            bands.append(
                TaxBand(self.text(raw, "name", where), self.rate(raw, "rate", where), lower, upper)
            )
            lower = upper if upper is not None else lower
        by_name = {band.name: band for band in bands}
        codes = self.table(data, "flat_rate_codes", path)
        flat = {}
        for code, band_name in codes.items():
            if not re.fullmatch(r"BR|D[0-9]", code) or band_name not in by_name:
                raise self.fail(f"{path}flat_rate_codes.{code}", "must map BR/Dn to a band name")
            flat[code] = by_name[band_name]
        if "BR" not in flat:
            raise self.fail(f"{path}flat_rate_codes", "BR is required")
        return RegimeRules(regime, tuple(bands), MappingProxyType(flat))

    def national_insurance(self, data: Mapping[str, Any]) -> NationalInsuranceRules:
        path = "national_insurance."
        raw_thresholds = self.table(data, "thresholds", path)
        thresholds = {
            name: self.amount(raw_thresholds, name, f"{path}thresholds.")
            for name in NI_THRESHOLD_NAMES
        }
        if not thresholds["LEL"] <= thresholds["PT"] <= thresholds["UEL"]:
            raise self.fail(f"{path}thresholds", "need LEL <= PT <= UEL")
        raw_rounding = self.table(data, "period_threshold_rounding", path)
        rounding = {}
        for frequency in PayFrequency:
            method = self.text(raw_rounding, frequency.value, f"{path}period_threshold_rounding.")
            if method not in ("nearest", "up", "down"):
                raise self.fail(f"{path}period_threshold_rounding.{frequency.value}", method)
            rounding[frequency] = method
        director_rounding = self.text(data, "director_pro_rata_rounding", path)
        if director_rounding not in ("nearest", "up", "down"):
            raise self.fail(f"{path}director_pro_rata_rounding", director_rounding)
        raw_rates = self.table(data, "rates", path)
        rates = {name: self.rate(raw_rates, name, f"{path}rates.") for name in raw_rates}
        raw_categories = self.table(data, "categories", path)
        categories = {}
        for letter in NI_CATEGORY_LETTERS:
            raw = self.table(raw_categories, letter, f"{path}categories.")
            where = f"{path}categories.{letter}."
            liable = raw.get("liable", True)
            if not isinstance(liable, bool):
                raise self.fail(f"{where}liable", "must be true or false")
            categories[letter] = NICategoryRules(
                letter=letter,
                description=self.text(raw, "description", where),
                liable=liable,
                employee=self.ni_bands(raw, "employee", where, thresholds, rates),
                employer=self.ni_bands(raw, "employer", where, thresholds, rates),
            )
        extra = set(raw_categories) - set(NI_CATEGORY_LETTERS)
        if extra:
            raise self.fail(f"{path}categories", f"unknown letters {sorted(extra)}")
        return NationalInsuranceRules(
            thresholds=MappingProxyType(thresholds),
            period_threshold_rounding=MappingProxyType(rounding),
            director_pro_rata_rounding=director_rounding,
            rates=MappingProxyType(rates),
            categories=MappingProxyType(categories),
        )

    def ni_bands(
        self,
        data: Mapping[str, Any],
        side: str,
        path: str,
        thresholds: Mapping[str, Decimal],
        rates: Mapping[str, Decimal],
    ) -> tuple[NIBandRule, ...]:
        raw = data.get(side)
        if not isinstance(raw, list):
            raise self.fail(f"{path}{side}", "missing list of [threshold, rate] pairs")
        bands = []
        previous = Decimal(-1)
        for index, pair in enumerate(raw):
            where = f"{path}{side}[{index}]"
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.fail(where, "must be a [threshold, rate] pair")
            threshold, rate_name = pair
            if threshold not in thresholds or rate_name not in rates:
                raise self.fail(where, f"unknown threshold or rate {pair!r}")
            if thresholds[threshold] < previous:
                raise self.fail(where, "band thresholds must not fall")
            previous = thresholds[threshold]
            bands.append(NIBandRule(threshold, rate_name, rates[rate_name]))
        return tuple(bands)

    def student_loans(self, data: Mapping[str, Any]) -> StudentLoanRules:
        path = "student_loans."
        raw = self.table(data, "thresholds", path)
        unknown = set(raw) - {*STUDENT_LOAN_PLANS, "postgraduate"}
        if unknown:
            raise self.fail(f"{path}thresholds", f"unknown plans {sorted(unknown)}")
        plans = {
            plan: self.amount(raw, plan, f"{path}thresholds.")
            for plan in STUDENT_LOAN_PLANS
            if plan in raw
        }
        return StudentLoanRules(
            plan_rate=self.rate(data, "plan_rate", path),
            postgraduate_rate=self.rate(data, "postgraduate_rate", path),
            plan_thresholds=MappingProxyType(plans),
            postgraduate_threshold=self.amount(raw, "postgraduate", f"{path}thresholds."),
        )

    def qualifying_band(self, data: Mapping[str, Any], path: str) -> QualifyingEarningsBand:
        band = QualifyingEarningsBand(
            lower=self.amount(data, "lower", path),
            upper=self.amount(data, "upper", path),
            trigger=self.amount(data, "trigger", path),
        )
        if band.lower >= band.upper:
            raise self.fail(path, "lower must be below upper")
        return band

    def pensions(self, data: Mapping[str, Any]) -> PensionRules:
        path = "pensions."
        per_period = self.table(data, "qualifying_earnings_per_period", path)
        relief = self.rate(data, "relief_at_source_rate", path)
        return PensionRules(
            relief_at_source_rate=relief,
            relief_at_source_net=1 - relief,
            qualifying_earnings=self.qualifying_band(
                self.table(data, "qualifying_earnings", path), f"{path}qualifying_earnings."
            ),
            qualifying_earnings_per_period=MappingProxyType(
                {
                    frequency: self.qualifying_band(
                        self.table(per_period, frequency.value, f"{path}per_period."),
                        f"{path}qualifying_earnings_per_period.{frequency.value}.",
                    )
                    for frequency in PayFrequency
                }
            ),
        )
