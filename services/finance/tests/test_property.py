"""Property: no unbalanced journal lands and the trial balance always balances."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from finance_testkit import BANK, FEES, IT, NET_PAY, SALARIES, SUPPLIES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OPERATING = {IT: True, SALARIES: True, SUPPLIES: True, FEES: True, BANK: False, NET_PAY: False}
PENNY = Decimal("0.01")

line = st.tuples(
    st.sampled_from(sorted(OPERATING)),
    st.sampled_from(["CC01", "CC02"]),
    st.booleans(),  # debit?
    st.integers(min_value=1, max_value=5_000_000),  # pence
)
journal = st.tuples(
    st.lists(line, min_size=1, max_size=6),
    st.sampled_from(["balanced", "balanced", "off-by-pennies", "one-sided"]),
    st.integers(min_value=1, max_value=99_999),
    st.sampled_from(["2026-04-30", "2026-05-15", "2026-06-01"]),
    st.booleans(),  # post in one step, or draft then post
)


def to_lines(raw, kind: str, skew: int) -> list[dict]:
    lines, net = [], 0
    for account, cc, is_debit, pence in raw:
        amount = str(Decimal(pence) * PENNY)
        entry = {"account_code": account, "cost_centre_code": cc if OPERATING[account] else None}
        entry["debit" if is_debit else "credit"] = amount
        lines.append(entry)
        net += pence if is_debit else -pence
    if kind == "one-sided":
        return lines if net != 0 else [*lines, {"account_code": BANK, "debit": "0.01"}]
    balancing = -net + (skew if kind == "off-by-pennies" else 0)
    if balancing:
        side = "debit" if balancing > 0 else "credit"
        lines.append({"account_code": BANK, side: str(Decimal(abs(balancing)) * PENNY)})
    elif kind == "off-by-pennies":
        lines.append({"account_code": BANK, "debit": str(Decimal(skew) * PENNY)})
    return lines


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(journal, min_size=1, max_size=4))
async def test_trial_balance_always_balances(api, batch):
    # The ledger lives across examples: the model accumulates with it.
    model: dict[str, Decimal] = getattr(api, "model", None) or defaultdict(Decimal)
    api.model = model
    api.n = getattr(api, "n", 0)
    api.accepted = getattr(api, "accepted", 0)
    for raw, kind, skew, posting_date, one_step in batch:
        lines = to_lines(raw, kind, skew)
        debits = sum(Decimal(ln.get("debit", "0")) for ln in lines)
        credits = sum(Decimal(ln.get("credit", "0")) for ln in lines)
        balanced = debits == credits and len(lines) >= 2
        api.n += 1
        body = {
            "description": "property",
            "posting_date": posting_date,
            "lines": lines,
            "source": "payroll",
            "source_reference": f"prop-{api.n}",
        }
        if one_step:
            r = await api.post("/journals", {**body, "post": True}, key=f"prop-{api.n}")
        else:
            r = await api.post("/journals", body)
            if r.status_code == 201:
                r = await api.post(f"/journals/{r.json()['id']}/post", key=f"prop-{api.n}")
        if balanced:
            assert r.status_code in (200, 201), r.text
            api.accepted += 1
            for ln in lines:
                model[ln["account_code"]] += Decimal(ln.get("debit", "0")) - Decimal(
                    ln.get("credit", "0")
                )
        else:
            assert r.status_code == 422, r.text
            assert r.json()["type"] in (
                "urn:sop:problem:journal-unbalanced",
                "urn:sop:problem:validation-failed",
            )
    tb = await api.trial_balance(period="2026-06")
    assert tb["total_debit"] == tb["total_credit"]
    seen = {ln["account_code"]: Decimal(ln["debit"]) - Decimal(ln["credit"]) for ln in tb["lines"]}
    assert seen == {k: v for k, v in model.items() if v != 0}
    # The per-cost-centre balances and the per-account ones are kept in step.
    whole = (await api.get("/reports/account-balances", period="2026-06")).json()["accounts"]
    parts: dict[str, Decimal] = defaultdict(Decimal)
    for cc in ("CC01", "CC02"):
        r = await api.get("/reports/account-balances", period="2026-06", cost_centre=cc)
        for a in r.json()["accounts"]:
            parts[a["account_code"]] += Decimal(a["balance"])
    for a in whole:
        if OPERATING[a["account_code"]]:
            assert Decimal(a["balance"]) == parts[a["account_code"]], a
    # Not even as a draft does an unbalanced journal land: every stored journal is posted.
    stored = (await api.get("/journals", limit=500)).json()["items"]
    assert len(stored) == api.accepted and {j["status"] for j in stored} <= {"posted"}
