"""HTTP routes for /procurement/v1/reports: spend over £25,000 (CSV) and prompt payment."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sop_procurement.context import Reader
from sop_procurement.http import PREFIX, BusinessDate, ShortText
from sop_procurement.reports import service
from sop_procurement.reports.schemas import Month, PromptPaymentOut
from sop_shared.errors import problem_responses

router = APIRouter(prefix=PREFIX, tags=["reports"])


@router.get(
    "/reports/spend-over-25k",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "Department family, Entity, Date, Expense type, Expense area, "
            "Supplier, Transaction number, Amount, Description.",
        },
        **problem_responses(401, 403, 422),
    },
)
async def spend_over_25k(
    ctx: Reader,
    month: Month,
    department_family: Annotated[ShortText | None, Query()] = None,
    entity: Annotated[ShortText | None, Query()] = None,
) -> Response:
    """The month's "spend over £25,000" publication as CSV, from the purchase orders issued
    in the month whose net total is over £25,000 (`Date` is the issue date: procurement
    holds no payments). Department family and entity default to the tenant."""
    lines = await service.spend_over_25k(
        ctx, month, department_family=department_family or ctx.tenant, entity=entity or ctx.tenant
    )
    return Response(
        service.spend_csv(lines),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="spend-over-25k-{month}.csv"'},
    )


@router.get(
    "/reports/prompt-payment",
    response_model=PromptPaymentOut,
    response_model_by_alias=True,
    responses=problem_responses(401, 403, 422, 503),
)
async def prompt_payment(
    ctx: Reader,
    paid_from: Annotated[BusinessDate, Query(alias="from")],
    paid_to: Annotated[BusinessDate, Query(alias="to")],
) -> PromptPaymentOut:
    """Of the supplier invoices finance paid in the period (by payment date), the share paid
    within 5 and within 30 days of finance receiving them (read from finance through the
    gateway, acting for the caller: 503 when finance cannot be reached)."""
    return PromptPaymentOut.of(await service.prompt_payment(ctx, paid_from, paid_to))
