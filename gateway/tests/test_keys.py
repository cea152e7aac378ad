"""Keys: generated once and kept across restarts outside production, never generated in
production; internal tokens verify with the kernel's verifier and are reused for their life."""

from __future__ import annotations

import json

import pytest

from sop_gateway.identity.internal import InternalTokens
from sop_gateway.identity.verifier import Identity
from sop_gateway.keys import ensure_keys, internal_signer, load_dev_idp_key, load_internal_keys
from sop_gateway.settings import GatewaySettings
from sop_shared.security import InternalKeys, InternalTokenVerifier


@pytest.fixture
def settings(tmp_path) -> GatewaySettings:
    # Its own published-keys file: the environment's may belong to another suite's keys.
    return GatewaySettings(
        env="development",
        key_dir=str(tmp_path / "keys"),
        internal_jwks_file=str(tmp_path / "keys" / "internal-jwks.json"),
    )


def test_keys_survive_a_restart(settings):
    jwks = ensure_keys(settings)
    assert ensure_keys(settings) == jwks
    assert load_dev_idp_key(settings).kid == load_dev_idp_key(settings).kid
    with open(settings.internal_jwks_file) as fh:
        published = json.load(fh)
    assert published == jwks
    assert all("d" not in key for key in published["keys"])  # only the public half


def test_production_never_generates_a_key(tmp_path):
    key = tmp_path / "absent.json"
    prod = GatewaySettings.model_construct(
        env="production", internal_key_file=str(key), key_dir=str(tmp_path)
    )
    with pytest.raises(RuntimeError, match="no signing key"):
        load_internal_keys(prod)
    assert not key.exists()


def test_a_rotated_key_set_signs_with_the_first_and_publishes_all(settings):
    old = load_internal_keys(settings)[0]
    from sop_shared.security import generate_signing_key

    new = generate_signing_key()
    settings.signing_key_file.write_text(
        json.dumps({"keys": [new.as_dict(private=True), old.as_dict(private=True)]})
    )
    signer, jwks = internal_signer(settings)
    assert signer.kid == new.kid
    assert [k["kid"] for k in jwks["keys"]] == [new.kid, old.kid]


async def test_internal_tokens_verify_at_a_service_and_are_reused(settings, tmp_path):
    jwks = ensure_keys(settings)
    signer, _ = internal_signer(settings)
    clock = [1_000_000.0]
    tokens = InternalTokens(signer, clock=lambda: clock[0])
    who = Identity(
        issuer="https://idp",
        subject="alice",
        client_id="portal",
        tenant="hmrc",
        scopes=frozenset({"hr:read", "hr:sensitive", "finance:read"}),
        expires_at=clock[0] + 3600,
    )
    first = tokens.for_service(who, service="hr", cluster="unity")
    assert tokens.for_service(who, service="hr", cluster="unity") == first
    assert tokens.for_service(who, service="finance", cluster="unity") != first
    clock[0] += 241  # within a minute of expiry: a fresh one
    assert tokens.for_service(who, service="hr", cluster="unity") != first

    # What a service sees (the kernel checks `exp` on the real clock, so mint one now).
    jwks_file = tmp_path / "published.json"
    jwks_file.write_text(json.dumps(jwks))
    verifier = InternalTokenVerifier(
        keys=InternalKeys(jwks_file=str(jwks_file)), issuer="sop-gateway", audience="sop-hr"
    )
    token = InternalTokens(signer).for_service(who, service="hr", cluster="unity")
    principal = await verifier.verify(token)
    assert principal.tenant == "hmrc"
    assert principal.cluster == "unity"
    assert principal.scopes == {"hr:read", "hr:sensitive"}  # only HR's scopes travel to HR
    assert principal.client_id == "portal"
