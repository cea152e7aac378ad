"""Production refuses to start without a metrics token (a reverse proxy on the same host makes
every public request look like loopback); development keeps the loopback rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sop_gateway.settings import GatewaySettings

TOKEN = "a-scrape-secret-of-some-length"


def production(tmp_path, **overrides):
    key = tmp_path / "key.json"
    key.write_text("{}")
    values = {
        "env": "production",
        "database_url": "postgresql://sop@db/sop",
        "internal_key_file": str(key),
        "public_url": "https://api.example",
        "metrics_token": TOKEN,
        **overrides,
    }
    return GatewaySettings(**values)


def test_production_refuses_to_start_without_a_metrics_token(tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_GATEWAY_METRICS_TOKEN", raising=False)
    with pytest.raises(ValidationError) as caught:
        production(tmp_path, metrics_token=None)
    assert "SOP_GATEWAY_METRICS_TOKEN" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        production(tmp_path, metrics_token="short")
    assert "SOP_GATEWAY_METRICS_TOKEN" in str(caught.value)


def test_production_takes_the_token_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_GATEWAY_METRICS_TOKEN", TOKEN)
    key = tmp_path / "key.json"
    key.write_text("{}")
    s = GatewaySettings(
        env="production",
        database_url="postgresql://sop@db/sop",
        internal_key_file=str(key),
        public_url="https://api.example",
    )
    assert s.metrics_token == TOKEN


def test_development_needs_no_metrics_token(monkeypatch):
    monkeypatch.delenv("SOP_GATEWAY_METRICS_TOKEN", raising=False)
    assert GatewaySettings(env="development").metrics_token is None
