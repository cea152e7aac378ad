"""`python -m sop_gateway` serves the gateway alone (uvloop + httptools, with the gateway's
client timeouts: `sop_gateway.server`) on its settings' host and port, as a container would run
it; `sop run` starts the whole platform instead."""

from __future__ import annotations

import uvicorn

from sop_gateway.server import ClientLimits, gateway_protocol
from sop_gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    limits = ClientLimits.from_settings(settings)
    uvicorn.run(
        "sop_gateway.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=gateway_protocol(limits),  # keep-alive idle timeout included
        access_log=False,  # the gateway logs each request itself, as JSON
        log_config=None,
    )


if __name__ == "__main__":
    main()
