"""`python -m sop_payroll` serves payroll on settings.host:port; `python -m sop_payroll migrate`
upgrades its database to the latest migration; `python -m sop_payroll worker` takes pay-run work
off the JetStream work queue (SOP_NATS_URL)."""

from __future__ import annotations

import sys

import uvicorn

from sop_payroll.app import ALEMBIC_INI
from sop_payroll.settings import PayrollSettings
from sop_shared.migrations import upgrade


def main(argv: list[str]) -> None:
    settings = PayrollSettings()
    if argv[:1] == ["migrate"]:
        upgrade(ALEMBIC_INI, settings.database_url)
        return
    if argv[:1] == ["worker"]:
        from sop_payroll.pay_runs.worker import main as worker

        worker()
        return
    if argv:
        raise SystemExit("usage: python -m sop_payroll [migrate | worker]")
    uvicorn.run(
        "sop_payroll.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,  # the kernel configures logging (JSON lines)
        proxy_headers=False,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
