"""Identifiers on an employee record and their validation: National Insurance number,
PAYE tax code, NI category letter, UK bank sort code and account number."""

from __future__ import annotations

import re

_NINO = re.compile(r"[A-Z]{2}\d{6}[A-D]")
_NOT_EITHER_LETTER = set("DFIQUV")
_NOT_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}

_TAX_CODE = re.compile(
    r"(?P<prefix>[SC]?)"
    r"(?P<body>NT|BR|0T|D[0-3]|K[1-9][0-9]{0,5}|[1-9][0-9]{0,5}[LMNT])"
    r"(?:[\s/]*(?P<marker>W1|M1|X))?"
)

NI_CATEGORIES = frozenset("ABCDEFHIJKLMNSVXZ")


def national_insurance_number(text: str) -> str:
    """HMRC's format rules: two prefix letters, six digits, a suffix A-D. Neither prefix letter
    is D, F, I, Q, U or V; the second is not O; BG, GB, NK, KN, TN, NT and ZZ are never
    allocated. Spaces and case are ignored; the result is e.g. "AB123456C"."""
    value = re.sub(r"\s+", "", text).upper()
    if not _NINO.fullmatch(value):
        raise ValueError(
            "a National Insurance number is two letters, six digits and a letter A to D "
            "(e.g. AB 12 34 56 C)"
        )
    first, second, prefix = value[0], value[1], value[:2]
    if first in _NOT_EITHER_LETTER or second in _NOT_EITHER_LETTER:
        raise ValueError("the prefix letters may not be D, F, I, Q, U or V")
    if second == "O":
        raise ValueError("the second prefix letter may not be O")
    if prefix in _NOT_PREFIXES:
        raise ValueError(f"the prefix {prefix} is never allocated")
    return value


def tax_code(text: str) -> str:
    """A PAYE tax code in canonical form: "1257L", "S1257L", "K475", "BR", "SD2", "1257L W1"."""
    cleaned = text.strip().upper()
    match = _TAX_CODE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not a PAYE tax code (e.g. 1257L, S1257L, BR, 1257L W1)")
    prefix, body, marker = match["prefix"], match["body"], match["marker"]
    if body in ("D2", "D3") and prefix != "S":
        raise ValueError(f"{body} exists only as a Scottish code (S{body})")
    return prefix + body + (f" {marker}" if marker else "")


def ni_category(text: str) -> str:
    value = text.strip().upper()
    if value not in NI_CATEGORIES:
        raise ValueError(f"NI category letter must be one of {' '.join(sorted(NI_CATEGORIES))}")
    return value


def sort_code(text: str) -> str:
    """Six digits; "12-34-56" and "12 34 56" are accepted and stored as "123456"."""
    value = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{6}", value):
        raise ValueError("a sort code is six digits (e.g. 12-34-56)")
    return value


def account_number(text: str) -> str:
    value = re.sub(r"\s", "", text)
    if not re.fullmatch(r"\d{8}", value):
        raise ValueError("an account number is eight digits")
    return value
