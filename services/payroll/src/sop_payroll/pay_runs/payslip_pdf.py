"""A payslip as a print-ready PDF (A4), laid out as HTML and rendered by fpdf2: payments,
deductions, net pay, employer costs and the year to date, every figure the stored payslip's."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from fpdf import FPDF

from sop_payroll.pay_runs.ports import PayRun, PayRunItem

SECTIONS = (
    ("payment", "Payments"),
    ("pre_tax_deduction", "Deductions before tax"),
    ("statutory_deduction", "Tax, National Insurance and loans"),
    ("post_tax_deduction", "Deductions after tax"),
)


PUNCTUATION = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


def _text(value: Any) -> str:
    """HTML-escaped, in the PDF core fonts' Latin-1 (typographic punctuation made plain; any
    other character outside Latin-1 becomes '?')."""
    plain = str(value).translate(PUNCTUATION)
    return escape(plain).encode("latin-1", "replace").decode("latin-1")


def _money(value: Any) -> str:
    return f"£{Decimal(str(value)):,.2f}"


def _table(rows: list[tuple[str, str]], *, border: int = 0, bold_last: bool = False) -> str:
    """Two columns, label and amount (widths on the first row, as fpdf2 reads them)."""
    cells = []
    for n, (label, amount) in enumerate(rows):
        if bold_last and n == len(rows) - 1:
            label, amount = f"<b>{label}</b>", f"<b>{amount}</b>"
        widths = (' width="75%"', ' width="25%"') if n == 0 else ("", "")
        cells.append(
            f'<tr><td{widths[0]}>{label}</td><td{widths[1]} align="right">{amount}</td></tr>'
        )
    return f'<table width="100%" border="{border}"><tbody>{"".join(cells)}</tbody></table>'


def _lines(lines: list[dict[str, Any]], section: str) -> list[tuple[str, str]]:
    return [
        (_text(line["description"]), _money(line["amount"]))
        for line in lines
        if line["section"] == section
    ]


def payslip_html(employer: str, run: PayRun, item: PayRunItem) -> str:
    slip = item.payslip
    lines = slip.get("lines", [])
    ytd = slip.get("year_to_date", {})
    period = run.period
    parts = [
        f"<h1>{_text(employer)}</h1>",
        f"<p><b>Payslip</b> for {_text(item.name)} (payroll number "
        f"{_text(item.employee_number)})<br>"
        f"Paid {period.pay_date:%d %B %Y}; tax year {period.tax_year}, period {period.number}; "
        f"tax code {_text(slip.get('tax_code', ''))}, NI category "
        f"{_text(slip.get('ni_category', ''))}<br>"
        f"NI number {_text(item.national_insurance_number or 'not held')}</p>",
    ]
    for section, title in SECTIONS:
        rows = _lines(lines, section)
        if rows:
            parts.append(f"<h3>{title}</h3>" + _table(rows))
    parts.append(
        "<h3>Summary</h3>"
        + _table(
            [
                ("Gross pay", _money(slip["gross_pay"])),
                ("Total deductions", _money(slip["total_deductions"])),
                ("Net pay", _money(slip["net_pay"])),
            ],
            border=1,
            bold_last=True,
        )
    )
    employer_rows = _lines(lines, "employer")
    if employer_rows:
        parts.append("<h3>Paid by your employer as well</h3>" + _table(employer_rows))
    year = [
        (label, _money(ytd.get(key, "0")))
        for key, label in (
            ("gross_pay", "Gross pay"),
            ("taxable_pay", "Taxable pay"),
            ("tax_paid", "Tax"),
            ("student_loan", "Student loan"),
            ("employee_pension", "Pension (your contributions)"),
            ("net_pay", "Net pay"),
        )
    ]
    year.append(("National Insurance", _money(ytd.get("ni", {}).get("employee_contribution", "0"))))
    parts.append("<h3>Year to date</h3>" + _table(year))
    return "".join(parts)


def payslip_pdf(employer: str, run: PayRun, item: PayRunItem) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Payslip {run.reference} {item.employee_number}")
    pdf.set_author(employer)
    pdf.set_creator("SOP payroll")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.write_html(payslip_html(employer, run, item))
    return bytes(pdf.output())
