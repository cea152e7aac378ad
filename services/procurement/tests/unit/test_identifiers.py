"""Companies House numbers, UK VAT numbers (HMRC's mod 97 and "9755" checks) and CPV codes."""

from __future__ import annotations

import pytest

from sop_procurement.requisitions.cpv import DIVISIONS, cpv_code
from sop_procurement.suppliers.identifiers import company_number, vat_checksum, vat_number


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("12345678", "12345678"),
        ("SC123456", "SC123456"),
        ("sc 123456", "SC123456"),
        ("OC301234", "OC301234"),
        ("NI012345", "NI012345"),
        ("R0000123", "R0000123"),
    ],
)
def test_companies_house_numbers_in_their_eight_character_forms(given, stored):
    assert company_number(given) == stored


@pytest.mark.parametrize("bad", ["1234567", "123456789", "XX123456", "SC12345A", "S1234567"])
def test_companies_house_numbers_of_another_shape_or_prefix_are_refused(bad):
    with pytest.raises(ValueError):
        company_number(bad)


def test_vat_check_digits_as_hmrc_weights_them():
    # The reference's verified examples: 980780684 sums to 0 mod 97, 802311781 to 96.
    assert vat_checksum("980780684") == 0
    assert vat_checksum("802311781") == 96
    assert vat_number("GB980780684") == "GB980780684"
    assert vat_number("gb 980 7806 84") == "GB980780684"
    with pytest.raises(ValueError, match="check digits"):
        vat_number("GB802311781")


def _with_check(first7: str, target: int) -> str:
    """Complete seven digits with the two check digits giving `target` (mod 97)."""
    for last in range(100):
        candidate = f"{first7}{last:02d}"
        if vat_checksum(candidate) == target:
            return candidate
    raise AssertionError("no completion")


def test_the_9755_scheme_is_valid_above_100_only():
    new_scheme = _with_check("1234567", 42)  # sum + 55 divisible by 97
    assert vat_number(f"GB{new_scheme}") == f"GB{new_scheme}"
    old_range = _with_check("0123456", 42)  # first three digits below 100: mod 97 only
    with pytest.raises(ValueError):
        vat_number(f"GB{old_range}")
    assert vat_number(f"GB{_with_check('0123456', 0)}")


def test_branch_government_and_health_forms():
    assert vat_number("GB980780684001") == "GB980780684001"
    with pytest.raises(ValueError):
        vat_number("GB802311781001")  # the branch form checks the same nine digits
    assert vat_number("GBGD001") == "GBGD001"
    assert vat_number("GBHA599") == "GBHA599"
    with pytest.raises(ValueError, match="below 500"):
        vat_number("GBGD500")
    with pytest.raises(ValueError, match="500 or above"):
        vat_number("GBHA499")
    with pytest.raises(ValueError, match="starts GB"):
        vat_number("FR980780684")
    with pytest.raises(ValueError):
        vat_number("GB98078068")


@pytest.mark.parametrize(
    "code", ["72000000-5", "48000000-8", "03113100-7", "18451000-5", "71355200-3"]
)
def test_cpv_codes_of_the_2008_vocabulary(code):
    assert cpv_code(code) == code


@pytest.mark.parametrize(
    "bad", ["72000000", "7200000-5", "72000000-55", "01000000-1", "99000000-1", "7200000A-5"]
)
def test_cpv_codes_without_check_digit_or_of_no_division_are_refused(bad):
    with pytest.raises(ValueError):
        cpv_code(bad)


def test_the_packaged_divisions_are_cpv_2008s_45():
    assert len(DIVISIONS) == 45
    assert {"03", "45", "48", "72", "98"} <= DIVISIONS.keys()
