"""The pay run's rules: starting one (a job on the work queue), calculating a page of HR's
employees, review (exceptions, holding back), approval by a second person, and finalising into
year-to-date figures, the BACS hand-off and the journal in finance."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sop_payroll.adjustments.ports import Adjustment
from sop_payroll.adjustments.service import pay_items as adjustment_items
from sop_payroll.calculations import service as calculator
from sop_payroll.calculations.schemas import PayslipRequest
from sop_payroll.context import PayrollContext
from sop_payroll.employees.ports import RtiDetails, TaxCodeNotice
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.payslip import PayItem, PayItemKind
from sop_payroll.engine.statutory import (
    SicknessSpell,
    StatutoryPayKind,
    StatutoryPayResult,
    family_pay_for_period,
    ssp_for_period,
)
from sop_payroll.pay_groups import service as pay_groups
from sop_payroll.pay_groups.ports import PayGroup
from sop_payroll.pay_runs import fps
from sop_payroll.pay_runs.earnings import basic_pay
from sop_payroll.pay_runs.ports import (
    ACCEPTABLE,
    HrAbsence,
    HrEmployee,
    ItemException,
    ItemFilter,
    Payment,
    PayRun,
    PayRunItem,
    RunPeriod,
    RunState,
    RunTotals,
    TermsSlice,
    WorkItem,
)
from sop_payroll.pay_runs.schemas import P45Out
from sop_payroll.problems import (
    ExceptionsOutstanding,
    PayRunExists,
    PayRunState,
    SelfApproval,
)
from sop_payroll.rti.fps import FpsInvalid, build_fps
from sop_shared.errors import NotFound, PreconditionFailed, ValidationFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, RecordPage

ZERO: Final = Decimal("0.00")
EMERGENCY_TAX_CODE: Final = "1257L"  # used, non-cumulatively, when HR holds no tax code
HMRC_NAME: Final = re.compile(r"[A-Za-z][A-Za-z \-']{0,34}")  # the FPS's Fore and Sur
MARRIED_WOMENS_LETTERS: Final = frozenset({"B", "E", "I", "T"})  # reduced-rate election
STARTER_CODES: Final = {"A": ("1257L", False), "B": ("1257L", True), "C": ("BR", False)}
PAYMENTS_PAGE: Final = 5000

# Events: the job's life, announced (no figures of any person).
STARTED: Final = "uk.gov.sop.payroll.pay_run.started.v1"
CALCULATED: Final = "uk.gov.sop.payroll.pay_run.calculated.v1"
APPROVED: Final = "uk.gov.sop.payroll.pay_run.approved.v1"
FINALISED: Final = "uk.gov.sop.payroll.pay_run.finalised.v1"
CANCELLED: Final = "uk.gov.sop.payroll.pay_run.cancelled.v1"
REVERSED: Final = "uk.gov.sop.payroll.pay_run.reversed.v1"
PROGRESSED: Final = "uk.gov.sop.payroll.pay_run.progressed.v1"
PROGRESS_EVERY: Final = 10  # chunks between progress events
EVENT_TYPES: Final = (STARTED, PROGRESSED, CALCULATED, APPROVED, FINALISED, CANCELLED, REVERSED)


def run_data(run: PayRun) -> dict[str, Any]:
    """A run as events carry it: state, period and counts, never a person's figures."""
    return {
        "id": str(run.id),
        "reference": run.reference,
        "pay_group_id": str(run.pay_group_id),
        "tax_year": run.period.tax_year,
        "period": run.period.number,
        "pay_date": run.period.pay_date.isoformat(),
        "state": run.state.value,
        "employees_total": run.employees_total,
        "employees_done": run.employees_done,
        "chunks_done": run.chunks_done,
        "chunks_total": run.chunks_total,
        "exceptions": run.exceptions,
    }


async def _announce(ctx: PayrollContext, event_type: str, run: PayRun) -> None:
    await ctx.events.publish(
        event_type, subject=f"pay-runs/{run.id}", aggregate=str(run.id), data=run_data(run)
    )


# --- reading -------------------------------------------------------------------------------------


async def get_run(ctx: PayrollContext, run_id: uuid.UUID, *, for_update: bool = False) -> PayRun:
    run = await ctx.backend.pay_runs.get(run_id, for_update=for_update)
    if run is None:
        raise NotFound(f"no pay run {run_id}")
    return run


async def list_runs(
    ctx: PayrollContext,
    *,
    page: PageRequest,
    pay_group_id: uuid.UUID | None = None,
    state: RunState | None = None,
) -> RecordPage[PayRun]:
    return await ctx.backend.pay_runs.list(page, pay_group_id=pay_group_id, state=state)


async def list_items(
    ctx: PayrollContext, run_id: uuid.UUID, *, page: PageRequest, flt: ItemFilter
) -> RecordPage[PayRunItem]:
    await get_run(ctx, run_id)
    return await ctx.backend.pay_runs.items(run_id, page, flt)


async def get_item(ctx: PayrollContext, run_id: uuid.UUID, employee_id: uuid.UUID) -> PayRunItem:
    await get_run(ctx, run_id)
    item = await ctx.backend.pay_runs.item(run_id, employee_id)
    if item is None:
        raise NotFound(f"employee {employee_id} is not in pay run {run_id}")
    return item


# --- starting, recalculating, cancelling ---------------------------------------------------------


def _work(ctx: PayrollContext, run: PayRun, stage: str, seq: int = 1) -> WorkItem:
    return WorkItem(
        tenant=ctx.tenant,
        cluster=ctx.principal.cluster,
        run_id=run.id,
        calculation=run.calculation,
        stage=stage,
        seq=seq,
    )


