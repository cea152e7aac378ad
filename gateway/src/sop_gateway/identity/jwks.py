"""Issuers' signing keys: discovery, JWKS fetched and cached, key rotation honoured, and at
most one refetch per interval however many tokens name a key we have not seen."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from sop_shared.errors import ServiceUnavailable, Unauthorized

log = logging.getLogger("sop.gateway.jwks")

FetchJson = Callable[[str], Awaitable[dict[str, Any]]]
Key = RSAKey | ECKey | OKPKey

MIN_RSA_BITS = 2048


def _fits(key: Key, alg: str) -> bool:
    """The key's type matches the algorithm (so an RSA key is never used for ES256, and no
    algorithm can be paired with a key of another family)."""
    declared = key.get("alg") if hasattr(key, "get") else None
    if declared and declared != alg:
        return False
    if alg in ("RS256", "PS256"):
        return isinstance(key, RSAKey)
    if alg == "ES256":
        return isinstance(key, ECKey) and key.curve_name == "P-256"
    if alg == "EdDSA":
        return isinstance(key, OKPKey) and key.curve_name == "Ed25519"
    return False


def import_public_keys(jwks: dict[str, Any]) -> dict[str | None, list[Key]]:
    """Signing keys from a JWKS document, by `kid`. Symmetric keys, encryption keys, short RSA
    keys and anything malformed are dropped."""
    by_kid: dict[str | None, list[Key]] = {}
    for data in jwks.get("keys") or []:
        if not isinstance(data, dict) or data.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if data.get("use", "sig") != "sig":
            continue
        public = {k: v for k, v in data.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
        try:
            key = JWKRegistry.import_key(public)
        except Exception as exc:  # a bad key must not spoil the good ones
            log.warning("ignoring a malformed key (kid %s): %s", data.get("kid"), exc)
            continue
        if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
            log.warning("ignoring RSA key %s shorter than %d bits", data.get("kid"), MIN_RSA_BITS)
            continue
        by_kid.setdefault(data.get("kid"), []).append(key)  # type: ignore[arg-type]
    return by_kid


class KeySource:
    """Keys of one issuer, looked up by `kid` and algorithm."""

    def __init__(self) -> None:
        self._by_kid: dict[str | None, list[Key]] = {}

    def _find(self, kid: str | None, alg: str) -> Key | None:
        if kid is not None:
            candidates = self._by_kid.get(kid, [])
        else:
            candidates = [k for keys in self._by_kid.values() for k in keys]
        fitting = [k for k in candidates if _fits(k, alg)]
        if kid is None and len(fitting) != 1:
            return None  # without a kid only an unambiguous key will do
        return fitting[0] if fitting else None

    async def key(self, kid: str | None, alg: str) -> Key:
        found = self._find(kid, alg)
        if found is None:
            raise Unauthorized("the token's signing key is not one the issuer publishes")
        return found


class StaticKeys(KeySource):
    """Keys held in this process (the development identity provider's own)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        super().__init__()
        self._by_kid = import_public_keys(jwks)


class RemoteKeys(KeySource):
    """An issuer's published keys: discovery document, then `jwks_uri`. Keys are kept for
    `max_age`; an unknown `kid` reloads them at most once per `refetch_interval` (concurrent
    requests wait for that one fetch), so rotation is honoured and a flood of forged `kid`s
    cannot turn the gateway into a fetch amplifier."""

    def __init__(
        self,
        issuer: str,
        *,
        fetch_json: FetchJson,
        jwks_uri: str | None = None,
        refetch_interval: float = 30.0,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.issuer = issuer
        self.jwks_uri = jwks_uri
        self.discovery: dict[str, Any] | None = None
        self._fixed_jwks_uri = jwks_uri is not None
        self._fetch_json = fetch_json
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self._clock = clock
        self._loaded_at: float | None = None
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()
        self.jwks_fetches = 0

    def _fresh(self) -> bool:
        return self._loaded_at is not None and self._clock() - self._loaded_at < self.max_age

    async def key(self, kid: str | None, alg: str) -> Key:
        found = self._find(kid, alg)
        if found is not None and self._fresh():
            return found
        async with self._lock:
            found = self._find(kid, alg)
            if found is not None and self._fresh():
                return found
            if self._clock() - self._attempted_at >= self.refetch_interval:
                await self._reload()
                found = self._find(kid, alg)
        if found is not None:
            return found
        if self._loaded_at is None:
            raise ServiceUnavailable(
                "the identity provider's signing keys cannot be fetched; retry shortly",
                retry_after=5,
            )
        raise Unauthorized("the token's signing key is not one the issuer publishes")

    async def load_discovery(self) -> dict[str, Any]:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        doc = await self._fetch_json(url)
        # OIDC Discovery 4.3: the document must name exactly the issuer we asked about.
        if doc.get("issuer") != self.issuer:
            raise ValueError(f"discovery at {url} names issuer {doc.get('issuer')!r}")
        if not isinstance(doc.get("jwks_uri"), str):
            raise ValueError(f"discovery at {url} has no jwks_uri")
        self.discovery = doc
        return doc

    async def _reload(self) -> None:
        self._attempted_at = self._clock()
        try:
            if self.jwks_uri is None:
                self.jwks_uri = (await self.load_discovery())["jwks_uri"]
            self.jwks_fetches += 1
            jwks = await self._fetch_json(self.jwks_uri)
        except Exception as exc:
            log.warning("could not load keys of issuer %s: %s", self.issuer, exc)
            if not self._fixed_jwks_uri:
                self.jwks_uri = None  # rediscover next time: the provider may have moved it
            return
        self._by_kid = import_public_keys(jwks)
        self._loaded_at = self._clock()
