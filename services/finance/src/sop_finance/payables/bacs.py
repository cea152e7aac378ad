"""BACS Standard 18 payment files: labels, 100-character records, contra and trailers."""

# VOL1/HDR1/HDR2/UHL1 labels (80 characters), one 100-character record per credit, a contra
# debiting the paying account, and EOF1/EOF2/UTL1 trailers whose totals and counts match the
# records. Text is upper case from the BACS character set.

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sop_shared.calendar import Division, WorkingCalendar

LABEL, RECORD = 80, 100
CREDIT, CONTRA_DEBIT = "99", "17"
_NOT_BACS = re.compile(r"[^A-Z0-9.&/\- ]")
_SORT_CODE, _ACCOUNT = re.compile(r"[0-9]{6}"), re.compile(r"[0-9]{8}")
MAX_ITEM_PENCE = 10**11 - 1  # 11 digits in a record
MAX_TOTAL_PENCE = 10**13 - 1  # 13 digits in UTL1


def bacs_text(value: str, width: int) -> str:
    """Upper-cased, characters outside the BACS set blanked, cut or padded to `width`."""
    return _NOT_BACS.sub(" ", value.upper())[:width].ljust(width)


def julian(day: date) -> str:
    """BACS dates: a space, the two-digit year and the day of the year (" 26326")."""
    return f" {day:%y}{day.timetuple().tm_yday:03d}"


# Bacs works on England and Wales's working days, whatever the department's home nation.
BACS_DAYS = Division.ENGLAND_AND_WALES


def payment_day(requested: date, calendar: WorkingCalendar) -> date:
    """The day the money can reach suppliers: `requested`, or the next Bacs working day when
    it is a bank holiday (a payment is never brought forward)."""
    return calendar.on_or_after(BACS_DAYS, requested)


def processing_day(payment_date: date, calendar: WorkingCalendar) -> date:
    """Bacs is a three-day cycle: files are processed two working days before the money
    arrives, skipping weekends and England and Wales bank holidays (so a run paying on the
    Tuesday after Easter is processed on the Wednesday before Good Friday)."""
    return calendar.add_working_days(BACS_DAYS, payment_date, -2)


def earliest_payment_day(today: date, calendar: WorkingCalendar) -> date:
    """The first day a run proposed `today` can pay on: its processing day is today, or the
    next working day when today is not one."""
    return calendar.add_working_days(BACS_DAYS, calendar.on_or_after(BACS_DAYS, today), 2)


@dataclass(frozen=True)
class Originator:
    sort_code: str
    account_number: str
    account_name: str
    service_user_number: str


@dataclass(frozen=True)
class Credit:
    sort_code: str
    account_number: str
    account_name: str
    amount_pence: int
    reference: str


def _fixed(width: int, *parts: str) -> str:
    record = "".join(parts)
    if len(record) != width:  # a layout slip must never reach a bank
        raise ValueError(f"BACS record is {len(record)} characters, not {width}: {record!r}")
    return record


def _record(
    *,
    dest_sort: str,
    dest_account: str,
    code: str,
    origin: Originator,
    pence: int,
    user_name: str,
    reference: str,
    dest_name: str,
) -> str:
    return _fixed(
        RECORD,
        dest_sort,  # 1-6
        dest_account,  # 7-14
        "0",  # 15 account type
        code,  # 16-17 transaction code
        origin.sort_code,  # 18-23
        origin.account_number,  # 24-31
        " " * 4,  # 32-35 free format
        f"{pence:011d}",  # 36-46 amount in pence
        bacs_text(user_name, 18),  # 47-64 service user's name
        bacs_text(reference, 18),  # 65-82 reference
        bacs_text(dest_name, 18),  # 83-100 destination account name
    )