async def start_run(
    ctx: PayrollContext, *, pay_group_id: uuid.UUID, tax_year: str, period: int
) -> PayRun:
    """A new run for the group's period, calculating: the first page of HR's employees goes on
    the work queue (before this transaction commits: a worker that finds no run yet waits)."""
    group = await pay_groups.get_group(ctx, pay_group_id)
    if not group.active:
        raise ValidationFailed(
            f"pay group {group.code} is not active", errors=[("pay_group_id", "not active")]
        )
    when = pay_groups.period_of(ctx, group, tax_year, period)
    existing = await ctx.backend.pay_runs.open_for_period(group.id, tax_year, period)
    if existing is not None:
        raise PayRunExists(
            f"pay run {existing.reference} already exists for this period ({existing.state.value})",
            run_id=str(existing.id),
        )
    now = ctx.clock.now()
    run = await ctx.backend.pay_runs.add(
        PayRun(
            id=uuid7(),
            pay_group_id=group.id,
            pay_group_code=group.code,
            period=when,
            state=RunState.CALCULATING,
            started_by=ctx.principal.subject,
            calculation_started_at=now,
        )
    )
    await ctx.audit.record("pay_run.started", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, STARTED, run)
    await ctx.work.put(_work(ctx, run, "calculate"))
    return run


async def recalculate(ctx: PayrollContext, run_id: uuid.UUID, *, if_match: int | None) -> PayRun:
    run = await get_run(ctx, run_id, for_update=True)
    _expect(run, if_match)
    stuck = (
        run.state is RunState.FINALISING
        and run.error is not None
        and not run.payment_batch_id
        and not run.journal_id
    )
    if run.state not in (RunState.CALCULATED, RunState.FAILED) and not stuck:
        raise PayRunState(f"a {run.state.value} run cannot be recalculated", state=run.state)
    if stuck:
        # Finalising stopped on bad data before anything left payroll (the FPS refused, say):
        # year to date goes back and the run is worked out again from HR's corrected records.
        await ctx.backend.pay_runs.restore_year_to_date(run)
        await ctx.backend.pay_runs.clear_documents(run.id)
        run = replace(run, fps_documents=0, approved_by=None, approved_at=None)
    await ctx.backend.pay_runs.clear_items(run.id)
    run = await ctx.backend.pay_runs.update(
        replace(
            run,
            state=RunState.CALCULATING,
            calculation=run.calculation + 1,
            employees_total=None,
            employees_done=0,
            chunks_total=None,
            chunks_done=0,
            exceptions=0,
            held=0,
            totals=RunTotals(),
            error=None,
            calculation_started_at=ctx.clock.now(),
            calculated_at=None,
        )
    )
    await ctx.audit.record("pay_run.recalculated", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, STARTED, run)
    await ctx.work.put(_work(ctx, run, "calculate"))
    return run


async def cancel(ctx: PayrollContext, run_id: uuid.UUID, *, if_match: int | None) -> PayRun:
    """A run not yet approved can be cancelled; its period is then free for a new run."""
    run = await get_run(ctx, run_id, for_update=True)
    _expect(run, if_match)
    if run.state not in (RunState.CALCULATING, RunState.CALCULATED, RunState.FAILED):
        raise PayRunState(f"a {run.state.value} run cannot be cancelled", state=run.state)
    run = await ctx.backend.pay_runs.update(replace(run, state=RunState.CANCELLED))
    await ctx.audit.record("pay_run.cancelled", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, CANCELLED, run)
    return run


def _expect(run: PayRun, if_match: int | None) -> None:
    if if_match is not None and if_match != run.version:
        raise PreconditionFailed(
            f"pay run is at version {run.version}, not {if_match}", current_version=run.version
        )


# --- review and approval -------------------------------------------------------------------------


async def hold(
    ctx: PayrollContext, run_id: uuid.UUID, employee_id: uuid.UUID, *, held: bool
) -> PayRunItem:
    """Hold an employee back from this run (not paid, not reported), or release them."""
    run = await get_run(ctx, run_id, for_update=True)
    if run.state is not RunState.CALCULATED:
        raise PayRunState(
            f"employees are held back while a run is calculated, not {run.state.value}",
            state=run.state,
        )
    item = await get_item(ctx, run_id, employee_id)
    if item.held == held:
        return item
    item = await ctx.backend.pay_runs.set_held(item, held)
    await _refresh_summary(ctx, run)
    await ctx.audit.record(
        "pay_run.employee_held" if held else "pay_run.employee_released",
        "pay_run",
        run.id,
        after={"employee_id": str(employee_id), "held": held},
    )
    return item


async def accept(ctx: PayrollContext, run_id: uuid.UUID, employee_id: uuid.UUID) -> PayRunItem:
    """Accept an employee's warnings (a net pay change over the threshold, say: a leaver's
    part month): they no longer stop approval. Other exceptions cannot be accepted."""
    run = await get_run(ctx, run_id, for_update=True)
    if run.state is not RunState.CALCULATED:
        raise PayRunState(
            f"exceptions are accepted while a run is calculated, not {run.state.value}",
            state=run.state,
        )
    item = await get_item(ctx, run_id, employee_id)
    refused = [e.code for e in item.exceptions if e.code not in ACCEPTABLE]
    if refused:
        raise PayRunState(
            f"{', '.join(refused)} cannot be accepted: fix it at the source and recalculate, "
            "or hold the employee back",
            state=run.state,
            exceptions=refused,
        )
    if item.accepted:
        return item
    item = await ctx.backend.pay_runs.accept(item)
    await _refresh_summary(ctx, run)
    await ctx.audit.record(
        "pay_run.exceptions_accepted",
        "pay_run",
        run.id,
        after={"employee_id": str(employee_id), "exceptions": [e.code for e in item.exceptions]},
    )
    return item


async def _refresh_summary(ctx: PayrollContext, run: PayRun) -> PayRun:
    totals, _, blocking, held = await ctx.backend.pay_runs.summarise(run.id)
    return await ctx.backend.pay_runs.update(
        replace(run, totals=totals, exceptions=blocking, held=held)
    )


async def approve(ctx: PayrollContext, run_id: uuid.UUID, *, if_match: int | None) -> PayRun:
    run = await get_run(ctx, run_id, for_update=True)
    _expect(run, if_match)
    if run.state is RunState.APPROVED:
        return run
    if run.state is not RunState.CALCULATED:
        raise PayRunState(f"a {run.state.value} run cannot be approved", state=run.state)
    if run.started_by == ctx.principal.subject:
        raise SelfApproval("the person who started a pay run cannot approve it")
    if run.exceptions:
        raise ExceptionsOutstanding(
            f"{run.exceptions} employees have exceptions: resolve them in HR and recalculate, "
            "or hold them back",
            exceptions=run.exceptions,
        )
    run = await ctx.backend.pay_runs.update(
        replace(
            run,
            state=RunState.APPROVED,
            approved_by=ctx.principal.subject,
            approved_at=ctx.clock.now(),
        )
    )
    await ctx.audit.record("pay_run.approved", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, APPROVED, run)
    return run


