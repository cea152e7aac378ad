"""Gateway test fixtures: signing keys and tokens, and the gateway app served in process over
SQLite or PostgreSQL (migrated with its real Alembic migrations)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from joserfc.jwk import ECKey, OKPKey, RSAKey

from sop_gateway.testing import public_jwks, sign_token
from sop_shared.migrations import upgrade_async

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://idp.example.gov.uk/realms/sop"


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, private=True, parameters={"kid": "rsa-1"})


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True, parameters={"kid": "ec-1"})


@pytest.fixture(scope="session")
def ed_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", private=True, parameters={"kid": "ed-1"})


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def gateway_db_url(request: pytest.FixtureRequest) -> str:
    """A migrated gateway database per backend for the session; tests use unique slugs."""
    return request.getfixturevalue(f"_gateway_{request.param}_url")


@pytest.fixture
def sqlite_gateway_url(request: pytest.FixtureRequest) -> str:
    """The session's migrated SQLite gateway database alone (tests that serve the gateway, or
    start other processes, run once rather than on every database)."""
    return request.getfixturevalue("_gateway_sqlite_url")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _gateway_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gw') / 'gateway.db'}"
    await upgrade_async(ROOT / "gateway" / "alembic.ini", url)
    return url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _gateway_postgresql_url(make_postgres_database: Any) -> str:
    url = await make_postgres_database("gateway_unit")
    await upgrade_async(ROOT / "gateway" / "alembic.ini", url)
    return url


PLATFORM = {
    "services": {},
    "clusters": {
        "matrix": {"description": "native", "bindings": {"hr": {"adapter": "native"}}},
        "synergy": {
            "description": "oracle",
            "bindings": {
                "hr": {"adapter": "oracle_like", "base_url": "http://o", "password": "secret"}
            },
        },
    },
    "identity": {"issuers": [{"issuer": ISSUER}]},
}


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


class InProcessGateway:
    """The gateway ASGI app with its lifespan run, an httpx client on it, and the trusted
    external issuer's keys installed without any network."""

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self.gateway = app.gateway
        self.client = client


@pytest_asyncio.fixture(loop_scope="session")
async def gateway(
    gateway_db_url: str, key_dir: Path, rsa_key: RSAKey
) -> AsyncIterator[InProcessGateway]:
    from sop_gateway.app import create_app
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.settings import GatewaySettings
    from sop_shared.platform_config import PlatformConfig

    settings = GatewaySettings(
        env="development",
        database_url=gateway_db_url,
        key_dir=str(key_dir),
        internal_jwks_file=str(key_dir / "internal-jwks.json"),  # never another suite's file
        public_url="http://gateway.test",
        log_json=False,
        rate_limit_per_second=5,
        rate_limit_burst=5,
    )
    app = create_app(settings, PlatformConfig.model_validate(PLATFORM))
    gw = app.gateway
    for trusted in gw.verifier.platform_issuers:
        if trusted.issuer == ISSUER:
            object.__setattr__(trusted, "keys", StaticKeys(public_jwks(rsa_key)))
    await gw.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield InProcessGateway(app, client)
    await gw.stop()


@pytest.fixture(scope="session")
def bearer(rsa_key: RSAKey) -> Any:
    """`bearer(**claims)`: Authorization headers with a token from the trusted issuer."""

    def headers(**claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {sign_token(rsa_key, issuer=ISSUER, **claims)}"}

    return headers


@pytest.fixture(scope="session")
def admin(bearer: Any) -> dict[str, str]:
    return bearer(scope="platform:admin", sub="ops", client_id="console")
