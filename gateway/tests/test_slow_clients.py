"""Slow and idle clients time out at the gateway, and a client that goes away is counted as a
client abort (499), not a server error: the real gateway app served by uvicorn with the
gateway's HTTP protocol on a free port, spoken to over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from joserfc.jwk import RSAKey

from sop_gateway.server import ClientLimits, gateway_protocol

ISSUER = "https://idp.example.gov.uk/realms/sop"
LIMITS = ClientLimits(
    header_timeout=1.0,
    body_timeout=1.0,
    min_body_rate=200,
    keep_alive_timeout=1.0,
    max_header_bytes=32 * 1024,
)
# Every timeout above is 1 s: anything still open after this long was not timed out.
PATIENCE = 4.0


class Served:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.gateway = app.gateway
        self.port = port

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def metrics(self) -> str:
        reader, writer = await self.connect()
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), PATIENCE)
        writer.close()
        return data.decode()


@pytest_asyncio.fixture(loop_scope="session")
async def served(sqlite_gateway_url: str, key_dir: Path, rsa_key: RSAKey) -> AsyncIterator[Served]:
    from sop_gateway.app import create_app
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.testing import public_jwks
    from sop_shared.platform_config import PlatformConfig

    settings = GatewaySettings(
        env="development",
        database_url=sqlite_gateway_url,
        key_dir=str(key_dir),
        internal_jwks_file=str(key_dir / "internal-jwks.json"),
        public_url="http://gateway.test",
        log_json=False,
    )
    platform = {
        # A service on a port nothing listens on: the requests here never get that far.
        "services": {"hr": {"url": "http://127.0.0.1:9", "prefix": "/hr"}},
        "clusters": {
            "matrix": {"description": "native", "bindings": {"hr": {"adapter": "native"}}}
        },
        "identity": {"issuers": [{"issuer": ISSUER}]},
    }
    app = create_app(settings, PlatformConfig.model_validate(platform))
    for trusted in app.gateway.verifier.platform_issuers:
        if trusted.issuer == ISSUER:
            object.__setattr__(trusted, "keys", StaticKeys(public_jwks(rsa_key)))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, http=gateway_protocol(LIMITS), lifespan="on", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.02)
        assert not task.done(), task
    yield Served(app, sock.getsockname()[1])
    server.should_exit = True
    await task


async def drip(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pieces: Any, interval: float
) -> tuple[bytes, float]:
    """Write one piece every `interval` until the gateway closes the connection (or PATIENCE
    runs out); returns what it sent back and how long that took."""
    started = time.monotonic()
    reading = asyncio.ensure_future(reader.read())
    for piece in pieces:
        if reading.done() or time.monotonic() - started > PATIENCE:
            break
        with contextlib.suppress(ConnectionError):
            writer.write(piece)
            await writer.drain()
        await asyncio.wait([reading], timeout=interval)
    data = await asyncio.wait_for(reading, PATIENCE)
    return data, time.monotonic() - started


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> tuple[bytes, float]:
    """Everything the gateway sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    data = await asyncio.wait_for(reader.read(), seconds)
    return data, time.monotonic() - started


