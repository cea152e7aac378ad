"""The token endpoint's rules: a service authenticates with a client assertion it signs
(private_key_jwt, RFC 7523), then either exchanges the internal token of the request it is
serving for a token to call other services with (RFC 8693), or, when its configuration allows
scheduled work, obtains one for a named tenant (client credentials with an RFC 8707
`resource`). Issued tokens are the gateway's own: its platform key, its exchange issuer, the
platform audience, the subject's tenant, the service's allow-listed scopes and an `act` claim
naming the service (nested when the subject token already had one)."""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import orjson
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry

from sop_gateway.exchange.clients import ServiceClient
from sop_gateway.exchange.replay import ReplayGuard
from sop_gateway.oauth import OAuthError
from sop_gateway.tenants.registry import TenantRegistry
from sop_shared.errors import ServiceUnavailable, Unauthorized
from sop_shared.ids import uuid7
from sop_shared.provisioning import TENANT_SLUG
from sop_shared.security import (
    MAX_ACTORS,
    InternalKeys,
    InternalTokenSigner,
    InternalTokenVerifier,
    act_claim,
    actors_of,
)

log = logging.getLogger("sop.gateway.exchange")

TOKEN_PATH = "/platform/v1/oauth/token"
GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt"
TOKEN_TYPE_ACCESS = "urn:ietf:params:oauth:token-type:access_token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TENANT_RESOURCE = "urn:sop:tenant:"

# What a client may sign its assertion with: asymmetric only, as for external tokens.
ASSERTION_ALGORITHMS = ("ES256", "EdDSA", "RS256", "PS256")
MAX_ASSERTION_LIFETIME = 300
MAX_ASSERTION_LENGTH = 8 * 1024
LEEWAY = 30

_REGISTRIES = {
    alg: JWSRegistry(algorithms=[alg], strict_check_header=False) for alg in ASSERTION_ALGORITHMS
}


def _b64json(segment: str) -> dict[str, Any]:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        raise OAuthError("invalid_client", "the client assertion is not a JWT", 401) from None
    if not isinstance(value, dict):
        raise OAuthError("invalid_client", "the client assertion is not a JWT", 401)
    return value


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OAuthError("invalid_client", f"the client assertion's `{name}` is not a number", 401)
    return float(value)


