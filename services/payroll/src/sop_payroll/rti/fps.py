"""HMRC RTI Full Payment Submission (FPS): records in, GovTalk XML out, checked against HMRC's XSD.

A pure module: no I/O beyond reading the packaged schemas (`schemas/<tax year>/`, see the README
there). The pay run maps its year-to-date figures into the records below (one `FpsDocument` per
PAYE scheme) and calls `build_fps`, which writes the GovTalk envelope (`HMRC-PAYE-RTI-FPS`,
request/submit) around an `IRenvelope` in the tax year's namespace, stamps the IRmark, and by
default refuses (`FpsInvalid`) a document that HMRC's schema, SOP's business rules below or
HMRC's own business rules (its Schematron, compiled by HMRC to XSLT) reject.

Names follow HMRC's: every problem names the element at fault as a path inside the employee
(`Employment/Payment/MonthNo`) or the submission (`IRheader/PeriodEnd`), with the employee's
position and PayId, so a payroll officer can find it in the run.

SOP's own rules, the ones the XSD cannot express that matter most (most repeat an HMRC rule,
with a message naming the field; HMRC's copy is then not repeated): PeriodEnd inside the tax
year of RelatedTaxYear; the IRheader keys equal the GovTalk keys and EmpRefs; PayeRef without
the office number; the Accounts Office reference's pattern; at least two address lines for an
employee without a NINO or with a StartDate; PmtAfterLeaving only with a LeavingDate; a NI
letter at most once per employment; WeekNo for weekly frequencies and MonthNo for monthly ones;
the IRmark matches the Body. Every other HMRC rule (StartDec with a StartDate, a BirthDate, ...)
comes from HMRC's stylesheet with HMRC's error number.

2026-27: HMRC's 2026-27 schema is not in this repository. A 2026-27 document is checked against
SOP's own copies of the 2025-26 schema and rules with the namespace and the tax-year dates moved
on a year -- UNCONFIRMED BY ANY HMRC ARTEFACT (`FpsTaxYear.confirmed_by_hmrc` is False for it).
Replace them with HMRC's `FullPaymentSubmission-2027-v1-0.xsd`/`.xslt` before filing a 2026-27
FPS for real.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from lxml import etree

from sop_payroll.engine.errors import InvalidInput, PayrollEngineError
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.student_loans import StudentLoanPlan
from sop_payroll.engine.tax_code import TaxRegime, parse_tax_code

GOVTALK_NS = "http://www.govtalk.gov.uk/CM/envelope"
FPS_CLASS = "HMRC-PAYE-RTI-FPS"
SCHEMAS = Path(__file__).parent / "schemas"
_ENVELOPE_XSD = SCHEMAS / "2025-26" / "envelope-v2-0-HMRC.xsd"
_XMLDSIG_XSD = SCHEMAS / "2025-26" / "xmldsig-core-schema.xsd"
_AO_REF = re.compile(r"[0-9]{3}P[A-Z][0-9]{7}[0-9X]")
_CLARK_NAMESPACE = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^}]*\}")  # "{http://...}", not "{3}"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True, slots=True)
class FpsTaxYear:
    """One tax year's FPS namespace, the XSD a document of that year is checked against, and
    HMRC's business rules for it (the Schematron HMRC publishes, as HMRC compiled it to XSLT)."""

    tax_year: str  # "2025-26"
    namespace: str
    xsd: Path
    business_rules: Path
    confirmed_by_hmrc: bool  # False: SOP's derived schema and rules, not HMRC artefacts

    @property
    def related_tax_year(self) -> str:
        """The year as an FPS writes it in RelatedTaxYear: "25-26"."""
        return self.tax_year[2:]

    @property
    def first_day(self) -> date:
        return date(int(self.tax_year[:4]), 4, 6)

    @property
    def last_day(self) -> date:
        return date(int(self.tax_year[:4]) + 1, 4, 5)


_NS_ROOT = "http://www.govtalk.gov.uk/taxation/PAYE/RTI/FullPaymentSubmission"
TAX_YEARS: dict[str, FpsTaxYear] = {
    "2025-26": FpsTaxYear(
        "2025-26",
        f"{_NS_ROOT}/25-26/1",
        SCHEMAS / "2025-26" / "FullPaymentSubmission-2026-v1-0.xsd",
        SCHEMAS / "2025-26" / "FullPaymentSubmission-2026-v1-0.xslt",
        confirmed_by_hmrc=True,
    ),
    # UNCONFIRMED: SOP's copies of the 2025-26 schema and rules with the namespace and dates
    # moved on a year, not HMRC's 2026-27 artefacts. See schemas/2026-27/README.md.
    "2026-27": FpsTaxYear(
        "2026-27",
        f"{_NS_ROOT}/26-27/1",
        SCHEMAS / "2026-27" / "FullPaymentSubmission-2027-v1-0-UNCONFIRMED.xsd",
        SCHEMAS / "2026-27" / "FullPaymentSubmission-2027-v1-0-UNCONFIRMED.xslt",
        confirmed_by_hmrc=False,
    ),
}


# --- records -------------------------------------------------------------------------------


