"""Pure rules without a database: the financial-year calendar, BACS text and layout, pence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_finance.adapters.native.tables import Pence
from sop_finance.payables import bacs
from sop_finance.periods.ports import PeriodRef, parse_year_label, year_label
from sop_shared.calendar import WorkingCalendar

CALENDAR = WorkingCalendar.load()  # the kernel's England and Wales bank holidays


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31)))
def test_every_day_falls_in_exactly_one_monthly_period(day):
    ref = PeriodRef.of_date(day)
    assert ref.contains(day) and 1 <= ref.number <= 12
    assert PeriodRef.parse(ref.code) == ref
    assert ref.start.day == 1 and (ref.end + timedelta(days=1)).day == 1
    assert date(ref.fiscal_year, 4, 1) <= day <= date(ref.fiscal_year + 1, 3, 31)


def test_the_financial_year_runs_april_to_march_with_an_adjustment_period():
    assert PeriodRef.of_date(date(2026, 4, 1)) == PeriodRef(2026, 1)
    assert PeriodRef.of_date(date(2027, 3, 31)) == PeriodRef(2026, 12)
    adj = PeriodRef.of_date(date(2027, 3, 31), adjustment=True)
    assert adj.code == "2026-27-ADJ" and adj.key == 202613
    assert PeriodRef(2026, 12) < adj < PeriodRef(2027, 1)
    assert year_label(1999) == "1999-00" and parse_year_label("1999-00") == 1999
    for bad in ("2026-28", "2026", "26-27"):
        with pytest.raises(ValueError):
            parse_year_label(bad)
    with pytest.raises(ValueError):
        PeriodRef.parse("2026-13")


def test_bacs_text_keeps_only_the_bacs_character_set():
    assert bacs.bacs_text("Smith & Sons (UK) ltd", 18) == "SMITH & SONS  UK  "
    assert bacs.bacs_text("café/№1", 8) == "CAF / 1 "
    assert len(bacs.bacs_text("", 18)) == 18


def test_processing_day_is_two_working_days_before_payment():
    assert bacs.processing_day(date(2026, 9, 10), CALENDAR) == date(
        2026, 9, 8
    )  # Thursday -> Tuesday
    assert bacs.processing_day(date(2026, 9, 14), CALENDAR) == date(
        2026, 9, 10
    )  # Monday -> Thursday
    assert bacs.julian(date(2026, 1, 5)) == " 26005"


def test_bacs_days_are_england_and_wales_working_days():
    # Two working days before the Tuesday after Easter: not Good Friday (3 April) but the
    # Wednesday before it; before Tuesday 29 December 2026: Wednesday 23rd.
    assert bacs.processing_day(date(2026, 4, 7), CALENDAR) == date(2026, 4, 1)
    assert bacs.processing_day(date(2026, 12, 29), CALENDAR) == date(2026, 12, 23)
    # A payment date on a bank holiday moves to the next working day, never earlier.
    assert bacs.payment_day(date(2026, 4, 3), CALENDAR) == date(2026, 4, 7)
    assert bacs.payment_day(date(2026, 12, 25), CALENDAR) == date(2026, 12, 29)
    assert bacs.payment_day(date(2026, 9, 10), CALENDAR) == date(2026, 9, 10)


credit = st.builds(
    bacs.Credit,
    sort_code=st.from_regex(r"\A[0-9]{6}\Z"),
    account_number=st.from_regex(r"\A[0-9]{8}\Z"),
    account_name=st.text(max_size=30),
    amount_pence=st.integers(min_value=1, max_value=10**9),
    reference=st.text(max_size=30),
)


@given(st.lists(credit, min_size=1, max_size=20))
def test_any_payment_run_gives_a_well_formed_file(credits):
    origin = bacs.Originator("607080", "10002000", "DEPT OF EXAMPLES", "123456")
    text = bacs.standard18(
        origin=origin,
        credits=credits,
        payment_date=date(2026, 9, 10),
        created=date(2026, 9, 7),
        serial="000042",
        calendar=CALENDAR,
    )
    lines = text.removesuffix("\r\n").split("\r\n")
    assert [len(ln) for ln in lines] == [80] * 4 + [100] * (len(credits) + 1) + [80] * 3
    total = sum(c.amount_pence for c in credits)
    utl1 = lines[-1]
    assert int(utl1[4:17]) == int(utl1[17:30]) == total
    assert int(utl1[30:37]) == 1 and int(utl1[37:44]) == len(credits)
    assert all(set(ln) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.&/- ") for ln in lines)


def test_bacs_refuses_what_a_bank_would_reject():
    origin = bacs.Originator("607080", "10002000", "DEPT", "123456")
    args = {
        "origin": origin,
        "payment_date": date(2026, 9, 10),
        "created": date(2026, 9, 7),
        "calendar": CALENDAR,
    }
    with pytest.raises(ValueError):
        bacs.standard18(credits=[], serial="000001", **args)
    big = bacs.Credit("200000", "12345678", "X", 10**11, "R")
    with pytest.raises(ValueError):
        bacs.standard18(credits=[big], serial="000001", **args)
    with pytest.raises(ValueError):
        bacs.standard18(
            credits=[bacs.Credit("200000", "12345678", "X", 1, "R")], serial="1", **args
        )


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_pence_round_trips_exactly(pence):
    t = Pence()
    amount = Decimal(pence).scaleb(-2)
    assert t.process_bind_param(amount, None) == pence
    assert t.process_result_value(pence, None) == amount
