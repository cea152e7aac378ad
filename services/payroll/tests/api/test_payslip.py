"""POST /payroll/v1/calculations/payslip: gross to net with every line explained, net pay always
gross less deductions, the same pennies as the engine, and 422s naming nested fields."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from typing import Any

import pytest

from sop_payroll.calculations.examples import PAYSLIP
from sop_payroll.engine import (
    PayFrequency,
    PayItem,
    PayItemKind,
    PayslipInput,
    PayslipYearToDate,
    PensionBasis,
    PensionMethod,
    PensionScheme,
    PostTaxDeduction,
    PreTaxDeduction,
    PreTaxDeductionKind,
    StudentLoanPlan,
    calculate_payslip,
)

DEDUCTED = ("pre_tax_deduction", "statutory_deduction", "post_tax_deduction")


def money(value: str) -> Decimal:
    return Decimal(value)


def check_adds_up(slip: dict[str, Any]) -> None:
    """What a reader of the payslip checks: the lines add up to the totals."""
    lines = slip["lines"]
    paid = sum(money(line["amount"]) for line in lines if line["section"] == "payment")
    deducted = sum(money(line["amount"]) for line in lines if line["section"] in DEDUCTED)
    assert paid == money(slip["gross_pay"])
    assert deducted == money(slip["total_deductions"])
    assert money(slip["net_pay"]) == money(slip["gross_pay"]) - money(slip["total_deductions"])
    assert money(slip["total_deductions"]) == sum(
        money(slip[name])
        for name in (
            "pre_tax_deductions",
            "income_tax",
            "employee_ni",
            "student_loan",
            "postgraduate_loan",
            "post_tax_deductions",
        )
    )
    for line in lines:
        assert line["explanation"] and all(line["explanation"]), line


async def test_the_documented_payslip_by_hand(payroll):
    """Month 3: 3,130.00 gross; alpha 5.45% of the pensionable 2,950.00 is 160.78, before tax.
    Tax: 3 x 2,969.22 = 8,907.66 to date less free pay 3,144.78 gives 5,762 taxable, 1,152.40 at
    20%, less 768.20 paid = 384.20. NICs: 8% of (3,130 - 1,048) = 166.56. Plan 2: 9% of
    (3,130 - 2,372.50) = 68.17, rounded down to 68.00. Net: 3,130.00 - 160.78 - 384.20 -
    166.56 - 68.00 - 12.50 = 2,337.96."""
    slip = await payroll.calculate("payslip", PAYSLIP)
    assert slip["gross_pay"] == "3130.00"
    assert slip["pre_tax_deductions"] == "160.78"
    assert slip["taxable_pay"] == "2969.22"
    assert slip["ni_able_pay"] == "3130.00"
    assert slip["income_tax"] == "384.20"
    assert slip["employee_ni"] == "166.56"
    assert slip["student_loan"] == "68.00"
    assert slip["post_tax_deductions"] == "12.50"
    assert slip["net_pay"] == "2337.96"
    assert slip["employer_ni"] == "406.95"  # 15% of (3,130 - 417)
    assert slip["employer_pension"] == "854.62"  # 28.97% of 2,950.00
    assert slip["employer_cost"] == "4391.57"
    check_adds_up(slip)
    assert [(line["section"], line["code"], line["amount"]) for line in slip["lines"]] == [
        ("payment", "basic", "2950.00"),
        ("payment", "overtime", "180.00"),
        ("pre_tax_deduction", "pension_net_pay", "160.78"),
        ("statutory_deduction", "income_tax", "384.20"),
        ("statutory_deduction", "employee_ni", "166.56"),
        ("statutory_deduction", "student_loan", "68.00"),
        ("post_tax_deduction", "post_tax_deduction", "12.50"),
        ("employer", "employer_ni", "406.95"),
        ("employer", "employer_pension", "854.62"),
    ]
    tax_line = slip["lines"][3]
    assert "Free pay for code 1257L month 3: 3,144.78" in tax_line["explanation"]
    details = slip["calculations"]
    assert details["income_tax"]["tax_due"] == "384.20"
    assert details["national_insurance"]["employee_contribution"] == "166.56"
    assert details["student_loans"]["deductions"] == [
        {"loan": "plan_2", "threshold": "2372.50", "amount": "68.00"}
    ]
    assert details["pension"]["employee_deduction"] == "160.78"
    ytd = slip["year_to_date"]
    assert (ytd["gross_pay"], ytd["tax_paid"], ytd["student_loan"]) == (
        "9390.00",
        "1152.40",
        "204.00",
    )
    assert ytd["ni"]["employee_contribution"] == "499.68"
    assert ytd["net_pay"] == "7014.08"


async def test_a_year_of_payslips_carries_its_figures_to_date(payroll):
    """Twelve months through the API, each request taking the previous answer's year_to_date,
    end where the engine's own year ends."""
    body = {k: v for k, v in PAYSLIP.items() if k != "year_to_date"}
    year_to_date: dict[str, Any] | None = None
    nets = []
    for month in range(1, 13):
        request = {**body, "period": month}
        if year_to_date is not None:
            request["year_to_date"] = year_to_date
        slip = await payroll.calculate("payslip", request)
        check_adds_up(slip)
        nets.append(Decimal(slip["net_pay"]))
        year_to_date = slip["year_to_date"]
    assert year_to_date is not None
    assert year_to_date["gross_pay"] == "37560.00"
    assert Decimal(year_to_date["net_pay"]) == sum(nets)
    # 12 x 2,969.22 = 35,630.64 less free pay 12 x 1,048.26 = 12,579.12: 23,051 taxed at 20%.
    assert year_to_date["taxable_pay"] == "35630.64"
    assert year_to_date["tax_paid"] == "4610.20"
    assert year_to_date["student_loan"] == "816.00"  # 68.00 a month


