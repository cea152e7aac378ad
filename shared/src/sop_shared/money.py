"""Money: `Decimal` inside, a two-place decimal string on the wire, never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

PENNY = Decimal("0.01")
# Far beyond any public body's ledger, well inside Decimal's 28 digits and NUMERIC(15, 2).
MAX_AMOUNT = Decimal("1e13")


def _parse_money(value: Any) -> Decimal:
    # Floats are refused outright: 0.1 + 0.2 style errors must never reach a ledger.
    if isinstance(value, (bool, float)):
        raise ValueError('amounts are decimal strings such as "1234.50", not JSON numbers')
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal amount") from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError("amount must be a finite decimal")
    if abs(value) >= MAX_AMOUNT:
        raise ValueError("amount is out of range (at most 13 digits before the point)")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("amount has more than two decimal places")
    return value.quantize(PENNY)


Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    PlainSerializer(lambda v: str(Decimal(v).quantize(PENNY)), return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]}),
]
"""A monetary amount: accepts "1234.5" or "1234.50" (or an integer), emits "1234.50"."""