class FpsPayFrequency(StrEnum):
    """HMRC's PayFreq codes."""

    WEEKLY = "W1"
    FORTNIGHTLY = "W2"
    FOUR_WEEKLY = "W4"
    MONTHLY = "M1"
    QUARTERLY = "M3"
    BIANNUALLY = "M6"
    ANNUALLY = "MA"
    ONE_OFF = "IO"
    IRREGULAR = "IR"

    @classmethod
    def of(cls, frequency: PayFrequency) -> FpsPayFrequency:
        """The FPS code for one of the engine's pay frequencies (monthly -> M1)."""
        return _FPS_FREQUENCY[frequency]


_FPS_FREQUENCY = {
    PayFrequency.WEEKLY: FpsPayFrequency.WEEKLY,
    PayFrequency.FORTNIGHTLY: FpsPayFrequency.FORTNIGHTLY,
    PayFrequency.FOUR_WEEKLY: FpsPayFrequency.FOUR_WEEKLY,
    PayFrequency.MONTHLY: FpsPayFrequency.MONTHLY,
}


class HoursWorked(StrEnum):
    """HoursWorked bands: A up to 15.99 a week, B 16-23.99, C 24-29.99, D 30 or more, E other."""

    UP_TO_16 = "A"
    FROM_16_TO_24 = "B"
    FROM_24_TO_30 = "C"
    FROM_30 = "D"
    OTHER = "E"


class StarterDeclaration(StrEnum):
    """StartDec: A first job since 6 April, B now the only job, C another job or pension."""

    A = "A"
    B = "B"
    C = "C"


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "F"


class DirectorNic(StrEnum):
    """DirectorsNIC: the method a director's NICs are worked out on."""

    ANNUAL = "AN"
    ALTERNATIVE = "AL"


class StudentLoanPlanType(StrEnum):
    """StudentLoanRecovered's PlanType (2025-26: plans 1, 2 and 4)."""

    PLAN_1 = "01"
    PLAN_2 = "02"
    PLAN_4 = "04"

    @classmethod
    def of(cls, plan: StudentLoanPlan) -> StudentLoanPlanType:
        """The FPS PlanType for one of the engine's plans. Plan 5 has no 2025-26 code: it is
        refused (InvalidInput) rather than reported as another plan."""
        try:
            return cls("0" + plan.value[-1])
        except ValueError:
            raise InvalidInput(
                "student_loan_plan", f"{plan.label} has no PlanType in this FPS schema"
            ) from None


@dataclass(frozen=True, slots=True)
class Employer:
    """The PAYE scheme: employer reference 123/AB456 is office number "123", PAYE reference
    "AB456"; `sender_id` is the Government Gateway user id the submission goes under."""

    office_number: str
    paye_reference: str
    accounts_office_reference: str
    sender_id: str
    corporation_tax_reference: str | None = None  # COTAXRef (10 digits)
    self_assessment_utr: str | None = None  # SAUTR (10 digits), never with COTAXRef


@dataclass(frozen=True, slots=True)
class FpsAddress:
    lines: tuple[str, ...]  # up to 4
    uk_postcode: str | None = None
    foreign_country: str | None = None


@dataclass(frozen=True, slots=True)
class FpsStarter:
    start_date: date
    declaration: StarterDeclaration | None
    student_loan: bool = False  # the new employee has a student loan not yet fully repaid
    postgraduate_loan: bool = False


@dataclass(frozen=True, slots=True)
class FpsFiguresToDate:
    """This employment's year-to-date figures, this payment included (P45 figures for a leaver)."""

    taxable_pay: Decimal
    total_tax: Decimal  # negative when refunded more than deducted
    student_loans: Decimal | None = None  # whole pounds
    postgraduate_loans: Decimal | None = None  # whole pounds
    benefits_taxed_via_payroll: Decimal | None = None
    employee_pension_contributions_paid: Decimal | None = None
    employee_pension_contributions_not_paid: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FpsPayment:
    """This period's payment. `tax_code` as the engine writes it ("S1257L", "K585 W1"): its
    regime letter becomes TaxRegime, a W1/M1/X marker (or `non_cumulative`) BasisNonCumulative."""

    pay_frequency: FpsPayFrequency
    payment_date: date
    tax_code: str
    taxable_pay: Decimal
    tax_deducted_or_refunded: Decimal  # negative for a refund
    hours_worked: HoursWorked
    week_number: int | None = None  # for W1/W2/W4 (and IO/IR paid weekly)
    month_number: int | None = None  # for M1/M3/M6/MA (and IO/IR paid monthly)
    periods_covered: int = 1
    non_cumulative: bool = False
    payment_after_leaving: bool = False
    non_tax_or_nic_payment: Decimal | None = None
    deductions_from_net_pay: Decimal | None = None
    pay_after_statutory_deductions: Decimal | None = None
    benefits_taxed_via_payroll: Decimal | None = None
    employee_pension_contributions_paid: Decimal | None = None
    items_subject_to_class1_nic: Decimal | None = None
    employee_pension_contributions_not_paid: Decimal | None = None
    student_loan_recovered: Decimal | None = None  # whole pounds
    student_loan_plan: StudentLoanPlanType | None = None
    postgraduate_loan_recovered: Decimal | None = None  # whole pounds
    smp_ytd: Decimal | None = None
    spp_ytd: Decimal | None = None
    sap_ytd: Decimal | None = None
    shpp_ytd: Decimal | None = None
    spbp_ytd: Decimal | None = None
    sncp_ytd: Decimal | None = None
    late_reason: str | None = None  # LateReason A-H, for a payment reported after it was made


