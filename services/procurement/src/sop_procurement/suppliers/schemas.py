"""Request and response bodies for suppliers and their bank detail changes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from sop_procurement.http import In, Name, Out, ShortText, Text
from sop_procurement.suppliers.identifiers import company_number, vat_number
from sop_procurement.suppliers.ports import BankChangeStatus, SupplierStatus


def _digits(v: object) -> object:
    return v.replace("-", "").replace(" ", "") if isinstance(v, str) else v


CompanyNumber = Annotated[str, StringConstraints(max_length=20), AfterValidator(company_number)]
VatNumber = Annotated[str, StringConstraints(max_length=30), AfterValidator(vat_number)]
SortCode = Annotated[str, BeforeValidator(_digits), StringConstraints(pattern=r"^[0-9]{6}$")]
AccountNumber = Annotated[str, BeforeValidator(_digits), StringConstraints(pattern=r"^[0-9]{8}$")]
Postcode = Annotated[
    str,
    BeforeValidator(lambda v: " ".join(v.upper().split()) if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$"),
]


class Address(In):
    kind: Annotated[str, StringConstraints(pattern=r"^(registered|trading|remittance)$")] = (
        "registered"
    )
    lines: list[ShortText] = Field(min_length=1, max_length=4)
    town: ShortText
    postcode: Postcode
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "GB"


class Contact(In):
    name: Name
    role: ShortText | None = None
    email: (
        Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
        | None
    ) = None
    phone: Annotated[str, StringConstraints(max_length=30, pattern=r"^[0-9+() -]+$")] | None = None


class BankDetailsIn(In):
    sort_code: SortCode
    account_number: AccountNumber
    account_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
    ]


class SupplierCreate(In):
    legal_name: Name
    trading_name: Name | None = None
    company_number: CompanyNumber | None = None
    vat_number: VatNumber | None = None
    addresses: list[Address] = Field(default_factory=list, max_length=10)
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    sme: bool = False
    vcse: bool = False
    bank_details: BankDetailsIn | None = Field(
        None, description="Only when the supplier is created; later changes need a second person."
    )


class SupplierUpdate(In):
    legal_name: Name | None = None
    trading_name: Name | None = None
    company_number: CompanyNumber | None = None
    vat_number: VatNumber | None = None
    addresses: list[Address] | None = Field(None, max_length=10)
    contacts: list[Contact] | None = Field(None, max_length=20)
    sme: bool | None = None
    vcse: bool | None = None
    status: SupplierStatus | None = None


class BankDetailsOut(Out):
    sort_code: str
    account_number: str
    account_name: str


class BankChangeCreate(BankDetailsIn):
    reason: Text | None = None


class BankChangeDecision(In):
    reason: Text | None = None


class BankChangeOut(Out):
    id: uuid.UUID
    supplier_id: uuid.UUID
    status: BankChangeStatus
    sort_code: str
    account_number: str
    account_name: str
    reason: str | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    effective_from: date | None = Field(
        description="The first day payments use these details (approved changes)."
    )
    version: int


class SupplierOut(Out):
    id: uuid.UUID
    legal_name: str
    trading_name: str | None
    company_number: str | None
    vat_number: str | None
    addresses: list[Address]
    contacts: list[Contact]
    sme: bool
    vcse: bool
    status: SupplierStatus
    bank_details: BankDetailsOut | None = Field(description="The details payments use today.")
    pending_bank_change: BankChangeOut | None = Field(
        description="A change awaiting approval, or approved and waiting out its hold."
    )
    version: int
    created_at: datetime
    updated_at: datetime
