"""`GET /_internal/clusters/{cluster}/binding`: the HR binding in force for a cluster (the
supplier switch's, else the platform config's) for the gateway's cluster view, to platform
administrators' internal tokens only, never with credentials."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
import yaml

from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_hr.switch import migrate_cluster
from sop_shared.db import Database
from sop_shared.platform_config import PlatformConfigSource

SECRET = "s3cret-vendor-password"
TOKEN = "vendor-bearer-token-value"


def platform_file(directory: Path, clusters: dict[str, Any]) -> Path:
    path = directory / "platform.yaml"
    path.write_text(yaml.safe_dump({"clusters": clusters}))
    return path


class HR:
    def __init__(self, app: Any, client: httpx.AsyncClient, mint: Any, suffix: str) -> None:
        self.app, self.client, self.mint, self.suffix = app, client, mint, suffix

    async def binding(self, cluster: str, **token: Any) -> httpx.Response:
        claims = {"tenant": None, "scopes": "platform:admin", "audience": "sop-hr", **token}
        bearer = self.mint(**claims)
        return await self.client.get(
            f"/_internal/clusters/{cluster}/binding", headers={"Authorization": f"Bearer {bearer}"}
        )

    async def switch(self, cluster: str, to: str) -> Any:
        kernel = self.app.state.kernel
        return await migrate_cluster(
            cluster=cluster, to=to, settings=kernel.settings, database=kernel.database
        )


@pytest_asyncio.fixture(loop_scope="session")
async def hr(hr_url: str, mint: Any, tmp_path: Path) -> AsyncIterator[HR]:
    suffix = uuid.uuid4().hex[:8]
    clusters = {
        f"home-{suffix}": {"bindings": {"hr": {"adapter": "native"}}},
        f"oracle-{suffix}": {
            "bindings": {
                "hr": {
                    "adapter": "oracle_like",
                    "base_url": "https://integration:pw-in-url@oracle.example",
                    "username": "hcm.integration",
                    "password": SECRET,
                }
            }
        },
        f"sap-{suffix}": {
            "bindings": {
                "hr": {"adapter": "sap_like", "base_url": "http://sap.example", "token": TOKEN}
            }
        },
        f"ledger-{suffix}": {"bindings": {"finance": {"adapter": "native"}}},
    }
    path = platform_file(tmp_path, clusters)
    settings = HRSettings(
        database_url=hr_url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
        platform_config=str(path),
        binding_cache_seconds=0,
    )
    database = Database(hr_url)
    app = create_app(settings, database=database, platform=PlatformConfigSource(path))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        yield HR(app, client, mint, suffix)
    await database.dispose()


def no_credentials(r: httpx.Response) -> None:
    for secret in (SECRET, TOKEN, "pw-in-url", "integration:", "hcm.integration"):
        assert secret not in r.text, r.text


async def test_the_config_binding_until_a_switch(hr):
    r = await hr.binding(f"oracle-{hr.suffix}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "cluster": f"oracle-{hr.suffix}",
        "service": "hr",
        "adapter": "oracle_like",
        "base_url": "https://oracle.example",
        "source": "config",
        "frozen": False,
    }
    no_credentials(r)


async def test_after_a_switch_the_switched_binding_and_no_credentials(hr):
    cluster = f"oracle-{hr.suffix}"
    report = await hr.switch(cluster, "native")
    assert report.switched
    r = await hr.binding(cluster)
    assert r.status_code == 200, r.text
    assert r.json()["adapter"] == "native" and r.json()["source"] == "switch"
    assert r.json()["base_url"] is None

    # A native cluster moved onto a suite borrows that suite's binding (URL and credentials)
    # from the platform config: the URL is shown, the credentials never.
    home = f"home-{hr.suffix}"
    assert (await hr.switch(home, "sap_like")).switched
    r = await hr.binding(home)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["adapter"], body["base_url"], body["source"]) == (
        "sap_like",
        "http://sap.example",
        "switch",
    )
    assert not body["frozen"]
    no_credentials(r)


async def test_a_cluster_hr_does_not_serve_is_404(hr):
    for cluster in (f"ledger-{hr.suffix}", f"nowhere-{hr.suffix}"):
        r = await hr.binding(cluster)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_only_a_platform_administrator_may_ask(hr):
    cluster = f"oracle-{hr.suffix}"
    assert (await hr.binding(cluster, scopes="hr:read hr:write")).status_code == 403
    assert (await hr.binding(cluster, audience="sop-finance")).status_code == 401
    r = await hr.client.get(f"/_internal/clusters/{cluster}/binding")
    assert r.status_code == 401
