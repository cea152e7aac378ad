"""`python -m sop_sap_like`: serve the simulator on its configured host and port."""

from __future__ import annotations

import uvicorn

from sop_sap_like.app import create_app
from sop_sap_like.settings import SapLikeSettings


def main() -> None:
    settings = SapLikeSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
