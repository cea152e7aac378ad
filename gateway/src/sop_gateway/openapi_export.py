"""`sop openapi`: the merged document built in this process. Each service's document is
fetched from the running service, or else built by importing the service's app, so the
export works with nothing running."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from sop_gateway.aux_http import aux_client

log = logging.getLogger("sop.gateway.openapi")


def _imported_document(service: str) -> dict[str, Any] | None:
    try:
        module = importlib.import_module(f"sop_{service}.app")
        return module.create_app().openapi()
    except Exception as exc:
        log.info("no OpenAPI document for %s: %s", service, exc)
        return None


async def export() -> dict[str, Any]:
    from sop_gateway.app import Gateway, create_platform_app, platform_openapi
    from sop_gateway.settings import GatewaySettings

    gateway = Gateway(GatewaySettings())
    app = create_platform_app(gateway)
    async with aux_client(timeout=5) as client:
        gateway.aux_http = client
        try:
            await gateway.docs.refresh(gateway.fetch_json, only_stale=False)
            for name in gateway.upstreams:
                if name not in gateway.docs.docs and (doc := _imported_document(name)):
                    gateway.docs.docs[name] = doc
            return await gateway.openapi(platform_openapi(app))
        finally:
            await gateway.database.dispose()
