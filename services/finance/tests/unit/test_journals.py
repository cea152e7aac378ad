"""Journals: balance, postable accounts, open periods, approval, immutability, reversal."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from finance_builders import (
    BANK,
    EXPENDITURE_HEADER,
    FEES,
    FY,
    IT,
    NET_PAY,
    SALARIES,
    approver,
    books,
    cr,
    dr,
    draft,
    fresh,
    journal_body,
    posted,
    tb_lines,
)
from finance_fakes import (
    OTHER_TENANT,
    THRESHOLD,
    WRITER,
    ZERO,
    actions,
    as_,
    audit_log,
    ledger_of,
)

from sop_finance.accounts import service as accounts
from sop_finance.accounts.schemas import (
    AccountUpdate,
    AnalysisCodeCreate,
    CostCentreUpdate,
)
from sop_finance.journals import service
from sop_finance.journals.ports import JournalFilter
from sop_finance.journals.schemas import JournalLineIn, JournalUpdate, ReversalCreate
from sop_finance.periods import service as periods
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest
from sop_finance.problems import (
    ApprovalRequired,
    DuplicateReference,
    InvalidState,
    JournalPosted,
    JournalUnbalanced,
    PeriodClosed,
    PeriodSoftClosed,
    SelfApproval,
)
from sop_finance.reports import service as reports
from sop_shared.errors import NotFound, ValidationFailed

OVER = str(THRESHOLD + Decimal("0.01"))  # a penny above the approval threshold


async def tb(fin, period: str = "2026-08"):
    return await reports.trial_balance(fin, PeriodRef.parse(period))


def held(fin) -> int:
    """How many journals the ledger holds for the tenant."""
    return len(ledger_of(fin).journals.rows(fin.tenant))


def fields_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.field for e in exc.value.errors or []]


async def set_status(fin, code: str, status) -> None:
    await periods.set_period_status(fin, await periods.get_period(fin, code), status)


# --- balancing and the lines' references --------------------------------------------------------


async def test_a_balanced_journal_posts_numbered_into_its_period_and_moves_the_balances():
    fin = await books()
    j = await posted(fin, dr(IT, "120.50", "CC01"), cr(BANK, "120.50"))
    assert (j.status, j.period_code, j.number, j.total) == (
        "posted",
        "2026-08",
        "JNL-000001",
        Decimal("120.50"),
    )
    assert (j.posted_by, j.posted_at) == ("preparer", fin.clock.now())
    assert [ln.line_number for ln in j.lines] == [1, 2]
    trial = await tb(fin)
    assert tb_lines(trial) == {IT: (Decimal("120.50"), ZERO), BANK: (ZERO, Decimal("120.50"))}
    assert trial.total_debit == trial.total_credit == Decimal("120.50")
    assert actions(fin, j.id) == ["journal.posted"]
    assert (audit_log(fin).events[-1].after or {})["lines"][0]["debit"] == "120.50"


@pytest.mark.parametrize("post", [False, True])
async def test_a_journal_a_penny_out_is_refused_and_nothing_lands(post):
    fin = await books()
    with pytest.raises(JournalUnbalanced) as refused:
        await service.create_journal(
            fin,
            data=journal_body(dr(IT, "100.00", "CC01"), cr(BANK, "99.99"), post=post),
        )
    assert refused.value.extensions == {"total_debit": "100.00", "total_credit": "99.99"}
    assert "100.00" in str(refused.value.detail) and "99.99" in str(refused.value.detail)
    assert held(fin) == 0 and tb_lines(await tb(fin)) == {}


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([dr("99999999", "5.00", "CC01"), cr(BANK, "5.00")], "lines.0.account_code"),
        ([dr(EXPENDITURE_HEADER, "5.00", "CC01"), cr(BANK, "5.00")], "lines.0.account_code"),
        ([dr(IT, "5.00"), cr(BANK, "5.00")], "lines.0.cost_centre_code"),
        ([dr(IT, "5.00", "NOPE"), cr(BANK, "5.00")], "lines.0.cost_centre_code"),
        ([dr(IT, "5.00", "CC01", programme="P404"), cr(BANK, "5.00")], "lines.0.programme"),
        ([dr(IT, "5.00", "CC01"), cr(BANK, "5.00", project="P404")], "lines.1.project"),
        ([dr(IT, "5.00", "CC01")], "lines"),
        (
            [
                JournalLineIn(
                    account_code=IT,
                    debit=Decimal(5),
                    credit=Decimal(5),
                    cost_centre_code="CC01",
                ),
                cr(BANK, "0.00"),
                dr(BANK, "0.00"),
            ],
            "lines.0",
        ),
    ],
)
async def test_line_rules_name_the_offending_field(lines, field):
    fin = await books()
    with pytest.raises(ValidationFailed) as refused:
        await service.create_journal(fin, data=journal_body(*lines))
    assert field in fields_of(refused)
    assert held(fin) == 0


async def test_balance_sheet_lines_need_no_cost_centre_but_income_lines_do():
    fin = await books()
    j = await posted(fin, dr(BANK, "10.00"), cr(FEES, "10.00", "CC02"))
    assert [ln.cost_centre_code for ln in j.lines] == [None, "CC02"]
    with pytest.raises(ValidationFailed) as refused:
        await posted(fin, dr(BANK, "10.00"), cr(FEES, "10.00"))
    assert fields_of(refused) == ["lines.1.cost_centre_code"]


async def test_inactive_accounts_cost_centres_and_analysis_codes_take_no_new_postings():
    fin = await books()
    await accounts.create_analysis_code(
        fin, data=AnalysisCodeCreate(dimension="programme", code="NET-ZERO", name="Net zero")
    )
    ok = await posted(fin, dr(IT, "8.00", "CC01", programme="NET-ZERO"), cr(BANK, "8.00"))
    assert ok.lines[0].programme == "NET-ZERO"
    it = (await fin.backend.accounts.accounts_by_code([IT]))[IT]
    await accounts.update_account(fin, it, data=AccountUpdate(active=False))
    with pytest.raises(ValidationFailed, match="inactive"):
        await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    cc02 = (await fin.backend.accounts.cost_centres_by_code(["CC02"]))["CC02"]
    await accounts.update_cost_centre(fin, cc02, data=CostCentreUpdate(active=False))
    with pytest.raises(ValidationFailed, match="inactive") as refused:
        await draft(fin, dr(SALARIES, "1.00", "CC02"), cr(BANK, "1.00"))
    assert fields_of(refused) == ["lines.0.cost_centre_code"]


async def test_a_draft_is_checked_again_when_it_posts():
    fin = await books()
    saved = await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    it = (await fin.backend.accounts.accounts_by_code([IT]))[IT]
    await accounts.update_account(fin, it, data=AccountUpdate(active=False))
    with pytest.raises(ValidationFailed, match="inactive"):
        await service.post_journal(fin, saved.id)
    assert (await fresh(fin, saved)).status == "draft"


# --- periods ------------------------------------------------------------------------------------


async def test_nothing_posts_into_a_closed_period_but_a_draft_may_wait_there():
    fin = await books()
    await set_status(fin, "2026-06", "closed")
    lines = (dr(IT, "10.00", "CC01"), cr(BANK, "10.00"))
    with pytest.raises(PeriodClosed) as refused:
        await posted(fin, *lines, posting_date=date(2026, 6, 30))
    assert refused.value.extensions == {"period": "2026-06"}
    waiting = await draft(fin, *lines, posting_date=date(2026, 6, 30))
    with pytest.raises(PeriodClosed):
        await service.post_journal(fin, waiting.id)
    assert (await fresh(fin, waiting)).status == "draft"
    assert tb_lines(await tb(fin, "2026-06")) == {}


async def test_a_year_never_opened_has_no_period_to_post_into():
    fin = await books()
    with pytest.raises(PeriodClosed, match="not been opened"):
        await posted(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"), posting_date=date(2031, 6, 30))


async def test_a_soft_closed_period_takes_postings_only_from_approvers():
    fin = await books()
    await set_status(fin, "2026-07", "soft_closed")
    lines = (dr(IT, "10.00", "CC01"), cr(BANK, "10.00"))
    clerk = as_(fin, "clerk", scopes=WRITER)
    with pytest.raises(PeriodSoftClosed):
        await posted(clerk, *lines, posting_date=date(2026, 7, 31))
    j = await posted(approver(fin), *lines, posting_date=date(2026, 7, 31))
    assert (j.status, j.period_code) == ("posted", "2026-07")


async def test_adjustment_journals_post_into_period_13_and_must_be_dated_in_march():
    fin = await books()
    j = await posted(
        fin,
        dr(IT, "10.00", "CC01"),
        cr(BANK, "10.00"),
        posting_date=date(2027, 3, 31),
        adjustment=True,
    )
    assert j.period_code == "2026-27-ADJ"
    assert tb_lines(await tb(fin, "2027-03")) == {}  # monthly periods exclude period 13
    assert tb_lines(await tb(fin, "2026-27-ADJ"))[IT] == (Decimal("10.00"), ZERO)
    with pytest.raises(ValidationFailed) as refused:
        await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"), adjustment=True)
    assert fields_of(refused) == ["posting_date"]


# --- approval -----------------------------------------------------------------------------------


async def test_a_manual_journal_over_the_threshold_needs_a_second_persons_approval():
    fin = await books()
    lines = (dr(IT, OVER, "CC01"), cr(BANK, OVER))
    with pytest.raises(ApprovalRequired):
        await posted(fin, *lines)
    assert held(fin) == 0
    big = await draft(fin, *lines)
    assert service.requires_approval(fin, big)
    with pytest.raises(ApprovalRequired):
        await service.post_journal(fin, big.id)
    with pytest.raises(SelfApproval, match="someone else"):
        await service.approve_journal(fin, big.id)
    approved = await service.approve_journal(approver(fin), big.id)
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        "approved",
        "controller",
        fin.clock.now(),
    )
    with pytest.raises(InvalidState):
        await service.approve_journal(approver(fin), big.id)
    done = await service.post_journal(fin, big.id)  # the preparer may post it now
    assert (done.status, done.posted_by, done.approved_by) == ("posted", "preparer", "controller")
    assert actions(fin, big.id) == ["journal.created", "journal.approved", "journal.posted"]


async def test_the_threshold_itself_and_system_sources_need_no_approval():
    fin = await books()
    at = str(THRESHOLD)
    assert (await posted(fin, dr(IT, at, "CC01"), cr(BANK, at))).status == "posted"
    payroll = await posted(
        fin,
        dr(SALARIES, "50000.00", "CC01"),
        cr(NET_PAY, "50000.00"),
        source="payroll",
        source_reference="PR-1",
    )
    assert payroll.status == "posted" and not service.requires_approval(fin, payroll)


async def test_an_edit_voids_approval_and_makes_the_editor_the_preparer():
    fin = await books()
    big = await draft(fin, dr(IT, OVER, "CC01"), cr(BANK, OVER))
    controller = approver(fin)
    approved = await service.approve_journal(controller, big.id)
    edited = await service.update_journal(
        controller,
        approved,
        data=JournalUpdate(lines=[dr(IT, "6000.00", "CC01"), cr(BANK, "6000.00")]),
    )
    assert (edited.status, edited.prepared_by, edited.approved_by, edited.approved_at) == (
        "draft",
        "controller",
        None,
        None,
    )
    assert edited.total == Decimal("6000.00")
    with pytest.raises(SelfApproval):
        await service.approve_journal(controller, big.id)
    assert (await service.approve_journal(fin, big.id)).approved_by == "preparer"


# --- immutability, editing and deleting drafts --------------------------------------------------


async def test_a_posted_journal_never_changes():
    fin = await books()
    j = await posted(fin, dr(IT, "50.00", "CC01"), cr(BANK, "50.00"))
    with pytest.raises(JournalPosted, match="reversal") as refused:
        await service.update_journal(fin, j, data=JournalUpdate(description="changed"))
    assert refused.value.extensions == {"journal_id": str(j.id)}
    with pytest.raises(JournalPosted):
        await service.delete_journal(fin, j)
    with pytest.raises(JournalPosted):
        await service.post_journal(fin, j.id)
    with pytest.raises(JournalPosted):
        await service.approve_journal(approver(fin), j.id)
    assert await fresh(fin, j) == j
    assert tb_lines(await tb(fin))[IT] == (Decimal("50.00"), ZERO)  # posted once


async def test_a_draft_edit_is_checked_moves_period_and_a_draft_may_be_deleted():
    fin = await books()
    saved = await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    with pytest.raises(JournalUnbalanced):
        await service.update_journal(
            fin, saved, data=JournalUpdate(lines=[dr(IT, "2.00", "CC01"), cr(BANK, "1.00")])
        )
    assert (await fresh(fin, saved)).total == Decimal("1.00")
    moved = await service.update_journal(
        fin, saved, data=JournalUpdate(posting_date=date(2026, 9, 2))
    )
    assert (moved.period_code, moved.version, moved.lines[0].debit) == (
        "2026-09",
        2,
        Decimal("1.00"),
    )
    await service.delete_journal(fin, moved)
    with pytest.raises(NotFound):
        await service.get_journal(fin, saved.id)
    assert actions(fin, saved.id) == ["journal.created", "journal.updated", "journal.deleted"]


# --- reversal -----------------------------------------------------------------------------------


async def test_a_reversal_mirrors_the_original_references_it_and_undoes_it():
    fin = await books()
    j = await posted(fin, dr(IT, "75.00", "CC02"), cr(BANK, "75.00"))
    rev = await service.reverse_journal(fin, j.id, data=ReversalCreate())
    assert (rev.status, rev.source, rev.source_reference, rev.reverses_journal_id) == (
        "posted",
        "reversal",
        j.number,
        j.id,
    )
    assert rev.description == f"Reversal of {j.number}: test"
    assert [(ln.account_code, ln.cost_centre_code, ln.debit, ln.credit) for ln in rev.lines] == [
        (IT, "CC02", ZERO, Decimal("75.00")),
        (BANK, None, Decimal("75.00"), ZERO),
    ]
    assert (await fresh(fin, j)).reversed_by_journal_id == rev.id
    assert tb_lines(await tb(fin)) == {}
    assert actions(fin, j.id) == ["journal.posted", "journal.reversed"]


async def test_a_journal_is_reversed_once_and_a_reversal_never():
    fin = await books()
    j = await posted(fin, dr(IT, "75.00", "CC02"), cr(BANK, "75.00"))
    rev = await service.reverse_journal(fin, j.id, data=ReversalCreate())
    with pytest.raises(InvalidState) as again:
        await service.reverse_journal(fin, j.id, data=ReversalCreate())
    assert again.value.extensions == {"reversed_by_journal_id": str(rev.id)}
    with pytest.raises(InvalidState):
        await service.reverse_journal(fin, rev.id, data=ReversalCreate())
    waiting = await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    with pytest.raises(InvalidState, match="not posted"):
        await service.reverse_journal(fin, waiting.id, data=ReversalCreate())


async def test_a_reversal_may_land_in_a_later_period_and_reach_accounts_closed_since():
    fin = await books()
    j = await posted(
        fin, dr(IT, "30.00", "CC01"), cr(BANK, "30.00"), posting_date=date(2026, 8, 31)
    )
    it = (await fin.backend.accounts.accounts_by_code([IT]))[IT]
    await accounts.update_account(fin, it, data=AccountUpdate(active=False))
    rev = await service.reverse_journal(
        fin, j.id, data=ReversalCreate(posting_date=date(2026, 9, 1))
    )
    assert rev.period_code == "2026-09"
    assert tb_lines(await tb(fin, "2026-08"))[IT] == (Decimal("30.00"), ZERO)
    assert tb_lines(await tb(fin, "2026-09")) == {}


async def test_a_reversal_into_a_closed_period_is_refused_and_the_original_stays_unreversed():
    fin = await books()
    j = await posted(fin, dr(IT, "30.00", "CC01"), cr(BANK, "30.00"))
    await set_status(fin, "2026-08", "closed")
    with pytest.raises(PeriodClosed):
        await service.reverse_journal(fin, j.id, data=ReversalCreate())
    assert (await fresh(fin, j)).reversed_by_journal_id is None


async def test_a_reversal_stays_in_period_13_unless_given_a_date_of_its_own():
    fin = await books()

    async def adjustment():
        lines = (dr(IT, "9.00", "CC01"), cr(BANK, "9.00"))
        return await posted(fin, *lines, posting_date=date(2027, 3, 31), adjustment=True)

    cases = [
        (ReversalCreate(), "2026-27-ADJ", True),  # the original's date and period
        (ReversalCreate(posting_date=date(2027, 4, 1)), "2027-04", False),  # the date's month
        (ReversalCreate(posting_date=date(2027, 3, 31)), "2027-03", False),
        (ReversalCreate(posting_date=date(2027, 3, 31), adjustment=True), "2026-27-ADJ", True),
        (ReversalCreate(adjustment=False), "2027-03", False),
    ]
    for body, period, is_adjustment in cases:
        rev = await service.reverse_journal(fin, (await adjustment()).id, data=body)
        assert (rev.period_code, rev.adjustment) == (period, is_adjustment), body
    with pytest.raises(ValidationFailed) as refused:  # period 13 needs a March date
        await service.reverse_journal(
            fin,
            (await adjustment()).id,
            data=ReversalCreate(posting_date=date(2027, 4, 1), adjustment=True),
        )
    assert fields_of(refused) == ["posting_date"]


# --- sources, references and numbering ----------------------------------------------------------


async def test_a_system_source_must_name_its_document_and_reserved_sources_are_refused():
    fin = await books()
    lines = (dr(SALARIES, "1.00", "CC01"), cr(NET_PAY, "1.00"))
    with pytest.raises(ValidationFailed) as unnamed:
        await draft(fin, *lines, source="payroll")
    assert fields_of(unnamed) == ["source_reference"]
    for reserved in ("reversal", "year_end", "payables"):
        with pytest.raises(ValidationFailed) as refused:
            await draft(fin, *lines, source=reserved, source_reference="x")
        assert fields_of(refused) == ["source"]
    assert held(fin) == 0


async def test_a_document_posts_once_per_source():
    fin = await books()
    lines = (dr(SALARIES, "250.00", "CC01"), cr(NET_PAY, "250.00"))
    first = await posted(fin, *lines, source="payroll", source_reference="PR-2026-08")
    with pytest.raises(DuplicateReference) as dup:
        await posted(fin, *lines, source="payroll", source_reference="PR-2026-08")
    assert dup.value.extensions == {"journal_id": str(first.id)}
    # Another source may use the same reference; manual journals may repeat one freely.
    await posted(fin, *lines, source="procurement", source_reference="PR-2026-08")
    for _ in range(2):
        await posted(fin, *lines, source_reference="PR-2026-08")
    assert tb_lines(await tb(fin))[SALARIES] == (Decimal("1000.00"), ZERO)
    other = await draft(fin, *lines, source="payroll", source_reference="PR-2026-09")
    with pytest.raises(DuplicateReference):
        await service.update_journal(fin, other, data=JournalUpdate(source_reference="PR-2026-08"))


async def test_journal_numbers_run_on_per_tenant_whether_drafted_or_posted():
    fin = await books()
    theirs = await books(tenant=OTHER_TENANT)
    lines = (dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    numbers = [
        (await draft(fin, *lines)).number,
        (await posted(fin, *lines)).number,
        (await posted(theirs, *lines)).number,
        (await draft(fin, *lines)).number,
    ]
    assert numbers == ["JNL-000001", "JNL-000002", "JNL-000001", "JNL-000003"]


async def test_journals_list_by_document_without_lines_in_pages():
    fin = await books()
    for i in range(3):
        await posted(
            fin,
            dr(SALARIES, "1.00", "CC01"),
            cr(NET_PAY, "1.00"),
            source="payroll",
            source_reference=f"R{i}",
        )
    await draft(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"), posting_date=date(2026, 9, 1))
    found = await service.list_journals(
        fin, flt=JournalFilter(source="payroll", source_reference="R1"), page=PageRequest()
    )
    assert [j.source_reference for j in found.items] == ["R1"] and found.items[0].lines == []
    first = await service.list_journals(fin, flt=JournalFilter(), page=PageRequest(limit=3))
    rest = await service.list_journals(
        fin, flt=JournalFilter(), page=PageRequest(limit=3, cursor=first.next_cursor)
    )
    assert [j.number for j in (*first.items, *rest.items)] == [f"JNL-00000{n}" for n in range(1, 5)]
    assert rest.next_cursor is None
    drafts = await service.list_journals(
        fin, flt=JournalFilter(status="draft", period_code="2026-09"), page=PageRequest()
    )
    assert [j.number for j in drafts.items] == ["JNL-000004"]


async def test_an_unknown_journal_is_not_found_for_every_action():
    fin = await books()
    missing = uuid.uuid4()
    with pytest.raises(NotFound):
        await service.get_journal(fin, missing)
    with pytest.raises(NotFound):
        await service.approve_journal(fin, missing)
    with pytest.raises(NotFound):
        await service.post_journal(fin, missing)
    with pytest.raises(NotFound):
        await service.reverse_journal(fin, missing, data=ReversalCreate())


async def test_another_tenants_journal_is_invisible():
    fin = await books()
    theirs = await books(tenant=OTHER_TENANT)
    j = await posted(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"))
    with pytest.raises(NotFound):
        await service.get_journal(theirs, j.id)
    assert tb_lines(await tb(theirs)) == {}
    assert (await periods.get_year(theirs, f"{FY}-27")).status == "open"
