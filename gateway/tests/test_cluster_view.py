"""The platform API's cluster view shows the binding each service is actually using: after
HR's supplier switch, the new adapter (`source: switch`) rather than the platform config's;
the config's binding where a service keeps none of its own (`source: config`), and says so
when the service could not be asked (`live: false`). Never a credential.

A real HR (migrated SQLite, served over HTTP on a free port) verifies the gateway's internal
tokens; "finance" is a server that serves no such route (404 for everything) and "payroll" a
port nothing listens on."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
import yaml
from joserfc.jwk import RSAKey
from starlette.applications import Starlette

from sop_shared.migrations import upgrade_async

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://idp.example.gov.uk/realms/sop"
SECRET = "s3cret-vendor-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """An ASGI app on a free port with uvicorn, in this event loop (the port is taken at
    once, so a config can name it before the app exists)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self, app: Any) -> None:
        config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            await asyncio.sleep(0.02)
            assert not self.task.done()

    async def stop(self) -> None:
        if self.server is not None and self.task is not None and not self.task.done():
            self.server.should_exit = True
            await self.task


class Platform:
    def __init__(self, client: httpx.AsyncClient, hr_app: Any, hr: Served, path: Path) -> None:
        self.client, self.hr_app, self.hr, self.path = client, hr_app, hr, path

    async def switch(self, cluster: str, to: str) -> None:
        from sop_hr.switch import migrate_cluster

        kernel = self.hr_app.state.kernel
        report = await migrate_cluster(
            cluster=cluster, to=to, settings=kernel.settings, database=kernel.database
        )
        assert report.switched


@pytest_asyncio.fixture(loop_scope="session")
async def platform(
    tmp_path: Path, key_dir: Path, rsa_key: RSAKey, sqlite_gateway_url: str
) -> AsyncIterator[Platform]:
    from sop_gateway.app import create_app
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.testing import public_jwks
    from sop_hr.app import create_app as create_hr
    from sop_hr.settings import HRSettings
    from sop_shared.db import Database
    from sop_shared.platform_config import PlatformConfig, PlatformConfigSource

    hr_url = f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}"
    await upgrade_async(ROOT / "services" / "hr" / "alembic.ini", hr_url)
    nowhere = Served()
    await nowhere.start(Starlette())  # answers 404 to every path

    settings = GatewaySettings(
        env="development",
        database_url=sqlite_gateway_url,
        key_dir=str(key_dir),
        internal_jwks_file=str(key_dir / "internal-jwks.json"),
        public_url="http://gateway.test",
        log_json=False,
        # A loaded test machine may take seconds over HR's first answer; "down" here is a
        # refused connection, which no timeout delays.
        cluster_view_timeout_seconds=20,
    )
    hr = Served()
    config: dict[str, Any] = {
        "services": {
            "hr": {"url": hr.url, "prefix": "/hr"},
            "finance": {"url": nowhere.url, "prefix": "/finance"},
            "payroll": {"url": f"http://127.0.0.1:{free_port()}", "prefix": "/payroll"},
        },
        "clusters": {
            "synergy": {
                "description": "Oracle-like HR",
                "bindings": {
                    "hr": {
                        "adapter": "oracle_like",
                        "base_url": "http://oracle.example",
                        "username": "hcm.integration",
                        "password": SECRET,
                    },
                    "finance": {"adapter": "native"},
                    "payroll": {"adapter": "native"},
                },
            },
            "matrix": {"bindings": {"hr": {"adapter": "native"}}},
        },
        "identity": {"issuers": [{"issuer": ISSUER}]},
    }
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(config))
    gateway_app = create_app(settings, PlatformConfig.model_validate(config))
    gw = gateway_app.gateway
    for trusted in gw.verifier.platform_issuers:
        if trusted.issuer == ISSUER:
            object.__setattr__(trusted, "keys", StaticKeys(public_jwks(rsa_key)))
    await gw.start()  # publishes the internal JWKS HR verifies the gateway's tokens with

    hr_database = Database(hr_url)
    hr_app = create_hr(
        HRSettings(
            database_url=hr_url,
            env="test",
            log_json=False,
            log_level="WARNING",
            internal_jwks_file=str(key_dir / "internal-jwks.json"),
            platform_config=str(path),
            binding_cache_seconds=0,
        ),
        database=hr_database,
        platform=PlatformConfigSource(path),
    )
    await hr.start(hr_app)

    transport = httpx.ASGITransport(app=gateway_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield Platform(client, hr_app, hr, path)
    await hr.stop()
    await nowhere.stop()
    await gw.stop()
    await hr_database.dispose()


async def test_each_service_answers_for_its_binding(platform, admin):
    r = await platform.client.get("/platform/v1/clusters/synergy", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["bindings"] == {
        "hr": {
            "adapter": "oracle_like",
            "base_url": "http://oracle.example",
            "source": "config",
            "live": True,
        },
        # Up, but serving no binding route: it uses the config's.
        "finance": {"adapter": "native", "base_url": None, "source": "config", "live": True},
        # Down: the config's binding, and the view says it could not ask.
        "payroll": {"adapter": "native", "base_url": None, "source": "config", "live": False},
    }
    assert SECRET not in r.text and "hcm.integration" not in r.text


async def test_after_a_switch_the_cluster_view_shows_the_new_adapter(platform, admin):
    await platform.switch("synergy", "native")
    r = await platform.client.get("/platform/v1/clusters/synergy", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["bindings"]["hr"] == {
        "adapter": "native",
        "base_url": None,
        "source": "switch",
        "live": True,
    }
    # A native cluster moved onto the Oracle-like suite borrows synergy's URL and credentials
    # from the config: the list shows the URL, never the credentials.
    await platform.switch("matrix", "oracle_like")
    r = await platform.client.get("/platform/v1/clusters", headers=admin)
    assert r.status_code == 200, r.text
    clusters = {c["name"]: c for c in r.json()["items"]}
    assert clusters["matrix"]["bindings"]["hr"] == {
        "adapter": "oracle_like",
        "base_url": "http://oracle.example",
        "source": "switch",
        "live": True,
    }
    assert clusters["synergy"]["bindings"]["hr"]["adapter"] == "native"
    assert SECRET not in r.text and "hcm.integration" not in r.text

    # HR down: the view falls back to the config, and says it is not live.
    await platform.hr.stop()
    r = await platform.client.get("/platform/v1/clusters/synergy", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["bindings"]["hr"] == {
        "adapter": "oracle_like",
        "base_url": "http://oracle.example",
        "source": "config",
        "live": False,
    }


async def test_the_view_stays_for_platform_administrators(platform, bearer):
    tenant = bearer(scope="hr:read", sop_tenant="cabinet-office")
    r = await platform.client.get("/platform/v1/clusters/synergy", headers=tenant)
    assert r.status_code == 403
    assert (await platform.client.get("/platform/v1/clusters/synergy")).status_code == 401
