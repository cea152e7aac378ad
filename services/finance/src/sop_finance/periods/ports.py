"""The government financial year (1 April - 31 March) as records and calendar rules, and
the port an adapter implements for financial years and periods."""

# Periods 1-12 are the calendar months April to March and are named by month ("2026-08" is
# period 5 of 2026-27). Period 13 is the adjustment period at the year end, named "2026-27-ADJ";
# journals reach it only by asking for it (and the year-end closing journal lands there).

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

from sop_finance.ports import Record

PeriodStatus = Literal["open", "soft_closed", "closed"]
PERIOD_STATUSES: tuple[PeriodStatus, ...] = ("open", "soft_closed", "closed")
YearStatus = Literal["open", "closed"]
ADJUSTMENT_PERIOD = 13

# Years 1900-2999 (ASCII digits): the dates finance takes (`http.BusinessDate`).
_YEAR = r"(19[0-9]{2}|2[0-9]{3})"
_MONTH_CODE = re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2])$")
_ADJ_CODE = re.compile(rf"^{_YEAR}-([0-9]{{2}})-ADJ$")
_YEAR_LABEL = re.compile(rf"^{_YEAR}-([0-9]{{2}})$")


def fiscal_year_of(day: date) -> int:
    """The year in which the financial year containing `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse_year_label(label: str) -> int:
    """ "2026-27" -> 2026; ValueError for anything else."""
    m = _YEAR_LABEL.match(label)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"{label!r} is not a financial year such as 2026-27")
    return int(m.group(1))


@dataclass(frozen=True, order=True)
class PeriodRef:
    """A period's place in time: (financial year, number 1-13). Orders chronologically."""

    fiscal_year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= ADJUSTMENT_PERIOD:
            raise ValueError("period number is 1-13")

    @classmethod
    def of_date(cls, day: date, *, adjustment: bool = False) -> PeriodRef:
        fy = fiscal_year_of(day)
        if adjustment:
            return cls(fy, ADJUSTMENT_PERIOD)
        return cls(fy, day.month - 3 if day.month >= 4 else day.month + 9)

    @classmethod
    def parse(cls, code: str) -> PeriodRef:
        """ "2026-08" (a month) or "2026-27-ADJ" (the adjustment period)."""
        if m := _MONTH_CODE.match(code):
            return cls.of_date(date(int(m.group(1)), int(m.group(2)), 1))
        if m := _ADJ_CODE.match(code):
            return cls(parse_year_label(f"{m.group(1)}-{m.group(2)}"), ADJUSTMENT_PERIOD)
        raise ValueError(f"{code!r} is not a period such as 2026-08 or 2026-27-ADJ")

    @property
    def key(self) -> int:
        """A sortable integer (202605): how balances are keyed by period."""
        return self.fiscal_year * 100 + self.number

    @classmethod
    def from_key(cls, key: int) -> PeriodRef:
        return cls(key // 100, key % 100)

    @property
    def is_adjustment(self) -> bool:
        return self.number == ADJUSTMENT_PERIOD

    @property
    def calendar_month(self) -> tuple[int, int]:
        n = min(self.number, 12)  # the adjustment period sits in March, beside period 12
        return (self.fiscal_year, n + 3) if n <= 9 else (self.fiscal_year + 1, n - 9)

    @property
    def code(self) -> str:
        if self.is_adjustment:
            return f"{year_label(self.fiscal_year)}-ADJ"
        year, month = self.calendar_month
        return f"{year}-{month:02d}"

    @property
    def start(self) -> date:
        year, month = self.calendar_month
        return date(year, 3, 31) if self.is_adjustment else date(year, month, 1)

    @property
    def end(self) -> date:
        year, month = self.calendar_month
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def year_start_key(self) -> int:
        return self.fiscal_year * 100 + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def periods_of_year(start_year: int) -> list[PeriodRef]:
    return [PeriodRef(start_year, n) for n in range(1, ADJUSTMENT_PERIOD + 1)]


@dataclass(kw_only=True)
class Period(Record):
    fiscal_year: int
    number: int
    code: str
    start_date: date
    end_date: date
    status: PeriodStatus = "open"

    @property
    def ref(self) -> PeriodRef:
        return PeriodRef(self.fiscal_year, self.number)

    @property
    def financial_year(self) -> str:
        return year_label(self.fiscal_year)

    @classmethod
    def new(cls, ref: PeriodRef) -> Period:
        return cls(
            fiscal_year=ref.fiscal_year,
            number=ref.number,
            code=ref.code,
            start_date=ref.start,
            end_date=ref.end,
        )


@dataclass(kw_only=True)
class FinancialYear(Record):
    start_year: int
    status: YearStatus = "open"
    closing_journal_id: uuid.UUID | None = None

    @property
    def label(self) -> str:
        return year_label(self.start_year)

    @property
    def start_date(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.start_year + 1, 3, 31)


class PeriodsPort(Protocol):
    async def list_years(self) -> list[FinancialYear]: ...

    async def get_year(self, start_year: int, *, lock: bool = False) -> FinancialYear | None: ...

    async def add_year(self, year: FinancialYear, periods: list[Period]) -> FinancialYear: ...

    async def update_year(self, year: FinancialYear) -> FinancialYear: ...

    async def list_periods(
        self, *, fiscal_year: int | None = None, status: PeriodStatus | None = None
    ) -> list[Period]: ...

    async def get_period(self, code: str, *, hold: bool = False) -> Period | None:
        """`hold=True` keeps the period's state from changing until the transaction ends (a
        posting holds its period, so a concurrent close waits for it)."""
        ...

    async def update_period(self, period: Period) -> Period: ...