async def finalise(ctx: PayrollContext, run_id: uuid.UUID, *, if_match: int | None) -> PayRun:
    """Queue the finalising job (idempotent: a finalising or finalised run is returned as is;
    a finalising run whose job stopped part-way is queued again and carries on)."""
    run = await get_run(ctx, run_id, for_update=True)
    _expect(run, if_match)
    if run.state is RunState.FINALISED:
        return run
    if run.state not in (RunState.APPROVED, RunState.FINALISING):
        raise PayRunState(f"a {run.state.value} run cannot be finalised", state=run.state)
    if run.state is RunState.APPROVED:
        run = await ctx.backend.pay_runs.update(replace(run, state=RunState.FINALISING))
        await ctx.audit.record("pay_run.finalising", "pay_run", run.id, after=run_data(run))
    await ctx.work.put(_work(ctx, run, "finalise", seq=run.version))
    return run


async def reverse(
    ctx: PayrollContext, run_id: uuid.UUID, *, reason: str, if_match: int | None
) -> PayRun:
    """Queue reversing a finalised run before payment (a job: the net pay withdrawn from
    finance's BACS, the journal mirrored, year to date put back); the period is then free for a
    new run. Refused when a later run of the group exists (reverse that first)."""
    run = await get_run(ctx, run_id, for_update=True)
    _expect(run, if_match)
    if run.state in (RunState.REVERSING, RunState.REVERSED):
        if run.state is RunState.REVERSING:
            await ctx.work.put(_work(ctx, run, "reverse", seq=run.version))
        return run
    if run.state is not RunState.FINALISED:
        raise PayRunState(f"a {run.state.value} run cannot be reversed", state=run.state)
    later = await ctx.backend.pay_runs.later_runs(run)
    if later:
        raise PayRunState(
            f"reverse the group's later runs first ({', '.join(r.reference for r in later)})",
            state=run.state,
        )
    run = await ctx.backend.pay_runs.update(
        replace(run, state=RunState.REVERSING, error=f"reversing: {reason}"[:500])
    )
    await ctx.audit.record(
        "pay_run.reversing", "pay_run", run.id, after={**run_data(run), "reason": reason}
    )
    await ctx.work.put(_work(ctx, run, "reverse", seq=run.version))
    return run


async def reverse_payments(ctx: PayrollContext, run: PayRun) -> None:
    if run.payment_batch_id:
        await ctx.finance.withdraw_payments(
            ctx.tenant,
            batch_id=run.payment_batch_id,
            reason=f"Pay run {run.reference} reversed",
            key=f"{run.id}-withdraw",
        )


async def reverse_journal(ctx: PayrollContext, run: PayRun) -> None:
    if run.journal_id:
        await ctx.finance.reverse_journal(
            ctx.tenant,
            journal_id=run.journal_id,
            reason=f"Reversal of pay run {run.reference}",
            key=f"{run.id}-reverse-journal",
        )


async def reversed_(ctx: PayrollContext, run: PayRun) -> PayRun:
    await ctx.backend.pay_runs.restore_year_to_date(run)
    run = await ctx.backend.pay_runs.update(replace(run, state=RunState.REVERSED))
    await ctx.audit.record("pay_run.reversed", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, REVERSED, run)
    return run


async def reversal_refused(ctx: PayrollContext, run: PayRun, reason: str) -> PayRun:
    """The money had gone: the run stays finalised, saying why it was not reversed."""
    run = await ctx.backend.pay_runs.update(
        replace(run, state=RunState.FINALISED, error=f"not reversed: {reason}"[:500])
    )
    await ctx.audit.record("pay_run.reversal_refused", "pay_run", run.id, after=run_data(run))
    return run


# --- calculating one page (the worker) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageInputs:
    """What calculating a page needs besides HR's employees: read from payroll's own records."""

    year_to_date: dict[uuid.UUID, dict[str, Any]]
    previous_net: dict[uuid.UUID, Decimal]
    cost_centres: dict[uuid.UUID, str]
    histories: dict[uuid.UUID, list[TermsSlice]]
    rti: dict[uuid.UUID, RtiDetails] = field(default_factory=dict)
    absences: dict[uuid.UUID, list[HrAbsence]] = field(default_factory=dict)
    adjustments: dict[str, list[Adjustment]] = field(default_factory=dict)  # by employee number
    tax_codes: dict[uuid.UUID, TaxCodeNotice] = field(default_factory=dict)


def needs_history(employee: HrEmployee, period: RunPeriod) -> bool:
    """Whether the terms in force at the period's end do not tell the whole period: a starter
    or leaver in it, or terms that changed within it."""
    if employee.leaving_date is not None and period.start <= employee.leaving_date <= period.end:
        return True
    terms = employee.terms
    return terms is not None and terms.effective_from > period.start


