"""Tax code parsing: every HMRC code form, and clear errors for anything else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_payroll.engine import (
    MalformedTaxCode,
    TaxCodeKind,
    TaxRegime,
    calculate_income_tax,
    parse_tax_code,
)


@pytest.mark.parametrize(
    ("text", "regime", "kind", "number", "letter", "flat"),
    [
        ("1257L", TaxRegime.REST_OF_UK, TaxCodeKind.ALLOWANCE, 1257, "L", ""),
        ("1383M", TaxRegime.REST_OF_UK, TaxCodeKind.ALLOWANCE, 1383, "M", ""),
        ("1131N", TaxRegime.REST_OF_UK, TaxCodeKind.ALLOWANCE, 1131, "N", ""),
        ("500T", TaxRegime.REST_OF_UK, TaxCodeKind.ALLOWANCE, 500, "T", ""),
        ("0T", TaxRegime.REST_OF_UK, TaxCodeKind.ALLOWANCE, 0, "T", ""),
        ("S1257L", TaxRegime.SCOTLAND, TaxCodeKind.ALLOWANCE, 1257, "L", ""),
        ("C1257L", TaxRegime.WALES, TaxCodeKind.ALLOWANCE, 1257, "L", ""),
        ("S0T", TaxRegime.SCOTLAND, TaxCodeKind.ALLOWANCE, 0, "T", ""),
        ("K475", TaxRegime.REST_OF_UK, TaxCodeKind.K, 475, "", ""),
        ("SK585", TaxRegime.SCOTLAND, TaxCodeKind.K, 585, "", ""),
        ("CK12", TaxRegime.WALES, TaxCodeKind.K, 12, "", ""),
        ("BR", TaxRegime.REST_OF_UK, TaxCodeKind.FLAT_RATE, 0, "", "BR"),
        ("SBR", TaxRegime.SCOTLAND, TaxCodeKind.FLAT_RATE, 0, "", "BR"),
        ("CBR", TaxRegime.WALES, TaxCodeKind.FLAT_RATE, 0, "", "BR"),
        ("D0", TaxRegime.REST_OF_UK, TaxCodeKind.FLAT_RATE, 0, "", "D0"),
        ("D1", TaxRegime.REST_OF_UK, TaxCodeKind.FLAT_RATE, 0, "", "D1"),
        ("CD1", TaxRegime.WALES, TaxCodeKind.FLAT_RATE, 0, "", "D1"),
        ("SD0", TaxRegime.SCOTLAND, TaxCodeKind.FLAT_RATE, 0, "", "D0"),
        ("SD3", TaxRegime.SCOTLAND, TaxCodeKind.FLAT_RATE, 0, "", "D3"),
        ("NT", TaxRegime.REST_OF_UK, TaxCodeKind.NO_TAX, 0, "", ""),
    ],
)
def test_every_code_form_parses(
    text: str, regime: TaxRegime, kind: TaxCodeKind, number: int, letter: str, flat: str
) -> None:
    code = parse_tax_code(text)
    assert (code.regime, code.kind, code.number, code.letter, code.flat_rate_code) == (
        regime,
        kind,
        number,
        letter,
        flat,
    )
    assert code.code == text
    assert not code.non_cumulative


@pytest.mark.parametrize(
    ("text", "canonical", "marker"),
    [
        ("1257L W1", "1257L W1", "W1"),
        ("1257LM1", "1257L M1", "M1"),
        ("1257L/X", "1257L X", "X"),
        ("  s1257l  x ", "S1257L X", "X"),
        ("K475 M1", "K475 M1", "M1"),
        ("BR W1", "BR W1", "W1"),
        ("SD2M1", "SD2 M1", "M1"),
    ],
)
def test_non_cumulative_markers(text: str, canonical: str, marker: str) -> None:
    code = parse_tax_code(text)
    assert code.code == canonical
    assert code.marker == marker
    assert code.non_cumulative
    assert str(code) == canonical


def test_body_is_the_code_without_prefix_or_marker() -> None:
    assert parse_tax_code("S1257L M1").body == "1257L"
    assert parse_tax_code("CK475").body == "K475"
    assert parse_tax_code("SD1 W1").body == "D1"
    assert parse_tax_code("NT").body == "NT"


def test_parsed_codes_round_trip_and_are_cached() -> None:
    code = parse_tax_code("C1257L W1")
    assert parse_tax_code(code.code) == code
    assert parse_tax_code("C1257L W1") is code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1257",
        "L",
        "K0",
        "K",
        "01257L",
        "1257P",
        "1257Y",
        "D",
        "DX",
        "XBR",
        "1257L W2",
        "1257L M",
        "1234567L",
        "SS1257L",
        "BRX1",
        "-1257L",
        "12 57L",
    ],
)
def test_malformed_codes_name_the_tax_code_field(text: str) -> None:
    with pytest.raises(MalformedTaxCode) as raised:
        parse_tax_code(text)
    assert raised.value.field == "tax_code"
    assert repr(text) in raised.value.message


def test_a_code_that_is_not_text_is_malformed() -> None:
    with pytest.raises(MalformedTaxCode):
        parse_tax_code(1257)


@pytest.mark.parametrize("text", ["D2", "CD2", "D3", "SD4"])
def test_d_codes_beyond_the_regimes_bands_are_rejected(text: str) -> None:
    with pytest.raises(MalformedTaxCode) as raised:
        calculate_income_tax(
            tax_year="2025-26",
            frequency="monthly",
            period=1,
            tax_code=text,
            taxable_pay=Decimal("100.00"),
        )
    assert raised.value.field == "tax_code"
