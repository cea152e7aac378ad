"""Benchmark: gross-to-net payslips per second on one core, printed as JSON.

A seeded, synthetic workforce (mostly monthly civil servants: alpha net-pay pensions,
some relief-at-source and salary-sacrifice schemes, student loans, Scottish and Welsh
codes, K and flat-rate codes, several NI letters) is paid for a whole tax year, each
payslip carrying the year to date into the next, as a pay run would. The run is one
Python thread, so one core does all the work. Timings include
building each PayslipInput. "payslips_per_second" leaves the payslip lines and their
explanations to be built when read; "payslips_rendered_per_second" also writes out every
line and every sentence of its explanation, as printing payslips would.

    uv run python bench/payroll_engine.py [--employees 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import time
from collections.abc import Callable
from decimal import Decimal

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
    StudentLoanPlan,
    calculate_income_tax,
    calculate_ni,
    calculate_payslip,
)

TARGET = 25_000
TAX_YEAR = "2025-26"
PERIODS = {
    PayFrequency.WEEKLY: 52,
    PayFrequency.FORTNIGHTLY: 26,
    PayFrequency.FOUR_WEEKLY: 13,
    PayFrequency.MONTHLY: 12,
}
ALPHA = PensionScheme(
    "alpha",
    PensionMethod.NET_PAY,
    PensionBasis.PENSIONABLE_PAY,
    Decimal("0.0545"),
    Decimal("0.2897"),
)
NEST = PensionScheme(
    "Nest",
    PensionMethod.RELIEF_AT_SOURCE,
    PensionBasis.QUALIFYING_EARNINGS,
    Decimal("0.05"),
    Decimal("0.03"),
)
SACRIFICE = PensionScheme(
    "Group personal pension",
    PensionMethod.SALARY_SACRIFICE,
    PensionBasis.PENSIONABLE_PAY,
    Decimal("0.06"),
    Decimal("0.08"),
)
PENNY = Decimal("0.01")


def pick(rng: random.Random, weighted: list[tuple[object, int]]) -> object:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def workforce(size: int, seed: int = 2025) -> list[dict]:
    """Employees as the fixed parts of their PayslipInput, plus their pay frequency."""
    rng = random.Random(seed)
    people = []
    for _ in range(size):
        frequency = pick(
            rng,
            [
                (PayFrequency.MONTHLY, 85),
                (PayFrequency.WEEKLY, 10),
                (PayFrequency.FORTNIGHTLY, 3),
                (PayFrequency.FOUR_WEEKLY, 2),
            ],
        )
        salary = Decimal(min(max(rng.lognormvariate(10.4, 0.45), 12_000), 250_000))
        per_period = (salary / PERIODS[frequency]).quantize(PENNY)
        items = [PayItem(PayItemKind.BASIC, per_period)]
        if rng.random() < 0.3:
            items.append(
                PayItem(PayItemKind.OVERTIME, (per_period * Decimal("0.08")).quantize(PENNY))
            )
        if rng.random() < 0.1:
            items.append(PayItem(PayItemKind.ALLOWANCE, Decimal("125.00"), "London allowance"))
        if rng.random() < 0.05:
            items.append(PayItem(PayItemKind.BONUS, Decimal("750.00"), pensionable=False))
        prefix = pick(rng, [("", 85), ("S", 10), ("C", 5)])
        code = pick(
            rng,
            [
                ("1257L", 70),
                ("1257L W1", 4),
                ("K475", 4),
                ("BR", 4),
                ("D0", 2),
                ("0T", 2),
                ("1383M", 3),
                ("1131N", 3),
                ("989L", 5),
                ("NT", 1),
                ("2140L", 2),
            ],
        )
        plans = pick(
            rng,
            [
                ((), 72),
                ((StudentLoanPlan.PLAN_2,), 18),
                ((StudentLoanPlan.PLAN_1,), 6),
                ((StudentLoanPlan.PLAN_4,), 3),
                ((StudentLoanPlan.PLAN_1, StudentLoanPlan.PLAN_2), 1),
            ],
        )
        people.append(
            {
                "frequency": frequency,
                "tax_code": f"{prefix}{code}",
                "ni_category": pick(
                    rng,
                    [
                        ("A", 88),
                        ("B", 1),
                        ("C", 3),
                        ("H", 2),
                        ("M", 3),
                        ("Z", 1),
                        ("F", 1),
                        ("X", 1),
                    ],
                ),
                "pay_items": tuple(items),
                "pension": pick(rng, [(ALPHA, 60), (NEST, 25), (SACRIFICE, 10), (None, 5)]),
                "student_loan_plans": plans,
                "postgraduate_loan": rng.random() < 0.05,
                "post_tax_deductions": (
                    (PostTaxDeduction(Decimal("14.50"), "Union subscription"),)
                    if rng.random() < 0.2
                    else ()
                ),
            }
        )
    return people


def pay_year(people: list[dict], *, render: bool) -> int:
    """Every payslip of the tax year for everyone; returns how many were calculated."""
    count = 0
    for person in people:
        frequency = person["frequency"]
        to_date = PayslipYearToDate()
        for period in range(1, PERIODS[frequency] + 1):
            slip = calculate_payslip(
                PayslipInput(
                    TAX_YEAR,
                    frequency,
                    period,
                    person["tax_code"],
                    person["ni_category"],
                    person["pay_items"],
                    False,  # week1_month1: codes carry their own W1/M1 marker
                    (),  # pre_tax_deductions: pensions bring their own
                    person["post_tax_deductions"],
                    person["pension"],
                    person["student_loan_plans"],
                    person["postgraduate_loan"],
                    None,  # director
                    to_date,
                )
            )
            to_date = slip.year_to_date
            if render:
                for line in slip.lines:
                    line.explanation.sentences()
            count += 1
    return count


def best_rate(run: Callable[[], int], repeats: int) -> float:
    """Operations per CPU-second of the fastest of `repeats` runs (after a warm-up run).

    The process's own CPU time is the clock: the machine may be shared, and time spent
    waiting for a core is not time spent calculating on one.
    """
    run()
    best = 0.0
    for _ in range(repeats):
        gc.collect()
        started = time.process_time()
        done = run()
        best = max(best, done / (time.process_time() - started))
    return best


def tax_cases(people: list[dict]) -> list[dict]:
    cases = []
    for index, person in enumerate(people):
        pay = sum((item.amount for item in person["pay_items"]), Decimal(0))
        period = 1 + index % 12 if person["frequency"] is PayFrequency.MONTHLY else 1 + index % 52
        period = min(period, PERIODS[person["frequency"]])
        cases.append(
            {
                "tax_year": TAX_YEAR,
                "frequency": person["frequency"],
                "period": period,
                "tax_code": person["tax_code"],
                "taxable_pay": pay,
                "previous_taxable_pay_to_date": pay * (period - 1),
                "previous_tax_paid_to_date": (pay * (period - 1) / 5).quantize(PENNY),
            }
        )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    people = workforce(args.employees)
    payslips = pay_year(people, render=False)
    cases = tax_cases(people)
    ni_cases = [
        {
            "tax_year": TAX_YEAR,
            "frequency": case["frequency"],
            "period": case["period"],
            "category": person["ni_category"],
            "gross_pay": case["taxable_pay"],
        }
        for case, person in zip(cases, people, strict=True)
    ]

    def income_tax_run() -> int:
        for case in cases:
            calculate_income_tax(**case)
        return len(cases)

    def ni_run() -> int:
        for case in ni_cases:
            calculate_ni(**case)
        return len(ni_cases)

    figures = {
        "benchmark": "payroll_engine",
        "payslips_per_second": round(
            best_rate(lambda: pay_year(people, render=False), args.repeats)
        ),
        "payslips_rendered_per_second": round(
            best_rate(lambda: pay_year(people, render=True), args.repeats)
        ),
        "income_tax_per_second": round(best_rate(income_tax_run, args.repeats)),
        "ni_per_second": round(best_rate(ni_run, args.repeats)),
        "employees": len(people),
        "payslips_per_run": payslips,
        "target_payslips_per_second": TARGET,
        "clock": "process CPU time, best of repeats",
        "python": platform.python_version(),
    }
    figures["meets_target"] = figures["payslips_per_second"] >= TARGET
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
