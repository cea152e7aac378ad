"""Internal tokens: the gateway signs them (ES256/EdDSA, <= 5 minutes); services verify them
against the gateway's published keys and trust nothing else. Scopes are checked per route."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

from sop_shared.context import Principal, principal_var
from sop_shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from sop_shared.ids import uuid7
from sop_shared.kernel import kernel_of

log = logging.getLogger("sop.security")

INTERNAL_ALGORITHMS = ("ES256", "EdDSA")
MAX_INTERNAL_LIFETIME = 300
LEEWAY = 30
UNKNOWN_KID_REFETCH_INTERVAL = 30.0
# How many services deep a delegation may go (payroll acting for a person, HR for payroll...).
MAX_ACTORS = 4
MAX_ACTOR_LENGTH = 63  # a service's client id (audit_events.acting_service)


def actors_of(act: Any) -> tuple[str, ...]:
    """The services in an `act` claim (RFC 8693 4.1), the current actor first: `{"sub":
    "sop-hr", "act": {"sub": "sop-payroll"}}` is `("sop-hr", "sop-payroll")`. Absent is `()`;
    anything malformed or deeper than MAX_ACTORS raises ValueError."""
    actors: list[str] = []
    while act is not None:
        if not isinstance(act, dict):
            raise ValueError("`act` is not an object")
        sub = act.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > MAX_ACTOR_LENGTH:
            raise ValueError("`act` has no `sub` naming a service")
        actors.append(sub)
        if len(actors) > MAX_ACTORS:
            raise ValueError(f"`act` nests more than {MAX_ACTORS} actors")
        act = act.get("act")
    return tuple(actors)


def act_claim(actors: Sequence[str]) -> dict[str, Any] | None:
    """The `act` claim naming `actors`, the current actor outermost (the inverse of
    `actors_of`); None for no actor."""
    claim: dict[str, Any] | None = None
    for actor in reversed(actors):
        claim = {"sub": actor} if claim is None else {"sub": actor, "act": claim}
    return claim


class InternalKeys:
    """The gateway's public signing keys, from a JWKS URL or file (or, in the gateway itself,
    the JWKS it holds). An unknown `kid` triggers at most one reload per 30 seconds, so key
    rotation is honoured without a fetch storm."""

    def __init__(
        self,
        *,
        jwks_url: str | None = None,
        jwks_file: str | None = None,
        jwks: dict[str, Any] | None = None,
    ) -> None:
        if not jwks_url and not jwks_file and jwks is None:
            raise ValueError("a JWKS URL or file is required")
        self.jwks_url = jwks_url
        self.jwks_file = jwks_file
        self.jwks = jwks
        self._keys: KeySet | None = None
        self._kids: set[str] = set()
        self._last_load = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, Any]:
        if self.jwks is not None:
            return self.jwks
        if self.jwks_url:
            async with httpx.AsyncClient(timeout=5.0) as client:
                resp = await client.get(self.jwks_url)
                resp.raise_for_status()
                fetched: dict[str, Any] = resp.json()
                return fetched
        assert self.jwks_file is not None  # __init__ requires a URL or a file
        text = await asyncio.to_thread(Path(self.jwks_file).read_text)
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    async def _load(self) -> None:
        try:
            data = await self._fetch()
        except (OSError, httpx.HTTPError, ValueError) as exc:
            log.warning("could not load internal signing keys: %s", exc)
            if self._keys is None:
                raise ServiceUnavailable(
                    "signing keys are not available yet", retry_after=2
                ) from exc
            return
        finally:
            self._last_load = time.monotonic()
        keys = [k for k in data.get("keys", []) if k.get("kty") in ("EC", "OKP")]
        self._keys = KeySet.import_key_set({"keys": keys})
        self._kids = {k.get("kid", "") for k in keys}

    async def key_set(self, kid: str | None) -> KeySet:
        if self._keys is not None and (kid is None or kid in self._kids):
            return self._keys
        async with self._lock:
            stale = time.monotonic() - self._last_load >= UNKNOWN_KID_REFETCH_INTERVAL
            if self._keys is None or (kid not in self._kids and stale):
                await self._load()
        assert self._keys is not None
        return self._keys


class InternalTokenVerifier:
    """Verifies internal tokens and caches the result per token until it expires."""

    def __init__(self, *, keys: InternalKeys, issuer: str, audience: str, cache_size: int = 4096):
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_size = cache_size
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
        )

    async def verify(self, token: str) -> Principal:
        hit = self._cache.get(token)
        now = time.time()
        if hit is not None and hit[1] > now:
            self._cache.move_to_end(token)
            return hit[0]
        claims = await self.verify_claims(token)
        try:
            actors = actors_of(claims.get("act"))
        except ValueError as exc:
            raise Unauthorized(f"invalid internal token: {exc}") from None
        principal = Principal(
            subject=str(claims["sub"]),
            client_id=str(claims.get("client_id", "")),
            tenant=claims.get("sop_tenant") or None,
            cluster=claims.get("sop_cluster") or None,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            token_id=str(claims["jti"]),
            acting_service=actors[0] if actors else None,
        )
        self._cache[token] = (principal, float(claims["exp"]) + LEEWAY)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid internal token for this audience (signature, issuer,
        audience, lifetime), uncached; 401 `Unauthorized` otherwise."""
        try:
            header = _peek_header(token)
            keys = await self.keys.key_set(header.get("kid"))
            decoded = jwt.decode(token, keys, algorithms=list(INTERNAL_ALGORITHMS))
            self._claims.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized(f"invalid internal token: {_describe(exc)}") from None
        claims: dict[str, Any] = decoded.claims
        if int(claims["exp"]) - int(claims["iat"]) > MAX_INTERNAL_LIFETIME:
            raise Unauthorized("invalid internal token: lifetime exceeds five minutes")
        return claims


