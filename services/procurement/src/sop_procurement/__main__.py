"""`python -m sop_procurement` serves procurement on settings.host:port; `python -m
sop_procurement migrate` upgrades its database to the latest migration."""

from __future__ import annotations

import sys

import uvicorn

from sop_procurement.app import ALEMBIC_INI
from sop_procurement.settings import ProcurementSettings
from sop_shared.migrations import upgrade


def main(argv: list[str]) -> None:
    settings = ProcurementSettings()
    if argv[:1] == ["migrate"]:
        upgrade(ALEMBIC_INI, settings.database_url)
        return
    if argv:
        raise SystemExit("usage: python -m sop_procurement [migrate]")
    uvicorn.run(
        "sop_procurement.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,  # the kernel configures logging (JSON lines)
        proxy_headers=False,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
