"""The CSV layout of an employee import and the body answering a successful one."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

# CSV column -> what it holds. Blank cells are left out; bank and terms columns go together.
COLUMNS: dict[str, str] = {
    "employee_number": "required; unique per tenant and within the file",
    "first_name": "required",
    "last_name": "required",
    "home_region": "required: england, scotland, wales or northern-ireland",
    "start_date": "required, YYYY-MM-DD",
    "work_email": "",
    "user_subject": "the `sub` of the employee's own login",
    "date_of_birth": "YYYY-MM-DD (needs hr:sensitive)",
    "national_insurance_number": "e.g. AB123456C (needs hr:sensitive)",
    "tax_code": "e.g. 1257L",
    "ni_category": "one letter, e.g. A",
    "student_loan_plans": "plan_1, plan_2, plan_4, plan_5, separated by ';'",
    "postgraduate_loan": "true or false",
    "pension_scheme": "",
    "bank_sort_code": "six digits (needs hr:sensitive)",
    "bank_account_number": "eight digits (needs hr:sensitive)",
    "bank_account_name": "(needs hr:sensitive)",
    "org_unit_code": "the starting terms: org unit by code",
    "position_code": "position by code (optional)",
    "grade": "AA, AO, EO, HEO, SEO, G7, G6, SCS1-SCS4",
    "fte": "0 < fte <= 1",
    "annual_salary": "full-time equivalent, e.g. 32000.00",
    "pay_frequency": "weekly, fortnightly, four_weekly or monthly",
    "contract_type": "permanent, fixed_term, temporary, secondment, loan or apprenticeship",
}
REQUIRED = ("employee_number", "first_name", "last_name", "home_region", "start_date")
PAYROLL = ("tax_code", "ni_category", "student_loan_plans", "postgraduate_loan", "pension_scheme")
BANK = {
    "bank_sort_code": "sort_code",
    "bank_account_number": "account_number",
    "bank_account_name": "account_name",
}
TERMS = (
    "org_unit_code",
    "position_code",
    "grade",
    "fte",
    "annual_salary",
    "pay_frequency",
    "contract_type",
)
SENSITIVE_COLUMNS = ("date_of_birth", "national_insurance_number", *BANK)


class ImportedEmployee(BaseModel):
    line: int
    id: uuid.UUID
    employee_number: str


class ImportResult(BaseModel):
    imported: int
    employees: list[ImportedEmployee]