def single_values(form: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each parameter once (RFC 6749 3.2: "MUST NOT be included more than once")."""
    params: dict[str, str] = {}
    for name, values in form.items():
        if len(values) > 1:
            raise OAuthError("invalid_request", f"`{name}` is given more than once")
        if values:
            params[name] = values[0]
    return params


class TokenExchange:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        token_endpoint: str,
        clients: dict[str, ServiceClient],
        signer: InternalTokenSigner,
        internal_keys: InternalKeys,
        internal_issuer: str,
        registry: TenantRegistry,
        clusters: Callable[[], Collection[str]],
        replay: ReplayGuard,
        lifetime: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < lifetime <= 300:
            raise ValueError("exchanged tokens live at most five minutes")
        self.issuer = issuer
        self.audience = audience
        self.token_endpoint = token_endpoint
        self.clients = clients
        self.signer = signer
        self.internal_keys = internal_keys
        self.internal_issuer = internal_issuer
        self.registry = registry
        self.clusters = clusters
        self.replay = replay
        self.lifetime = lifetime
        self._clock = clock
        self._subject_verifiers: dict[str, InternalTokenVerifier] = {}

    def metadata(self, jwks_uri: str) -> dict[str, Any]:
        """Authorization server metadata (RFC 8414) for the exchange issuer."""
        return {
            "issuer": self.issuer,
            "token_endpoint": self.token_endpoint,
            "jwks_uri": jwks_uri,
            "grant_types_supported": [GRANT_TOKEN_EXCHANGE, GRANT_CLIENT_CREDENTIALS],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        }

    # -- the endpoint ------------------------------------------------------------------------

    async def token(
        self, form: Mapping[str, Sequence[str]], *, basic_auth: bool = False
    ) -> dict[str, Any]:
        """The token response for a token request, or OAuthError."""
        params = single_values(form)
        client = await self.authenticate(params, basic_auth=basic_auth)
        grant_type = params.get("grant_type")
        if grant_type == GRANT_TOKEN_EXCHANGE:
            return await self._exchange(client, params)
        if grant_type == GRANT_CLIENT_CREDENTIALS:
            return self._scheduled(client, params)
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        raise OAuthError(
            "unsupported_grant_type",
            f"grant_type {grant_type!r}: this endpoint does {GRANT_TOKEN_EXCHANGE} and "
            f"{GRANT_CLIENT_CREDENTIALS} (scheduled work)",
        )

    # -- client authentication (private_key_jwt) ---------------------------------------------

    async def authenticate(
        self, params: dict[str, str], *, basic_auth: bool = False
    ) -> ServiceClient:
        def refuse(description: str) -> OAuthError:
            return OAuthError("invalid_client", description, 401)

        if basic_auth or "client_secret" in params:
            raise refuse("clients authenticate with private_key_jwt only (no client secrets)")
        assertion = params.get("client_assertion")
        if params.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
            raise refuse(f"a client assertion is required (client_assertion_type={ASSERTION_TYPE})")
        if len(assertion) > MAX_ASSERTION_LENGTH:
            raise refuse("the client assertion is too long")
        parts = assertion.split(".")
        if len(parts) != 3 or not all(parts):
            raise refuse("the client assertion is not a signed JWT")
        header, claims = _b64json(parts[0]), _b64json(parts[1])
        alg = header.get("alg")
        if alg not in ASSERTION_ALGORITHMS:
            raise refuse(f"client assertions signed with {alg!r} are not accepted")
        if "crit" in header:
            raise refuse("the client assertion has critical header parameters")
        iss, sub = claims.get("iss"), claims.get("sub")
        if not isinstance(iss, str) or not iss or iss != sub:
            raise refuse("the client assertion's `iss` and `sub` must both be the client id")
        client = self.clients.get(iss)
        if client is None:
            raise refuse(f"unknown client {iss!r}")
        if params.get("client_id", iss) != iss:
            raise refuse("client_id differs from the client assertion's issuer")
        kid = header.get("kid")
        try:
            key = await client.keys.key(kid if isinstance(kid, str) else None, alg)
        except Unauthorized:
            raise refuse("the client assertion's key is not one this client registered") from None
        except ServiceUnavailable:
            raise OAuthError(
                "temporarily_unavailable", "the client's keys cannot be fetched", 503, retry_after=5
            ) from None
        try:
            jws.deserialize_compact(assertion, key, registry=_REGISTRIES[alg])
        except JoseError:
            raise refuse("the client assertion's signature does not verify") from None
        expires = self._check_assertion(claims)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > 255:
            raise refuse("the client assertion needs a `jti`")
        try:
            first = await self.replay.first_use(f"{client.client_id}\x00{jti}", expires + LEEWAY)
        except ServiceUnavailable:
            raise OAuthError(
                "temporarily_unavailable", "cannot check the assertion; retry", 503, retry_after=2
            ) from None
        if not first:
            log.warning("replayed client assertion from %s (jti %s)", client.client_id, jti)
            raise refuse("this client assertion was already used (`jti` seen before)")
        return client

    def _check_assertion(self, claims: dict[str, Any]) -> float:
        """Lifetime (`exp` required, at most five minutes) and audience (this token endpoint
        or the exchange issuer); the expiry."""
        now = self._clock()
        exp = _number(claims, "exp")
        if exp is None:
            raise OAuthError("invalid_client", "the client assertion has no `exp`", 401)
        if now > exp + LEEWAY:
            raise OAuthError("invalid_client", "the client assertion has expired", 401)
        iat = _number(claims, "iat")
        start = iat if iat is not None else now
        if exp - start > MAX_ASSERTION_LIFETIME or exp - now > MAX_ASSERTION_LIFETIME + LEEWAY:
            raise OAuthError(
                "invalid_client", "a client assertion may live at most five minutes", 401
            )
        if iat is not None and iat > now + LEEWAY:
            raise OAuthError("invalid_client", "the client assertion was issued in the future", 401)
        nbf = _number(claims, "nbf")
        if nbf is not None and nbf > now + LEEWAY:
            raise OAuthError("invalid_client", "the client assertion is not valid yet", 401)
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if self.token_endpoint not in audiences and self.issuer not in audiences:
            raise OAuthError(
                "invalid_client",
                f"the client assertion's `aud` must be this token endpoint ({self.token_endpoint})",
                401,
            )
        return exp

    # -- grants ------------------------------------------------------------------------------

    async def _exchange(self, client: ServiceClient, params: dict[str, str]) -> dict[str, Any]:
        if "actor_token" in params or "actor_token_type" in params:
            raise OAuthError(
                "invalid_request", "actor_token is not used: the authenticated client is the actor"
            )
        if params.get("requested_token_type", TOKEN_TYPE_ACCESS) not in (
            TOKEN_TYPE_ACCESS,
            TOKEN_TYPE_JWT,
        ):
            raise OAuthError("invalid_request", f"only {TOKEN_TYPE_ACCESS} tokens are issued")
        subject_token = params.get("subject_token")
        subject_type = params.get("subject_token_type")
        if not subject_token or not subject_type:
            raise OAuthError("invalid_request", "subject_token and subject_token_type are required")
        if subject_type not in (TOKEN_TYPE_JWT, TOKEN_TYPE_ACCESS):
            raise OAuthError(
                "invalid_request",
                f"subject_token_type must be {TOKEN_TYPE_JWT}: the internal token of the "
                "request the service is serving",
            )
        claims = await self._subject_claims(client, subject_token)
        tenant = claims.get("sop_tenant")
        if not isinstance(tenant, str) or not tenant:
            raise OAuthError("invalid_grant", "the subject token names no tenant")
        try:
            actors = actors_of(claims.get("act"))
        except ValueError as exc:
            raise OAuthError("invalid_grant", f"the subject token's `act`: {exc}") from None
        if len(actors) >= MAX_ACTORS:
            raise OAuthError(
                "invalid_grant", f"a delegation may pass through at most {MAX_ACTORS} services"
            )
        self._check_target(params, tenant)
        self._active_tenant(tenant, "invalid_grant")
        scopes = self._scopes(client, params.get("scope"))
        return self._issue(
            client,
            subject=str(claims["sub"]),
            tenant=tenant,
            scopes=scopes,
            actors=(client.client_id, *actors),
            not_after=float(claims["exp"]),
            exchanged=True,
        )

    def _scheduled(self, client: ServiceClient, params: dict[str, str]) -> dict[str, Any]:
        if not client.scheduled:
            raise OAuthError(
                "unauthorized_client",
                f"{client.client_id} may act only for a person (its platform configuration "
                "does not allow scheduled work)",
            )
        resource = params.get("resource")
        if not resource:
            raise OAuthError(
                "invalid_request", f"name the tenant: resource={TENANT_RESOURCE}<slug>"
            )
        tenant = self._tenant_of(resource)
        self._check_target(params, tenant)
        self._active_tenant(tenant, "invalid_target")
        scopes = self._scopes(client, params.get("scope"))
        return self._issue(
            client,
            subject=client.client_id,
            tenant=tenant,
            scopes=scopes,
            actors=(client.client_id,),
            not_after=None,
            exchanged=False,
        )

    async def _subject_claims(self, client: ServiceClient, token: str) -> dict[str, Any]:
        """The subject token must be an internal token this gateway signed for the calling
        service itself (`aud` `sop-<service>`), so a service cannot use one meant for another."""
        verifier = self._subject_verifiers.get(client.audience)
        if verifier is None:
            verifier = InternalTokenVerifier(
                keys=self.internal_keys, issuer=self.internal_issuer, audience=client.audience
            )
            self._subject_verifiers[client.audience] = verifier
        try:
            claims = await verifier.verify_claims(token)
        except Unauthorized as exc:
            raise OAuthError(
                "invalid_grant",
                f"the subject token is not an internal token for {client.audience}: {exc.detail}",
            ) from None
        if float(claims["exp"]) <= self._clock():
            raise OAuthError("invalid_grant", "the subject token has expired")
        return claims

    @staticmethod
    def _tenant_of(resource: str) -> str:
        slug = resource[len(TENANT_RESOURCE) :] if resource.startswith(TENANT_RESOURCE) else ""
        if not TENANT_SLUG.match(slug):
            raise OAuthError("invalid_target", f"resource must be {TENANT_RESOURCE}<tenant slug>")
        return slug

    def _check_target(self, params: dict[str, str], tenant: str) -> None:
        """`resource` (the tenant) and `audience` (the platform API), when given, must be the
        ones the token will be for: never another tenant's."""
        audience = params.get("audience")
        if audience is not None and audience != self.audience:
            raise OAuthError("invalid_target", f"tokens are issued for audience {self.audience}")
        resource = params.get("resource")
        if resource is not None and self._tenant_of(resource) != tenant:
            raise OAuthError(
                "invalid_target", f"the subject token is for tenant {tenant}, not another"
            )

    def _active_tenant(self, tenant: str, error: str) -> None:
        entry = self.registry.get(tenant)
        if entry is None:
            raise OAuthError(error, f"tenant {tenant} is not onboarded")
        if entry.status != "active":
            state = "suspended" if entry.status == "suspended" else "still being onboarded"
            raise OAuthError(error, f"tenant {tenant} is {state}")
        if entry.cluster not in self.clusters():
            raise OAuthError(
                error, f"tenant {tenant}'s cluster {entry.cluster} is not in the platform config"
            )

    @staticmethod
    def _scopes(client: ServiceClient, requested: str | None) -> frozenset[str]:
        """The requested scopes, all within the client's allow-list; none asked: all of it."""
        if not client.scopes:
            raise OAuthError("unauthorized_client", f"{client.client_id} has no scopes to obtain")
        asked = frozenset((requested or "").split())
        if not asked:
            return client.scopes
        refused = asked - client.scopes
        if refused:
            raise OAuthError(
                "invalid_scope",
                f"outside {client.client_id}'s allow-list: {' '.join(sorted(refused))}",
            )
        return asked

    def _issue(
        self,
        client: ServiceClient,
        *,
        subject: str,
        tenant: str,
        scopes: frozenset[str],
        actors: tuple[str, ...],
        not_after: float | None,
        exchanged: bool,
    ) -> dict[str, Any]:
        now = int(self._clock())
        expires = now + self.lifetime
        if not_after is not None:
            expires = min(expires, int(not_after))  # never outlives the person's own token
        if expires <= now:
            raise OAuthError("invalid_grant", "the subject token has expired")
        scope = " ".join(sorted(scopes))
        jti = uuid7().hex
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "client_id": client.client_id,
            "sop_tenant": tenant,
            "scope": scope,
            "act": act_claim(actors),
            "jti": jti,
            "iat": now,
            "nbf": now,
            "exp": expires,
        }
        header = {"alg": self.signer.algorithm, "kid": self.signer.kid, "typ": "at+jwt"}
        token = jwt.encode(header, claims, self.signer.key, algorithms=[self.signer.algorithm])
        log.info(
            "token issued to %s for %s in tenant %s (scopes %s; act %s; jti %s)",
            client.client_id,
            subject,
            tenant,
            scope,
            " < ".join(actors),
            jti,
        )
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires - now,
            "scope": scope,
        }
        if exchanged:
            body["issued_token_type"] = TOKEN_TYPE_ACCESS
        return body
