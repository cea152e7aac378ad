"""The finance service application: `create_app()` for uvicorn and tests."""

from __future__ import annotations

from fastapi import FastAPI

from sop_finance.accounts.router import router as accounts_router
from sop_finance.budgets.router import router as budgets_router
from sop_finance.journals.router import router as journals_router
from sop_finance.payables.router import router as payables_router
from sop_finance.periods.router import router as periods_router
from sop_finance.provisioning import make_provisioner
from sop_finance.reports.router import router as reports_router
from sop_finance.settings import FinanceSettings
from sop_shared.app import create_service_app
from sop_shared.db import Database

DESCRIPTION = """The general ledger a department closes its books on: chart of accounts, cost
centres, financial years and periods, journals (posted through one contract that payroll and
procurement use), balances and reports, budgets and commitments, supplier invoices and BACS
payment runs. Every posting needs an `Idempotency-Key`."""


def create_app(
    settings: FinanceSettings | None = None, *, database: Database | None = None
) -> FastAPI:
    settings = settings or FinanceSettings()
    return create_service_app(
        settings=settings,
        title="SOP finance",
        description=DESCRIPTION,
        routers=[
            accounts_router,
            periods_router,
            journals_router,
            reports_router,
            budgets_router,
            payables_router,
        ],
        area="finance",
        audit_scopes=("finance:read", None),
        provision=make_provisioner(settings),
        database=database,
        openapi_tags=[
            {"name": "chart of accounts", "description": "Accounts, cost centres, analysis codes."},
            {"name": "periods", "description": "Financial years (April-March) and periods."},
            {"name": "journals", "description": "Drafts, approval, posting and reversal."},
            {"name": "reports", "description": "Read from balances maintained as journals post."},
            {"name": "budgets", "description": "Budgets, commitments, availability."},
            {"name": "payables", "description": "Suppliers, invoices, payment runs, BACS."},
        ],
    )