@dataclass(frozen=True, slots=True)
class FpsNiLetter:
    """One NI category letter's figures: this period and the year to date."""

    letter: str
    gross_earnings_in_period: Decimal
    gross_earnings_ytd: Decimal
    at_lel_ytd: Decimal  # whole pounds
    lel_to_pt_ytd: Decimal
    pt_to_uel_ytd: Decimal
    employer_nic_in_period: Decimal
    employer_nic_ytd: Decimal
    employee_nic_in_period: Decimal
    employee_nic_ytd: Decimal


@dataclass(frozen=True, slots=True)
class FpsEmployment:
    pay_id: str | None
    figures_to_date: FpsFiguresToDate
    payment: FpsPayment
    ni_letters: tuple[FpsNiLetter, ...] = ()
    starter: FpsStarter | None = None
    leaving_date: date | None = None
    irregular_employment: bool = False
    occupational_pension: bool = False  # OccPenInd: a payment of occupational pension
    workplace_postcode: str | None = None  # needed for freeport/investment zone letters
    off_payroll_worker: bool = False  # OffPayrollWorker (IR35, public sector engagements)
    director_nic: DirectorNic | None = None  # DirectorsNIC: a director, and how NICs are worked
    director_appointed_week: int | None = None  # TaxWkOfApptOfDirector, if appointed this year


@dataclass(frozen=True, slots=True)
class FpsEmployee:
    surname: str
    forenames: tuple[str, ...]  # one or two
    gender: Gender
    birth_date: date | None
    employments: tuple[FpsEmployment, ...]
    nino: str | None = None
    title: str | None = None
    address: FpsAddress | None = None


@dataclass(frozen=True, slots=True)
class FpsDocument:
    """One FPS for one PAYE scheme: `period_end` is the run's PeriodEnd, inside `tax_year`."""

    tax_year: str
    employer: Employer
    period_end: date
    employees: tuple[FpsEmployee, ...]
    final_submission: bool = False  # FinalSubmission/ForYear: the last FPS of the tax year
    gateway_test: bool = False  # GatewayTest 1: HMRC's test service
    vendor_id: str | None = None  # ChannelRouting: HMRC's four-digit vendor id
    product_name: str | None = None
    product_version: str | None = None


@dataclass(frozen=True, slots=True)
class FpsIssue:
    """One reason a document is refused: the element at fault and, inside an employee, which."""

    field: str
    message: str
    employee: int | None = None  # 1-based position in the document
    pay_id: str | None = None

    def __str__(self) -> str:
        if self.employee is None:
            return f"{self.field}: {self.message}"
        who = f"Employee {self.employee}" + (f" (PayId {self.pay_id})" if self.pay_id else "")
        return f"{who}, {self.field}: {self.message}"


