"""The client for calls off the proxy path: no cookie survives from one call to the next, and
a redirect is an error rather than something to follow."""

from __future__ import annotations

import httpx
import pytest

from sop_gateway.aux_http import aux_client, get_json


def handler(seen: list[httpx.Request]):
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "https://evil.example/jwks"})
        return httpx.Response(200, json={"keys": []}, headers={"Set-Cookie": "session=abc; Path=/"})

    return handle


async def test_cookies_set_by_one_response_are_neither_kept_nor_sent() -> None:
    seen: list[httpx.Request] = []
    async with aux_client(transport=httpx.MockTransport(handler(seen))) as client:
        await get_json(client, "https://idp.example/jwks")
        await get_json(client, "https://idp.example/jwks")
        assert not client.cookies
    assert [r.headers.get("cookie") for r in seen] == [None, None]


async def test_a_redirect_is_not_followed() -> None:
    seen: list[httpx.Request] = []
    async with aux_client(transport=httpx.MockTransport(handler(seen))) as client:
        with pytest.raises(httpx.HTTPStatusError):
            await get_json(client, "https://idp.example/moved")
    assert [str(r.url) for r in seen] == ["https://idp.example/moved"]
