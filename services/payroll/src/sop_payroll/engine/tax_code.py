"""PAYE tax codes: the TaxCode value object and the parser for every HMRC code form."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from sop_payroll.engine.errors import MalformedTaxCode
from sop_payroll.engine.records import record


class TaxRegime(StrEnum):
    REST_OF_UK = "rest_of_uk"
    SCOTLAND = "scotland"
    WALES = "wales"

    @property
    def prefix(self) -> str:
        """The letter that marks the regime on a code: S, C, or nothing for the rest of the UK."""
        return _PREFIXES[self]

    @property
    def label(self) -> str:
        """The regime's name in explanations: "rest of UK", "Scotland" or "Wales"."""
        return _LABELS[self]


_PREFIXES = {TaxRegime.REST_OF_UK: "", TaxRegime.SCOTLAND: "S", TaxRegime.WALES: "C"}
_LABELS = {
    TaxRegime.REST_OF_UK: "rest of UK",
    TaxRegime.SCOTLAND: "Scotland",
    TaxRegime.WALES: "Wales",
}
_REGIME_BY_PREFIX = {"": TaxRegime.REST_OF_UK, "S": TaxRegime.SCOTLAND, "C": TaxRegime.WALES}


class TaxCodeKind(StrEnum):
    ALLOWANCE = "allowance"  # a number and L, M, N or T (0T included): free pay
    K = "k"  # K and a number: additional pay, taxed as if it were pay
    FLAT_RATE = "flat_rate"  # BR, D0, D1 (and D2, D3 in Scotland): one rate on all pay
    NO_TAX = "no_tax"  # NT


@record
class TaxCode:
    """A parsed tax code. `code` is its canonical text, e.g. "S1257L", "K585", "CD1 W1"."""

    code: str
    regime: TaxRegime
    kind: TaxCodeKind
    number: int  # the allowance or K number; 0 for flat-rate and NT codes
    letter: str  # L, M, N or T for allowance codes; "" otherwise
    flat_rate_code: str  # "BR", "D0".."D3" for flat-rate codes; "" otherwise
    non_cumulative: bool  # marked W1, M1 or X
    marker: str  # "W1", "M1", "X" or ""

    @property
    def body(self) -> str:
        """The code as HMRC writes it in an FPS: no regime prefix, no W1/M1 marker ("1257L")."""
        if self.kind is TaxCodeKind.ALLOWANCE:
            return f"{self.number}{self.letter}"
        if self.kind is TaxCodeKind.K:
            return f"K{self.number}"
        if self.kind is TaxCodeKind.FLAT_RATE:
            return self.flat_rate_code
        return "NT"

    def __str__(self) -> str:
        return self.code


_CODE = re.compile(
    r"""
    (?P<prefix>[SC]?)
    (?P<body>NT|BR|0T|D[0-9]|K[1-9][0-9]{0,5}|[1-9][0-9]{0,5}[LMNT])
    (?:[\s/]*(?P<marker>W1|M1|X))?
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=4096)
def parse_tax_code(text: str) -> TaxCode:
    """Parse any HMRC code form; raises MalformedTaxCode (field "tax_code") otherwise.

    Accepted: 1257L (and M, N, T), 0T, K475, BR, D0, D1, NT; an S (Scotland) or C (Wales)
    prefix, SD0-SD3; and a W1, M1 or X marker for the non-cumulative basis ("1257L W1",
    "1257LM1", "1257L/X"). Case and surrounding spaces do not matter.
    """
    if not isinstance(text, str):
        raise MalformedTaxCode("tax_code", f"must be text, not {type(text).__name__}")
    cleaned = text.strip().upper()
    match = _CODE.fullmatch(cleaned)
    if match is None:
        raise MalformedTaxCode("tax_code", f"{text!r} is not a valid tax code")
    prefix, body, marker = match["prefix"], match["body"], match["marker"] or ""
    regime = _REGIME_BY_PREFIX[prefix]
    if body == "NT":
        kind, number, letter, flat = TaxCodeKind.NO_TAX, 0, "", ""
    elif body == "BR" or body[0] == "D":
        kind, number, letter, flat = TaxCodeKind.FLAT_RATE, 0, "", body
    elif body[0] == "K":
        kind, number, letter, flat = TaxCodeKind.K, int(body[1:]), "", ""
    else:
        kind, number, letter, flat = TaxCodeKind.ALLOWANCE, int(body[:-1]), body[-1], ""
    canonical = prefix + body + (f" {marker}" if marker else "")
    return TaxCode(
        code=canonical,
        regime=regime,
        kind=kind,
        number=number,
        letter=letter,
        flat_rate_code=flat,
        non_cumulative=bool(marker),
        marker=marker,
    )