def in_period(employee: HrEmployee, period: RunPeriod, frequency: PayFrequency) -> bool:
    """Whether the employee is paid in this group's period at all."""
    if employee.start_date > period.end:
        return False
    if employee.leaving_date is not None and employee.leaving_date < period.start:
        return False
    terms = employee.terms
    return terms is None or terms.pay_frequency == frequency.value


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def calculate_employee(
    group: PayGroup, run: PayRun, employee: HrEmployee, inputs: PageInputs
) -> PayRunItem | None:
    """One employee's pay for the run: basic pay from their terms, the calculator's payslip on
    their year to date, and the exceptions a person must look at. None when not paid here."""
    period = run.period
    frequency = group.frequency
    slices = inputs.histories.get(employee.id)
    if slices is None:
        slices = [employee.terms] if employee.terms is not None else []
    slices = [s for s in slices if s.pay_frequency == frequency.value]
    if not slices:
        return None
    absences = inputs.absences.get(employee.id, [])
    unpaid = [
        a
        for a in absences
        if a.end_date >= period.start
        and a.start_date <= period.end
        and (a.leave_type == "unpaid" or not a.paid)
    ]
    items, explanation = basic_pay(
        unpaid_absences=unpaid,
        slices=slices,
        start_date=employee.start_date,
        leaving_date=employee.leaving_date,
        period_start=period.start,
        period_end=period.end,
        frequency=frequency,
        proration=group.proration,
        region=employee.home_region,
    )
    if not items:
        return None
    statutory, said = statutory_pay(absences, period, slices[-1])
    extra, deductions = adjustment_items(inputs.adjustments.get(employee.employee_number, []))
    items = (*items, *statutory, *extra)
    explanation = [*explanation, *said]
    problems: list[ItemException] = []
    if not employee.national_insurance_number:
        problems.append(ItemException("missing-ni-number", "HR holds no National Insurance number"))
    if employee.bank is None:
        problems.append(ItemException("missing-bank-details", "HR holds no bank details"))
    for part, value in (("first name", employee.first_name), ("last name", employee.last_name)):
        if not HMRC_NAME.fullmatch(value):
            problems.append(
                ItemException(
                    "name-not-reportable",
                    f"HMRC's FPS takes letters, spaces, hyphens and apostrophes only: the {part} "
                    f"{value!r} must be corrected in HR",
                )
            )
    details = inputs.rti.get(employee.id)
    if details is None:
        problems.append(
            ItemException(
                "missing-rti-details",
                "payroll holds no RTI details (the gender HMRC records, the address) for the FPS",
            )
        )
    ytd = inputs.year_to_date.get(employee.id)
    year_start = date(int(period.tax_year[:4]), 4, 6)
    starter = ytd is None and employee.start_date >= year_start
    p45 = details.p45 if details is not None and starter else None
    if starter and details is not None and not details.starter_declaration:
        problems.append(
            ItemException(
                "missing-starter-declaration",
                "a starter's first FPS needs their starter declaration (A, B or C)",
            )
        )
    notice = inputs.tax_codes.get(employee.id)
    tax_code = employee.tax_code
    week1 = period.week53_basis
    if notice is not None:  # HMRC's latest notice in force on the pay date wins over HR's code
        tax_code, week1 = notice.tax_code, week1 or notice.week1_month1
    if not tax_code and starter and p45 is not None:
        tax_code, week1 = p45.tax_code, week1 or p45.week1_month1
    elif not tax_code and starter and details is not None and details.starter_declaration:
        # HMRC's starter checklist: A the emergency code cumulatively, B on a week 1/month 1
        # basis, C basic rate.
        tax_code, week1 = STARTER_CODES[details.starter_declaration]
        week1 = week1 or period.week53_basis
    if not tax_code:
        problems.append(
            ItemException(
                "missing-tax-code",
                f"HR holds no tax code: calculated on {EMERGENCY_TAX_CODE} non-cumulatively",
            )
        )
        tax_code, week1 = EMERGENCY_TAX_CODE, True
    after_leaving = employee.leaving_date is not None and employee.leaving_date < period.pay_date
    if after_leaving:
        tax_code, week1 = "0T", True  # HMRC: payments after leaving on 0T week 1/month 1
    category = employee.ni_category
    if category in MARRIED_WOMENS_LETTERS and (
        (employee.date_of_birth is not None and employee.date_of_birth > date(1961, 4, 5))
        or (details is not None and details.gender == "M")
    ):
        problems.append(
            ItemException(
                "ni-category-not-allowed",
                f"NI category {category} is only for women born on or before 5 April 1961 "
                "(HMRC would refuse the FPS): correct it in HR",
            )
        )
    if not category:
        problems.append(ItemException("missing-ni-category", "HR holds no NI category letter"))
        category = "A"
    pension = None
    if employee.pension_scheme:
        scheme = group.extra.get("pension_schemes", {}).get(employee.pension_scheme)
        if scheme is None:
            problems.append(
                ItemException(
                    "unknown-pension-scheme",
                    f"pension scheme {employee.pension_scheme!r} is not set up for pay group "
                    f"{group.code}",
                )
            )
        else:
            pension = {"name": employee.pension_scheme, **scheme}
    if ytd is None and p45 is not None and not week1:
        # The previous employment's pay and tax this year count for cumulative tax.
        ytd = {"taxable_pay": f"{p45.taxable_pay:.2f}", "tax_paid": f"{p45.tax_paid:.2f}"}
    # NICs to date are kept per category letter (HMRC: a change of letter starts that letter's
    # figures afresh, and the FPS reports every letter used in the year).
    by_letter: dict[str, Any] = {}
    if ytd is not None:
        by_letter = dict(ytd.get("ni_by_letter") or {})
        if not by_letter and "ni" in ytd:  # figures carried before letters were kept apart
            by_letter = {employee.ni_category or category: ytd["ni"]}
        ytd = {k: v for k, v in ytd.items() if k != "ni_by_letter"}
        if by_letter.get(category) is not None:
            ytd["ni"] = by_letter[category]
        else:
            ytd.pop("ni", None)
    request: dict[str, Any] = {
        "tax_year": period.tax_year,
        "pay_frequency": frequency.value,
        "period": period.tax_period,
        "tax_code": tax_code,
        "week1_month1": week1,
        "ni_category": category,
        "pay_items": [_pay_item(i) for i in items],
        "post_tax_deductions": [
            {"amount": f"{d.amount:.2f}", "description": d.description} for d in deductions
        ],
        "student_loan_plans": list(employee.student_loan_plans),
        "postgraduate_loan": employee.postgraduate_loan,
    }
    if pension is not None:
        request["pension"] = pension
    if ytd is not None:  # non-cumulative tax still carries NICs, loans and pension to date
        request["year_to_date"] = ytd
    checked = PayslipRequest.model_validate(request)
    payslip = calculator.payslip(checked)
    slip = payslip.model_dump(mode="json")
    slip["basic_pay_explanation"] = explanation
    totals = RunTotals(
        gross=payslip.gross_pay,
        tax=payslip.income_tax,
        employee_ni=payslip.employee_ni,
        employer_ni=payslip.employer_ni,
        student_loan=payslip.student_loan,
        postgraduate_loan=payslip.postgraduate_loan,
        employee_pension=_employee_pension(payslip.model_dump()),
        employer_pension=payslip.employer_pension,
        other_deductions=sum((d.amount for d in deductions), ZERO),
        net=payslip.net_pay,
    )
    if payslip.net_pay < 0:
        problems.append(ItemException("negative-net-pay", f"net pay is {payslip.net_pay}"))
    previous = inputs.previous_net.get(employee.id)
    if previous is not None and previous > 0:
        change = (payslip.net_pay - previous) / previous * 100
        if abs(change) > group.variance_percent:
            problems.append(
                ItemException(
                    "net-pay-variance",
                    f"net pay {payslip.net_pay} is {change:+.1f}% against {previous} last "
                    f"period (threshold {group.variance_percent}%)",
                )
            )
    terms = slices[-1]
    return PayRunItem(
        id=uuid7(),
        run_id=run.id,
        employee_id=employee.id,
        employee_number=employee.employee_number,
        name=f"{employee.first_name} {employee.last_name}",
        cost_centre=inputs.cost_centres.get(terms.org_unit_id),
        totals=totals,
        payslip=slip,
        inputs=checked.model_dump(mode="json", exclude_none=True),
        exceptions=tuple(problems),
        bank=employee.bank,
        national_insurance_number=employee.national_insurance_number,
        tax_code=tax_code,
        ni_category=category,
        leaving_date=employee.leaving_date,
        ytd_after={
            **slip["year_to_date"],
            "ni_by_letter": {**by_letter, category: slip["year_to_date"]["ni"]},
        },
        user_subject=employee.user_subject,
        person=_person(employee, terms, details, starter=starter, after_leaving=after_leaving),
    )


