"""The fakes keep the native adapter's port semantics the rules rely on."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from finance_fakes import (
    OTHER_TENANT,
    TENANT,
    THRESHOLD,
    FakeLedger,
    context,
    fake_backend,
    settings,
)

from sop_finance.accounts.ports import Account, AccountFilter, CostCentre
from sop_finance.journals.ports import Journal, JournalLine
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordGone, StaleRecord
from sop_shared.clock import FixedClock
from sop_shared.errors import Conflict, ValidationFailed


def account(code: str, **kw) -> Account:
    return Account(code=code, name=code, type="asset", version=9, **kw)  # version is the store's


def journal(*lines: JournalLine, status="draft", source="manual", ref=None) -> Journal:
    return Journal(
        description="j",
        posting_date=date(2026, 8, 15),
        period_code="2026-08",
        lines=list(lines),
        prepared_by="p",
        status=status,
        source=source,
        source_reference=ref,
    )


def dr(code: str, amount: str, cc: str | None = None) -> JournalLine:
    return JournalLine(account_code=code, debit=Decimal(amount), cost_centre_code=cc)


def cr(code: str, amount: str, cc: str | None = None) -> JournalLine:
    return JournalLine(account_code=code, credit=Decimal(amount), cost_centre_code=cc)


async def test_a_new_record_starts_at_version_1_and_each_update_bumps_it():
    clock = FixedClock(datetime(2026, 8, 14, 9, tzinfo=UTC))
    chart = fake_backend(ledger=FakeLedger(clock)).accounts
    added = await chart.add_account(account("1"))
    assert (added.version, added.created_at, added.updated_at) == (1, clock.now(), clock.now())
    clock.advance(timedelta(minutes=1))
    touched = await chart.update_account(added)  # even with nothing changed
    assert (touched.version, touched.created_at, touched.updated_at) == (
        2,
        added.created_at,
        clock.now(),
    )


async def test_an_update_from_an_old_version_is_stale_and_one_of_a_missing_record_is_gone():
    ledger = FakeLedger(FixedClock(datetime(2026, 8, 14, tzinfo=UTC)))
    chart = fake_backend(TENANT, ledger).accounts
    added = await chart.add_account(account("1"))
    await chart.update_account(dataclasses.replace(added, name="B"))
    with pytest.raises(StaleRecord):
        await chart.update_account(dataclasses.replace(added, name="C"))
    with pytest.raises(RecordGone):
        await chart.update_account(account("NEW"))
    with pytest.raises(RecordGone):  # nothing crosses tenants
        await fake_backend(OTHER_TENANT, ledger).accounts.update_account(added)


async def test_a_record_in_hand_is_a_copy_until_it_is_written_back():
    backend = fake_backend()
    await backend.accounts.add_account(account("A1"))
    await backend.accounts.add_account(account("A2"))
    added = await backend.journals.add(journal(dr("A1", "5.00"), cr("A2", "5.00")))
    added.status = "posted"
    added.lines[0].debit = Decimal("99.00")
    stored = await backend.journals.get(added.id)
    assert stored is not None
    assert (stored.status, stored.lines[0].debit) == ("draft", Decimal("5.00"))
    assert [ln.line_number for ln in stored.lines] == [1, 2]  # numbered by the store
    header_only = await backend.journals.update(dataclasses.replace(stored, lines=[]))
    assert header_only.lines == stored.lines  # without replace_lines the lines stay as stored


async def test_unique_columns_and_foreign_keys_are_enforced_as_the_tables_do():
    ledger = FakeLedger(FixedClock(datetime(2026, 8, 14, tzinfo=UTC)))
    mine, theirs = fake_backend(TENANT, ledger), fake_backend(OTHER_TENANT, ledger)
    await mine.accounts.add_account(account("A1", control_role="vat_recoverable"))
    with pytest.raises(Conflict):
        await mine.accounts.add_account(account("A1"))
    with pytest.raises(Conflict):  # one account per control role
        await mine.accounts.add_account(account("A2", control_role="vat_recoverable"))
    await mine.accounts.add_account(account("A2"))  # no role: NULLs never clash
    await theirs.accounts.add_account(account("A1"))  # codes are unique per tenant
    with pytest.raises(Conflict):  # their chart has no A2 (ours does)
        await theirs.journals.add(journal(dr("A1", "1.00"), cr("A2", "1.00")))
    await mine.journals.add(journal(dr("A1", "1.00"), cr("A2", "1.00"), source="payroll", ref="R"))
    with pytest.raises(Conflict):  # a document posts once per source
        await mine.journals.add(
            journal(dr("A1", "1.00"), cr("A2", "1.00"), source="payroll", ref="R")
        )
    for _ in range(2):  # manual journals may share a reference
        await mine.journals.add(journal(dr("A1", "1.00"), cr("A2", "1.00"), ref="R"))


async def test_pages_run_in_creation_order_and_updated_since_filters():
    clock = FixedClock(datetime(2026, 8, 14, 9, tzinfo=UTC))
    ledger = FakeLedger(clock)
    chart = fake_backend(TENANT, ledger).accounts
    made = []
    for code in "ABCDE":
        made.append(await chart.add_account(account(code)))
        clock.advance(timedelta(seconds=1))
    await fake_backend(OTHER_TENANT, ledger).accounts.add_account(account("X"))

    seen, cursor = [], None
    while True:
        page = await chart.list_accounts(AccountFilter(), PageRequest(limit=2, cursor=cursor))
        seen += [a.code for a in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == list("ABCDE")
    recent = await chart.list_accounts(
        AccountFilter(updated_since=made[3].updated_at), PageRequest()
    )
    assert [a.code for a in recent.items] == ["D", "E"]
    with pytest.raises(ValidationFailed):  # the kernel's cursor check, as keyset_page's
        await chart.list_accounts(AccountFilter(), PageRequest(cursor="bogus"))


async def test_balances_are_kept_as_journals_post_and_summed_by_range_and_cost_centre():
    backend = fake_backend()
    for code in ("E1", "B1"):
        await backend.accounts.add_account(account(code))
    await backend.accounts.add_cost_centre(CostCentre(code="CC01", name="One"))
    draft = await backend.journals.add(journal(dr("E1", "7.00", "CC01"), cr("B1", "7.00")))
    assert await backend.balances.totals(to_key=209912) == []  # a draft moves nothing
    await backend.journals.post(draft, PeriodRef(2026, 5))
    await backend.journals.add(
        dataclasses.replace(
            journal(dr("E1", "3.00"), cr("B1", "3.00"), status="posted"), period_code="2026-09"
        )
    )
    everything = await backend.balances.totals(to_key=202613)
    assert [(t.account_code, t.debit, t.credit) for t in everything] == [
        ("B1", Decimal(0), Decimal("10.00")),
        ("E1", Decimal("10.00"), Decimal(0)),
    ]
    by_centre = await backend.balances.totals(to_key=202613, by_cost_centre=True)
    assert {(t.account_code, t.cost_centre_code, t.net) for t in by_centre} == {
        ("E1", "CC01", Decimal("7.00")),
        ("E1", None, Decimal("3.00")),
        ("B1", None, Decimal("-10.00")),
    }
    august = await backend.balances.totals(from_key=202605, to_key=202605, account_codes=["E1"])
    assert [(t.account_code, t.net) for t in august] == [("E1", Decimal("7.00"))]
    cc01 = await backend.balances.totals(to_key=202613, cost_centre_code="CC01")
    assert [(t.account_code, t.net) for t in cc01] == [("E1", Decimal("7.00"))]


async def test_a_journals_line_totals_sum_its_own_lines_by_account_and_cost_centre():
    ledger = FakeLedger(FixedClock(datetime(2026, 8, 14, tzinfo=UTC)))
    backend = fake_backend(TENANT, ledger)
    for code in ("E1", "B1"):
        await backend.accounts.add_account(account(code))
    await backend.accounts.add_cost_centre(CostCentre(code="CC01", name="One"))
    j = await backend.journals.add(
        journal(
            dr("E1", "7.00", "CC01"), dr("E1", "2.00", "CC01"), dr("E1", "1.00"), cr("B1", "10.00")
        )
    )
    await backend.journals.add(journal(dr("E1", "5.00", "CC01"), cr("B1", "5.00")))  # another
    every = await backend.journals.line_totals(j.id)
    assert {(t.account_code, t.cost_centre_code, t.net) for t in every} == {
        ("E1", "CC01", Decimal("9.00")),
        ("E1", None, Decimal("1.00")),
        ("B1", None, Decimal("-10.00")),
    }
    one = await backend.journals.line_totals(j.id, account_codes=["E1"], cost_centre_code="CC01")
    assert [(t.account_code, t.debit, t.credit) for t in one] == [
        ("E1", Decimal("9.00"), Decimal(0))
    ]
    assert await fake_backend(OTHER_TENANT, ledger).journals.line_totals(j.id) == []


async def test_business_numbers_count_per_tenant_and_tenants_never_see_each_other():
    ledger = FakeLedger(FixedClock(datetime(2026, 8, 14, tzinfo=UTC)))
    numbers: dict[tuple[str, str], Journal] = {}
    for tenant in (TENANT, OTHER_TENANT, TENANT):
        backend = fake_backend(tenant, ledger)
        await backend.accounts.add_account(account(f"A{len(numbers)}"))
        await backend.accounts.add_account(account(f"B{len(numbers)}"))
        j = await backend.journals.add(
            journal(dr(f"A{len(numbers)}", "1.00"), cr(f"B{len(numbers)}", "1.00"))
        )
        numbers[(tenant, j.number)] = j
    assert list(numbers) == [
        (TENANT, "JNL-000001"),
        (OTHER_TENANT, "JNL-000001"),
        (TENANT, "JNL-000002"),
    ]
    theirs = fake_backend(OTHER_TENANT, ledger)
    assert await theirs.journals.get(numbers[(TENANT, "JNL-000001")].id) is None
    assert await theirs.accounts.accounts_by_code(["A0"]) == {}
    with pytest.raises(PermissionError):
        fake_backend("")


def test_settings_are_pinned_against_the_environment(monkeypatch):
    monkeypatch.setenv("SOP_FINANCE_APPROVAL_THRESHOLD", "1")
    monkeypatch.setenv("SOP_ENV", "production")
    monkeypatch.setenv("SOP_FINANCE_DATABASE_URL", "postgresql://elsewhere/db")
    pinned = settings()
    assert (pinned.env, pinned.approval_threshold) == ("test", THRESHOLD)
    assert pinned.database_url.startswith("sqlite")
    assert context().settings.approval_threshold == THRESHOLD


async def test_payment_batches_keep_the_native_tables_constraints():
    from sop_finance.payables.ports import BankAccount
    from sop_finance.payment_batches.ports import BatchPayment, PaymentBatch

    ledger = FakeLedger(FixedClock(datetime(2026, 8, 14, tzinfo=UTC)))
    mine, theirs = fake_backend(TENANT, ledger), fake_backend(OTHER_TENANT, ledger)
    await mine.accounts.add_account(Account(code="52100000", name="Net pay", type="liability"))
    gbs = await mine.payables.add_bank_account(
        BankAccount(
            name="B",
            sort_code="607080",
            account_number="10002000",
            account_name="D",
            service_user_number="123456",
            ledger_account_code="43100000",
        )
    )

    def batch(**kw) -> PaymentBatch:
        values = {
            "bank_account_id": gbs.id,
            "payment_date": date(2026, 8, 28),
            "processing_day": date(2026, 8, 26),
            "source": "payroll",
            "source_reference": "R1",
            "control_account_code": "52100000",
            "expected_count": 1,
            "expected_total": Decimal("1.00"),
            "created_by": "p",
            **kw,
        }
        return PaymentBatch(**values)

    def pay(ref: str) -> BatchPayment:
        return BatchPayment(
            payee_reference=ref,
            name=ref,
            sort_code="200000",
            account_number="12345678",
            account_name=ref,
            amount=Decimal("1.00"),
            reference="R",
        )

    first = await mine.payment_batches.add_batch(batch())
    assert (first.number, first.version) == ("PBT-000001", 1)
    with pytest.raises(Conflict):  # the partial unique index on live references
        await mine.payment_batches.add_batch(batch())
    with pytest.raises(Conflict):  # the control account's foreign key
        await mine.payment_batches.add_batch(batch(source_reference="R2", control_account_code="X"))
    await mine.payment_batches.add_payments(first.id, [pay("E1")])
    with pytest.raises(Conflict):  # UNIQUE (batch_id, payee_reference)
        await mine.payment_batches.add_payments(first.id, [pay("E2"), pay("E1")])
    assert await mine.payment_batches.taken_payee_references(first.id, ["E1", "E2"]) == {"E1"}
    await mine.payment_batches.add_bacs_file(first.id, "FILE")
    with pytest.raises(Conflict):  # one file per batch
        await mine.payment_batches.add_bacs_file(first.id, "AGAIN")
    assert await mine.payment_batches.get_bacs_file(first.id) == "FILE"
    # Another tenant sees none of it, and a cancelled batch frees its reference.
    assert await theirs.payment_batches.get_batch(first.id) is None
    assert await theirs.payment_batches.all_payments(first.id) == []
    assert await theirs.payment_batches.get_bacs_file(first.id) is None
    cancelled = dataclasses.replace(first, status="cancelled")
    await mine.payment_batches.update_batch(cancelled)
    assert (await mine.payment_batches.add_batch(batch())).number == "PBT-000002"
