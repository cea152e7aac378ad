"""What every procurement router shares: wire types (codes, text, amounts, quantities) and
the created/ETag/page helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Request, Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from sop_procurement.ports import RecordPage
from sop_shared.concurrency import set_etag
from sop_shared.money import Money
from sop_shared.pagination import Page, link_next

PREFIX = "/procurement/v1"

# Finance's codes (cost centres, accounts): upper-case business keys, quoted unchanged.
Code = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Z0-9][A-Z0-9._/-]*$"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]

Amount = Annotated[Money, Field(ge=0)]
PositiveAmount = Annotated[Money, Field(gt=0)]


def _quantity(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value)
        except ArithmeticError:
            raise ValueError('a quantity is a decimal string such as "2" or "1.5"') from None
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        raise ValueError("a quantity is a decimal string or a whole number, never a float")
    if not amount.is_finite() or amount <= 0:
        raise ValueError("a quantity is greater than zero")
    if amount.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError("a quantity has at most three decimal places")
    if amount > Decimal("999999999"):
        raise ValueError("a quantity is at most 999999999")
    return amount


Quantity = Annotated[
    Decimal,
    BeforeValidator(_quantity),
    PlainSerializer(lambda v: format(Decimal(v).normalize(), "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,3})?$", "examples": ["2"]}),
]
"""A quantity greater than zero, at most three places: "2", "1.5"."""


def _signed_quantity(value: Any) -> Decimal:
    """A receipt's quantity: received (positive) or returned (negative), never zero."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        negative = str(value).strip().startswith("-")
        magnitude = _quantity(str(value).strip().lstrip("-") if negative else value)
        return -magnitude if negative else magnitude
    if isinstance(value, Decimal):
        return -_quantity(-value) if value < 0 else _quantity(value)
    raise ValueError("a quantity is a decimal string or a whole number, never a float")


SignedQuantity = Annotated[
    Decimal,
    BeforeValidator(_signed_quantity),
    PlainSerializer(lambda v: format(Decimal(v).normalize(), "f"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,3})?$", "examples": ["2", "-1"]}
    ),
]
"""A quantity received ("2") or returned ("-1"): not zero, at most three places."""

QuantityOut = Annotated[
    Decimal,
    PlainSerializer(lambda v: format(Decimal(v).normalize(), "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,3})?$"}),
]
"""A quantity as the service reports it (zero allowed): "0", "1.5"."""


def _percent(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError('a percentage is a decimal string such as "10" or "2.5"')
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        raise ValueError('a percentage is a decimal string such as "10" or "2.5"') from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise ValueError("a percentage runs from 0 to 100")
    if rate.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("a percentage has at most two decimal places")
    return rate


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    PlainSerializer(lambda v: format(Decimal(v).normalize(), "f"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$", "examples": ["10"]}
    ),
]
"""A percentage from 0 to 100, at most two places: "10", "2.5"."""

VAT_RATES = (Decimal("0"), Decimal("5"), Decimal("20"))


def _vat_rate(value: Any) -> Decimal:
    rate = Decimal(str(value)) if isinstance(value, str | int) else value
    if not isinstance(rate, Decimal) or rate not in VAT_RATES:
        raise ValueError('the UK VAT rate is "20" (standard), "5" (reduced) or "0"')
    return rate


VatRate = Annotated[
    Decimal,
    BeforeValidator(_vat_rate),
    PlainSerializer(lambda v: format(Decimal(v).normalize(), "f"), return_type=str),
    WithJsonSchema({"type": "string", "enum": ["20", "5", "0"]}),
]

EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def _business_date(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"dates run from {EARLIEST_DATE} to {LATEST_DATE}")
    return day


BusinessDate = Annotated[date, AfterValidator(_business_date)]


class In(BaseModel):
    """A request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


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