def engine_input(body: dict[str, Any]) -> PayslipInput:
    """The same payslip built for the engine directly, from a request body."""
    pension = body.get("pension")
    return PayslipInput(
        tax_year=body["tax_year"],
        frequency=PayFrequency(body["pay_frequency"]),
        period=body["period"],
        tax_code=body["tax_code"],
        ni_category=body["ni_category"],
        pay_items=tuple(
            PayItem(
                PayItemKind(i["kind"]),
                Decimal(i["amount"]),
                i.get("description", ""),
                i.get("taxable", True),
                i.get("ni_able", True),
                i.get("pensionable", True),
            )
            for i in body["pay_items"]
        ),
        pre_tax_deductions=tuple(
            PreTaxDeduction(PreTaxDeductionKind(d["kind"]), Decimal(d["amount"]))
            for d in body.get("pre_tax_deductions", [])
        ),
        post_tax_deductions=tuple(
            PostTaxDeduction(Decimal(d["amount"]), d["description"])
            for d in body.get("post_tax_deductions", [])
        ),
        pension=None
        if pension is None
        else PensionScheme(
            pension["name"],
            PensionMethod(pension["method"]),
            PensionBasis(pension["basis"]),
            Decimal(pension["employee_rate"]),
            Decimal(pension["employer_rate"]),
        ),
        student_loan_plans=tuple(StudentLoanPlan(p) for p in body.get("student_loan_plans", [])),
        postgraduate_loan=body.get("postgraduate_loan", False),
        year_to_date=PayslipYearToDate(),
    )


def random_payslip(rng: random.Random) -> dict[str, Any]:
    frequency = rng.choice(["weekly", "fortnightly", "four_weekly", "monthly"])
    periods = {"weekly": 52, "fortnightly": 26, "four_weekly": 13, "monthly": 12}[frequency]
    body: dict[str, Any] = {
        "tax_year": rng.choice(["2024-25", "2025-26", "2026-27"]),
        "pay_frequency": frequency,
        "period": rng.randint(1, periods),
        "tax_code": rng.choice(["1257L", "S1257L", "C1257L", "BR", "K300", "0T", "D0", "NT"]),
        "ni_category": rng.choice("ABCHJMXZ"),
        "pay_items": [
            {"kind": "basic", "amount": f"{rng.randint(10_000, 900_000) / 100:.2f}"},
            {
                "kind": rng.choice(["overtime", "bonus", "allowance"]),
                "amount": f"{rng.randint(0, 50_000) / 100:.2f}",
                "pensionable": rng.random() < 0.5,
            },
        ],
        "post_tax_deductions": [{"amount": "5.00", "description": "Charity"}],
        "student_loan_plans": rng.sample(["plan_1", "plan_2", "plan_4"], rng.randint(0, 2)),
        "postgraduate_loan": rng.random() < 0.3,
    }
    if rng.random() < 0.3:
        body["pre_tax_deductions"] = [{"kind": "salary_sacrifice", "amount": "25.00"}]
    if rng.random() < 0.7:
        body["pension"] = {
            "name": "scheme",
            "method": rng.choice(["relief_at_source", "net_pay", "salary_sacrifice"]),
            "basis": rng.choice(["qualifying_earnings", "pensionable_pay"]),
            "employee_rate": rng.choice(["0.05", "0.0545", "0.08"]),
            "employer_rate": rng.choice(["0.03", "0.2897"]),
        }
    return body


async def test_random_payslips_match_the_engine_to_the_penny(payroll):
    rng = random.Random(20261122)
    for _ in range(60):
        body = random_payslip(rng)
        slip = await payroll.calculate("payslip", body)
        check_adds_up(slip)
        engine = calculate_payslip(engine_input(body))
        assert slip["net_pay"] == str(engine.net_pay), body
        assert slip["total_deductions"] == str(engine.total_deductions), body
        assert slip["employer_cost"] == str(engine.employer_cost), body
        assert [line["amount"] for line in slip["lines"]] == [
            str(line.amount) for line in engine.lines
        ]
        assert [line["explanation"] for line in slip["lines"]] == [
            list(line.explanation) for line in engine.lines
        ]


