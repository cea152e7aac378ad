"""Response bodies for the bank holiday calendar."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from sop_shared.calendar import HomeRegion


class BankHolidayOut(BaseModel):
    date: date
    title: str
    substitute: bool
    region: HomeRegion
