"""HMRC's 2025-26 test data, read as published, grouped into employees' years for the tests.

The files are kept in this repository, unchanged, in tests/data/hmrc/2025-26 (see the
README there for their source and licence).
Rows of one sheet (the TestIdentifier before its last "/") are consecutive periods of one
employee, and a row for period 1 (or 0, see the NI tests) starts a new employee. Each case
becomes its own test: a fixture named `hmrc_<file>_case` receives the rows of that
employee's year up to and including the case, to replay through the engine.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

HMRC_DATA = Path(__file__).resolve().parents[1] / "data" / "hmrc" / "2025-26"
HMRC_FILES = {
    "hmrc_income_tax_case": "income_tax_test_data_2025-2026.json",
    "hmrc_ni_case": "national_insurance_test_data_2025-2026.json",
    "hmrc_director_case": "directors_national_insurance_test_data_2025-2026.json",
}

Row = dict[str, Any]


@cache
def hmrc_rows(name: str) -> tuple[Row, ...]:
    """One HMRC file; decimals are read as Decimal, never float."""
    with (HMRC_DATA / name).open(encoding="utf-8") as handle:
        return tuple(json.load(handle, parse_float=Decimal))


def _sheet(row: Row) -> str:
    return row["TestIdentifier"].rsplit("/", 1)[0]


@cache
def hmrc_years(name: str) -> tuple[tuple[Row, ...], ...]:
    """For each row, the rows of its employee's year up to and including it."""
    histories: list[tuple[Row, ...]] = []
    current: tuple[Row, ...] = ()
    for row in hmrc_rows(name):
        if not current or _sheet(current[-1]) != _sheet(row) or row["Period"] <= 1:
            current = ()
        current = (*current, row)
        histories.append(current)
    return tuple(histories)


def hmrc_case_id(row: Row) -> str:
    return row["TestIdentifier"].replace(" ", "")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, name in HMRC_FILES.items():
        if fixture in metafunc.fixturenames:
            years = hmrc_years(name)
            metafunc.parametrize(fixture, years, ids=[hmrc_case_id(h[-1]) for h in years])


@pytest.fixture(scope="session")
def hmrc_income_tax_years() -> tuple[tuple[Row, ...], ...]:
    return hmrc_years(HMRC_FILES["hmrc_income_tax_case"])


@pytest.fixture(scope="session")
def hmrc_ni_rows() -> tuple[Row, ...]:
    return hmrc_rows(HMRC_FILES["hmrc_ni_case"])


@pytest.fixture(scope="session")
def hmrc_director_rows() -> tuple[Row, ...]:
    return hmrc_rows(HMRC_FILES["hmrc_director_case"])
