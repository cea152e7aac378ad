"""Request and response bodies for journals: the posting API contract (docs/finance.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_finance.http import Amount, BusinessDate, Code, In, Name, Out, Reference, Source, Text
from sop_finance.journals.ports import MANUAL, ZERO, JournalStatus
from sop_shared.money import Money

MAX_LINES = 10_000


class JournalLineIn(In):
    account_code: Code
    debit: Amount = ZERO
    credit: Amount = ZERO
    cost_centre_code: Code | None = None
    programme: Code | None = None
    project: Code | None = None
    description: Text | None = None


class JournalCreate(In):
    description: Name
    posting_date: BusinessDate = Field(description="Decides the period the journal posts into.")
    adjustment: bool = Field(
        False,
        description="Post into the year's adjustment period (13); the posting date must then "
        "fall in March, the year's last month.",
    )
    source: Source = MANUAL
    source_reference: Reference | None = Field(
        None,
        description="The source document (pay run, invoice). Required for every source but "
        "manual, and unique per source: a document posts once.",
    )
    lines: list[JournalLineIn] = Field(max_length=MAX_LINES)
    post: bool = Field(
        False,
        description="Create and post in one step (requires Idempotency-Key). Manual journals "
        "above the approval threshold must be approved first, so cannot use this.",
    )


class JournalUpdate(In):
    description: Name | None = None
    posting_date: BusinessDate | None = None
    adjustment: bool | None = None
    source_reference: Reference | None = None
    lines: list[JournalLineIn] | None = Field(None, max_length=MAX_LINES)


class ReversalCreate(In):
    posting_date: BusinessDate | None = Field(
        None, description="Defaults to the original's posting date (its period must be open)."
    )
    adjustment: bool | None = Field(
        None,
        description="Post into the adjustment period (13; the date must fall in March). "
        "Without a posting_date it defaults to the original's, so the reversal lands in the "
        "original's own period; with a posting_date, to false: the reversal lands in that "
        "date's month, as any journal's posting date decides its period.",
    )
    description: Name | None = None


class JournalLineOut(Out):
    line_number: int
    account_code: str
    cost_centre_code: str | None
    programme: str | None
    project: str | None
    debit: Money
    credit: Money
    description: str | None


class JournalSummaryOut(Out):
    id: uuid.UUID
    number: str
    description: str
    posting_date: date
    period: str = Field(validation_alias="period_code")
    adjustment: bool
    status: JournalStatus
    source: str
    source_reference: str | None
    total: Money
    prepared_by: str
    approved_by: str | None
    approved_at: datetime | None
    posted_by: str | None
    posted_at: datetime | None
    reverses_journal_id: uuid.UUID | None
    reversed_by_journal_id: uuid.UUID | None
    requires_approval: bool = False
    version: int
    created_at: datetime
    updated_at: datetime


class JournalOut(JournalSummaryOut):
    lines: list[JournalLineOut]
