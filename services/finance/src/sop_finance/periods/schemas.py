"""Request and response bodies for financial years and periods."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_finance.http import In, Out
from sop_finance.periods.ports import PeriodStatus, YearStatus


class FinancialYearCreate(In):
    start_year: int = Field(ge=2000, le=2100, description="2027 opens 2027-28 (1 April 2027).")


class FinancialYearOut(Out):
    id: uuid.UUID
    label: str = Field(examples=["2026-27"])
    start_year: int
    start_date: date
    end_date: date
    status: YearStatus
    closing_journal_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class PeriodOut(Out):
    id: uuid.UUID
    code: str = Field(examples=["2026-08", "2026-27-ADJ"])
    financial_year: str
    number: int = Field(description="1 (April) to 12 (March); 13 is the adjustment period.")
    start_date: date
    end_date: date
    status: PeriodStatus
    version: int
    created_at: datetime
    updated_at: datetime


class PeriodUpdate(In):
    status: PeriodStatus
