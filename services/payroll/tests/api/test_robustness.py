"""Bad input gets a clear 4xx problem, never a 500: seeded random requests, most of them
wrong in some way, to every calculator."""

from __future__ import annotations

import copy
import random
from typing import Any

from sop_payroll.calculations.examples import INCOME_TAX, NATIONAL_INSURANCE, PAYSLIP

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    53,
    10**30,
    1.5,
    "",
    " ",
    "0",
    "-0.00",
    "1e30",
    "-1e-3",
    "Infinity",
    "NaN",
    "999999999.99",
    "１２５７L",
    "S1257L W1",
    "K1000000",
    "SD9",
    "2025-26",
    "x" * 500,
    [],
    {},
    ["plan_1", "plan_1"],
]


def mutate(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The body with one field, perhaps nested, replaced by something odd (or removed)."""
    body = copy.deepcopy(body)
    node: Any = body
    while True:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.6:
            node = child
            continue
        if isinstance(node, dict) and rng.random() < 0.1:
            del node[key]
        else:
            node[key] = rng.choice(ODD_VALUES)
        return body


async def test_odd_requests_are_answered_or_refused_never_failed(payroll):
    rng = random.Random(7)
    for what, example in [
        ("income-tax", INCOME_TAX),
        ("national-insurance", NATIONAL_INSURANCE),
        ("payslip", PAYSLIP),
    ]:
        for _ in range(150):
            body = mutate(example, rng)
            r = await payroll.post(f"/payroll/v1/calculations/{what}", json=body)
            assert r.status_code in (200, 422), (what, body, r.text)
            if r.status_code == 422:
                assert r.json()["errors"], (what, body)