def parse(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def counted(metrics: str, status: int, route: str | None = None) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if not line.startswith("sop_http_requests_total{"):
            continue
        if f'status="{status}"' in line and (route is None or f'route="{route}"' in line):
            total += float(line.rsplit(" ", 1)[1])
    return total


def timeouts(metrics: str, phase: str) -> float:
    match = re.search(
        rf'^sop_gateway_request_timeouts_total{{phase="{phase}"}} (\S+)$', metrics, re.M
    )
    return float(match.group(1)) if match else 0.0


async def test_an_idle_connection_is_closed(served):
    reader, writer = await served.connect()
    data, took = await closed_within(reader, PATIENCE)
    assert data == b""  # nothing was asked, nothing is answered: the connection just ends
    assert took < 2.5
    writer.close()


async def test_slow_headers_time_out_with_408(served):
    before = timeouts(await served.metrics(), "headers")
    reader, writer = await served.connect()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n")
    # One header line every 0.3 s: the connection is never idle, the headers never end.
    lines = (f"X-Drip-{i}: x\r\n".encode() for i in range(100))
    data, took = await drip(reader, writer, lines, 0.3)
    assert took < 2.5
    status, headers, body = parse(data)
    assert status == 408 and headers["connection"] == "close"
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["type"] == "urn:sop:problem:request-timeout"
    writer.close()
    assert timeouts(await served.metrics(), "headers") == before + 1


async def test_endless_headers_are_refused_431_before_they_fill_memory(served):
    reader, writer = await served.connect()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n")
    with contextlib.suppress(ConnectionError):
        for i in range(100):
            writer.write(f"X-Pad-{i}: {'a' * 1000}\r\n".encode())
            await writer.drain()
    data, _ = await closed_within(reader, PATIENCE)
    status, headers, body = parse(data)
    assert status == 431 and headers["connection"] == "close"
    assert json.loads(body)["type"] == "urn:sop:problem:headers-too-large"
    writer.close()


def post(path: str, token: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


@pytest.fixture
def admin_token(rsa_key: RSAKey) -> str:
    from sop_gateway.testing import sign_token

    return sign_token(rsa_key, issuer=ISSUER, scope="platform:admin", sub="ops", client_id="c")


async def test_a_stalled_body_times_out_with_408(served, admin_token):
    before = await served.metrics()
    reader, writer = await served.connect()
    writer.write(post("/platform/v1/tenants", admin_token, 1000) + b'{"slug": "t-')
    data, took = await closed_within(reader, PATIENCE)
    status, headers, body = parse(data)
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(body)["type"] == "urn:sop:problem:request-timeout"
    assert 0.9 < took < 2.5
    writer.close()
    after = await served.metrics()
    route = "/platform/v1/tenants"
    assert counted(after, 408, route) == counted(before, 408, route) + 1
    assert counted(after, 500) == counted(before, 500)
    assert timeouts(after, "body") == timeouts(before, "body") + 1


async def test_a_body_dribbled_below_the_minimum_rate_times_out(served, admin_token):
    reader, writer = await served.connect()
    writer.write(post("/platform/v1/tenants", admin_token, 100_000))
    # A byte every 0.1 s is never idle for the 1 s body timeout, but is 10 bytes a second
    # where 200 are the least accepted (owed from 1 s on: 200 bytes by 2 s).
    data, took = await drip(reader, writer, (b" " for _ in range(1000)), 0.1)
    assert took < 3.0
    status, _, _ = parse(data)
    assert status == 408
    writer.close()


async def test_an_idle_keep_alive_connection_is_closed(served):
    reader, writer = await served.connect()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), PATIENCE)
    assert head.startswith(b"HTTP/1.1 200")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    await reader.readexactly(length)
    # Blank lines between requests are allowed, but do not keep a connection open forever.
    data, took = await drip(reader, writer, (b"\r\n" for _ in range(100)), 0.3)
    assert data == b"" and took < 2.5
    writer.close()


async def test_a_fast_client_is_not_cut_off(served, admin_token):
    """Many requests on one connection, each within the limits: all answered."""
    reader, writer = await served.connect()
    for _ in range(3):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), PATIENCE)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
        await reader.readexactly(length)
        await asyncio.sleep(0.6)  # under the keep-alive timeout
    slug = f"t-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"slug": slug, "name": "Slow but steady", "cluster": "matrix"}).encode()
    writer.write(post("/platform/v1/tenants", admin_token, len(body)))
    for i in range(0, len(body), 20):  # 20 bytes every 0.05 s: 400 bytes a second
        writer.write(body[i : i + 20])
        await writer.drain()
        await asyncio.sleep(0.05)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), PATIENCE)
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    answer = json.loads(await reader.readexactly(length))
    # The whole body was read and acted on: the tenant is made, and onboarding it answers
    # that HR (on a port nothing listens on) could not provision it.
    assert head.startswith(b"HTTP/1.1 503"), answer
    assert "hr" in answer["detail"], answer
    writer.close()


