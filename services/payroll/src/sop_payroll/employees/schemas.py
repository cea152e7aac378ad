"""RTI details on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sop_payroll.calculations.schemas import TaxCodeText
from sop_payroll.employees.ports import P45, Address, RtiDetails, TaxCodeNotice
from sop_shared.money import Money

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=35)]
Postcode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$"
    ),
]


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[Line] = Field(min_length=2, max_length=4)
    postcode: Postcode | None = None
    country: Annotated[str, StringConstraints(min_length=1, max_length=35)] | None = None


class P45In(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tax_code: TaxCodeText
    week1_month1: bool = False
    taxable_pay: Money = Field(description="Pay to date in the previous employment this year.")
    tax_paid: Money = Field(description="Tax to date in the previous employment this year.")
    leaving_date: date | None = None


class RtiDetailsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "gender": "F",
                    "address": {"lines": ["1 High Street", "Leeds"], "postcode": "LS1 1AA"},
                    "starter_declaration": "B",
                }
            ]
        },
    )
    gender: Literal["M", "F"] = Field(description="As HMRC records it (the FPS `Gender`).")
    address: AddressIn | None = None
    starter_declaration: Literal["A", "B", "C"] | None = Field(
        None,
        description="A: first job since 6 April; B: now the only job; C: another job or a "
        "pension. Decides a starter's code when HR holds none and there is no P45.",
    )
    p45: P45In | None = None

    def to_details(self, employee_id: uuid.UUID) -> RtiDetails:
        address = self.address
        p45 = self.p45
        return RtiDetails(
            employee_id=employee_id,
            gender=self.gender,
            address=None
            if address is None
            else Address(tuple(address.lines), address.postcode, address.country),
            starter_declaration=self.starter_declaration,
            p45=None
            if p45 is None
            else P45(
                p45.tax_code, p45.week1_month1, p45.taxable_pay, p45.tax_paid, p45.leaving_date
            ),
        )


class TaxCodeNoticeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"tax_code": "1100L", "effective_from": "2026-09-01", "form": "P6"}]
        },
    )
    tax_code: TaxCodeText
    week1_month1: bool = False
    effective_from: date = Field(description="Used for pay dates on or after this day.")
    form: Literal["P6", "P6B", "P9", "manual"] = "P6"


class TaxCodeNoticeOut(BaseModel):
    id: uuid.UUID
    employee_id: uuid.UUID
    tax_code: str
    week1_month1: bool
    effective_from: date
    form: str
    created_by: str
    created_at: datetime | None

    @classmethod
    def of(cls, n: TaxCodeNotice) -> TaxCodeNoticeOut:
        return cls(
            id=n.id,
            employee_id=n.employee_id,
            tax_code=n.tax_code,
            week1_month1=n.week1_month1,
            effective_from=n.effective_from,
            form=n.form,
            created_by=n.created_by,
            created_at=n.created_at,
        )


class TaxCodeNotices(BaseModel):
    items: list[TaxCodeNoticeOut]


class AddressOut(BaseModel):
    lines: list[str]
    postcode: str | None
    country: str | None


class P45Out(BaseModel):
    tax_code: str
    week1_month1: bool
    taxable_pay: Money
    tax_paid: Money
    leaving_date: date | None


class RtiDetailsOut(BaseModel):
    employee_id: uuid.UUID
    gender: str
    address: AddressOut | None
    starter_declaration: str | None
    p45: P45Out | None
    version: int
    updated_at: datetime | None

    @classmethod
    def of(cls, d: RtiDetails) -> RtiDetailsOut:
        a, p = d.address, d.p45
        return cls(
            employee_id=d.employee_id,
            gender=d.gender,
            address=None
            if a is None
            else AddressOut(lines=list(a.lines), postcode=a.postcode, country=a.country),
            starter_declaration=d.starter_declaration,
            p45=None
            if p is None
            else P45Out(
                tax_code=p.tax_code,
                week1_month1=p.week1_month1,
                taxable_pay=p.taxable_pay,
                tax_paid=p.tax_paid,
                leaving_date=p.leaving_date,
            ),
            version=d.version,
            updated_at=d.updated_at,
        )
