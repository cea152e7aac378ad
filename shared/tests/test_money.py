"""Money on the wire: two-place decimal strings in and out; nothing odd becomes a 500."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from sop_shared.money import MAX_AMOUNT, MONEY_PATTERN, Money


class Amount(BaseModel):
    amount: Money


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("1234.50", "1234.50"),
        ("0.00", "0.00"),
        ("-3.20", "-3.20"),
        ("9999999999999.99", "9999999999999.99"),
        (Decimal("7"), "7.00"),  # a record's value, inside the service
    ],
)
def test_amounts_are_emitted_with_two_places(given_value, expected):
    assert Amount(amount=given_value).model_dump(mode="json") == {"amount": expected}


@pytest.mark.parametrize(
    "bad",
    [
        "1E2",
        "1e2",
        "1_000.00",
        "+10.00",
        " 10.00 ",
        "10.00\n",
        "\uff11\uff10.\uff10\uff10",  # full-width digits
        "\u0661\u0660.\u0660\u0660",  # Arabic-Indic digits
        "1234.5",
        "10",
        ".50",
        "-0.5",
        "10000000000000.00",  # 14 digits before the point: over the maximum
        "-10000000000000.00",
        7,
        Decimal("1E+13"),
    ],
)
def test_only_the_published_pattern_is_an_amount(bad):
    """`^-?[0-9]+\\.[0-9]{2}$`, at most 13 digits before the point: anything else is refused
    with a message, and the field is named."""
    with pytest.raises(ValidationError) as caught:
        Amount.model_validate_json(json.dumps({"amount": bad}, default=str))
    (error,) = caught.value.errors()
    assert error["loc"] == ("amount",)


def test_the_schema_publishes_the_rule_the_parser_applies():
    schema = Amount.model_json_schema()["properties"]["amount"]
    assert schema["pattern"] == r"^-?\d+\.\d{2}$"
    assert MONEY_PATTERN.fullmatch("9999999999999.99") and not MONEY_PATTERN.fullmatch("1\n.00")
    assert str(MAX_AMOUNT) in schema["description"]


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        True,
        "1.234",
        "abc",
        "NaN",
        "Infinity",
        "1e30",
        "99999999999999999999999999999",
        "",
        None,
    ],
)
def test_odd_amounts_are_validation_errors_not_crashes(bad):
    with pytest.raises(ValidationError):
        Amount(amount=bad)


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_round_trip_is_exact(value):
    assert Amount.model_validate_json(Amount(amount=value).model_dump_json()).amount == value