async def test_pension_methods_and_a_refund(payroll):
    base = {
        "tax_year": "2025-26",
        "pay_frequency": "monthly",
        "period": 1,
        "tax_code": "1257L",
        "ni_category": "A",
        "pay_items": [{"kind": "basic", "amount": "2000.00"}],
    }
    scheme = {"name": "Nest", "basis": "qualifying_earnings"}
    scheme |= {"employee_rate": "0.05", "employer_rate": "0.03"}
    ras = await payroll.calculate(
        "payslip", {**base, "pension": {**scheme, "method": "relief_at_source"}}
    )
    # 5% of (2,000 - 520) = 74.00 gross; 80% of it, 59.20, comes off net pay after tax.
    assert ras["post_tax_deductions"] == "59.20" and ras["pre_tax_deductions"] == "0.00"
    assert ras["calculations"]["pension"]["relief_at_source"] == "14.80"
    sacrifice = await payroll.calculate(
        "payslip", {**base, "pension": {**scheme, "method": "salary_sacrifice"}}
    )
    assert sacrifice["ni_able_pay"] == "1926.00"  # 2,000 less the 74.00 sacrificed
    assert sacrifice["employer_pension"] == "118.40"  # 3% of 1,480 plus the 74.00
    check_adds_up(ras)
    check_adds_up(sacrifice)

    refund = await payroll.calculate(
        "payslip",
        {
            **base,
            "period": 7,
            "pay_items": [{"kind": "basic", "amount": "100.00"}],
            "year_to_date": {"gross_pay": "12000.00", "taxable_pay": "12000.00"}
            | {"tax_paid": "1300.00"},
        },
    )
    assert Decimal(refund["income_tax"]) < 0
    assert refund["lines"][1]["description"] == "Income tax refund"
    assert Decimal(refund["net_pay"]) > Decimal("100.00")
    check_adds_up(refund)


async def test_plan_5_is_not_collected_before_2026_27(payroll):
    body = copy.deepcopy(PAYSLIP) | {"student_loan_plans": ["plan_5"]}
    slip = await payroll.calculate("payslip", body)
    assert slip["student_loan"] == "0.00"
    assert "Plan 5: no repayments are collected in 2025-26" in slip["lines"][5]["explanation"]


def changed(path: str, value: Any) -> dict[str, Any]:
    """The documented payslip with one (dotted) field set to `value`."""
    body = copy.deepcopy(PAYSLIP)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("tax_code", "S99Z", "tax_code"),
        ("ni_category", "G", "ni_category"),
        ("tax_year", "2023-24", "tax_year"),
        ("period", 13, "period"),
        ("pay_items.0.amount", 2950.0, "pay_items.0.amount"),
        ("pay_items.1.amount", "180.005", "pay_items.1.amount"),
        ("pay_items.0.kind", "stipend", "pay_items.0.kind"),
        ("pay_items.0.amount", "-5000.00", "pay_items"),  # pay would be negative
        ("pay_items.0.taxable", "no", "pay_items.0.taxable"),
        ("pay_items.0.hourly_rate", "20.00", "pay_items.0.hourly_rate"),
        ("pay_items", [], "pay_items"),
        ("post_tax_deductions.0.amount", "-12.50", "post_tax_deductions.0.amount"),
        ("post_tax_deductions.0.description", "", "post_tax_deductions.0.description"),
        ("pension.employee_rate", 0.0545, "pension.employee_rate"),
        ("pension.employee_rate", "5.45", "pension.employee_rate"),
        ("pension.employer_rate", "-0.1", "pension.employer_rate"),
        ("pension.method", "defined_benefit", "pension.method"),
        ("student_loan_plans", ["plan_3"], "student_loan_plans.0"),
        ("year_to_date.tax_paid", 768.2, "year_to_date.tax_paid"),
        ("year_to_date.ni.gross_pay", "-1.00", "year_to_date.ni.gross_pay"),
        ("year_to_date.student_loan", "-1.00", "year_to_date.student_loan"),
        ("director_method", "annual", "director_method"),
        ("appointed_in_week", 3, "appointed_in_week"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(payroll, path, value, field):
    assert await payroll.refused("payslip", changed(path, value)) == [field]


async def test_pre_tax_deductions_cannot_take_pay_below_nothing(payroll):
    body = changed("pre_tax_deductions", [{"kind": "salary_sacrifice", "amount": "5000.00"}])
    assert await payroll.refused("payslip", body) == ["pre_tax_deductions"]


async def test_a_director_on_a_payslip(payroll):
    body = copy.deepcopy(PAYSLIP) | {"director": True, "director_method": "annual"}
    slip = await payroll.calculate("payslip", body)
    ni = slip["calculations"]["national_insurance"]
    assert ni["method"] == "director_annual"
    # Annual method: 9,390 to date is under the annual PT, so nothing is due yet, and the
    # 333.12 already paid on the per-period basis comes back.
    assert slip["employee_ni"] == "-333.12"
    check_adds_up(slip)
