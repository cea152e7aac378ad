"""HR's rules as plain functions (no database): identifiers, effective dating, hierarchy,
leave years and entitlement."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_hr.absences.service import LeaveYear, entitlement_days, leave_years_spanned
from sop_hr.employees import identifiers
from sop_hr.employees.ports import Employee
from sop_hr.org_units.service import descendants, would_cycle
from sop_hr.problems import TermsDateTaken
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_hr.terms.service import in_force_on, place_in_history
from sop_shared.calendar import HomeRegion

ALLOWED_FIRST = sorted(set("ABCEGHJKLMNOPRSTWXYZ"))
ALLOWED_SECOND = sorted(set("ABCEGHJKLMNPRSTWXYZ"))
NEVER = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


@given(
    first=st.sampled_from(ALLOWED_FIRST),
    second=st.sampled_from(ALLOWED_SECOND),
    digits=st.integers(0, 999_999),
    suffix=st.sampled_from("ABCD"),
)
def test_every_well_formed_nino_is_accepted_in_any_spacing_and_case(first, second, digits, suffix):
    nino = f"{first}{second}{digits:06d}{suffix}"
    if nino[:2] in NEVER:
        with pytest.raises(ValueError, match="never allocated"):
            identifiers.national_insurance_number(nino)
        return
    spaced = f" {nino[:2].lower()} {nino[2:4]} {nino[4:6]} {nino[6:8]} {nino[8].lower()} "
    assert identifiers.national_insurance_number(spaced) == nino


@pytest.mark.parametrize("letter", "DFIQUV")
def test_the_forbidden_letters_are_refused_in_either_place(letter):
    for prefix in (f"{letter}A", f"A{letter}"):
        with pytest.raises(ValueError, match="may not be"):
            identifiers.national_insurance_number(f"{prefix}123456A")


@pytest.mark.parametrize(
    ("given_code", "canonical"),
    [
        ("1257l", "1257L"),
        ("S1257L", "S1257L"),
        ("c1257l", "C1257L"),
        ("K475", "K475"),
        ("BR", "BR"),
        ("sd3", "SD3"),
        ("0T", "0T"),
        ("NT", "NT"),
        ("1257LW1", "1257L W1"),
        ("1257L m1", "1257L M1"),
        ("1257L/X", "1257L X"),
    ],
)
def test_tax_codes_are_canonicalised(given_code, canonical):
    assert identifiers.tax_code(given_code) == canonical


@pytest.mark.parametrize("code", ["", "1257", "L1257", "D2", "K0", "1257LW2", "1257Q"])
def test_malformed_tax_codes_are_refused(code):
    with pytest.raises(ValueError):
        identifiers.tax_code(code)


def terms(start: date, end: date | None = None, fte: str = "1") -> EmploymentTerms:
    return EmploymentTerms(
        id=uuid.uuid4(),
        employee_id=uuid.UUID(int=1),
        effective_from=start,
        effective_to=end,
        org_unit_id=uuid.UUID(int=2),
        grade=Grade.EO,
        fte=Decimal(fte),
        annual_salary=Decimal("30000"),
        pay_frequency=PayFrequency.MONTHLY,
        contract_type=ContractType.PERMANENT,
    )


def test_a_change_after_the_last_row_closes_it_and_runs_open_ended():
    first = terms(date(2024, 1, 1))
    new, moved = place_in_history([first], terms(date(2025, 1, 1)), employment_ends=None)
    assert new.effective_to is None
    assert [(m.id, m.effective_to) for m in moved] == [(first.id, date(2024, 12, 31))]


def test_a_change_between_rows_ends_before_the_next_and_shortens_the_previous():
    a, b = terms(date(2024, 1, 1), date(2024, 12, 31)), terms(date(2025, 1, 1))
    new, moved = place_in_history([b, a], terms(date(2024, 7, 1)), employment_ends=None)
    assert new.effective_to == date(2024, 12, 31)
    assert [(m.id, m.effective_to) for m in moved] == [(a.id, date(2024, 6, 30))]


def test_a_change_before_every_row_ends_before_the_first_and_moves_nothing():
    a = terms(date(2024, 6, 1))
    new, moved = place_in_history([a], terms(date(2024, 1, 1)), employment_ends=None)
    assert (new.effective_to, moved) == (date(2024, 5, 31), [])


def test_a_last_change_for_a_leaver_ends_on_the_leaving_date():
    a = terms(date(2024, 1, 1), date(2025, 6, 30))
    new, _ = place_in_history([a], terms(date(2025, 1, 1)), employment_ends=date(2025, 6, 30))
    assert new.effective_to == date(2025, 6, 30)


def test_two_changes_on_one_day_are_refused():
    with pytest.raises(TermsDateTaken):
        place_in_history([terms(date(2024, 1, 1))], terms(date(2024, 1, 1)), employment_ends=None)


def test_in_force_on_picks_the_row_covering_the_day():
    a, b = terms(date(2024, 1, 1), date(2024, 12, 31)), terms(date(2025, 1, 1))
    assert in_force_on([a, b], date(2024, 12, 31)) is a
    assert in_force_on([a, b], date(2030, 1, 1)) is b
    assert in_force_on([a, b], date(2023, 12, 31)) is None


def test_cycles_and_subtrees():
    root, a, a1, b = (uuid.UUID(int=i) for i in range(1, 5))
    tree = {root: None, a: root, a1: a, b: root}
    assert descendants(tree, a) == {a, a1}
    assert descendants(tree, root) == {root, a, a1, b}
    assert would_cycle(tree, root, a1) and would_cycle(tree, a, a)
    assert not would_cycle(tree, a1, b) and not would_cycle(tree, a, None)


def employee(start: date, leaving: date | None = None) -> Employee:
    return Employee(
        id=uuid.UUID(int=1),
        employee_number="E1",
        first_name="A",
        last_name="B",
        home_region=HomeRegion.ENGLAND,
        start_date=start,
        leaving_date=leaving,
    )


def test_leave_years_can_start_in_april():
    year = LeaveYear.starting_in(2026, 4)
    assert (year.starts, year.ends, year.days) == (date(2026, 4, 1), date(2027, 3, 31), 365)
    assert LeaveYear.containing(date(2027, 3, 31), 4) == year
    spans = leave_years_spanned(date(2027, 3, 29), date(2027, 4, 2), 4)
    assert [y.year for y in spans] == [2026, 2027]


@pytest.mark.parametrize(
    ("start", "leaving", "fte", "days"),
    [
        (date(2020, 1, 1), None, "1", "25"),
        (date(2020, 1, 1), None, "0.6", "15"),
        (date(2020, 1, 1), None, "0.5", "12.5"),
        (date(2020, 1, 1), None, "0.3", "7.5"),  # 7.5 exactly
        (date(2020, 1, 1), None, "0.31", "8"),  # 7.75 up to the half day
        (date(2026, 7, 1), None, "1", "13"),  # starter: 25 x 184 / 365 = 12.60
        (date(2020, 1, 1), date(2026, 3, 31), "1", "6.5"),  # leaver: 25 x 90 / 365 = 6.16
    ],
)
def test_entitlement_is_pro_rata_and_rounded_up_to_the_half_day(start, leaving, fte, days):
    year = LeaveYear.starting_in(2026, 1)
    history = [terms(start, leaving, fte)]
    assert entitlement_days(Decimal(25), employee(start, leaving), history, year) == Decimal(days)
