"""UK supplier identifiers: Companies House company numbers and VAT registration numbers.
Rules and sources are in docs/procurement.md ("Identifiers")."""

from __future__ import annotations

import re

# Companies House numbers are always eight characters (s.1066 Companies Act 2006): eight
# digits for England and Wales, or a two-character prefix and six digits.
COMPANY_PREFIXES = frozenset(
    {
        "SC",  # Scotland
        "NI",  # Northern Ireland
        "OC",  # limited liability partnership, England and Wales
        "SO",  # limited liability partnership, Scotland
        "NC",  # limited liability partnership, Northern Ireland
        "R0",  # Northern Ireland, registered before partition
        "FC",  # overseas company
        "SF",  # overseas company, Scotland
        "NF",  # overseas company, Northern Ireland
        "LP",  # limited partnership, England and Wales
        "SL",  # limited partnership, Scotland
        "NL",  # limited partnership, Northern Ireland
        "RC",  # royal charter
        "SR",  # royal charter, Scotland
        "NR",  # royal charter, Northern Ireland
        "IP",  # industrial and provident society
        "SP",  # industrial and provident society, Scotland
        "NP",  # industrial and provident society, Northern Ireland
        "CE",  # charitable incorporated organisation
        "CS",  # charitable incorporated organisation, Scotland
        "GE",  # European economic interest grouping
        "GS",  # European economic interest grouping, Scotland
        "GN",  # European economic interest grouping, Northern Ireland
    }
)
_COMPANY = re.compile(r"^(?:[0-9]{8}|(?P<prefix>[A-Z][A-Z0-9])[0-9]{6})$")


def company_number(value: str) -> str:
    """The number as Companies House writes it (upper case, no spaces), or ValueError."""
    number = re.sub(r"\s+", "", value).upper()
    match = _COMPANY.fullmatch(number)
    if match is None:
        raise ValueError(
            "a Companies House number is 8 characters: 8 digits, or a 2-letter prefix "
            "(SC, NI, OC, ...) and 6 digits"
        )
    prefix = match.group("prefix")
    if prefix is not None and prefix not in COMPANY_PREFIXES:
        raise ValueError(f"{prefix} is not a Companies House number prefix")
    return number


_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 1)


def vat_checksum(digits: str) -> int:
    """HMRC's weighted sum of the nine digits, modulo 97."""
    return sum(w * int(d) for w, d in zip(_WEIGHTS, digits, strict=True)) % 97


def vat_number(value: str) -> str:
    """A UK VAT registration number as `GB` + 9 digits, `GB` + 12 digits (a branch),
    `GBGD` + 3 (government department, under 500) or `GBHA` + 3 (health authority, 500 and
    over), or ValueError. The nine digits pass HMRC's check: the weighted sum modulo 97 is 0
    (the original scheme) or 42 or 55 (the "9755" scheme, sum + 55 divisible by 97); numbers
    below 100 0000 00 belong to the original scheme only."""
    number = re.sub(r"[\s.-]+", "", value).upper()
    if not number.startswith("GB"):
        raise ValueError("a UK VAT number starts GB")
    body = number[2:]
    if re.fullmatch(r"GD[0-9]{3}", body):
        if int(body[2:]) >= 500:
            raise ValueError("a government department's number (GD) is below 500")
        return number
    if re.fullmatch(r"HA[0-9]{3}", body):
        if int(body[2:]) < 500:
            raise ValueError("a health authority's number (HA) is 500 or above")
        return number
    if not re.fullmatch(r"[0-9]{9}(?:[0-9]{3})?", body):
        raise ValueError("a UK VAT number is GB and 9 digits (12 for a branch), or GBGD/GBHA and 3")
    check = vat_checksum(body[:9])
    valid = check == 0 if int(body[:3]) < 100 else check in (0, 42, 55)
    if not valid:
        raise ValueError("the VAT number fails HMRC's check digits")
    return number
