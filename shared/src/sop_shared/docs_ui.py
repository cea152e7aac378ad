"""The API docs pages (Swagger UI at `/docs`, ReDoc at `/redoc`) with every asset served by the
gateway itself from the `fastapi-offline` package, so the pages work with no internet access
and load nothing from a CDN (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, HTMLResponse

from sop_shared.errors import NotFound

ASSETS_PATH = "/docs/assets"
STATIC_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
# The only files served, with their media types (no directory listing, no other file).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
# The assets change only with the fastapi-offline package (a new gateway release).
ASSET_CACHE = "public, max-age=86400"


def asset_url(name: str) -> str:
    return f"{ASSETS_PATH}/{name}"


def swagger_page(
    *, openapi_url: str, title: str, oauth2_redirect_url: str, init_oauth: dict[str, Any] | None
) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        oauth2_redirect_url=oauth2_redirect_url,
        init_oauth=init_oauth,
        swagger_js_url=asset_url("swagger-ui-bundle.js"),
        swagger_css_url=asset_url("swagger-ui.css"),
        swagger_favicon_url=asset_url("favicon.png"),
    )


def redoc_page(*, openapi_url: str, title: str) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=openapi_url,
        title=title,
        redoc_js_url=asset_url("redoc.standalone.js"),
        redoc_favicon_url=asset_url("favicon.png"),
        with_google_fonts=False,
    )


def docs_assets_router() -> APIRouter:
    router = APIRouter()

    @router.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> FileResponse:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise NotFound(f"no docs asset {name}")
        return FileResponse(
            STATIC_DIR / name, media_type=media_type, headers={"Cache-Control": ASSET_CACHE}
        )

    return router
