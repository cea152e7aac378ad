"""Transparency reports. Spend over £25,000: the monthly CSV in the columns HM Treasury's
guidance names, generated from the purchase orders issued in the month (procurement holds
no payments: docs/procurement.md says why orders and what differs). Prompt payment: the share
of supplier invoices finance paid within 5 and within 30 days, read from finance through the
gateway (the FinanceLedger port)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sop_procurement.context import ProcurementContext
from sop_procurement.orders.ports import OrderFilter, PurchaseOrder
from sop_procurement.ports import PageRequest
from sop_procurement.reports.ports import SPEND_COLUMNS, PromptPayment, SpendLine
from sop_shared.clock import UK
from sop_shared.errors import ValidationFailed

SPEND_THRESHOLD = Decimal("25000.00")
PROMPT_DAYS, FAIR_DAYS = 5, 30
MAX_PERIOD_DAYS = 366


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The instants (UK midnight) a month "YYYY-MM" starts and ends at."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return (
        datetime.combine(first, time(), tzinfo=UK),
        datetime.combine(following, time(), tzinfo=UK),
    )


async def _issued(ctx: ProcurementContext, start: datetime, end: datetime) -> list[PurchaseOrder]:
    found: list[PurchaseOrder] = []
    cursor: str | None = None
    flt = OrderFilter(issued_from=start, issued_before=end)
    while True:
        page = await ctx.backend.orders.search(flt, PageRequest(limit=200, cursor=cursor))
        found += [o for o in page.items if o.status == "issued" and o.issued_at is not None]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def order_lines(
    order: PurchaseOrder, *, supplier: str, department_family: str, entity: str
) -> list[SpendLine]:
    """One line per expense type (account) and area (cost centre) the order charges, each
    with the order number as its transaction number and the net amount."""
    issued = order.issued_at or order.created_at
    groups: dict[tuple[str, str], list[tuple[Decimal, str]]] = {}
    for line in order.lines:
        groups.setdefault((line.account_code, line.cost_centre_code), []).append(
            (line.net, line.description)
        )
    return [
        SpendLine(
            department_family=department_family,
            entity=entity,
            date=issued.astimezone(UK).date(),
            expense_type=account,
            expense_area=cost_centre,
            supplier=supplier,
            transaction_number=order.number,
            amount=sum((net for net, _ in items), Decimal("0.00")),
            description="; ".join(dict.fromkeys(text for _, text in items))[:250],
        )
        for (account, cost_centre), items in groups.items()
    ]


async def spend_over_25k(
    ctx: ProcurementContext, month: str, *, department_family: str, entity: str
) -> list[SpendLine]:
    """Orders issued in the month (UK dates) whose net total is over £25,000, and not
    cancelled since; their lines by expense type and area, by date then number."""
    start, end = month_bounds(month)
    names: dict[uuid.UUID, str] = {}
    lines: list[SpendLine] = []
    for order in await _issued(ctx, start, end):
        if order.net_total <= SPEND_THRESHOLD:
            continue
        if order.supplier_id not in names:
            supplier = await ctx.backend.suppliers.get(order.supplier_id)
            names[order.supplier_id] = supplier.legal_name if supplier else str(order.supplier_id)
        lines += order_lines(
            order,
            supplier=names[order.supplier_id],
            department_family=department_family,
            entity=entity,
        )
    return sorted(lines, key=lambda x: (x.date, x.transaction_number))


def spend_csv(lines: Iterable[SpendLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SPEND_COLUMNS)
    for x in lines:
        writer.writerow(
            [
                x.department_family,
                x.entity,
                x.date.strftime("%d/%m/%Y"),
                x.expense_type,
                x.expense_area,
                x.supplier,
                x.transaction_number,
                f"{x.amount:.2f}",
                x.description,
            ]
        )
    return out.getvalue()


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


async def prompt_payment(ctx: ProcurementContext, paid_from: date, paid_to: date) -> PromptPayment:
    """Of the supplier invoices finance paid from `paid_from` to `paid_to`, how many were paid
    within 5 and within 30 calendar days of finance receiving them."""
    if paid_to < paid_from:
        raise ValidationFailed("the period ends before it starts", errors=[("to", "before from")])
    if (paid_to - paid_from) > timedelta(days=MAX_PERIOD_DAYS):
        raise ValidationFailed(
            f"a period is at most {MAX_PERIOD_DAYS} days", errors=[("to", "period too long")]
        )
    paid = await ctx.ledger.paid_invoices(paid_from, paid_to)
    days = [(invoice.paid_on - invoice.received_on).days for invoice in paid]
    within_5 = sum(1 for d in days if d <= PROMPT_DAYS)
    within_30 = sum(1 for d in days if d <= FAIR_DAYS)
    return PromptPayment(
        paid_from=paid_from,
        paid_to=paid_to,
        invoices_paid=len(paid),
        within_5_days=within_5,
        within_30_days=within_30,
        percent_within_5_days=_percent(within_5, len(paid)),
        percent_within_30_days=_percent(within_30, len(paid)),
    )
