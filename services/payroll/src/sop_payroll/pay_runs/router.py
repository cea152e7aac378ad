"""HTTP routes for /payroll/v1/pay-runs and /payroll/v1/payslips."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from sop_payroll.context import Approver, Reader, Runner, SelfService
from sop_payroll.http import PREFIX, if_match_version, page_of
from sop_payroll.pay_runs import service
from sop_payroll.pay_runs.ports import ItemFilter, RunState
from sop_payroll.pay_runs.schemas import (
    CostCentreReport,
    CostCentreTotals,
    P45Out,
    PayRunIn,
    PayRunItemOut,
    PayRunOut,
    PayslipOut,
    TotalsOut,
)
from sop_shared.concurrency import set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["pay runs"])


def _accepted(response: Response, run_id: uuid.UUID, version: int) -> None:
    response.headers["Location"] = f"{PREFIX}/pay-runs/{run_id}"
    set_etag(response, version)


@router.post(
    "/pay-runs",
    status_code=202,
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def start_pay_run(body: PayRunIn, response: Response, payroll: Runner) -> PayRunOut:
    """Start a pay run for a group's period: **202**, and the run's URL in `Location`. The run
    is a job: payroll workers calculate it page by page from HR's records; watch `state` and
    `progress` there (or the `pay_run` events). One run per group and period (`409
    pay-run-exists` names it)."""
    run = await service.start_run(
        payroll, pay_group_id=body.pay_group_id, tax_year=body.tax_year, period=body.period
    )
    _accepted(response, run.id, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.get("/pay-runs", response_model=Page[PayRunOut], responses=problem_responses(401, 403, 422))
async def list_pay_runs(
    request: Request,
    response: Response,
    payroll: Reader,
    page: PageRequestDep,
    pay_group_id: uuid.UUID | None = None,
    state: RunState | None = None,
) -> Page[PayRunOut]:
    found = await service.list_runs(payroll, page=page, pay_group_id=pay_group_id, state=state)
    now = payroll.clock.now()
    return page_of(request, response, found, lambda r: PayRunOut.of(r, now))


@router.get(
    "/pay-runs/{run_id}", response_model=PayRunOut, responses=problem_responses(401, 403, 404)
)
async def get_pay_run(run_id: uuid.UUID, response: Response, payroll: Reader) -> PayRunOut:
    run = await service.get_run(payroll, run_id)
    set_etag(response, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.get(
    "/pay-runs/{run_id}/items",
    response_model=Page[PayRunItemOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_pay_run_items(
    run_id: uuid.UUID,
    request: Request,
    response: Response,
    payroll: Reader,
    page: PageRequestDep,
    exceptions: Annotated[
        bool | None, Query(description="true: only employees with an exception.")
    ] = None,
) -> Page[PayRunItemOut]:
    found = await service.list_items(
        payroll, run_id, page=page, flt=ItemFilter(with_exceptions=exceptions)
    )
    return page_of(request, response, found, PayRunItemOut.of)


@router.get(
    "/pay-runs/{run_id}/items/{employee_id}",
    response_model=PayRunItemOut,
    responses=problem_responses(401, 403, 404),
)
async def get_pay_run_item(
    run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Reader
) -> PayRunItemOut:
    return PayRunItemOut.of(await service.get_item(payroll, run_id, employee_id))


@router.post(
    "/pay-runs/{run_id}/items/{employee_id}/hold",
    response_model=PayRunItemOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def hold_employee(
    run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Runner
) -> PayRunItemOut:
    """Hold an employee back from this run: not paid, not reported, their exceptions no
    longer block approval. Pay them in a later run."""
    return PayRunItemOut.of(await service.hold(payroll, run_id, employee_id, held=True))


@router.post(
    "/pay-runs/{run_id}/items/{employee_id}/release",
    response_model=PayRunItemOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def release_employee(
    run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Runner
) -> PayRunItemOut:
    return PayRunItemOut.of(await service.hold(payroll, run_id, employee_id, held=False))


@router.post(
    "/pay-runs/{run_id}/items/{employee_id}/accept",
    response_model=PayRunItemOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def accept_exceptions(
    run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Runner
) -> PayRunItemOut:
    """Accept an employee's warnings (`net-pay-variance`): looked at, right, paid. Missing data
    cannot be accepted (409): fix it at the source and recalculate, or hold the employee."""
    return PayRunItemOut.of(await service.accept(payroll, run_id, employee_id))


@router.post(
    "/pay-runs/{run_id}/recalculate",
    status_code=202,
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 412, 503),
)
async def recalculate_pay_run(
    run_id: uuid.UUID, request: Request, response: Response, payroll: Runner
) -> PayRunOut:
    """Calculate a calculated (or failed) run again from HR's records as they are now."""
    run = await service.recalculate(payroll, run_id, if_match=if_match_version(request))
    _accepted(response, run.id, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.post(
    "/pay-runs/{run_id}/approve",
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def approve_pay_run(
    run_id: uuid.UUID, request: Request, response: Response, payroll: Approver
) -> PayRunOut:
    """Needs `payroll:approve`, and someone other than the person who started the run; every
    exception resolved or its employee held back."""
    run = await service.approve(payroll, run_id, if_match=if_match_version(request))
    set_etag(response, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.post(
    "/pay-runs/{run_id}/finalise",
    status_code=202,
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 412, 428, 503),
)
async def finalise_pay_run(
    run_id: uuid.UUID,
    request: Request,
    response: Response,
    payroll: Approver,
    _key: RequiredIdempotencyKey,
) -> PayRunOut:
    """Finalise an approved run (a job: **202**): year-to-date figures, net pay to finance's
    BACS, the journal to finance. Each step is idempotent; a finalised run never changes."""
    run = await service.finalise(payroll, run_id, if_match=if_match_version(request))
    _accepted(response, run.id, run.version)
    return PayRunOut.of(run, payroll.clock.now())


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200, examples=["Paid at the wrong rate"])


@router.post(
    "/pay-runs/{run_id}/reverse",
    status_code=202,
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def reverse_pay_run(
    run_id: uuid.UUID,
    body: ReverseIn,
    request: Request,
    response: Response,
    payroll: Approver,
    _key: RequiredIdempotencyKey,
) -> PayRunOut:
    """Reverse a finalised run **before payment** (a job: 202): finance withdraws the BACS
    batch if its processing day has not passed (otherwise the run stays finalised and says
    why), the journal is mirrored, each employee's year to date goes back to their last other
    run, and the period is free for a new run. Not if a later run of the group exists."""
    run = await service.reverse(
        payroll, run_id, reason=body.reason, if_match=if_match_version(request)
    )
    _accepted(response, run.id, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.post(
    "/pay-runs/{run_id}/cancel",
    response_model=PayRunOut,
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def cancel_pay_run(
    run_id: uuid.UUID, request: Request, response: Response, payroll: Runner
) -> PayRunOut:
    run = await service.cancel(payroll, run_id, if_match=if_match_version(request))
    set_etag(response, run.version)
    return PayRunOut.of(run, payroll.clock.now())


@router.get(
    "/pay-runs/{run_id}/fps/{number}",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "The GovTalk FPS message."},
        **problem_responses(401, 403, 404),
    },
)
async def get_fps(
    run_id: uuid.UUID, number: Annotated[int, Path(ge=1, le=1000)], payroll: Reader
) -> Response:
    """A finalised run's Full Payment Submission `number` (1, 2, ... `fps_documents`): the
    GovTalk message with its IRmark, validated against HMRC's schema when it was made."""
    name, body = await service.fps_document(payroll, run_id, number)
    return Response(
        body,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/pay-runs/{run_id}/reports/gross-to-net",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "One line per employee, then totals."},
        **problem_responses(401, 403, 404),
    },
)
async def gross_to_net_report(run_id: uuid.UUID, payroll: Reader) -> StreamingResponse:
    """Every employee's gross to net in the run (CSV): pay, each deduction, net, employer
    costs, whether held back and any exceptions; a TOTAL line of those paid."""
    run = await service.get_run(payroll, run_id)
    lines = [line async for line in service.gross_to_net(payroll, run_id)]
    return StreamingResponse(
        iter(lines),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{run.reference}-gross-to-net.csv"'},
    )


@router.get(
    "/pay-runs/{run_id}/reports/cost-centres",
    response_model=CostCentreReport,
    responses=problem_responses(401, 403, 404),
)
async def cost_centre_report(run_id: uuid.UUID, payroll: Reader) -> CostCentreReport:
    """The run's totals by cost centre (employees held back left out): what the journal posts."""
    run, found = await service.cost_centre_report(payroll, run_id)
    return CostCentreReport(
        reference=run.reference,
        cost_centres=[
            CostCentreTotals(cost_centre=code, totals=TotalsOut.of(totals))
            for code, totals in sorted(found.items())
        ],
        totals=TotalsOut.of(run.totals),
    )


@router.get(
    "/payslips", response_model=Page[PayslipOut], responses=problem_responses(401, 403, 422)
)
async def list_payslips(
    request: Request,
    response: Response,
    payroll: Reader,
    page: PageRequestDep,
    employee_id: uuid.UUID | None = None,
    tax_year: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")] = None,
) -> Page[PayslipOut]:
    """Payslips of finalised runs, newest first per employee."""
    found = await service.payslips(payroll, page=page, employee_id=employee_id, tax_year=tax_year)
    return page_of(request, response, found, PayslipOut.of)


@router.get(
    "/me/payslips",
    response_model=Page[PayslipOut],
    responses=problem_responses(401, 403, 422),
)
async def my_payslips(
    request: Request,
    response: Response,
    payroll: SelfService,
    page: PageRequestDep,
    tax_year: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")] = None,
) -> Page[PayslipOut]:
    """Self-service (`payroll:self`): the caller's own payslips from finalised runs, matched by
    the login HR records for them (`user_subject`). Nobody else's, whatever they ask."""
    found = await service.my_payslips(payroll, page=page, tax_year=tax_year)
    return page_of(request, response, found, PayslipOut.of)


PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The payslip, A4."}
}


@router.get(
    "/pay-runs/{run_id}/items/{employee_id}/payslip.pdf",
    response_class=Response,
    responses={**PDF, **problem_responses(401, 403, 404, 409)},
)
async def payslip_pdf(run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Reader) -> Response:
    """An employee's payslip from a finalised run as a print-ready PDF."""
    name, body = await service.payslip_document(payroll, run_id, employee_id)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/me/payslips/{run_id}/payslip.pdf",
    response_class=Response,
    responses={**PDF, **problem_responses(401, 403, 404, 409)},
)
async def my_payslip_pdf(run_id: uuid.UUID, payroll: SelfService) -> Response:
    """Self-service (`payroll:self`): the caller's own payslip from a finalised run as a PDF."""
    name, body = await service.payslip_document(payroll, run_id)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/pay-runs/{run_id}/items/{employee_id}/p45",
    response_model=P45Out,
    responses=problem_responses(401, 403, 404, 409),
)
async def leaver_p45(run_id: uuid.UUID, employee_id: uuid.UUID, payroll: Reader) -> P45Out:
    """A leaver's P45 figures from the finalised run that made their final payment: the code
    at leaving and pay and tax to date (as used for tax, and in this employment alone)."""
    return await service.p45(payroll, run_id, employee_id)