def _hdr1(label: str, origin: Originator, serial: str, created: date) -> str:
    sun = origin.service_user_number
    return _fixed(
        LABEL,
        label,  # 1-4 HDR1 / EOF1
        f"A{sun}S  1{sun}",  # 5-21 file identifier
        serial,  # 22-27 set identification (the volume serial)
        "0001",  # 28-31 file section number
        "0001",  # 32-35 file sequence number
        " " * 4,  # 36-39 generation number
        " " * 2,  # 40-41 generation version
        julian(created),  # 42-47 creation date
        julian(created + timedelta(days=30)),  # 48-53 expiration date
        " ",  # 54 accessibility
        "000000",  # 55-60 block count
        " " * 13,  # 61-73 system code
        " " * 7,  # 74-80
    )


def _hdr2(label: str) -> str:
    # Fixed-length records of 100 in blocks of 2000; buffer offset 00.
    return _fixed(LABEL, label, "F", "02000", "00100", " " * 35, "00", " " * 28)


def standard18(
    *,
    origin: Originator,
    credits: Sequence[Credit],
    payment_date: date,
    created: date,
    serial: str,
    calendar: WorkingCalendar,
    file_number: int = 1,
) -> str:
    """A single-processing-day credit file (work code "1 DAILY"), processed on
    `processing_day(payment_date, calendar)`."""
    if not credits:
        raise ValueError("a BACS file needs at least one credit")
    if not (len(serial) == 6 and serial.isalnum() and serial.upper() == serial):
        raise ValueError("the volume serial number is six upper-case letters or digits")
    accounts = [(c.sort_code, c.account_number) for c in credits]
    for sort_code, account_number in [*accounts, (origin.sort_code, origin.account_number)]:
        if not (_SORT_CODE.fullmatch(sort_code) and _ACCOUNT.fullmatch(account_number)):
            raise ValueError(f"bank details {sort_code}/{account_number} are not valid")
    if not _SORT_CODE.fullmatch(origin.service_user_number):
        raise ValueError("the service user number is six digits")
    for item in credits:
        if not 0 < item.amount_pence <= MAX_ITEM_PENCE:
            raise ValueError(f"amount {item.amount_pence}p cannot be carried in a BACS record")
    total = sum(c.amount_pence for c in credits)
    if total > MAX_ITEM_PENCE:  # the contra is a record: 11 digits, within UTL1's 13
        raise ValueError(f"the file total {total}p exceeds what the contra record can carry")
    name = origin.account_name
    vol1 = _fixed(
        LABEL,
        "VOL1",
        serial,
        " ",
        " " * 20,
        " " * 6,
        " " * 4,
        origin.service_user_number,
        " " * 4,
        " " * 28,
        "1",
    )
    uhl1 = _fixed(
        LABEL,
        "UHL1",
        julian(processing_day(payment_date, calendar)),  # 5-10 processing day
        "999999    ",  # 11-20 receiving party
        "00",  # 21-22 currency
        "000000",  # 23-28 country
        "1 DAILY  ",  # 29-37 work code
        f"{file_number:03d}",  # 38-40 file number
        " " * 7,  # 41-47
        " " * 7,  # 48-54 audit print identifier
        " " * 26,  # 55-80
    )
    records = [
        _record(
            dest_sort=c.sort_code,
            dest_account=c.account_number,
            code=CREDIT,
            origin=origin,
            pence=c.amount_pence,
            user_name=name,
            reference=c.reference,
            dest_name=c.account_name,
        )
        for c in credits
    ]
    contra = _record(
        dest_sort=origin.sort_code,
        dest_account=origin.account_number,
        code=CONTRA_DEBIT,
        origin=origin,
        pence=total,
        user_name=name,
        reference="CONTRA",
        dest_name=name,
    )
    utl1 = _fixed(
        LABEL,
        "UTL1",
        f"{total:013d}",  # 5-17 value of debit items (the contra)
        f"{total:013d}",  # 18-30 value of credit items
        f"{1:07d}",  # 31-37 count of debit items
        f"{len(credits):07d}",  # 38-44 count of credit items
        " " * 36,  # 45-80
    )
    lines = [
        vol1,
        _hdr1("HDR1", origin, serial, created),
        _hdr2("HDR2"),
        uhl1,
        *records,
        contra,
        _hdr1("EOF1", origin, serial, created),
        _hdr2("EOF2"),
        utl1,
    ]
    return "\r\n".join(lines) + "\r\n"