def _person(
    employee: HrEmployee,
    terms: TermsSlice,
    details: RtiDetails | None,
    *,
    starter: bool,
    after_leaving: bool,
) -> dict[str, Any]:
    """Who was paid, as the FPS reports them (kept with the item: a run's FPS describes the
    people as they were when it was calculated)."""
    address = None if details is None else details.address
    p45 = None if details is None else details.p45
    return {
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "date_of_birth": None
        if employee.date_of_birth is None
        else employee.date_of_birth.isoformat(),
        "start_date": employee.start_date.isoformat(),
        "home_region": employee.home_region,
        "fte": str(terms.fte),
        "gender": None if details is None else details.gender,
        "address": None
        if address is None
        else {
            "lines": list(address.lines),
            "postcode": address.postcode,
            "country": address.country,
        },
        "starter": starter,
        "starter_declaration": None if details is None else details.starter_declaration,
        "p45_taxable_pay": None if p45 is None else f"{p45.taxable_pay:.2f}",
        "p45_tax_paid": None if p45 is None else f"{p45.tax_paid:.2f}",
        "after_leaving": after_leaving,
    }


FAMILY_PAY: Final = {
    "maternity": StatutoryPayKind.SMP,
    "paternity": StatutoryPayKind.SPP,
    "adoption": StatutoryPayKind.SAP,
    "shared_parental": StatutoryPayKind.SHPP,
}
WORKING_WEEK: Final = (0, 1, 2, 3, 4)  # qualifying days for SSP: Monday to Friday


def statutory_pay(
    absences: Sequence[HrAbsence], period: RunPeriod, terms: TermsSlice
) -> tuple[list[PayItem], list[str]]:
    """SSP and family pay due in the period from HR's approved absences, as pay items. Where the
    leave is paid (contractual pay continues), the statutory payment is part of that pay: the
    same amount comes off basic pay, so gross is unchanged and the statutory figure shows. Where
    it is unpaid, basic pay for those days was already taken off and the statutory pay is all
    there is. Average weekly earnings are the contractual salary's (annual x FTE / 52)."""
    awe = (terms.annual_salary * terms.fte / 52).quantize(Decimal("0.01"))
    items: list[PayItem] = []
    said: list[str] = []
    sick = [a for a in absences if a.leave_type == "sick"]
    results: list[tuple[StatutoryPayResult, bool]] = []
    if any(a.start_date <= period.end and a.end_date >= period.start for a in sick):
        spells = [SicknessSpell(a.start_date, a.end_date) for a in sick]
        result = ssp_for_period(
            period_start=period.start,
            period_end=period.end,
            spells=spells,
            qualifying_days=WORKING_WEEK,
            awe=awe,
        )
        results.append((result, all(a.paid for a in sick)))
    for a in absences:
        kind = FAMILY_PAY.get(a.leave_type)
        if kind is None or a.end_date < period.start or a.start_date > period.end:
            continue
        result = family_pay_for_period(
            kind=kind,
            leave_start=a.start_date,
            leave_end=a.end_date,
            period_start=period.start,
            period_end=period.end,
            awe=awe,
        )
        results.append((result, a.paid))
    for result, paid in results:
        label = result.kind.label
        said += list(result.explanation)
        if result.amount <= 0:
            continue
        items.append(
            PayItem(PayItemKind.STATUTORY_PAY, result.amount, f"{label} {result.days_paid} days")
        )
        if paid:
            items.append(
                PayItem(PayItemKind.BASIC, -result.amount, f"Contractual pay met by {label}")
            )
    return items, said


def not_calculated(run: PayRun, employee: HrEmployee, error: Exception) -> PayRunItem:
    """An employee the calculator refuses (their data, or the group's setup): no pay, an
    exception saying why, so the run finishes and a person can fix it and recalculate."""
    message = str(getattr(error, "detail", None) or error).splitlines()[0][:300]
    return PayRunItem(
        id=uuid7(),
        run_id=run.id,
        employee_id=employee.id,
        employee_number=employee.employee_number,
        name=f"{employee.first_name} {employee.last_name}",
        cost_centre=None,
        totals=RunTotals(),
        payslip={},
        inputs={},
        exceptions=(ItemException("cannot-calculate", message),),
        bank=employee.bank,
        national_insurance_number=employee.national_insurance_number,
        tax_code=employee.tax_code,
        ni_category=employee.ni_category,
        leaving_date=employee.leaving_date,
        user_subject=employee.user_subject,
        person={"first_name": employee.first_name, "last_name": employee.last_name},
    )


