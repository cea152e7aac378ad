"""A service's own `/docs` (Swagger UI) works offline, as the gateway's does: the page names
no other host, and every asset it loads is served by the service itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from fastapi import APIRouter

from sop_shared.app import create_service_app
from sop_shared.db import Database
from sop_shared.settings import ServiceSettings

ASSET_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ANY_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+""", re.IGNORECASE)

router = APIRouter()


@router.get("/things")
async def things() -> list[dict[str, Any]]:
    return []


@pytest_asyncio.fixture
async def client(tmp_path, mint) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service="docs",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_service_app(
        settings=settings,
        title="Docs",
        description="docs",
        routers=[router],
        database=Database(settings.database_url),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
        yield c


async def test_the_docs_page_names_no_other_host(client):
    r = await client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert ANY_URL.findall(r.text) == [], ANY_URL.findall(r.text)
    found = ASSET_REFERENCE.findall(r.text)
    assert "/docs/assets/swagger-ui-bundle.js" in found
    assert "/docs/assets/swagger-ui.css" in found
    assert all(ref.startswith("/docs/assets/") for ref in found), found
    assert "/openapi.json" in r.text
    assert "/docs/oauth2-redirect" in r.text


async def test_the_assets_the_page_loads_answer_200(client):
    page = (await client.get("/docs")).text
    for ref in ASSET_REFERENCE.findall(page):
        r = await client.get(ref)
        assert r.status_code == 200, ref
        assert len(r.content) > 1000, ref
    r = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert r.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in r.text


async def test_only_the_known_assets_are_served(client):
    for path in ("/docs/assets/core.py", "/docs/assets/%2e%2e/consts.py"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_the_oauth_redirect_page_is_local(client):
    r = await client.get("/docs/oauth2-redirect")
    assert r.status_code == 200
    assert "oauth2" in r.text.lower()
    assert ANY_URL.findall(r.text) == []