class FpsInvalid(ValueError):
    """HMRC would reject the document: its schema or a business rule refuses it."""

    def __init__(self, errors: Sequence[FpsIssue]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


# --- building ------------------------------------------------------------------------------


def fps_tax_year(tax_year: str) -> FpsTaxYear:
    """The FPS schema for a tax year ("2025-26"); FpsInvalid if SOP has none."""
    try:
        return TAX_YEARS[tax_year]
    except KeyError:
        known = ", ".join(TAX_YEARS)
        raise FpsInvalid(
            [FpsIssue("RelatedTaxYear", f"no FPS schema for tax year {tax_year!r} (have {known})")]
        ) from None


def build_fps(document: FpsDocument, *, validate: bool = True) -> bytes:
    """The document as a GovTalk message (UTF-8 XML) with its IRmark stamped.

    With `validate` (the default) the result is checked by `validate_fps` and FpsInvalid lists
    every problem; `validate=False` returns whatever the records say (for inspecting a refusal).
    """
    year = fps_tax_year(document.tax_year)
    try:
        message = _govtalk_message(document, year)
    except _RecordError as error:
        raise FpsInvalid([error.issue]) from None
    # Indented once, then stamped: the IRmark covers the Body's whitespace as written.
    tree = etree.fromstring(etree.tostring(message, encoding="UTF-8", pretty_print=True), _parser())
    tree.find(
        f"{{{GOVTALK_NS}}}Body/{{{year.namespace}}}IRenvelope/{{{year.namespace}}}IRheader/"
        f"{{{year.namespace}}}IRmark"
    ).text = _irmark_of(tree)
    xml: bytes = _DECLARATION + etree.tostring(tree, encoding="UTF-8") + b"\n"
    if validate:
        issues = _check(xml)
        if issues:
            raise FpsInvalid(issues)
    return xml


class _RecordError(Exception):
    def __init__(self, issue: FpsIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _amount(value: Decimal) -> str:
    """HMRC's monetary format: two places ("1234.50", "-12.00"). An amount with more places is
    written as it is, so the schema refuses it rather than this module rounding it silently."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"an FPS amount must be a finite Decimal, not {value!r}")
    if value == value.quantize(Decimal("0.01")):
        return f"{value + 0:.2f}" if value else "0.00"
    return str(value)


class _Builder:
    """Appends elements of one namespace, in the order the caller writes them (the XSD's)."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def el(self, parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
        child = etree.SubElement(parent, f"{{{self.ns}}}{tag}", attrib)
        if text is not None:
            child.text = text
        return child

    def opt(self, parent: Any, tag: str, text: str | None) -> None:
        if text is not None:
            self.el(parent, tag, text)

    def money(self, parent: Any, tag: str, value: Decimal | None) -> None:
        if value is not None:
            self.el(parent, tag, _amount(value))

    def yes(self, parent: Any, tag: str, flag: bool) -> None:
        if flag:
            self.el(parent, tag, "yes")


def _govtalk_message(document: FpsDocument, year: FpsTaxYear) -> Any:
    g = _Builder(GOVTALK_NS)
    employer = document.employer
    root = etree.Element(f"{{{GOVTALK_NS}}}GovTalkMessage", nsmap={None: GOVTALK_NS})
    g.el(root, "EnvelopeVersion", "2.0")
    header = g.el(root, "Header")
    details = g.el(header, "MessageDetails")
    g.el(details, "Class", FPS_CLASS)
    g.el(details, "Qualifier", "request")
    g.el(details, "Function", "submit")
    g.el(details, "CorrelationID", "")
    g.el(details, "Transformation", "XML")
    if document.gateway_test:
        g.el(details, "GatewayTest", "1")
    # The Gateway password is added by whatever sends the message (it is outside the Body,
    # so the IRmark does not change); a stored FPS never holds a credential.
    identity = g.el(g.el(header, "SenderDetails"), "IDAuthentication")
    g.el(identity, "SenderID", employer.sender_id)
    auth = g.el(identity, "Authentication")
    g.el(auth, "Method", "clear")
    g.el(auth, "Role", "principal")
    g.el(auth, "Value", "")
    govtalk = g.el(root, "GovTalkDetails")
    keys = g.el(govtalk, "Keys")
    g.el(keys, "Key", employer.office_number, Type="TaxOfficeNumber")
    g.el(keys, "Key", employer.paye_reference, Type="TaxOfficeReference")
    g.el(g.el(govtalk, "TargetDetails"), "Organisation", "IR")
    if document.vendor_id is not None:
        channel = g.el(g.el(govtalk, "ChannelRouting"), "Channel")
        g.el(channel, "URI", document.vendor_id)
        g.opt(channel, "Product", document.product_name)
        g.opt(channel, "Version", document.product_version)
    body = g.el(root, "Body")
    body.append(_ir_envelope(document, year))
    return root


def _ir_envelope(document: FpsDocument, year: FpsTaxYear) -> Any:
    f = _Builder(year.namespace)
    employer = document.employer
    envelope = etree.Element(f"{{{year.namespace}}}IRenvelope", nsmap={None: year.namespace})
    header = f.el(envelope, "IRheader")
    keys = f.el(header, "Keys")
    f.el(keys, "Key", employer.office_number, Type="TaxOfficeNumber")
    f.el(keys, "Key", employer.paye_reference, Type="TaxOfficeReference")
    f.el(header, "PeriodEnd", document.period_end.isoformat())
    f.el(header, "DefaultCurrency", "GBP")
    f.el(header, "IRmark", "", Type="generic")
    f.el(header, "Sender", "Employer")
    fps = f.el(envelope, "FullPaymentSubmission")
    refs = f.el(fps, "EmpRefs")
    f.el(refs, "OfficeNo", employer.office_number)
    f.el(refs, "PayeRef", employer.paye_reference)
    f.el(refs, "AORef", employer.accounts_office_reference)
    f.opt(refs, "SAUTR", employer.self_assessment_utr)
    f.opt(refs, "COTAXRef", employer.corporation_tax_reference)
    f.el(fps, "RelatedTaxYear", year.related_tax_year)
    for position, employee in enumerate(document.employees, start=1):
        _employee(f, fps, employee, position)
    if document.final_submission:
        f.el(f.el(fps, "FinalSubmission"), "ForYear", "yes")
    return envelope


def _employee(f: _Builder, fps: Any, employee: FpsEmployee, position: int) -> None:
    element = f.el(fps, "Employee")
    details = f.el(element, "EmployeeDetails")
    f.opt(details, "NINO", employee.nino)
    name = f.el(details, "Name")
    f.opt(name, "Ttl", employee.title)
    for forename in employee.forenames:
        f.el(name, "Fore", forename)
    f.el(name, "Sur", employee.surname)
    if employee.address is not None:
        address = f.el(details, "Address")
        for line in employee.address.lines:
            f.el(address, "Line", line)
        f.opt(address, "UKPostcode", employee.address.uk_postcode)
        f.opt(address, "ForeignCountry", employee.address.foreign_country)
    if employee.birth_date is not None:
        f.el(details, "BirthDate", employee.birth_date.isoformat())
    f.el(details, "Gender", employee.gender.value)
    for employment in employee.employments:
        _employment(f, element, employment, position)


def _employment(f: _Builder, parent: Any, employment: FpsEmployment, position: int) -> None:
    element = f.el(parent, "Employment")
    f.yes(element, "OffPayrollWorker", employment.off_payroll_worker)
    f.yes(element, "OccPenInd", employment.occupational_pension)
    if employment.director_nic is not None:
        f.el(element, "DirectorsNIC", employment.director_nic.value)
    if employment.director_appointed_week is not None:
        f.el(element, "TaxWkOfApptOfDirector", str(employment.director_appointed_week))
    if employment.starter is not None:
        starter = f.el(element, "Starter")
        f.el(starter, "StartDate", employment.starter.start_date.isoformat())
        if employment.starter.declaration is not None:
            f.el(starter, "StartDec", employment.starter.declaration.value)
        f.yes(starter, "StudentLoan", employment.starter.student_loan)
        f.yes(starter, "PostgradLoan", employment.starter.postgraduate_loan)
    f.opt(element, "EmployeeWorkplacePostcode", employment.workplace_postcode)
    f.opt(element, "PayId", employment.pay_id)
    f.yes(element, "IrrEmp", employment.irregular_employment)
    if employment.leaving_date is not None:
        f.el(element, "LeavingDate", employment.leaving_date.isoformat())

    ytd = employment.figures_to_date
    figures = f.el(element, "FiguresToDate")
    f.money(figures, "TaxablePay", ytd.taxable_pay)
    f.money(figures, "TotalTax", ytd.total_tax)
    f.money(figures, "StudentLoansTD", ytd.student_loans)
    f.money(figures, "PostgradLoansTD", ytd.postgraduate_loans)
    f.money(figures, "BenefitsTaxedViaPayrollYTD", ytd.benefits_taxed_via_payroll)
    f.money(figures, "EmpeePenContribnsPaidYTD", ytd.employee_pension_contributions_paid)
    f.money(figures, "EmpeePenContribnsNotPaidYTD", ytd.employee_pension_contributions_not_paid)

    pay = employment.payment
    payment = f.el(element, "Payment")
    f.el(payment, "PayFreq", pay.pay_frequency.value)
    f.el(payment, "PmtDate", pay.payment_date.isoformat())
    f.opt(payment, "LateReason", pay.late_reason)
    if pay.week_number is not None:
        f.el(payment, "WeekNo", str(pay.week_number))
    if pay.month_number is not None:
        f.el(payment, "MonthNo", str(pay.month_number))
    f.el(payment, "PeriodsCovered", str(pay.periods_covered))
    f.yes(payment, "PmtAfterLeaving", pay.payment_after_leaving)
    f.el(payment, "HoursWorked", pay.hours_worked.value)
    _tax_code(f, payment, pay, employment.pay_id, position)
    f.money(payment, "TaxablePay", pay.taxable_pay)
    f.money(payment, "NonTaxOrNICPmt", pay.non_tax_or_nic_payment)
    f.money(payment, "DednsFromNetPay", pay.deductions_from_net_pay)
    f.money(payment, "PayAfterStatDedns", pay.pay_after_statutory_deductions)
    f.money(payment, "BenefitsTaxedViaPayroll", pay.benefits_taxed_via_payroll)
    f.money(payment, "EmpeePenContribnsPaid", pay.employee_pension_contributions_paid)
    f.money(payment, "ItemsSubjectToClass1NIC", pay.items_subject_to_class1_nic)
    f.money(payment, "EmpeePenContribnsNotPaid", pay.employee_pension_contributions_not_paid)
    if pay.student_loan_recovered is not None:
        if pay.student_loan_plan is None:
            raise _RecordError(
                FpsIssue(
                    "Employment/Payment/StudentLoanRecovered",
                    "a student loan recovered needs its PlanType (01, 02 or 04)",
                    position,
                    employment.pay_id,
                )
            )
        f.el(
            payment,
            "StudentLoanRecovered",
            _amount(pay.student_loan_recovered),
            PlanType=pay.student_loan_plan.value,
        )
    f.money(payment, "PostgradLoanRecovered", pay.postgraduate_loan_recovered)
    f.money(payment, "TaxDeductedOrRefunded", pay.tax_deducted_or_refunded)
    f.money(payment, "SMPYTD", pay.smp_ytd)
    f.money(payment, "SPPYTD", pay.spp_ytd)
    f.money(payment, "SAPYTD", pay.sap_ytd)
    f.money(payment, "ShPPYTD", pay.shpp_ytd)
    f.money(payment, "SPBPYTD", pay.spbp_ytd)
    f.money(payment, "SNCPYTD", pay.sncp_ytd)

    for ni in employment.ni_letters:
        values = f.el(element, "NIlettersAndValues")
        f.el(values, "NIletter", ni.letter)
        f.money(values, "GrossEarningsForNICsInPd", ni.gross_earnings_in_period)
        f.money(values, "GrossEarningsForNICsYTD", ni.gross_earnings_ytd)
        f.money(values, "AtLELYTD", ni.at_lel_ytd)
        f.money(values, "LELtoPTYTD", ni.lel_to_pt_ytd)
        f.money(values, "PTtoUELYTD", ni.pt_to_uel_ytd)
        f.money(values, "TotalEmpNICInPd", ni.employer_nic_in_period)
        f.money(values, "TotalEmpNICYTD", ni.employer_nic_ytd)
        f.money(values, "EmpeeContribnsInPd", ni.employee_nic_in_period)
        f.money(values, "EmpeeContribnsYTD", ni.employee_nic_ytd)


_REGIME_ATTRIBUTE = {TaxRegime.SCOTLAND: "S", TaxRegime.WALES: "C"}


def _tax_code(
    f: _Builder, payment: Any, pay: FpsPayment, pay_id: str | None, position: int
) -> None:
    try:
        code = parse_tax_code(pay.tax_code)
    except PayrollEngineError as error:
        raise _RecordError(
            FpsIssue("Employment/Payment/TaxCode", error.message, position, pay_id)
        ) from None
    attributes: dict[str, str] = {}
    if code.non_cumulative or pay.non_cumulative:
        attributes["BasisNonCumulative"] = "yes"
    if code.regime in _REGIME_ATTRIBUTE:
        attributes["TaxRegime"] = _REGIME_ATTRIBUTE[code.regime]
    f.el(payment, "TaxCode", code.body, **attributes)


# --- the IRmark ----------------------------------------------------------------------------


def irmark(xml: bytes) -> str:
    """The IRmark of a GovTalk message, as HMRC specifies it: the Body element (with the
    namespaces in scope on it), its IRmark element removed, canonicalised (C14N 1.0, no
    comments), SHA-1, base64. Whitespace inside the Body counts, so a message must not be
    re-indented after it is stamped."""
    return _irmark_of(etree.fromstring(xml, _parser()))


def _irmark_of(message: Any) -> str:
    body = message.find(f"{{{GOVTALK_NS}}}Body")
    if body is None:
        raise ValueError("not a GovTalk message with a Body")
    # A copy: lxml writes the namespaces in scope onto it, as inclusive C14N of the Body needs.
    body = etree.fromstring(etree.tostring(body, with_tail=False), _parser())
    for element in body.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "IRmark":
            _remove_keeping_tail(element)
            break
    canonical = etree.tostring(body, method="c14n", exclusive=False, with_comments=False)
    return base64.b64encode(hashlib.sha1(canonical).digest()).decode("ascii")  # noqa: S324 - HMRC's IRmark is SHA-1


def _remove_keeping_tail(element: Any) -> None:
    """Remove an element but not the text after it (lxml's remove() drops the tail too)."""
    parent, previous, tail = element.getparent(), element.getprevious(), element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- validation ----------------------------------------------------------------------------


def validate_fps(xml: bytes) -> list[str]:
    """Every reason HMRC would refuse the FPS message, readable; empty when it is valid.

    Checks the GovTalk envelope against HMRC's envelope XSD, the IRenvelope against the XSD of
    the tax year its namespace names, SOP's business rules (this module's docstring), the
    IRmark, and HMRC's own business rules (its Schematron, run as HMRC's compiled XSLT; some
    of them compare dates with today, as HMRC's do when the FPS arrives). An HMRC rule that one
    of SOP's rules already reported for the same employee is not repeated.
    """
    return [str(issue) for issue in _check(xml)]


class _Resolver(etree.Resolver):
    """Serves the envelope XSD's import of the W3C XML-signature schema from the packaged copy,
    so validation never reaches for the network."""

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        if url.endswith("xmldsig-core-schema.xsd"):
            return self.resolve_filename(str(_XMLDSIG_XSD), context)
        return None


def _parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


# Compiled once per thread (a few milliseconds each): an lxml validator keeps the error log of
# its last run on itself, so one instance must not serve two threads at once.
_compiled = threading.local()


def _schema(path: Path) -> Any:
    schemas: dict[Path, Any] = _compiled.__dict__.setdefault("schemas", {})
    if path not in schemas:
        parser = _parser()
        parser.resolvers.add(_Resolver())
        schemas[path] = etree.XMLSchema(etree.parse(str(path), parser))
    return schemas[path]


def _stylesheet(path: Path) -> Any:
    stylesheets: dict[Path, Any] = _compiled.__dict__.setdefault("stylesheets", {})
    if path not in stylesheets:
        # The stylesheet reads itself (document('')) for its namespace prefixes; nothing else.
        access = etree.XSLTAccessControl(
            read_file=True,
            write_file=False,
            create_dir=False,
            read_network=False,
            write_network=False,
        )
        stylesheets[path] = etree.XSLT(etree.parse(str(path), _parser()), access_control=access)
    return stylesheets[path]


_ERRORS_NS = "http://www.govtalk.gov.uk/CM/errorresponse"
# HMRC rule numbers whose condition one of SOP's rules checks too, with the field SOP reports.
_SOP_COVERS = {
    "5005": "IRheader/Keys/Key",
    "7821": "EmpRefs/OfficeNo",
    "7822": "EmpRefs/PayeRef",
    "7823": "EmployeeDetails/Address",
    "7829": "EmployeeDetails/Address",
    "7844": "IRheader/PeriodEnd",
    "7847": "Employment/Payment/PmtAfterLeaving",
    "7850": "Employment/NIlettersAndValues/NIletter",
    "7889": "RelatedTaxYear",
}


def _hmrc_rules(message: Any, year: FpsTaxYear, reported: list[FpsIssue]) -> Iterator[FpsIssue]:
    """HMRC's business rules (error number, text, location) as issues naming the field."""
    try:
        result = _stylesheet(year.business_rules)(message)
    except etree.XSLTApplyError as failure:
        yield FpsIssue("(document)", f"HMRC's business rules could not be run: {failure}")
        return
    ns = {"hd": GOVTALK_NS, "fps": year.namespace, "err": _ERRORS_NS}
    for error in result.getroot().iterfind("err:Error", ns):
        number = (error.findtext("err:Number", namespaces=ns) or "").strip()
        text = " ".join((error.findtext("err:Text", namespaces=ns) or "").split())
        location = (error.findtext("err:Location", namespaces=ns) or "").strip()
        try:
            found = message.xpath(location, namespaces=ns) if location else []
        except etree.XPathError:
            found = []
        element = found[0] if isinstance(found, list) and found else None
        position, pay_id = _whose(element)
        field = location if element is None else _field(element)
        covered = _SOP_COVERS.get(number)
        if covered is not None and any(
            issue.employee == position and issue.field.startswith(covered) for issue in reported
        ):
            continue
        yield FpsIssue(field, f"{text} (HMRC rule {number})", position, pay_id)


def _check(xml: bytes) -> list[FpsIssue]:
    try:
        message = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as error:
        return [FpsIssue("(document)", f"not well-formed XML: {error}")]
    if message.tag != f"{{{GOVTALK_NS}}}GovTalkMessage":
        return [
            FpsIssue(
                "(document)", "not a GovTalk message (GovTalkMessage in the envelope namespace)"
            )
        ]
    issues = [
        FpsIssue(_path(message, error), _xsd_message(error))
        for error in _xsd_errors(_schema(_ENVELOPE_XSD), message)
    ]
    envelopes = message.findall(f"{{{GOVTALK_NS}}}Body/*")
    if len(envelopes) != 1 or etree.QName(envelopes[0]).localname != "IRenvelope":
        return [*issues, FpsIssue("Body", "the Body must hold exactly one IRenvelope")]
    envelope = envelopes[0]
    namespace = etree.QName(envelope).namespace
    year = next((y for y in TAX_YEARS.values() if y.namespace == namespace), None)
    if year is None:
        known = ", ".join(y.namespace for y in TAX_YEARS.values())
        return [
            *issues,
            FpsIssue("IRenvelope", f"unknown FPS namespace {namespace!r} (have {known})"),
        ]
    rules = list(_rules(message, envelope, year))
    reported = {(issue.employee, issue.field) for issue in rules}
    tree = etree.ElementTree(etree.fromstring(etree.tostring(envelope), _parser()))
    for fault in _xsd_errors(_schema(year.xsd), tree):
        element = _element_at(tree, fault)
        position, pay_id = _whose(element)
        field = _path(tree.getroot(), fault, element)
        if (position, field) not in reported:
            issues.append(FpsIssue(field, _xsd_message(fault), position, pay_id))
    issues.extend(rules)
    issues.extend(_hmrc_rules(message, year, rules))
    return issues


def _xsd_errors(schema: Any, document: Any) -> list[Any]:
    if schema.validate(document):
        return []
    return list(schema.error_log)


def _xsd_message(error: Any) -> str:
    """libxml2's message without the namespace noise: "Element 'MonthNo': [facet 'pattern']..."."""
    return _CLARK_NAMESPACE.sub("", error.message)


def _element_at(tree: Any, error: Any) -> Any:
    try:
        found = tree.xpath(error.path)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found else None


def _path(root: Any, error: Any, element: Any = None) -> str:
    """The path of the element a schema error is about (see `_field`)."""
    if element is None:
        element = _element_at(root.getroottree(), error)
    if element is None:
        return error.path or "(document)"
    return _field(element)


def _field(element: Any) -> str:
    """The element's path inside its employee (or inside the IRenvelope / message)."""
    if _local(element) == "Employee":
        return "Employee"
    names: list[str] = []
    while element is not None and isinstance(element.tag, str):
        name = etree.QName(element).localname
        if name in ("Employee", "IRenvelope", "GovTalkMessage"):
            break
        names.append(name)
        element = element.getparent()
    names.reverse()
    if names and names[0] == "FullPaymentSubmission":
        names = names[1:]
    return "/".join(names) or "(document)"


def _whose(element: Any) -> tuple[int | None, str | None]:
    """The 1-based position of the element's Employee and the PayId of its Employment."""
    employee, employment = None, None
    while element is not None:
        if isinstance(element.tag, str):
            name = etree.QName(element).localname
            if name == "Employment":
                employment = element
            elif name == "Employee":
                employee = element
                break
        element = element.getparent()
    if employee is None:
        return None, None
    position = 1 + sum(
        1 for sibling in employee.itersiblings(preceding=True) if _local(sibling) == "Employee"
    )
    if employment is None:
        employment = next((c for c in employee if _local(c) == "Employment"), None)
    pay_id = None
    if employment is not None:
        found = [c for c in employment if _local(c) == "PayId"]
        pay_id = found[0].text if found else None
    return position, pay_id


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _rules(message: Any, envelope: Any, year: FpsTaxYear) -> Iterator[FpsIssue]:
    ns = {"f": year.namespace, "g": GOVTALK_NS}

    def text(context: Any, path: str) -> str | None:
        found = context.find(path, ns)
        return None if found is None or found.text is None else found.text.strip()

    govtalk_keys = {
        key.get("Type"): (key.text or "").strip()
        for key in message.findall("g:GovTalkDetails/g:Keys/g:Key", ns)
    }
    header_keys = {
        key.get("Type"): (key.text or "").strip()
        for key in envelope.findall("f:IRheader/f:Keys/f:Key", ns)
    }
    for key_type, value in header_keys.items():
        if govtalk_keys.get(key_type) != value:
            yield FpsIssue(
                f"IRheader/Keys/Key[@Type='{key_type}']",
                f"{value!r} must equal the GovTalk header's {key_type} key "
                f"({govtalk_keys.get(key_type)!r})",
            )
    refs = {
        "TaxOfficeNumber": (
            "EmpRefs/OfficeNo",
            text(envelope, "f:FullPaymentSubmission/f:EmpRefs/f:OfficeNo"),
        ),
        "TaxOfficeReference": (
            "EmpRefs/PayeRef",
            text(envelope, "f:FullPaymentSubmission/f:EmpRefs/f:PayeRef"),
        ),
    }
    for key_type, (field, value) in refs.items():
        if value is not None and header_keys.get(key_type) != value:
            yield FpsIssue(
                field,
                f"{value!r} must equal the IRheader's {key_type} key "
                f"({header_keys.get(key_type)!r})",
            )
    paye_ref = refs["TaxOfficeReference"][1]
    if paye_ref is not None and "/" in paye_ref:
        yield FpsIssue(
            "EmpRefs/PayeRef",
            f"{paye_ref!r}: the PAYE reference is the part after the slash (123/AB456 -> AB456)",
        )
    ao_ref = text(envelope, "f:FullPaymentSubmission/f:EmpRefs/f:AORef")
    if ao_ref is not None and not _AO_REF.fullmatch(ao_ref):
        yield FpsIssue(
            "EmpRefs/AORef",
            f"{ao_ref!r} is not an Accounts Office reference: 3 digits, P, a letter, 7 digits "
            "and a digit or X (123PA00012345)",
        )

    related = text(envelope, "f:FullPaymentSubmission/f:RelatedTaxYear")
    if related is not None and related != year.related_tax_year:
        yield FpsIssue(
            "RelatedTaxYear",
            f"{related!r} does not match the schema's tax year {year.related_tax_year!r}",
        )
    period_end = _date(text(envelope, "f:IRheader/f:PeriodEnd"))
    if period_end is not None and not year.first_day <= period_end <= year.last_day:
        yield FpsIssue(
            "IRheader/PeriodEnd",
            f"{period_end.isoformat()} is outside tax year {year.tax_year} "
            f"({year.first_day.isoformat()} to {year.last_day.isoformat()})",
        )

    for position, employee in enumerate(
        envelope.findall("f:FullPaymentSubmission/f:Employee", ns), start=1
    ):
        yield from _employee_rules(employee, position, ns)

    stamped = text(envelope, "f:IRheader/f:IRmark")
    expected = _irmark_of(message)
    if stamped is None:
        yield FpsIssue("IRheader/IRmark", f"missing: the Body's IRmark is {expected!r}")
    elif stamped != expected:
        yield FpsIssue(
            "IRheader/IRmark", f"{stamped!r} does not match the Body (its IRmark is {expected!r})"
        )


def _employee_rules(employee: Any, position: int, ns: dict[str, str]) -> Iterator[FpsIssue]:
    employments = employee.findall("f:Employment", ns)
    first_pay_id = None
    if employments:
        first_pay_id = _text(employments[0].find("f:PayId", ns))
    details = employee.find("f:EmployeeDetails", ns)
    lines = 0 if details is None else len(details.findall("f:Address/f:Line", ns))
    has_nino = details is not None and details.find("f:NINO", ns) is not None
    if not has_nino and lines < 2:
        yield FpsIssue(
            "EmployeeDetails/Address",
            "an employee without a NINO needs an address of at least two lines",
            position,
            first_pay_id,
        )
    for employment in employments:
        pay_id = _text(employment.find("f:PayId", ns))
        starter = employment.find("f:Starter", ns)
        if (
            starter is not None
            and starter.find("f:StartDate", ns) is not None
            and lines < 2
            and has_nino
        ):
            yield FpsIssue(
                "EmployeeDetails/Address",
                "a starter (Starter/StartDate) needs an address of at least two lines",
                position,
                pay_id,
            )
        payment = employment.find("f:Payment", ns)
        if payment is not None:
            if (
                payment.find("f:PmtAfterLeaving", ns) is not None
                and employment.find("f:LeavingDate", ns) is None
            ):
                yield FpsIssue(
                    "Employment/Payment/PmtAfterLeaving",
                    "a payment after leaving needs the employment's LeavingDate",
                    position,
                    pay_id,
                )
            frequency = _text(payment.find("f:PayFreq", ns)) or ""
            has_week = payment.find("f:WeekNo", ns) is not None
            has_month = payment.find("f:MonthNo", ns) is not None
            if frequency.startswith("W") and not has_week:
                yield FpsIssue(
                    "Employment/Payment/WeekNo",
                    f"PayFreq {frequency} is paid by tax week: WeekNo, not MonthNo",
                    position,
                    pay_id,
                )
            elif frequency.startswith("M") and not has_month:
                yield FpsIssue(
                    "Employment/Payment/MonthNo",
                    f"PayFreq {frequency} is paid by tax month: MonthNo, not WeekNo",
                    position,
                    pay_id,
                )
        seen: set[str] = set()
        for letter in employment.findall("f:NIlettersAndValues/f:NIletter", ns):
            value = _text(letter) or ""
            if value in seen:
                yield FpsIssue(
                    "Employment/NIlettersAndValues/NIletter",
                    f"NI letter {value} appears more than once in one employment",
                    position,
                    pay_id,
                )
            seen.add(value)


def _text(element: Any) -> str | None:
    return None if element is None or element.text is None else element.text.strip()


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None  # the schema reports it