def _employee_pension(payslip: dict[str, Any]) -> Decimal:
    pension = payslip.get("calculations", {}).get("pension")
    return ZERO if not pension else _money(pension["employee_deduction"])


def _pay_item(item: PayItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "amount": f"{item.amount:.2f}",
        "description": item.description[:100],
        "taxable": item.taxable,
        "ni_able": item.ni_able,
        "pensionable": item.pensionable,
    }


def with_cost_centre_exception(item: PayRunItem) -> PayRunItem:
    if item.cost_centre or not item.payslip:  # not calculated: that is its exception
        return item
    missing = ItemException(
        "missing-cost-centre", "the employee's org unit has no cost centre for the journal"
    )
    return replace(item, exceptions=(*item.exceptions, missing))


# --- finalising (the worker) ---------------------------------------------------------------------


def journal_lines(
    by_cost_centre: dict[str, RunTotals], accounts: dict[str, str]
) -> list[dict[str, Any]]:
    """The payroll journal (docs/finance.md, "Payroll mapping"): per cost centre, debit gross
    pay, employer NICs and employer pension; credit net pay, HMRC (tax, both NICs, loans),
    pensions (both contributions) and other deductions. Balanced per cost centre by
    construction: gross = net + tax + employee NICs + loans + employee pension + deductions."""
    lines: list[dict[str, Any]] = []

    def line(
        cost_centre: str, account: str, *, debit: Decimal = ZERO, credit: Decimal = ZERO, what: str
    ) -> None:
        if debit == ZERO and credit == ZERO:
            return
        if debit < 0 or credit < 0:  # a refund: the same line on the other side
            debit, credit = -credit, -debit
        lines.append(
            {
                "account_code": accounts[account],
                "cost_centre_code": cost_centre,
                "debit": f"{debit:.2f}",
                "credit": f"{credit:.2f}",
                "description": what,
            }
        )

    for cost_centre, t in sorted(by_cost_centre.items()):
        hmrc = t.tax + t.employee_ni + t.employer_ni + t.student_loan + t.postgraduate_loan
        line(cost_centre, "gross", debit=t.gross, what="Gross pay")
        line(cost_centre, "employer_ni", debit=t.employer_ni, what="Employer NICs")
        line(cost_centre, "employer_pension", debit=t.employer_pension, what="Employer pension")
        line(cost_centre, "net", credit=t.net, what="Net pay")
        line(cost_centre, "hmrc", credit=hmrc, what="PAYE, NICs and loans to HMRC")
        line(
            cost_centre,
            "pensions",
            credit=t.employee_pension + t.employer_pension,
            what="Pensions payable",
        )
        line(cost_centre, "deductions", credit=t.other_deductions, what="Other deductions")
    return lines


DEFAULT_ACCOUNTS: Final = {
    "gross": "21100000",
    "employer_ni": "21200000",
    "employer_pension": "21300000",
    "net": "52100000",
    "hmrc": "52200000",
    "pensions": "52300000",
    "deductions": "52400000",
}


class RunPayments:
    """The run's net payments, page by page from payroll's records (never all in memory)."""

    def __init__(self, ctx: PayrollContext, run: PayRun) -> None:
        self._ctx = ctx
        self._run = run
        self.count = 0
        self.total = ZERO

    async def measure(self) -> RunPayments:
        """The payments' count and total, summed by the database (no item read twice)."""
        self.count, self.total = await self._ctx.backend.pay_runs.payment_totals(self._run.id)
        return self

    async def pages(self, size: int) -> AsyncIterator[Sequence[Payment]]:
        cursor: str | None = None
        while True:
            found = await self._ctx.backend.pay_runs.paid_items(
                self._run.id, PageRequest(limit=size, cursor=cursor)
            )
            payments = [
                Payment(
                    payee_reference=item.employee_number,
                    name=item.name,
                    bank=item.bank,
                    amount=item.totals.net,
                    reference=f"SALARY {self._run.period.pay_date:%b %Y}".upper(),
                )
                for item in found.items
                if item.bank is not None and item.totals.net > 0
            ]
            if payments:
                yield payments
            if not found.next_cursor:
                return
            cursor = found.next_cursor


def reconcile(run: PayRun, by_cost_centre: dict[str, RunTotals], paid: Decimal) -> None:
    """Sum of payslips = journal totals = BACS total + liabilities, or nothing leaves."""
    gross = sum((t.gross for t in by_cost_centre.values()), ZERO)
    net = sum((t.net for t in by_cost_centre.values()), ZERO)
    if gross != run.totals.gross or net != run.totals.net or paid != net:
        raise ValidationFailed(
            f"pay run {run.reference} does not reconcile: payslips gross {run.totals.gross} "
            f"net {run.totals.net}; journal gross {gross} net {net}; BACS {paid}"
        )


async def record_chunk(
    ctx: PayrollContext, work: WorkItem, items: Sequence[PayRunItem], *, last: bool, seen: int
) -> PayRun | None:
    """Store a calculated page once: the chunk is claimed in the same transaction as its items,
    so a redelivered or duplicated chunk changes nothing. The chunk that completes the run
    moves it to calculated. None when the run moved on (cancelled, recalculated)."""
    run = await ctx.backend.pay_runs.get(work.run_id, for_update=True)
    if run is None or run.state is not RunState.CALCULATING or run.calculation != work.calculation:
        return None
    if not await ctx.backend.pay_runs.claim_chunk(run.id, work.calculation, work.seq):
        return run
    await ctx.backend.pay_runs.save_items(items)
    run = replace(
        run,
        employees_done=run.employees_done + len(items),
        chunks_done=run.chunks_done + 1,
        chunks_total=work.seq if last else run.chunks_total,
    )
    if run.chunks_total is not None and run.chunks_done == run.chunks_total:
        totals, count, blocking, held = await ctx.backend.pay_runs.summarise(run.id)
        run = replace(
            run,
            state=RunState.CALCULATED,
            employees_total=count,
            totals=totals,
            exceptions=blocking,
            held=held,
            calculated_at=ctx.clock.now(),
        )
        run = await ctx.backend.pay_runs.update(run)
        await ctx.audit.record("pay_run.calculated", "pay_run", run.id, after=run_data(run))
        await _announce(ctx, CALCULATED, run)
        return run
    run = await ctx.backend.pay_runs.update(run)
    if run.chunks_done % PROGRESS_EVERY == 0:
        await _announce(ctx, PROGRESSED, run)
    return run


