"""`python -m sop_hr` serves HR on settings.host:port; `python -m sop_hr migrate` upgrades its
database to the latest migration."""

from __future__ import annotations

import sys

import uvicorn

from sop_hr.app import ALEMBIC_INI
from sop_hr.settings import HRSettings
from sop_shared.migrations import upgrade


def main(argv: list[str]) -> None:
    settings = HRSettings()
    if argv[:1] == ["migrate"]:
        upgrade(ALEMBIC_INI, settings.database_url)
        return
    if argv:
        raise SystemExit("usage: python -m sop_hr [migrate]")
    uvicorn.run(
        "sop_hr.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,  # the kernel configures logging (JSON lines)
        proxy_headers=False,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
