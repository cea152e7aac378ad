"""`/docs` (Swagger UI) and `/redoc` work offline: every asset the pages load is served by the
gateway itself, with the right content type, and the pages name no other host."""

from __future__ import annotations

import re

ASSET_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ANY_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+""", re.IGNORECASE)

EXPECTED = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


async def references(gateway, page: str) -> list[str]:
    r = await gateway.client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    # No host at all: not in a src or href, not in the inline script either.
    assert ANY_URL.findall(html) == [], ANY_URL.findall(html)
    return ASSET_REFERENCE.findall(html)


async def test_swagger_ui_loads_nothing_from_another_host(gateway):
    found = await references(gateway, "/docs")
    assert "/docs/assets/swagger-ui-bundle.js" in found
    assert "/docs/assets/swagger-ui.css" in found
    assert "/docs/assets/favicon.png" in found
    assert all(ref.startswith("/docs/assets/") for ref in found), found


async def test_redoc_loads_nothing_from_another_host(gateway):
    found = await references(gateway, "/redoc")
    assert "/docs/assets/redoc.standalone.js" in found
    assert all(ref.startswith("/docs/assets/") for ref in found), found


async def test_the_assets_answer_with_their_content_type(gateway):
    for name, media_type in EXPECTED.items():
        r = await gateway.client.get(f"/docs/assets/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"].split(";")[0] == media_type, (name, r.headers)
        assert len(r.content) > 1000, name
        assert "max-age" in r.headers.get("cache-control", ""), name
    bundle = (await gateway.client.get("/docs/assets/swagger-ui-bundle.js")).text
    assert "SwaggerUIBundle" in bundle
    png = (await gateway.client.get("/docs/assets/favicon.png")).content
    assert png.startswith(b"\x89PNG")


async def test_only_the_known_assets_are_served(gateway):
    for path in (
        "/docs/assets/core.py",
        "/docs/assets/..%2F__init__.py",
        "/docs/assets/%2e%2e/consts.py",
        "/docs/assets/",
    ):
        r = await gateway.client.get(path)
        assert r.status_code == 404, path


async def test_the_oauth_redirect_page_is_local_too(gateway):
    r = await gateway.client.get("/docs/oauth2-redirect")
    assert r.status_code == 200
    assert ANY_URL.findall(r.text) == []