async def pages_known(ctx: PayrollContext, work: WorkItem) -> None:
    """The last page of HR's employees has been read: the run's number of chunks is known
    (before they are all calculated), so its progress can show an estimate of the time left."""
    run = await ctx.backend.pay_runs.get(work.run_id, for_update=True)
    if run is None or run.state is not RunState.CALCULATING or run.calculation != work.calculation:
        return
    if run.chunks_total is None:
        await ctx.backend.pay_runs.update(replace(run, chunks_total=work.seq))


async def fail(ctx: PayrollContext, work: WorkItem, reason: str) -> None:
    """A chunk that cannot be calculated (after its deliveries ran out) fails the run, visibly."""
    run = await ctx.backend.pay_runs.get(work.run_id, for_update=True)
    if run is None or run.calculation != work.calculation:
        return
    if run.state is RunState.CALCULATING:
        run = await ctx.backend.pay_runs.update(
            replace(run, state=RunState.FAILED, error=reason[:500])
        )
        await ctx.audit.record("pay_run.failed", "pay_run", run.id, after=run_data(run))
    elif run.state in (RunState.FINALISING, RunState.REVERSING):
        await ctx.backend.pay_runs.update(replace(run, error=reason[:500]))


async def finalise_ytd(ctx: PayrollContext, run: PayRun) -> None:
    """Step 1: every paid employee's year to date (idempotent per run)."""
    await ctx.backend.pay_runs.store_year_to_date(run)


async def finalise_fps(ctx: PayrollContext, run: PayRun, group: PayGroup) -> PayRun:
    """Step 2: the run's FPS, one validated document per `FPS_EMPLOYEES` paid employees, kept
    with the run (idempotent: a run that has its documents keeps them)."""
    if run.fps_documents:
        return run
    number = 0
    cursor: str | None = None
    while True:
        found = await ctx.backend.pay_runs.paid_items(
            run.id, PageRequest(limit=fps.FPS_EMPLOYEES, cursor=cursor)
        )
        if found.items or number == 0:
            number += 1
            document = fps.document(group, run, found.items, sender_id=ctx.settings.fps_sender_id)
            try:
                xml = build_fps(document)
            except FpsInvalid as invalid:
                raise ValidationFailed(
                    f"the FPS for {run.reference} would be refused by HMRC: {invalid}"[:2000]
                ) from None
            name = f"{run.reference}-FPS-{number}.xml"
            await ctx.backend.pay_runs.store_document(run.id, f"fps-{number}", name, xml)
        cursor = found.next_cursor
        if not cursor:
            break
    return await ctx.backend.pay_runs.update(replace(run, fps_documents=number))


async def fps_document(ctx: PayrollContext, run_id: uuid.UUID, number: int) -> tuple[str, bytes]:
    run = await get_run(ctx, run_id)
    found = None
    if 1 <= number <= run.fps_documents:
        found = await ctx.backend.pay_runs.document(run.id, f"fps-{number}")
    if found is None:
        raise NotFound(f"pay run {run.reference} has no FPS document {number}")
    return found


async def finalise_payments(ctx: PayrollContext, run: PayRun, group: PayGroup) -> PayRun:
    """Step 2: net pay handed to finance's BACS (one batch; the key and the run's reference make
    a repeat find the same batch)."""
    if run.payment_batch_id:
        return run
    if group.bank_account_id is None:
        raise ValidationFailed(
            f"pay group {group.code} names no bank account to pay from",
            errors=[("bank_account_id", "required to finalise")],
        )
    payments = await RunPayments(ctx, run).measure()
    reconcile_payments(run, payments.total)
    batch = await ctx.finance.pay_by_bacs(
        ctx.tenant,
        reference=run.reference,
        bank_account_id=group.bank_account_id,
        payment_date=run.period.payment_date,
        description=f"Net pay {run.reference}",
        payments=payments,
        key=f"{run.id}-bacs",
    )
    return await ctx.backend.pay_runs.update(replace(run, payment_batch_id=batch))


def reconcile_payments(run: PayRun, paid: Decimal) -> None:
    if paid != run.totals.net:
        raise ValidationFailed(
            f"pay run {run.reference}: BACS total {paid} is not the payslips' net pay "
            f"{run.totals.net}"
        )


async def finalise_journal(ctx: PayrollContext, run: PayRun, group: PayGroup) -> PayRun:
    """Step 3: the payroll journal (idempotent by key and by the run's reference)."""
    if run.journal_id:
        return run
    by_cost_centre = await ctx.backend.pay_runs.cost_centre_totals(run.id)
    reconcile(run, by_cost_centre, run.totals.net)
    accounts = {**DEFAULT_ACCOUNTS, **group.extra.get("journal_accounts", {})}
    journal = await ctx.finance.post_journal(
        ctx.tenant,
        reference=run.reference,
        posting_date=run.period.pay_date,
        description=f"Payroll {group.name} {run.period.tax_year} period {run.period.number}",
        lines=journal_lines(by_cost_centre, accounts),
        key=f"{run.id}-journal",
    )
    return await ctx.backend.pay_runs.update(replace(run, journal_id=journal))


async def finalised(ctx: PayrollContext, run: PayRun) -> PayRun:
    run = await ctx.backend.pay_runs.update(
        replace(run, state=RunState.FINALISED, finalised_at=ctx.clock.now(), error=None)
    )
    await ctx.audit.record("pay_run.finalised", "pay_run", run.id, after=run_data(run))
    await _announce(ctx, FINALISED, run)
    return run