def _peek_header(token: str) -> dict[str, Any]:
    import base64

    try:
        head = token.split(".", 1)[0]
        header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        return header
    except (ValueError, IndexError):
        raise ValueError("malformed token") from None


def _describe(exc: Exception) -> str:
    return (
        getattr(exc, "description", None)
        or getattr(exc, "error", None)
        or str(exc)
        or type(exc).__name__
    )


class InternalTokenSigner:
    """Signs internal tokens. The gateway holds the private key; tests use their own."""

    def __init__(self, key: ECKey | OKPKey, *, issuer: str = "sop-gateway", lifetime: int = 300):
        if lifetime > MAX_INTERNAL_LIFETIME:
            raise ValueError("internal tokens live at most five minutes")
        self.key = key
        self.issuer = issuer
        self.lifetime = lifetime
        self.algorithm = "ES256" if isinstance(key, ECKey) else "EdDSA"
        self.kid = key.kid or key.thumbprint()

    def sign(
        self,
        *,
        audience: str,
        subject: str,
        client_id: str,
        tenant: str | None,
        cluster: str | None,
        scopes: str | list[str] | frozenset[str],
        now: int | None = None,
        actors: Sequence[str] = (),
    ) -> tuple[str, int]:
        """A token for `audience`; `actors` are the services acting for `subject`, the
        current one first (carried as the nested `act` claim)."""
        issued = int(now if now is not None else time.time())
        scope = scopes if isinstance(scopes, str) else " ".join(sorted(scopes))
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "client_id": client_id,
            "scope": scope,
            "jti": uuid7().hex,
            "iat": issued,
            "exp": issued + self.lifetime,
        }
        if tenant:
            claims["sop_tenant"] = tenant
        if cluster:
            claims["sop_cluster"] = cluster
        if actors:
            claims["act"] = act_claim(actors)
        header = {"alg": self.algorithm, "kid": self.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key), issued + self.lifetime

    def public_jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        public.update({"kid": self.kid, "use": "sig", "alg": self.algorithm})
        return {"keys": [public]}


def generate_signing_key() -> ECKey:
    key = ECKey.generate_key("P-256", private=True)
    return ECKey.import_key({**key.as_dict(private=True), "kid": key.thumbprint()})


# --- FastAPI dependencies --------------------------------------------------------------------

bearer_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/idp/token", scopes={})
    ),
    scheme_name="sop_oauth2",
    description="OAuth 2.0 access token from the platform's identity provider, via the gateway.",
    auto_error=False,
)


async def authenticate(
    request: Request, authorization: Annotated[str | None, Depends(bearer_scheme)]
) -> Principal:
    """The principal behind the request's internal token (401 without a valid one)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        principal_var.set(cached)
        return cached
    token = bearer_token(authorization)
    if not token:
        raise Unauthorized("a bearer token is required")
    principal = await kernel_of(request).verifier.verify(token)
    request.state.principal = principal
    principal_var.set(principal)
    return principal


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


async def _require(
    security_scopes: SecurityScopes, principal: Annotated[Principal, Depends(authenticate)]
) -> Principal:
    missing = [s for s in security_scopes.scopes if s not in principal.scopes]
    if missing:
        raise Forbidden(f"this operation needs the scope(s): {' '.join(missing)}")
    return principal


async def _require_tenant(
    security_scopes: SecurityScopes, principal: Annotated[Principal, Depends(_require)]
) -> Principal:
    if not principal.tenant:
        raise Forbidden("this operation acts on a tenant's records; the token names no tenant")
    return principal


def scopes(*required: str) -> Any:
    """Dependency: a tenant principal holding every scope in `required` (listed in OpenAPI)."""
    from fastapi import Security

    return Security(_require_tenant, scopes=list(required))


def platform_scopes(*required: str) -> Any:
    """Dependency: a principal holding `required`, with or without a tenant (platform routes)."""
    from fastapi import Security

    return Security(_require, scopes=list(required))
