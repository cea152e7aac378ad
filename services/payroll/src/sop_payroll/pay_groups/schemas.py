"""Pay groups on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.pensions import PensionBasis, PensionMethod
from sop_payroll.pay_groups.calendar import FpsFrequency, PayDayRule, PayPeriod
from sop_payroll.pay_groups.ports import PayGroup, Proration
from sop_shared.calendar import HomeRegion

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=20,
        pattern=r"^[A-Z0-9][A-Z0-9_-]*$",
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TaxOffice = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
PayeRef = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,10}$")]
AccountsOffice = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}P[A-Z][0-9]{7}[0-9X]$")]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
Fraction = Annotated[
    Decimal,
    Field(ge=0, le=1, max_digits=7, decimal_places=6, description="0.0545 is 5.45%"),
]
AccountCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._/-]{0,19}$")]


class PensionSchemeSetup(BaseModel):
    """A pension scheme the group's employees may name in HR (`payroll.pension_scheme`)."""

    model_config = ConfigDict(extra="forbid")
    method: PensionMethod = Field(description="net_pay, relief_at_source or salary_sacrifice")
    basis: PensionBasis = Field(description="qualifying_earnings or pensionable_pay")
    employee_rate: Fraction
    employer_rate: Fraction


class JournalAccounts(BaseModel):
    """Ledger accounts the payroll journal uses (finance's default chart when left out)."""

    model_config = ConfigDict(extra="forbid")
    gross: AccountCode | None = None
    employer_ni: AccountCode | None = None
    employer_pension: AccountCode | None = None
    net: AccountCode | None = None
    hmrc: AccountCode | None = None
    pensions: AccountCode | None = None
    deductions: AccountCode | None = None


class PayGroupIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "MONTHLY",
                    "name": "Monthly salaried staff",
                    "frequency": "monthly",
                    "pay_day": "last_working_day",
                    "tax_office_number": "123",
                    "paye_reference": "AB45678",
                    "accounts_office_reference": "123PA00012345",
                    "bank_account_id": "0190a1a2-0000-7000-8000-000000000001",
                }
            ]
        },
    )
    code: Code
    name: Name
    frequency: PayFrequency
    pay_day: PayDayRule = Field(
        description="Monthly: last_working_day or fixed_day; weekly cycles: cycle."
    )
    fixed_day: int | None = Field(None, ge=1, le=31)
    anchor_date: date | None = Field(None, description="A cycle's first pay date.")
    region: HomeRegion = Field(
        HomeRegion.ENGLAND, description="Whose bank holidays move pay dates earlier."
    )
    proration: Proration = Proration.WORKING_DAYS
    tax_office_number: TaxOffice
    paye_reference: PayeRef
    accounts_office_reference: AccountsOffice
    bank_account_id: uuid.UUID | None = Field(
        None, description="Finance's bank account that pays net pay (needed to finalise)."
    )
    variance_percent: Rate = Field(
        Decimal("25"), description="A net pay change against last period above this needs a look."
    )
    pension_schemes: dict[str, PensionSchemeSetup] = Field(default_factory=dict, max_length=50)
    journal_accounts: JournalAccounts = Field(default_factory=JournalAccounts)


class PayGroupPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    bank_account_id: uuid.UUID | None = None
    variance_percent: Rate | None = None
    pension_schemes: dict[str, PensionSchemeSetup] | None = Field(None, max_length=50)
    journal_accounts: JournalAccounts | None = None
    active: bool | None = None


class PayGroupOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    frequency: PayFrequency
    pay_day: PayDayRule
    fixed_day: int | None
    anchor_date: date | None
    region: str
    proration: Proration
    tax_office_number: str
    paye_reference: str
    accounts_office_reference: str
    bank_account_id: uuid.UUID | None
    variance_percent: Decimal
    pension_schemes: dict[str, Any]
    journal_accounts: dict[str, str]
    active: bool
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, g: PayGroup) -> PayGroupOut:
        return cls(
            id=g.id,
            code=g.code,
            name=g.name,
            frequency=g.frequency,
            pay_day=g.pay_date_rule,
            fixed_day=g.pay_day,
            anchor_date=g.anchor_date,
            region=g.region,
            proration=g.proration,
            tax_office_number=g.scheme.tax_office_number,
            paye_reference=g.scheme.paye_reference,
            accounts_office_reference=g.scheme.accounts_office_reference,
            bank_account_id=g.bank_account_id,
            variance_percent=g.variance_percent,
            pension_schemes=g.extra.get("pension_schemes", {}),
            journal_accounts=g.extra.get("journal_accounts", {}),
            active=g.active,
            version=g.version,
            created_at=g.created_at,
            updated_at=g.updated_at,
        )


class PayPeriodOut(BaseModel):
    tax_year: str
    number: int
    start: date
    end: date
    pay_date: date = Field(
        description="Contractual: the FPS PmtDate, and what decides the tax period."
    )
    payment_date: date = Field(description="The working day the money arrives.")
    tax_period: int
    week_or_month_number: int
    fps_frequency: FpsFrequency
    week53_basis: bool

    @classmethod
    def of(cls, p: PayPeriod) -> PayPeriodOut:
        return cls(
            tax_year=p.tax_year,
            number=p.number,
            start=p.start,
            end=p.end,
            pay_date=p.pay_date,
            payment_date=p.payment_date,
            tax_period=p.tax_period,
            week_or_month_number=p.week_or_month_number,
            fps_frequency=p.fps_frequency,
            week53_basis=p.week53_basis,
        )


class PayPeriods(BaseModel):
    items: list[PayPeriodOut]
