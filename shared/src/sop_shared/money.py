"""Money: `Decimal` inside, a two-place decimal string on the wire, never a float.

One rule for every service: an amount is a string matching `^-?[0-9]+\\.[0-9]{2}$` (ASCII digits,
exactly two decimal places, no sign but a leading minus, no exponent, separators or spaces), at
most 13 digits before the point (`MAX_AMOUNT`, 9999999999999.99: NUMERIC(15, 2)). Anything else
is a validation error naming the field (422). Inside a service a `Decimal` with at most two
places (a record's value) is accepted too."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

PENNY = Decimal("0.01")
MONEY_PATTERN = re.compile(r"^-?[0-9]{1,13}\.[0-9]{2}$")
# The pattern the OpenAPI documents publish (JSON Schema's `\d` is ASCII 0-9 only); the
# maximum is stated beside it.
PUBLISHED_PATTERN = r"^-?\d+\.\d{2}$"
# The largest amount (in absolute value): 13 digits before the point, two after.
MAX_AMOUNT = Decimal("9999999999999.99")
RULE = (
    'a decimal string with two places, such as "1234.50" (digits 0-9, an optional leading '
    f"minus, at most 13 digits before the point: up to {MAX_AMOUNT})"
)


def _parse_money(value: Any) -> Decimal:
    amount: Decimal
    if isinstance(value, Decimal):  # a value from inside the service
        if not value.is_finite():
            raise ValueError("amount must be a finite decimal")
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("amount has more than two decimal places")
        amount = value
    elif isinstance(value, str):
        # `fullmatch`, and [0-9] not \d: no trailing newline, no full-width or other digits.
        if not MONEY_PATTERN.fullmatch(value):
            raise ValueError(f"{value[:40]!r} is not an amount: send {RULE}")
        amount = Decimal(value)
    else:
        # Floats above all: 0.1 + 0.2 style errors must never reach a ledger.
        raise ValueError(f"amounts are strings, not JSON numbers: send {RULE}")
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"amount is out of range: at most {MAX_AMOUNT}")
    return amount.quantize(PENNY)


Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    PlainSerializer(lambda v: str(Decimal(v).quantize(PENNY)), return_type=str, when_used="always"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": PUBLISHED_PATTERN,
            "description": f"An amount: {RULE}.",
            "examples": ["1234.50"],
        }
    ),
]
"""A monetary amount: accepts "1234.50" (and a `Decimal` inside a service), emits "1234.50"."""
