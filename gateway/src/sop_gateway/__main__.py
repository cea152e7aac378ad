"""`python -m sop_gateway` serves the gateway alone (uvloop + httptools) on its settings'
host and port, as a container would run it; `sop run` starts the whole platform instead."""

from __future__ import annotations

import uvicorn

from sop_gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    uvicorn.run(
        "sop_gateway.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,  # the gateway logs each request itself, as JSON
        log_config=None,
    )


if __name__ == "__main__":
    main()
