"""Money on the wire: two-place decimal strings in and out; nothing odd becomes a 500."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from sop_shared.money import Money


class Amount(BaseModel):
    amount: Money


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [("1234.5", "1234.50"), ("0", "0.00"), ("-3.20", "-3.20"), (7, "7.00")],
)
def test_amounts_are_emitted_with_two_places(given_value, expected):
    assert Amount(amount=given_value).model_dump(mode="json") == {"amount": expected}


@pytest.mark.parametrize(
    "bad",
    [1.5, True, "1.234", "abc", "NaN", "Infinity", "1e30", "99999999999999999999999999999", ""],
)
def test_odd_amounts_are_validation_errors_not_crashes(bad):
    with pytest.raises(ValidationError):
        Amount(amount=bad)


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_round_trip_is_exact(value):
    assert Amount.model_validate_json(Amount(amount=value).model_dump_json()).amount == value
