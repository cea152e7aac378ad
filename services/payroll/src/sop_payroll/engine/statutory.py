"""Statutory pay due in a pay period: SSP from sickness spells, SMP, SAP, SPP and ShPP from leave.

Pure functions on dates, average weekly earnings (AWE) and the weekly rates in
`rates/statutory/<tax-year>.toml`. The caller asks period by period and passes every spell of
the linked chain (or the whole leave), including days before the period: what was due earlier
(waiting days served, weeks already paid) is worked out again from those dates, so each period's
answer stands on its own.

Rules are decided by the DAY being paid, not by when the sickness or leave began: a day takes
the rates of its tax year, so SSP's reform of 6 April 2026 (no waiting days, no lower earnings
limit, the lower of the flat rate and 80% of AWE) applies from that day even to a spell that
began before it, and family pay changes rate on 6 April (in practice HMRC's new family rates
start on the first Sunday of April; the engine keeps the tax-year boundary every other rate
uses).

Money: weekly amounts are turned into daily ones (SSP: weekly / qualifying days in the week,
HMRC SPM110600; family pay: weekly / 7) and kept exact (as fractions); a period's total is
rounded half-up to the penny once, and its lines share that total so they add up to it. The
90% (family pay) and 80% (SSP from April 2026) of AWE weekly figures are rounded UP to the next
penny, as HMRC's SMP guidance does for 90%.

Simplifications, said out loud: the employee's qualifying days are one fixed weekly pattern
(so the 28 weeks of SSP are 28 x that many qualifying days); one AWE serves the whole call (for
linked PIWs, HMRC's is the first PIW's); SSP's three-year limit on a linked chain, and the end of
employment, are the caller's to apply; the family pay lower earnings limit is the one of the tax
year holding `qualifying_week` (the leave's first day unless given).

Errors are InvalidInput naming the field (`spells.0.end`, `awe`, `qualifying_days`...); a bad
amount is InvalidAmount too, and a day in a year without rates UnknownTaxYear too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from sop_payroll.engine.errors import InvalidAmount, InvalidInput, RuleDataError, UnknownTaxYear
from sop_payroll.engine.explain import Explanation
from sop_payroll.engine.money import PENNY, ZERO, fmt, fmt_rate, money, round_up_to_penny
from sop_payroll.engine.records import record

_TAX_YEAR = re.compile(r"(\d{4})-(\d{2})")
_ONE_DAY = dt.timedelta(days=1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEDNESDAY = 2  # the qualifying day when an employee has no working days (SSP regulations)


class StatutoryPayKind(StrEnum):
    SSP = "ssp"  # statutory sick pay
    SMP = "smp"  # statutory maternity pay
    SAP = "sap"  # statutory adoption pay
    SPP = "spp"  # statutory paternity pay
    SHPP = "shpp"  # statutory shared parental pay

    @property
    def label(self) -> str:
        return "ShPP" if self is StatutoryPayKind.SHPP else self.value.upper()


FAMILY_PAY_KINDS = (
    StatutoryPayKind.SMP,
    StatutoryPayKind.SAP,
    StatutoryPayKind.SPP,
    StatutoryPayKind.SHPP,
)


class NotDueReason(StrEnum):
    """Why nothing is due in the period (the first that applies, in this order)."""

    BELOW_LOWER_EARNINGS_LIMIT = "below-lower-earnings-limit"
    EXHAUSTED = "exhausted"  # the most weeks (SSP's 28, SMP's 39...) are already paid
    WAITING_DAYS = "waiting-days"  # SSP: only waiting days fell in the period
    NOT_A_PIW = "not-a-piw"  # SSP: sickness too short to be a period of incapacity for work
    NO_QUALIFYING_DAYS = "no-qualifying-days"  # SSP: sick only on days not normally worked
    NOTHING_IN_PERIOD = "nothing-in-period"  # no sickness or leave falls in the period
    NIL_RATE = "nil-rate"  # days are due, at a share of AWE so low they come to nothing


class InvalidStatutoryAmount(InvalidAmount, InvalidInput):
    """An amount (`awe`) the statutory pay functions cannot use: both engine error kinds."""


class UnknownStatutoryYear(UnknownTaxYear, InvalidInput):
    """A day to pay falls in a tax year with no statutory rates: both engine error kinds."""


# ---------------------------------------------------------------------------------------------
# Rates


@dataclass(frozen=True, slots=True)
class SSPRates:
    weekly_rate: Decimal
    max_weeks: int
    waiting_days: int  # qualifying days not paid at the start of a linked chain
    piw_min_days: int  # consecutive days of sickness that make a PIW
    linking_days: int  # PIWs this many days apart or fewer link
    lower_earnings_limit: Decimal | None  # None: no earnings condition
    awe_rate: Decimal | None  # the weekly amount is at most this share of AWE (None: flat)


@dataclass(frozen=True, slots=True)
class FamilyPayRates:
    flat_rate: Decimal
    awe_rate: Decimal
    lower_earnings_limit: Decimal
    higher_rate_weeks: int  # SMP and SAP: weeks at `awe_rate` of AWE however high
    max_weeks: Mapping[StatutoryPayKind, int]


@dataclass(frozen=True, slots=True)
class StatutoryRates:
    tax_year: str
    starts: dt.date
    ends: dt.date
    unverified: tuple[str, ...]  # dotted paths of values from third-party sources only
    ssp: SSPRates
    family: FamilyPayRates


def _rates_folder() -> Any:
    return resources.files("sop_payroll.engine").joinpath("rates").joinpath("statutory")


def available_statutory_years() -> tuple[str, ...]:
    """Every tax year with a statutory pay rate file, oldest first."""
    names = (entry.name for entry in _rates_folder().iterdir() if entry.name.endswith(".toml"))
    return tuple(sorted(name.removesuffix(".toml") for name in names))


def tax_year_of(day: dt.date) -> str:
    """The tax year holding a day, written like "2025-26" (years start on 6 April)."""
    year = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return f"{year}-{(year + 1) % 100:02d}"


def statutory_rates(tax_year: str, *, field: str = "tax_year") -> StatutoryRates:
    """The statutory pay rates of a tax year like "2025-26"; UnknownTaxYear otherwise."""
    if not isinstance(tax_year, str):
        raise UnknownTaxYear(field, f"{tax_year!r} is not a tax year like 2025-26")
    try:
        return _load(tax_year)
    except UnknownTaxYear as error:
        raise error.at(field) from None


def statutory_rates_on(day: dt.date, *, field: str = "date") -> StatutoryRates:
    """The rates in force on a day (those of its tax year)."""
    return statutory_rates(tax_year_of(day), field=field)


@cache
def _load(tax_year: str) -> StatutoryRates:
    match = _TAX_YEAR.fullmatch(tax_year)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise UnknownTaxYear("tax_year", f"{tax_year!r} is not a tax year like 2025-26")
    source = _rates_folder().joinpath(f"{tax_year}.toml")
    if not source.is_file():
        known = ", ".join(available_statutory_years())
        raise UnknownTaxYear("tax_year", f"no statutory pay rates for {tax_year} (known: {known})")
    with source.open("rb") as handle:
        data = tomllib.load(handle, parse_float=Decimal)
    return StatutoryRateReader(tax_year).year(data)


class StatutoryRateReader:
    """Turns a parsed rate file into StatutoryRates, failing loudly on anything missing or odd."""

    SSP_KEYS = frozenset(
        {
            "weekly_rate",
            "max_weeks",
            "waiting_days",
            "piw_min_days",
            "linking_days",
            "lower_earnings_limit",
            "awe_rate",
        }
    )
    FAMILY_KEYS = frozenset(
        {"flat_rate", "awe_rate", "lower_earnings_limit", "higher_rate_weeks", "max_weeks"}
    )

    def __init__(self, tax_year: str) -> None:
        self.tax_year = tax_year

    def fail(self, path: str, problem: str) -> RuleDataError:
        return RuleDataError(f"rates/statutory/{self.tax_year}.toml: {path}: {problem}")

    def table(
        self, data: Mapping[str, Any], key: str, allowed: frozenset[str]
    ) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "missing table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(key, f"unknown keys {', '.join(unknown)}")
        return value

    def amount(self, data: Mapping[str, Any], key: str, path: str) -> Decimal:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(f"{path}.{key}", "missing number")
        if value < 0:
            raise self.fail(f"{path}.{key}", "must not be negative")
        return Decimal(value)

    def optional_amount(self, data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        return None if key not in data else self.amount(data, key, path)

    def rate(self, data: Mapping[str, Any], key: str, path: str) -> Decimal:
        value = self.amount(data, key, path)
        if value > 1:
            raise self.fail(f"{path}.{key}", "a rate is a fraction between 0 and 1")
        return value

    def count(self, data: Mapping[str, Any], key: str, path: str, *, least: int = 0) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path}.{key}", "missing whole number")
        if value < least:
            raise self.fail(f"{path}.{key}", f"must be at least {least}")
        return value

    def year(self, data: Mapping[str, Any]) -> StatutoryRates:
        if data.get("tax_year") != self.tax_year:
            raise self.fail("tax_year", f"file says {data.get('tax_year')!r}")
        starts, ends = data.get("starts"), data.get("ends")
        if not isinstance(starts, dt.date) or not isinstance(ends, dt.date) or starts >= ends:
            raise self.fail("starts/ends", "need two dates, starts before ends")
        if tax_year_of(starts) != self.tax_year or tax_year_of(ends) != self.tax_year:
            raise self.fail("starts/ends", f"not the bounds of {self.tax_year}")
        unverified = data.get("unverified", [])
        if not isinstance(unverified, list) or not all(isinstance(p, str) for p in unverified):
            raise self.fail("unverified", "must be a list of dotted paths")
        for dotted in unverified:
            self.resolve(data, dotted)
        return StatutoryRates(
            self.tax_year, starts, ends, tuple(unverified), self.ssp(data), self.family(data)
        )

    def ssp(self, data: Mapping[str, Any]) -> SSPRates:
        ssp = self.table(data, "ssp", self.SSP_KEYS)
        awe_rate = None if "awe_rate" not in ssp else self.rate(ssp, "awe_rate", "ssp")
        return SSPRates(
            weekly_rate=self.amount(ssp, "weekly_rate", "ssp"),
            max_weeks=self.count(ssp, "max_weeks", "ssp", least=1),
            waiting_days=self.count(ssp, "waiting_days", "ssp"),
            piw_min_days=self.count(ssp, "piw_min_days", "ssp", least=1),
            linking_days=self.count(ssp, "linking_days", "ssp"),
            lower_earnings_limit=self.optional_amount(ssp, "lower_earnings_limit", "ssp"),
            awe_rate=awe_rate,
        )

    def family(self, data: Mapping[str, Any]) -> FamilyPayRates:
        family = self.table(data, "family", self.FAMILY_KEYS)
        weeks = family.get("max_weeks")
        if not isinstance(weeks, dict):
            raise self.fail("family.max_weeks", "missing table")
        names = {kind.value for kind in FAMILY_PAY_KINDS}
        if set(weeks) != names:
            raise self.fail("family.max_weeks", f"need exactly {', '.join(sorted(names))}")
        return FamilyPayRates(
            flat_rate=self.amount(family, "flat_rate", "family"),
            awe_rate=self.rate(family, "awe_rate", "family"),
            lower_earnings_limit=self.amount(family, "lower_earnings_limit", "family"),
            higher_rate_weeks=self.count(family, "higher_rate_weeks", "family"),
            max_weeks=MappingProxyType(
                {
                    StatutoryPayKind(name): self.count(weeks, name, "family.max_weeks", least=1)
                    for name in sorted(weeks)
                }
            ),
        )

    def resolve(self, data: Mapping[str, Any], dotted: str) -> None:
        node: Any = data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise self.fail("unverified", f"{dotted} is not a value in this file")
            node = node[part]


# ---------------------------------------------------------------------------------------------
# Records


@record
class SicknessSpell:
    """Consecutive days of sickness, both ends included (non-working days count)."""

    start: dt.date
    end: dt.date


@record
class StatutoryPayLine:
    """The days of the period paid at one weekly rate in one tax year."""

    tax_year: str
    first_day: dt.date
    last_day: dt.date
    days: int  # days paid: qualifying days for SSP, every day for family pay
    weekly_rate: Decimal
    days_in_week: int  # the weekly rate is paid over this many days (daily rate = weekly / it)
    basis: str  # how the weekly rate was set: "flat rate", "90% of AWE", "lower of ..."
    amount: Decimal  # this line's share of the period total (the lines add up to it)
    explanation: str


@record
class StatutoryPayResult:
    kind: StatutoryPayKind
    period_start: dt.date
    period_end: dt.date
    amount: Decimal  # due in the period, rounded half-up to the penny once
    days_paid: int
    waiting_days: int  # SSP waiting days falling in the period
    days_paid_to_date: int  # in the linked chain (SSP) or the leave, up to the period's end
    lines: tuple[StatutoryPayLine, ...]
    reason: NotDueReason | None  # why the amount is nil; None when something is due
    explanation: Explanation


# ---------------------------------------------------------------------------------------------
# Input checks


def _date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(field, f"must be a date, not {type(value).__name__}")
    return value


def _range(start: object, end: object, start_field: str, end_field: str) -> tuple[dt.date, dt.date]:
    first, last = _date(start, start_field), _date(end, end_field)
    if last < first:
        raise InvalidInput(end_field, f"{last} is before {start_field} {first}")
    return first, last


def _qualifying_days(value: object) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput("qualifying_days", "must be a set of weekdays (0 Monday to 6 Sunday)")
    days = frozenset(value)
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidInput(
                "qualifying_days", f"{day!r} is not a weekday (0 Monday to 6 Sunday)"
            )
    return days or frozenset({WEDNESDAY})


def _spells(value: object) -> list[tuple[int, dt.date, dt.date]]:
    """(caller's index, start, end) in date order; overlapping spells are refused."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInput("spells", "must be a sequence of SicknessSpell")
    checked = []
    for index, spell in enumerate(value):
        if not isinstance(spell, SicknessSpell):
            raise InvalidInput(f"spells.{index}", "must be a SicknessSpell")
        start, end = _range(spell.start, spell.end, f"spells.{index}.start", f"spells.{index}.end")
        checked.append((index, start, end))
    checked.sort(key=lambda item: item[1])
    for (before, _, before_end), (index, start, _) in itertools.pairwise(checked):
        if start <= before_end:
            raise InvalidInput(
                f"spells.{index}.start", f"{start} overlaps spells.{before} (to {before_end})"
            )
    return checked


def _runs(spells: list[tuple[int, dt.date, dt.date]]) -> list[list[tuple[int, dt.date, dt.date]]]:
    """Spells that follow on without a day between are one run of sickness."""
    runs: list[list[tuple[int, dt.date, dt.date]]] = []
    for spell in spells:
        if runs and spell[1] - runs[-1][-1][2] == _ONE_DAY:
            runs[-1].append(spell)
        else:
            runs.append([spell])
    return runs


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _rates_for(day: dt.date, field: str) -> StatutoryRates:
    try:
        return statutory_rates_on(day, field=field)
    except UnknownTaxYear as error:
        raise UnknownStatutoryYear(field, f"{day}: {error.message}") from None


def _awe(value: Decimal) -> Decimal:
    try:
        return money(value, field="awe")
    except InvalidAmount as error:
        raise InvalidStatutoryAmount(error.field, error.message) from None


# ---------------------------------------------------------------------------------------------
# Amounts


class _Segments:
    """Days paid in the period, grouped by tax year, weekly rate and basis, in date order."""

    def __init__(self) -> None:
        self._days: dict[tuple[str, Decimal, int, str], list[dt.date]] = {}

    def add(
        self, tax_year: str, weekly: Decimal, days_in_week: int, basis: str, day: dt.date
    ) -> None:
        self._days.setdefault((tax_year, weekly, days_in_week, basis), []).append(day)

    def lines(self, label: str, unit: str) -> tuple[tuple[StatutoryPayLine, ...], Decimal]:
        """The lines and the period total: exact until the total, rounded half-up once."""
        exact = Fraction(0)
        total_so_far = ZERO
        lines = []
        for (tax_year, weekly, days_in_week, basis), days in sorted(
            self._days.items(), key=lambda item: item[1][0]
        ):
            exact += Fraction(weekly) * len(days) / days_in_week
            rounded = _half_up(exact)
            amount = rounded - total_so_far  # this line's share of the rounded total
            total_so_far = rounded
            daily = _fmt_daily(weekly / days_in_week)
            explanation = (
                f"{label} {tax_year}: {len(days)} {unit}{'s' if len(days) != 1 else ''} "
                f"from {days[0]} to {days[-1]} at {fmt(weekly)} a week ({basis}) over "
                f"{days_in_week} days a week ({daily} a day): {fmt(amount)}"
            )
            lines.append(
                StatutoryPayLine(
                    tax_year,
                    days[0],
                    days[-1],
                    len(days),
                    weekly,
                    days_in_week,
                    basis,
                    amount,
                    explanation,
                )
            )
        return tuple(lines), total_so_far


def _fmt_daily(daily: Decimal) -> str:
    """A daily rate for reading, to at most four places: 23.75, 39.5833 (kept exact inside)."""
    text = f"{daily.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):f}".rstrip("0")
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


def _half_up(amount: Fraction) -> Decimal:
    """A non-negative exact amount rounded half-up to the penny."""
    pennies = (amount * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(pennies) / 100).quantize(PENNY)


def _share_of_awe(awe: Decimal, rate: Decimal) -> Decimal:
    """A share of average weekly earnings, rounded UP to the penny (HMRC's SMP rule)."""
    return round_up_to_penny(awe * rate)


def _reason(found: set[NotDueReason]) -> NotDueReason:
    for reason in NotDueReason:
        if reason in found:
            return reason
    return NotDueReason.NOTHING_IN_PERIOD


_REASON_WORDS = {
    NotDueReason.BELOW_LOWER_EARNINGS_LIMIT: "average weekly earnings {} are below the lower "
    "earnings limit",
    NotDueReason.EXHAUSTED: "the most weeks are already paid",
    NotDueReason.WAITING_DAYS: "the qualifying days in the period are waiting days",
    NotDueReason.NOT_A_PIW: "the sickness is too short to be a period of incapacity for work",
    NotDueReason.NO_QUALIFYING_DAYS: "the days of sickness are not qualifying days",
    NotDueReason.NOTHING_IN_PERIOD: "nothing falls in the period",
    NotDueReason.NIL_RATE: "the days due come to nothing at a share of average weekly earnings {}",
}


def _result(
    kind: StatutoryPayKind,
    period: tuple[dt.date, dt.date],
    segments: _Segments,
    unit: str,
    waiting_days: int,
    days_paid_to_date: int,
    found: set[NotDueReason],
    awe: Decimal,
    opening: Sequence[str] = (),
) -> StatutoryPayResult:
    lines, amount = segments.lines(kind.label, unit)
    days_paid = sum(line.days for line in lines)
    sentences = [*opening, *(line.explanation for line in lines)]
    if waiting_days:
        sentences.append(
            f"{waiting_days} waiting day{'s' if waiting_days != 1 else ''} in the period (not paid)"
        )
    prefix = "ssp." if kind is StatutoryPayKind.SSP else "family."
    for tax_year in sorted({line.tax_year for line in lines}):
        unverified = [p for p in statutory_rates(tax_year).unverified if p.startswith(prefix)]
        if unverified:
            sentences.append(
                f"Unverified {tax_year} rate data (third-party source only): "
                + ", ".join(unverified)
            )
    reason = None
    if amount == 0:
        reason = _reason(found) if not days_paid else NotDueReason.NIL_RATE
        sentences.append(f"No {kind.label} due: " + _REASON_WORDS[reason].format(fmt(awe)))
    else:
        sentences.append(f"{kind.label} due for the period: {fmt(amount)}")
    return StatutoryPayResult(
        kind,
        period[0],
        period[1],
        amount,
        days_paid,
        waiting_days,
        days_paid_to_date,
        lines,
        reason,
        Explanation.of(*sentences),
    )


# ---------------------------------------------------------------------------------------------
# SSP


def ssp_for_period(
    *,
    period_start: dt.date,
    period_end: dt.date,
    spells: Sequence[SicknessSpell],
    qualifying_days: Iterable[int],
    awe: Decimal,
    paid_days_before: int = 0,
) -> StatutoryPayResult:
    """Statutory sick pay due for the days of `period_start`..`period_end` (both included).

    `spells`: every spell of sickness of the linked chain, those before the period included
    (spells further back that do not link are allowed and start chains of their own; spells
    after the period are ignored). `qualifying_days`: the weekdays the employee normally works
    (0 Monday to 6 Sunday; none means Wednesday). `awe`: average weekly earnings over the 8
    weeks before the sickness. `paid_days_before`: qualifying days of SSP already paid in the
    chain before its first spell given (e.g. by an earlier payroll system); any means the
    waiting days were served.
    """
    period = _range(period_start, period_end, "period_start", "period_end")
    awe = _awe(awe)
    pattern = _qualifying_days(qualifying_days)
    per_week = len(pattern)
    if isinstance(paid_days_before, bool) or not isinstance(paid_days_before, int):
        raise InvalidInput("paid_days_before", "must be a whole number of days")
    if paid_days_before < 0:
        raise InvalidInput("paid_days_before", "must not be negative")
    checked = _spells(spells)

    segments = _Segments()
    found: set[NotDueReason] = set()
    waiting_in_period = 0
    chain_end: dt.date | None = None  # the last day of the latest PIW
    waiting_served = 0
    served_all = paid_days_before > 0
    paid_in_chain = paid_days_before
    for run in _runs(checked):
        run_start, run_end = run[0][1], run[-1][2]
        if run_start > period[1]:
            break
        length = (run_end - run_start).days + 1
        for index, start, end in run:
            for day in _days(start, min(end, period[1])):
                field = f"spells.{index}.start" if day == start else f"spells.{index}.end"
                rates = _rates_for(day, field)
                ssp = rates.ssp
                in_period = day >= period[0]
                if length < ssp.piw_min_days:
                    if in_period:
                        found.add(NotDueReason.NOT_A_PIW)
                    continue
                if chain_end is not None and (day - chain_end).days - 1 > ssp.linking_days:
                    waiting_served, served_all, paid_in_chain = 0, False, 0  # a new chain
                chain_end = day
                if day.weekday() not in pattern:
                    if in_period:
                        found.add(NotDueReason.NO_QUALIFYING_DAYS)
                    continue
                limit = ssp.lower_earnings_limit
                if limit is not None and awe < limit:
                    if in_period:
                        found.add(NotDueReason.BELOW_LOWER_EARNINGS_LIMIT)
                    continue
                if not served_all and waiting_served < ssp.waiting_days:
                    waiting_served += 1
                    if in_period:
                        waiting_in_period += 1
                        found.add(NotDueReason.WAITING_DAYS)
                    continue
                if paid_in_chain >= ssp.max_weeks * per_week:
                    if in_period:
                        found.add(NotDueReason.EXHAUSTED)
                    continue
                paid_in_chain += 1
                if in_period:
                    weekly, basis = ssp.weekly_rate, "flat rate"
                    if ssp.awe_rate is not None:
                        share = _share_of_awe(awe, ssp.awe_rate)
                        basis = (
                            f"the lower of {fmt(ssp.weekly_rate)} and "
                            f"{fmt_rate(ssp.awe_rate)} of AWE {fmt(awe)}"
                        )
                        weekly = min(weekly, share)
                    segments.add(rates.tax_year, weekly, per_week, basis, day)
    names = ", ".join(_WEEKDAYS[day] for day in sorted(pattern))
    opening = [f"SSP on qualifying days {names}; average weekly earnings {fmt(awe)}"]
    return _result(
        StatutoryPayKind.SSP,
        period,
        segments,
        "qualifying day",
        waiting_in_period,
        paid_in_chain,
        found,
        awe,
        opening,
    )


# ---------------------------------------------------------------------------------------------
# SMP, SAP, SPP, ShPP


def _family_kind(kind: object) -> StatutoryPayKind:
    value = None
    if isinstance(kind, str):
        try:
            value = StatutoryPayKind(kind)
        except ValueError:
            value = None
    if value is None or value not in FAMILY_PAY_KINDS:
        names = ", ".join(k.value for k in FAMILY_PAY_KINDS)
        raise InvalidInput("kind", f"{kind!r} is not a family pay kind ({names})")
    return value


def family_pay_for_period(
    *,
    kind: StatutoryPayKind | str,
    leave_start: dt.date,
    leave_end: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    awe: Decimal,
    qualifying_week: dt.date | None = None,
) -> StatutoryPayResult:
    """SMP, SAP, SPP or ShPP due for the days of `period_start`..`period_end` (both included).

    Weeks are counted from `leave_start`; days after the kind's most weeks (39 for SMP and
    SAP, 2 for SPP, 37 for ShPP) are not paid. SMP and SAP: the first 6 weeks at 90% of AWE,
    the rest at the lower of the flat rate and 90% of AWE; SPP and ShPP: the lower of the two
    throughout. Nothing is due when AWE is below the lower earnings limit of the tax year
    holding `qualifying_week` (by default `leave_start`).
    """
    family_kind = _family_kind(kind)
    period = _range(period_start, period_end, "period_start", "period_end")
    leave = _range(leave_start, leave_end, "leave_start", "leave_end")
    awe = _awe(awe)
    test_day = leave[0] if qualifying_week is None else _date(qualifying_week, "qualifying_week")
    entitlement = _rates_for(
        test_day, "leave_start" if qualifying_week is None else "qualifying_week"
    ).family
    max_weeks = _rates_for(leave[0], "leave_start").family.max_weeks[family_kind]
    last_payable = leave[0] + dt.timedelta(days=7 * max_weeks - 1)

    segments = _Segments()
    found: set[NotDueReason] = set()
    first, last = max(period[0], leave[0]), min(period[1], leave[1])
    if awe < entitlement.lower_earnings_limit:
        if first <= last:
            found.add(NotDueReason.BELOW_LOWER_EARNINGS_LIMIT)
        paid_to_date = 0
    else:
        for day in _days(first, min(last, last_payable)):
            field = "leave_start" if day == leave[0] else "leave_end"
            rates = _rates_for(day, field)
            family = rates.family
            share = _share_of_awe(awe, family.awe_rate)
            week = (day - leave[0]).days // 7
            higher = family_kind in (StatutoryPayKind.SMP, StatutoryPayKind.SAP)
            if higher and week < family.higher_rate_weeks:
                weekly, basis = share, f"{fmt_rate(family.awe_rate)} of AWE {fmt(awe)}"
            else:
                weekly = min(family.flat_rate, share)
                basis = (
                    f"the lower of {fmt(family.flat_rate)} and "
                    f"{fmt_rate(family.awe_rate)} of AWE {fmt(awe)}"
                )
            segments.add(rates.tax_year, weekly, 7, basis, day)
        if first <= last and last > last_payable:
            found.add(NotDueReason.EXHAUSTED)
        paid_to_date = max(0, (min(period[1], leave[1], last_payable) - leave[0]).days + 1)
    opening = [
        f"{family_kind.label} for leave from {leave[0]} to {leave[1]} (at most {max_weeks} "
        f"weeks); average weekly earnings {fmt(awe)}"
    ]
    return _result(family_kind, period, segments, "day", 0, paid_to_date, found, awe, opening)
