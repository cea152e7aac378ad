"""Money helpers: the HMRC rounding rules and input checks, all on Decimal."""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
)
from functools import lru_cache

from sop_payroll.engine.errors import InvalidAmount

PENNY = Decimal("0.01")
MILL = Decimal("0.001")
POUND = Decimal(1)
ZERO = Decimal("0.00")
NI_BIAS = Decimal("0.004")

# One context per rounding direction: Context.quantize takes its rounding from the context,
# which is quicker on the hot path than passing rounding= to Decimal.quantize every time.
_FLOOR = Context(rounding=ROUND_FLOOR)
_CEILING = Context(rounding=ROUND_CEILING)
_HALF_UP = Context(rounding=ROUND_HALF_UP)
_check_pennies = Context(traps=[Inexact, InvalidOperation]).quantize


def money(value: Decimal | int | str, *, field: str, allow_negative: bool = False) -> Decimal:
    """An input amount as a two-place Decimal; floats are refused (they cannot hold pennies)."""
    if value.__class__ is not Decimal:
        value = _to_decimal(value, field)
    try:
        amount = value.quantize(PENNY)
    except ArithmeticError:
        raise InvalidAmount(field, f"{value} is not a finite amount") from None
    # Quantising to pennies changes the value only if it had more places (or was NaN).
    if amount != value:
        if not value.is_finite():
            raise InvalidAmount(field, f"{value} is not a finite amount")
        raise InvalidAmount(field, f"{value} has more than two decimal places")
    if amount < 0 and not allow_negative:
        raise InvalidAmount(field, f"{amount} must not be negative")
    return amount


def pennies(value: object) -> Decimal | None:
    """A finite Decimal with at most two places, as a two-place Decimal; None otherwise.

    The quick test for the hot path: on None, call money() for the error naming the field
    (or to accept an int or a decimal string).
    """
    if value.__class__ is not Decimal:
        return None
    try:
        amount = _check_pennies(value, PENNY)
    except (ArithmeticError, TypeError):
        return None
    return amount if amount == amount else None  # NaN is the one value unequal to itself


def all_pennies(values: tuple[object, ...]) -> bool:
    """True if every value is a finite Decimal with at most two places.

    The quick check for figures to date: quantising to pennies under a context that traps
    inexact results fails for anything with more places (or infinite), and a NaN is the
    one value unequal to itself.
    """
    try:
        for value in values:
            if value.__class__ is not Decimal or value != value:
                return False
            _check_pennies(value, PENNY)
    except ArithmeticError:  # a signalling NaN, or more than two places
        return False
    return True


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            raise InvalidAmount(field, f"{value!r} is not a decimal amount") from None
    raise InvalidAmount(field, f"must be a Decimal amount, not {type(value).__name__}")


def round_down_to_penny(amount: Decimal) -> Decimal:
    """Tax is always rounded down to the penny (HMRC PAYE specification)."""
    return _FLOOR.quantize(amount, PENNY)


def round_up_to_penny(amount: Decimal) -> Decimal:
    """Free pay per period is rounded up to the penny (HMRC PAYE specification)."""
    return _CEILING.quantize(amount, PENNY)


def round_down_to_pound(amount: Decimal) -> Decimal:
    """Taxable pay after free pay, and student loan deductions, are whole pounds, rounded down.

    The result keeps two places (1234.00) so every amount the engine returns looks alike.
    """
    return _FLOOR.quantize(amount, POUND).quantize(PENNY)


def round_nearest_penny(amount: Decimal) -> Decimal:
    """Half-pennies up: the convention for pension contributions and presented amounts."""
    return _HALF_UP.quantize(amount, PENNY)


def round_ni(amount: Decimal) -> Decimal:
    """HMRC NICs rounding: look at the third decimal only; 5 or less rounds down, 6 or more up.

    HMRC test data confirms that digits beyond the third are ignored: 0.0056 gives 0.00.
    For amounts of zero or more that is floor(100x + 0.4) / 100: truncating to three
    places and rounding the third half-down lands on the same penny as adding 0.004 and
    rounding down.
    """
    return _FLOOR.quantize(amount + NI_BIAS, PENNY)


def round_threshold(amount: Decimal, method: str) -> Decimal:
    """A period NI threshold in whole pounds: "nearest" (half up) or "up"."""
    if method == "nearest":
        return amount.quantize(POUND, rounding=ROUND_HALF_UP)
    if method == "up":
        return amount.quantize(POUND, rounding=ROUND_CEILING)
    if method == "down":
        return amount.quantize(POUND, rounding=ROUND_DOWN)
    raise ValueError(f"unknown threshold rounding {method!r}")


def fmt(amount: Decimal) -> str:
    """An amount as it reads on a payslip: 3,144.78 (a minus sign for negatives)."""
    return f"{amount:,.2f}"


@lru_cache(maxsize=256)
def fmt_rate(rate: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.0185 -> 1.85%, 0.20 -> 20%."""
    percent = (rate * 100).normalize()
    if percent == percent.to_integral_value():
        return f"{int(percent)}%"
    return f"{percent:f}%"
