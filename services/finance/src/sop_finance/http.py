"""What every finance router shares: wire types (codes, bank details, BACS text, amounts) and
the created/ETag/page helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Request, Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from sop_finance.ports import RecordPage
from sop_shared.concurrency import set_etag
from sop_shared.money import Money
from sop_shared.pagination import Page, link_next

PREFIX = "/finance/v1"

# --- wire types ---------------------------------------------------------------------------------

# Codes are business keys other systems quote (HR cost centres, payroll mappings): upper-case,
# no spaces, and never changed once created.
Code = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Z0-9][A-Z0-9._/-]*$"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

BACS_ALLOWED = re.compile(r"^[A-Z0-9.&/\- ]*$")


def _digits(v: object) -> object:
    return v.replace("-", "").replace(" ", "") if isinstance(v, str) else v


SortCode = Annotated[
    str,
    BeforeValidator(_digits),
    StringConstraints(pattern=r"^[0-9]{6}$"),
]
"""Six digits; "12-34-56" is accepted and stored as "123456"."""

BankAccountNumber = Annotated[
    str, BeforeValidator(_digits), StringConstraints(pattern=r"^[0-9]{8}$")
]

ServiceUserNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


def _bacs_text(v: str) -> str:
    if not BACS_ALLOWED.match(v):
        raise ValueError("BACS allows only A-Z 0-9 . & / - and space")
    return v


BacsName = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(min_length=1, max_length=18),
    AfterValidator(_bacs_text),
]
"""A name as the bank sees it in a BACS record: at most 18 characters from the BACS set."""

# The kernel's Money is the one rule (pattern and maximum) HR, finance and payroll share.
Amount = Annotated[Money, Field(ge=0)]
"""A non-negative amount: "1234.50"."""

PositiveAmount = Annotated[Money, Field(gt=0)]

EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def _business_date(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"dates run from {EARLIEST_DATE} to {LATEST_DATE}")
    return day


BusinessDate = Annotated[
    date,
    AfterValidator(_business_date),
    Field(json_schema_extra={"formatMinimum": "1900-01-01", "formatMaximum": "2999-12-31"}),
]
"""A date a business event happens on (posting, invoice, due, payment, commitment, as of):
1900-01-01 to 2999-12-31, so a period's year has four digits; anything else is 422."""

Source = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z0-9_-]{1,29}$"),
]
"""Where a journal comes from: manual, payroll, procurement, ..."""


# --- bodies and responses ----------------------------------------------------------------------


class In(BaseModel):
    """A request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")

    def values(
        self,
        *,
        only_set: bool = False,
        drop_none: bool = False,
        exclude: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """Field values as Python objects (`model_dump` would turn money into strings).
        `only_set` keeps what the client sent (a PATCH); `drop_none` ignores explicit nulls for
        fields that cannot be cleared."""
        names = self.model_fields_set if only_set else type(self).model_fields
        values = {name: getattr(self, name) for name in names if name not in exclude}
        return {k: v for k, v in values.items() if v is not None} if drop_none else values


class Out(BaseModel):
    """A response body, built from a record's attributes."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, obj: Any) -> Any:
        return cls.model_validate(obj, from_attributes=True)


def created(response: Response, path: str, version: int) -> None:
    response.headers["Location"] = f"{PREFIX}{path}"
    set_etag(response, version)


def page_of(
    request: Request, response: Response, found: RecordPage[Any], out: Callable[[Any], Any]
) -> Page[Any]:
    """The route's page body (its `response_model` names the item type) and `Link` header."""
    link_next(request, response, found.next_cursor)
    return Page[Any](items=[out(item) for item in found.items], next_cursor=found.next_cursor)