GROSS_TO_NET_COLUMNS: Final = (
    "employee_number",
    "name",
    "cost_centre",
    "tax_code",
    "ni_category",
    "gross",
    "taxable_pay",
    "tax",
    "employee_ni",
    "student_loan",
    "postgraduate_loan",
    "employee_pension",
    "other_deductions",
    "net",
    "employer_ni",
    "employer_pension",
    "held",
    "exceptions",
)


async def gross_to_net(ctx: PayrollContext, run_id: uuid.UUID) -> AsyncIterator[str]:
    """The run's gross-to-net report as CSV lines, page by page (every employee, held ones
    marked; the totals line counts those paid)."""
    import csv
    import io

    run = await get_run(ctx, run_id)

    def line(values: Sequence[Any]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(values)
        return out.getvalue()

    yield line(GROSS_TO_NET_COLUMNS)
    cursor: str | None = None
    while True:
        found = await ctx.backend.pay_runs.items(
            run.id, PageRequest(limit=1000, cursor=cursor), ItemFilter()
        )
        for item in found.items:
            t = item.totals
            yield line(
                (
                    item.employee_number,
                    item.name,
                    item.cost_centre or "",
                    item.tax_code or "",
                    item.ni_category or "",
                    t.gross,
                    item.payslip.get("taxable_pay", ""),
                    t.tax,
                    t.employee_ni,
                    t.student_loan,
                    t.postgraduate_loan,
                    t.employee_pension,
                    t.other_deductions,
                    t.net,
                    t.employer_ni,
                    t.employer_pension,
                    "yes" if item.held else "no",
                    ";".join(e.code for e in item.exceptions),
                )
            )
        cursor = found.next_cursor
        if not cursor:
            break
    t = run.totals
    yield line(
        (
            "TOTAL",
            f"{run.employees_total or 0} employees",
            "",
            "",
            "",
            t.gross,
            "",
            t.tax,
            t.employee_ni,
            t.student_loan,
            t.postgraduate_loan,
            t.employee_pension,
            t.other_deductions,
            t.net,
            t.employer_ni,
            t.employer_pension,
            f"{run.held} held",
            "",
        )
    )


async def cost_centre_report(
    ctx: PayrollContext, run_id: uuid.UUID
) -> tuple[PayRun, dict[str, RunTotals]]:
    run = await get_run(ctx, run_id)
    return run, await ctx.backend.pay_runs.cost_centre_totals(run.id)


async def payslip_document(
    ctx: PayrollContext, run_id: uuid.UUID, employee_id: uuid.UUID | None = None
) -> tuple[str, bytes]:
    """A finalised run's payslip as a PDF: an employee's (payroll:read), or the caller's own
    (`employee_id` None: self-service, matched by HR's user_subject)."""
    run = await get_run(ctx, run_id)
    if run.state is not RunState.FINALISED:
        raise PayRunState(f"payslips are issued when a run is finalised, not {run.state.value}")
    if employee_id is None:
        found = await ctx.backend.pay_runs.payslips(
            PageRequest(limit=1),
            employee_id=None,
            tax_year=run.period.tax_year,
            user_subject=ctx.principal.subject,
            run_id=run.id,
        )
        if not found.items:
            raise NotFound(f"you have no payslip in pay run {run.reference}")
        item = found.items[0][1]
    else:
        item = await get_item(ctx, run_id, employee_id)
    if item.held:
        raise NotFound(f"employee {item.employee_number} was held back from {run.reference}")
    group = await pay_groups.get_group(ctx, run.pay_group_id)
    from sop_payroll.pay_runs.payslip_pdf import payslip_pdf

    body = payslip_pdf(group.name, run, item)
    return f"{run.reference}-{item.employee_number}.pdf", body


async def p45(ctx: PayrollContext, run_id: uuid.UUID, employee_id: uuid.UUID) -> P45Out:
    """A leaver's P45 figures from the run that made their final payment (finalised)."""
    run = await get_run(ctx, run_id)
    item = await get_item(ctx, run_id, employee_id)
    if item.leaving_date is None or item.leaving_date > run.period.end:
        raise NotFound(f"employee {item.employee_number} did not leave in {run.reference}")
    if run.state is not RunState.FINALISED:
        raise PayRunState(f"a P45 is issued when the run is finalised, not {run.state.value}")
    group = await pay_groups.get_group(ctx, run.pay_group_id)
    ytd, person = item.ytd_after, item.person
    pay, tax = Decimal(str(ytd.get("taxable_pay", "0"))), Decimal(str(ytd.get("tax_paid", "0")))
    brought_pay = Decimal(str(person.get("p45_taxable_pay") or "0"))
    brought_tax = Decimal(str(person.get("p45_tax_paid") or "0"))
    return P45Out(
        employer_paye_reference=f"{group.scheme.tax_office_number}/{group.scheme.paye_reference}",
        employee_number=item.employee_number,
        name=item.name,
        national_insurance_number=item.national_insurance_number,
        leaving_date=item.leaving_date,
        tax_code=item.tax_code or "",
        week1_month1=bool(item.inputs.get("week1_month1")),
        tax_year=run.period.tax_year,
        last_period=run.period.week_or_month_number,
        total_pay_to_date=pay,
        total_tax_to_date=tax,
        pay_in_this_employment=pay - brought_pay,
        tax_in_this_employment=tax - brought_tax,
        student_loan_deductions_continue=bool(item.inputs.get("student_loan_plans")),
        postgraduate_loan_deductions_continue=bool(item.inputs.get("postgraduate_loan")),
    )


async def my_payslips(
    ctx: PayrollContext, *, page: PageRequest, tax_year: str | None
) -> RecordPage[tuple[PayRun, PayRunItem]]:
    """The caller's own payslips: items whose HR user_subject is the token's subject."""
    return await ctx.backend.pay_runs.payslips(
        page, employee_id=None, tax_year=tax_year, user_subject=ctx.principal.subject
    )


async def payslips(
    ctx: PayrollContext,
    *,
    page: PageRequest,
    employee_id: uuid.UUID | None,
    tax_year: str | None,
) -> RecordPage[tuple[PayRun, PayRunItem]]:
    return await ctx.backend.pay_runs.payslips(page, employee_id=employee_id, tax_year=tax_year)
