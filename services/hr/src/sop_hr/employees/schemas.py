"""Request and response bodies for employees. National Insurance number, date of birth and
bank details are sensitive: absent from responses unless the caller holds hr:sensitive."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from sop_hr.employees import identifiers
from sop_hr.employees.ports import (
    BankDetails,
    Employee,
    EmploymentStatus,
    HomeRegion,
    LeavingReason,
    PayrollDetails,
    StudentLoanPlan,
)
from sop_hr.terms.ports import EmploymentTerms
from sop_hr.terms.schemas import InitialTermsIn, TermsOut, terms_out

SENSITIVE_FIELDS = ("date_of_birth", "national_insurance_number", "bank_details")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EmployeeNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]{0,19}$"),
    Field(description="The department's own number for the employee, unique per tenant."),
]
WorkEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]
UserSubject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="The `sub` of the employee's own login, so HR can recognise them."),
]
NINO = Annotated[
    str,
    AfterValidator(identifiers.national_insurance_number),
    Field(description="National Insurance number, e.g. AB123456C (sensitive).", max_length=20),
]
TaxCode = Annotated[str, Field(max_length=20), AfterValidator(identifiers.tax_code)]
NICategory = Annotated[str, Field(max_length=1), AfterValidator(identifiers.ni_category)]
PensionScheme = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)
]


def _distinct(plans: list[StudentLoanPlan]) -> list[StudentLoanPlan]:
    if len(set(plans)) != len(plans):
        raise ValueError("a plan is listed twice")
    return sorted(plans)


class BankDetailsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sort_code: Annotated[str, Field(max_length=8), AfterValidator(identifiers.sort_code)]
    account_number: Annotated[str, Field(max_length=10), AfterValidator(identifiers.account_number)]
    account_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]

    def to_domain(self) -> BankDetails:
        return BankDetails(
            sort_code=self.sort_code,
            account_number=self.account_number,
            account_name=self.account_name,
        )


class PayrollDetailsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tax_code: TaxCode | None = None
    ni_category: NICategory | None = None
    student_loan_plans: Annotated[list[StudentLoanPlan], AfterValidator(_distinct)] = Field(
        default_factory=list
    )
    postgraduate_loan: bool = False
    pension_scheme: PensionScheme | None = None

    def to_domain(self) -> PayrollDetails:
        return PayrollDetails(
            tax_code=self.tax_code,
            ni_category=self.ni_category,
            student_loan_plans=tuple(self.student_loan_plans),
            postgraduate_loan=self.postgraduate_loan,
            pension_scheme=self.pension_scheme,
        )


class PayrollDetailsPatch(PayrollDetailsIn):
    """Only the fields sent change."""

    # A patch widens these two to None ("not sent"; the validator refuses an explicit null),
    # an override of the base's narrower types that mypy flags as incompatible.
    student_loan_plans: Annotated[list[StudentLoanPlan], AfterValidator(_distinct)] | None = None  # type: ignore[assignment]
    postgraduate_loan: bool | None = None  # type: ignore[assignment]

    @field_validator("student_loan_plans", "postgraduate_loan", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null (send [] or false)")
        return value


class EmployeeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_number: EmployeeNumber
    first_name: Name
    last_name: Name
    work_email: WorkEmail | None = None
    user_subject: UserSubject | None = None
    date_of_birth: date | None = None
    national_insurance_number: NINO | None = None
    home_region: HomeRegion
    start_date: date
    payroll: PayrollDetailsIn = Field(default_factory=PayrollDetailsIn)
    bank_details: BankDetailsIn | None = None
    terms: InitialTermsIn | None = Field(
        None, description="The terms the employee starts on, in force from `start_date`."
    )


class EmployeeUpdate(BaseModel):
    """Only the fields sent change; `null` clears an optional field. The start date, leaving
    date and terms change through their own operations."""

    model_config = ConfigDict(extra="forbid")

    employee_number: EmployeeNumber | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    work_email: WorkEmail | None = None
    user_subject: UserSubject | None = None
    date_of_birth: date | None = None
    national_insurance_number: NINO | None = None
    home_region: HomeRegion | None = None
    payroll: PayrollDetailsPatch | None = None
    bank_details: BankDetailsIn | None = None

    @field_validator(
        "employee_number", "first_name", "last_name", "home_region", "payroll", mode="before"
    )
    @classmethod
    def _required_fields_stay(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class LeavingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leaving_date: date = Field(description="The last day of employment.")
    reason: LeavingReason


class PayrollDetailsOut(BaseModel):
    tax_code: str | None
    ni_category: str | None
    student_loan_plans: list[StudentLoanPlan]
    postgraduate_loan: bool
    pension_scheme: str | None


class BankDetailsOut(BaseModel):
    sort_code: str
    account_number: str
    account_name: str


class EmployeeOut(BaseModel):
    id: uuid.UUID
    employee_number: str
    first_name: str
    last_name: str
    work_email: str | None
    user_subject: str | None
    home_region: HomeRegion
    start_date: date
    leaving_date: date | None
    leaving_reason: LeavingReason | None
    status: EmploymentStatus = Field(description="On `as_of` (today unless asked).")
    as_of: date = Field(description="The day `status` and `terms` describe.")
    terms: TermsOut | None = Field(description="The terms in force on `as_of`, if any.")
    payroll: PayrollDetailsOut
    date_of_birth: date | None = Field(None, description="Present only with hr:sensitive.")
    national_insurance_number: str | None = Field(
        None, description="Present only with hr:sensitive."
    )
    bank_details: BankDetailsOut | None = Field(None, description="Present only with hr:sensitive.")
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def employee_out(
    e: Employee, terms: EmploymentTerms | None, as_of: date, *, sensitive: bool
) -> EmployeeOut:
    """The response body. Every field is set explicitly, so routes answering with
    `response_model_exclude_unset=True` leave out exactly the sensitive ones withheld."""
    fields: dict[str, Any] = {
        "id": e.id,
        "employee_number": e.employee_number,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "work_email": e.work_email,
        "user_subject": e.user_subject,
        "home_region": e.home_region,
        "start_date": e.start_date,
        "leaving_date": e.leaving_date,
        "leaving_reason": e.leaving_reason,
        "status": e.status_on(as_of),
        "as_of": as_of,
        "terms": terms_out(terms) if terms else None,
        "payroll": PayrollDetailsOut(
            tax_code=e.payroll.tax_code,
            ni_category=e.payroll.ni_category,
            student_loan_plans=list(e.payroll.student_loan_plans),
            postgraduate_loan=e.payroll.postgraduate_loan,
            pension_scheme=e.payroll.pension_scheme,
        ),
        "version": e.version,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }
    if sensitive:
        fields["date_of_birth"] = e.date_of_birth
        fields["national_insurance_number"] = e.national_insurance_number
        fields["bank_details"] = (
            BankDetailsOut(
                sort_code=e.bank_details.sort_code,
                account_number=e.bank_details.account_number,
                account_name=e.bank_details.account_name,
            )
            if e.bank_details
            else None
        )
    return EmployeeOut(**fields)


def audit_snapshot(e: Employee) -> dict[str, Any]:
    """The employee as an audit event records it: everything, sensitive fields included (the
    audit API masks them for readers without hr:sensitive)."""
    return employee_out(e, None, e.start_date, sensitive=True).model_dump(
        mode="json", exclude={"status", "as_of", "terms", "created_at", "updated_at"}
    )
