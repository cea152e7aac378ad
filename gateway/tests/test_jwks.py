"""An issuer's keys: discovery checked, rotation honoured, and at most one refetch per
interval however many unknown key ids arrive."""

from __future__ import annotations

import asyncio

import pytest
from joserfc.jwk import RSAKey

from sop_gateway.identity.jwks import RemoteKeys, import_public_keys
from sop_gateway.testing import public_jwks
from sop_shared.errors import ServiceUnavailable, Unauthorized

ISSUER = "https://idp.example/realms/sop"


class FakeProvider:
    def __init__(self, *keys: RSAKey) -> None:
        self.keys = list(keys)
        self.calls: list[str] = []
        self.down = False
        self.issuer_in_discovery = ISSUER

    async def fetch(self, url: str) -> dict:
        self.calls.append(url)
        await asyncio.sleep(0.01)  # let concurrent callers pile up behind the first
        if self.down:
            raise OSError("connection refused")
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": self.issuer_in_discovery, "jwks_uri": ISSUER + "/certs"}
        return public_jwks(*self.keys)

    @property
    def jwks_calls(self) -> int:
        return sum(1 for c in self.calls if c.endswith("/certs"))


def key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, private=True, parameters={"kid": kid})


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


def remote(provider: FakeProvider, clock: list[float], **kw) -> RemoteKeys:
    return RemoteKeys(ISSUER, fetch_json=provider.fetch, clock=lambda: clock[0], **kw)


async def test_keys_come_from_the_discovered_jwks_uri(clock):
    k1 = key("k1")
    provider = FakeProvider(k1)
    keys = remote(provider, clock)
    found = await keys.key("k1", "RS256")
    assert found.kid == "k1"
    assert provider.calls == [ISSUER + "/.well-known/openid-configuration", ISSUER + "/certs"]
    await keys.key("k1", "RS256")
    assert provider.jwks_calls == 1


async def test_a_discovery_document_for_another_issuer_is_refused(clock):
    provider = FakeProvider(key("k1"))
    provider.issuer_in_discovery = ISSUER + "-evil"
    with pytest.raises(ServiceUnavailable):
        await remote(provider, clock).key("k1", "RS256")


async def test_a_burst_of_unknown_kids_fetches_once_per_interval(clock):
    provider = FakeProvider(key("k1"))
    keys = remote(provider, clock, refetch_interval=30)
    await keys.key("k1", "RS256")
    clock[0] += 31  # the last fetch is old enough for one more

    async def forged(i: int) -> None:
        with pytest.raises(Unauthorized):
            await keys.key(f"forged-{i}", "RS256")

    await asyncio.gather(*(forged(i) for i in range(100)))
    assert provider.jwks_calls == 2
    clock[0] += 10
    await asyncio.gather(*(forged(i) for i in range(100, 150)))
    assert provider.jwks_calls == 2


async def test_a_rotated_key_is_found_after_the_interval(clock):
    provider = FakeProvider(key("k1"))
    keys = remote(provider, clock, refetch_interval=30)
    await keys.key("k1", "RS256")
    provider.keys = [key("k2")]
    clock[0] += 5
    with pytest.raises(Unauthorized):
        await keys.key("k2", "RS256")  # too soon after the last fetch
    clock[0] += 30
    assert (await keys.key("k2", "RS256")).kid == "k2"


async def test_keys_past_max_age_are_refreshed_and_kept_if_the_provider_is_down(clock):
    provider = FakeProvider(key("k1"))
    keys = remote(provider, clock, max_age=60)
    await keys.key("k1", "RS256")
    clock[0] += 61
    provider.down = True
    assert (await keys.key("k1", "RS256")).kid == "k1"  # stale beats nothing
    assert provider.jwks_calls == 2  # it did try


async def test_a_provider_never_reached_is_503_not_401(clock):
    provider = FakeProvider(key("k1"))
    provider.down = True
    with pytest.raises(ServiceUnavailable):
        await remote(provider, clock).key("k1", "RS256")


def test_unusable_keys_are_dropped():
    short = RSAKey.generate_key(1024, private=True, parameters={"kid": "short"})
    good = key("good")
    jwks = public_jwks(short, good)
    jwks["keys"] += [
        {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
        {**good.as_dict(private=False), "kid": "enc", "use": "enc"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not a key",
    ]
    assert set(import_public_keys(jwks)) == {"good"}


async def test_a_key_declaring_another_alg_is_not_used(clock):
    k1 = key("k1")
    provider = FakeProvider(k1)
    keys = remote(provider, clock)
    original = provider.fetch

    async def with_alg(url: str) -> dict:
        doc = await original(url)
        if "keys" in doc:
            doc["keys"][0]["alg"] = "PS256"
        return doc

    keys._fetch_json = with_alg
    assert (await keys.key("k1", "PS256")).kid == "k1"
    with pytest.raises(Unauthorized):
        await keys.key("k1", "RS256")
