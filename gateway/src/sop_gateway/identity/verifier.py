"""External access tokens: parsed, matched to a trusted issuer by exact `iss`, verified with
that issuer's keys under an algorithm allow-list, checked for audience and lifetime, and
turned into an Identity (subject, client, tenant, SOP scopes). Verified tokens are cached by
their string until they expire, so the hot path verifies each token once."""

from __future__ import annotations

import base64
import binascii
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jws import JWSRegistry

from sop_gateway.identity.config import ALLOWED_ALGORITHMS, ClaimMapping
from sop_gateway.identity.jwks import KeySource
from sop_shared.errors import Unauthorized
from sop_shared.provisioning import TENANT_SLUG
from sop_shared.security import actors_of

LEEWAY = 60
MAX_TOKEN_LENGTH = 16 * 1024

# joserfc warns on every EdDSA use (RFC 9864 prefers "Ed25519"); EdDSA is on our list on purpose.
warnings.filterwarnings("ignore", category=SecurityWarning, message=".*EdDSA.*")

# One registry per algorithm, so verification is pinned to the alg we already vetted. Header
# parameters we do not know are tolerated (providers add their own, e.g. Entra's `x5t`), but
# `crit` is refused before this point.
_REGISTRIES = {
    alg: JWSRegistry(algorithms=[alg], strict_check_header=False) for alg in ALLOWED_ALGORITHMS
}


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    issuer: str
    audience: str
    keys: KeySource
    claims: ClaimMapping
    algorithms: frozenset[str] = frozenset(ALLOWED_ALGORITHMS)
    # Set for a department's own issuer: every token it signs belongs to this tenant.
    tenant: str | None = None
    # The gateway's own token exchange issuer: its `act` claim names the services acting for
    # the subject (ADR 0108). Any other issuer's `act` is ignored.
    delegation: bool = False


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling, as a verified external token says."""

    issuer: str
    subject: str
    client_id: str
    tenant: str | None
    scopes: frozenset[str]
    expires_at: float
    # The services acting for `subject`, the current one first (token exchange's `act`).
    actors: tuple[str, ...] = ()

    @property
    def limit_key(self) -> str:
        return f"{self.tenant or '-'}\x00{self.client_id or self.subject}"


def _b64json(segment: str) -> dict[str, Any]:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise Unauthorized("the bearer token is not a JWT") from exc
    if not isinstance(value, dict):
        raise Unauthorized("the bearer token is not a JWT")
    return value


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthorized(f"the token's `{name}` is not a number")
    return float(value)


class TokenVerifier:
    def __init__(
        self,
        *,
        cache_size: int = 20_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._platform: dict[str, TrustedIssuer] = {}
        self._tenant: dict[str, TrustedIssuer] = {}
        self._cache: OrderedDict[str, Identity] = OrderedDict()
        self._cache_size = cache_size
        self._clock = clock

    # -- issuers -------------------------------------------------------------------------

    def set_platform_issuers(self, issuers: list[TrustedIssuer]) -> None:
        self._platform = {i.issuer: i for i in issuers}
        self._cache.clear()

    def set_tenant_issuers(self, issuers: list[TrustedIssuer]) -> None:
        """Replace the departments' issuers (on a registry change). Cached identities from
        issuers that changed or went away are dropped, so they are verified again."""
        old = self._tenant
        self._tenant = {i.issuer: i for i in issuers if i.issuer not in self._platform}
        changed = {iss for iss, i in old.items() if self._tenant.get(iss) != i}
        if changed:
            for token, identity in list(self._cache.items()):
                if identity.issuer in changed:
                    self._cache.pop(token, None)

    def issuer(self, iss: str) -> TrustedIssuer | None:
        return self._platform.get(iss) or self._tenant.get(iss)

    @property
    def platform_issuers(self) -> list[TrustedIssuer]:
        return list(self._platform.values())

    @property
    def tenant_issuers(self) -> dict[str, TrustedIssuer]:
        return self._tenant

    # -- verification --------------------------------------------------------------------

    async def verify(self, token: str) -> Identity:
        now = self._clock()
        hit = self._cache.get(token)
        if hit is not None:
            if hit.expires_at + LEEWAY > now:
                return hit
            self._cache.pop(token, None)
        identity = await self._verify(token, now)
        self._cache[token] = identity
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return identity

    async def _verify(self, token: str, now: float) -> Identity:
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized("the bearer token is too long")
        parts = token.split(".")
        if len(parts) != 3 or not all(parts[:2]):
            raise Unauthorized("the bearer token is not a signed JWT")
        header = _b64json(parts[0])
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthorized(f"tokens signed with {alg!r} are not accepted")
        if "crit" in header:
            # We understand no JWS extension, so any critical one must be refused (RFC 7515 4.1.11).
            raise Unauthorized(
                "the token has critical header parameters this gateway does not support"
            )
        unverified = _b64json(parts[1])
        iss = unverified.get("iss")
        trusted = self.issuer(iss) if isinstance(iss, str) else None
        if trusted is None:
            raise Unauthorized("the token's issuer is not trusted")
        if alg not in trusted.algorithms:
            raise Unauthorized(f"issuer {iss} may not sign with {alg}")
        kid = header.get("kid")
        key = await trusted.keys.key(kid if isinstance(kid, str) else None, alg)
        try:
            jws.deserialize_compact(token, key, registry=_REGISTRIES[alg])
        except JoseError:
            raise Unauthorized("the token's signature does not verify") from None
        # Claims as signed: the unverified copy parsed above is from these very bytes.
        claims = unverified
        self._check_lifetime(claims, now)
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if trusted.audience not in audiences:
            raise Unauthorized(f"the token is not meant for this API (audience {trusted.audience})")
        return self._identity(trusted, claims)

    @staticmethod
    def _check_lifetime(claims: dict[str, Any], now: float) -> None:
        exp = _number(claims, "exp")
        if exp is None:
            raise Unauthorized("the token has no expiry")
        if now > exp + LEEWAY:
            raise Unauthorized("the token has expired")
        nbf = _number(claims, "nbf")
        if nbf is not None and now + LEEWAY < nbf:
            raise Unauthorized("the token is not valid yet")
        iat = _number(claims, "iat")
        if iat is not None and now + LEEWAY < iat:
            raise Unauthorized("the token was issued in the future")

    @staticmethod
    def _identity(trusted: TrustedIssuer, claims: dict[str, Any]) -> Identity:
        mapping = trusted.claims
        subject = claims.get(mapping.subject)
        if not isinstance(subject, str) or not subject:
            raise Unauthorized(f"the token has no `{mapping.subject}`")
        scopes = mapping.scopes_of(claims)
        if trusted.tenant is not None:
            tenant: str | None = trusted.tenant
            # A department's IdP administers its own tenant only: never the platform.
            scopes = {s for s in scopes if not s.startswith("platform:")}
        else:
            claimed = claims.get(mapping.tenant)
            if claimed is not None and (
                not isinstance(claimed, str) or not TENANT_SLUG.match(claimed)
            ):
                raise Unauthorized(f"the token's `{mapping.tenant}` is not a tenant slug")
            tenant = claimed
        actors: tuple[str, ...] = ()
        if trusted.delegation:
            try:
                actors = actors_of(claims.get("act"))
            except ValueError as exc:
                raise Unauthorized(f"the token's `act` is not valid: {exc}") from None
        return Identity(
            issuer=trusted.issuer,
            subject=subject,
            client_id=mapping.client_id_of(claims) or subject,
            tenant=tenant,
            scopes=frozenset(scopes),
            expires_at=float(claims["exp"]),
            actors=actors,
        )
