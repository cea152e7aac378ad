"""Settings: development defaults, and production refusing every unsafe default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sop_gateway.settings import GatewaySettings


def test_development_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path))
    # Other tests in this worker may have pointed services at their own keys.
    monkeypatch.delenv("SOP_INTERNAL_JWKS_FILE", raising=False)
    s = GatewaySettings(env="development")
    assert s.dev_idp_enabled
    assert s.public_url == "http://127.0.0.1:8000"
    assert s.dev_issuer == "http://127.0.0.1:8000/idp"
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    assert s.internal_jwks_file == str(tmp_path / "keys" / "internal-jwks.json")
    assert s.audience == "sop-api"


def test_the_dev_idp_is_off_outside_development():
    assert not GatewaySettings(env="test").dev_idp_enabled


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"dev_idp": True}, "development identity provider"),
        ({"database_url": "sqlite+aiosqlite:///x.db"}, "SQLite"),
        ({"internal_key_file": None}, "never generated"),
        ({"internal_key_file": "/nonexistent/key.json"}, "does not exist"),
        ({"public_url": "http://api.example"}, "https"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, overrides, complaint):
    key = tmp_path / "key.json"
    key.write_text("{}")
    values = {
        "env": "production",
        "database_url": "postgresql://sop@db/sop",
        "internal_key_file": str(key),
        "public_url": "https://api.example",
        "metrics_token": "a-scrape-secret-of-some-length",
        **overrides,
    }
    with pytest.raises(ValidationError) as caught:
        GatewaySettings(**values)
    assert complaint in str(caught.value)


def test_production_with_safe_settings_starts(tmp_path):
    key = tmp_path / "key.json"
    key.write_text("{}")
    s = GatewaySettings(
        env="production",
        database_url="postgresql://sop@db/sop",
        internal_key_file=str(key),
        public_url="https://api.example",
        metrics_token="a-scrape-secret-of-some-length",
    )
    assert not s.dev_idp_enabled


def test_internal_tokens_never_outlive_five_minutes():
    with pytest.raises(ValidationError):
        GatewaySettings(internal_token_lifetime=301)


def test_production_gateway_needs_an_https_issuer(tmp_path):
    from sop_gateway.app import Gateway
    from sop_gateway.keys import load_internal_keys
    from sop_shared.platform_config import PlatformConfig

    dev = GatewaySettings(env="development", key_dir=str(tmp_path))
    load_internal_keys(dev)  # a provisioned key, as an operator would mount one
    prod = GatewaySettings(
        env="production",
        database_url="postgresql://sop@db/sop",
        internal_key_file=str(dev.signing_key_file),
        public_url="https://api.example",
        metrics_token="a-scrape-secret-of-some-length",
        key_dir=str(tmp_path),
    )
    for identity in ({"issuers": []}, {"issuers": [{"issuer": "http://keycloak/realms/sop"}]}):
        with pytest.raises(RuntimeError, match="https issuer"):
            Gateway(prod, PlatformConfig.model_validate({"identity": identity}))
    ok = {"identity": {"issuers": [{"issuer": "https://keycloak/realms/sop"}]}}
    assert Gateway(prod, PlatformConfig.model_validate(ok)).dev_idp is None


def test_production_refuses_development_credentials_in_bindings(tmp_path):
    from sop_gateway.app import Gateway
    from sop_gateway.keys import load_internal_keys
    from sop_shared.platform_config import PlatformConfig

    dev = GatewaySettings(env="development", key_dir=str(tmp_path))
    load_internal_keys(dev)
    prod = GatewaySettings(
        env="production",
        database_url="postgresql://sop@db/sop",
        internal_key_file=str(dev.signing_key_file),
        public_url="https://api.example",
        metrics_token="a-scrape-secret-of-some-length",
        key_dir=str(tmp_path),
    )
    config = {
        "identity": {"issuers": [{"issuer": "https://keycloak/realms/sop"}]},
        "clusters": {
            "synergy": {
                "bindings": {"hr": {"adapter": "oracle_like", "password": "sop-dev-password"}}
            }
        },
    }
    with pytest.raises(RuntimeError, match="synergy, hr: password is a development default"):
        Gateway(prod, PlatformConfig.model_validate(config))