async def test_pipelined_requests_are_answered_and_a_stalled_one_behind_them_times_out(served):
    reader, writer = await served.connect()
    get = b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"
    writer.write(get + get + b"GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Never: ends")
    data, took = await closed_within(reader, PATIENCE)
    assert data.count(b"HTTP/1.1 200") == 2
    assert took < 2.5
    writer.close()


async def abort(served: Served, request: bytes) -> None:
    _, writer = await served.connect()
    writer.write(request)
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.transport.abort()  # the client goes away mid-body
    await asyncio.sleep(0.3)


async def test_a_client_that_goes_away_on_a_platform_route_is_499_not_500(
    served, admin_token, caplog
):
    before = await served.metrics()
    await abort(served, post("/platform/v1/tenants", admin_token, 1000) + b'{"slug": ')
    after = await served.metrics()
    route = "/platform/v1/tenants"
    assert counted(after, 499, route) == counted(before, 499, route) + 1
    assert counted(after, 500) == counted(before, 500)
    assert not [r for r in caplog.records if r.name == "sop.errors"]
    lines = [r.getMessage() for r in caplog.records if r.name == "sop.access"]
    assert "POST /platform/v1/tenants 499" in lines


async def test_a_client_that_goes_away_on_a_proxied_route_is_499_not_500(served, bearer):
    from sop_gateway.tenants import repository

    slug = f"t-{uuid.uuid4().hex[:8]}"
    async with served.gateway.database.transaction() as session:
        await repository.insert(
            session, slug=slug, name=slug, cluster="matrix", status="active", issuer_config=None
        )
    await served.gateway.registry.load()
    token = bearer(scope="hr:read hr:write", sop_tenant=slug)["Authorization"][7:]
    before = await served.metrics()
    await abort(served, post("/hr/v1/employees", token, 1000) + b'{"first_name": ')
    after = await served.metrics()
    assert counted(after, 499, "/hr") == counted(before, 499, "/hr") + 1
    assert counted(after, 500) == counted(before, 500)


UVICORN_COMMAND = [
    "-m",
    "uvicorn",
    "--factory",
    "sop_gateway.app:create_app",
    "--host",
    "127.0.0.1",
    "--port",
    "{port}",
    "--loop",
    "uvloop",
    "--http",
    "sop_gateway.server:GatewayHttpProtocol",
    "--no-access-log",
]


@pytest.mark.parametrize(
    "command",
    [["-m", "sop_gateway"], UVICORN_COMMAND],
    ids=["python-m-sop_gateway", "uvicorn-command-line"],
)
async def test_the_gateway_process_serves_with_the_timeouts(
    command: list[str], sqlite_gateway_url: str, key_dir: Path, tmp_path: Path
):
    """The gateway as a container runs it (`python -m sop_gateway`), and as the uvicorn
    command line runs it (`sop run`'s way), its timeouts set by environment variables."""
    import os
    import sys

    import httpx

    platform = tmp_path / "platform.yaml"
    platform.write_text("services: {}\nclusters: {}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SOP_ENV": "development",
        "SOP_GATEWAY_HOST": "127.0.0.1",
        "SOP_GATEWAY_PORT": str(port),
        "SOP_GATEWAY_DATABASE_URL": sqlite_gateway_url,
        "SOP_GATEWAY_KEY_DIR": str(key_dir),
        "SOP_INTERNAL_JWKS_FILE": str(key_dir / "internal-jwks.json"),
        "SOP_PLATFORM_CONFIG": str(platform),
        "SOP_GATEWAY_HEADER_TIMEOUT_SECONDS": "1",
        "SOP_GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS": "1",
    }
    env.pop("SOP_NATS_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *(part.format(port=port) for part in command),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(300):
                assert proc.returncode is None, "the gateway exited"
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data, took = await closed_within(reader, PATIENCE)
        assert data == b"" and took < 2.5
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n")
        lines = (f"X-Drip-{i}: x\r\n".encode() for i in range(100))
        data, took = await drip(reader, writer, lines, 0.3)
        assert parse(data)[0] == 408 and took < 2.5
        writer.close()
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
