"""`python -m sop_oracle_like`: serve the simulator on its configured host and port."""

from __future__ import annotations

import uvicorn

from sop_oracle_like.app import create_app
from sop_oracle_like.settings import OracleLikeSettings


def main() -> None:
    settings = OracleLikeSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
