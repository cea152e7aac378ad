"""Constrained field types shared by the finance schemas: codes, bank details, BACS text."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from sop_shared.money import Money

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

MAX_AMOUNT = Decimal("999999999999.99")

Amount = Annotated[Money, Field(ge=0, le=MAX_AMOUNT)]
"""A non-negative amount: "1234.50"."""

PositiveAmount = Annotated[Money, Field(gt=0, le=MAX_AMOUNT)]

Source = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z0-9_-]{1,29}$"),
]
"""Where a journal comes from: manual, payroll, procurement, ..."""
