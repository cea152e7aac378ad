"""The development identity provider's rules: client authentication, the client-credentials,
authorization-code (PKCE S256 only) and refresh-token grants, and the tokens it signs (RS256,
RFC 9068 access tokens with `sop_tenant`), shaped as a real provider's would be."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.devidp import repository
from sop_gateway.identity.config import SOP_SCOPE
from sop_gateway.oauth import OAuthError
from sop_gateway.settings import GatewaySettings
from sop_shared.db import Database, utcnow
from sop_shared.ids import uuid7
from sop_shared.timeutil import as_utc

OIDC_SCOPES = frozenset({"openid", "profile", "offline_access"})
CODE_LIFETIME = timedelta(seconds=60)
REFRESH_LIFETIME = timedelta(hours=8)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_SCRYPT = {"n": 2**12, "r": 8, "p": 1}  # development only: fast enough to seed on every run


def hash_secret(secret: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_secret(secret: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _scheme, salt, digest = stored.split("$", 2)
    candidate = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    code_challenge: str
    nonce: str | None

    def as_form(self) -> dict[str, str]:
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.state is not None:
            fields["state"] = self.state
        if self.nonce is not None:
            fields["nonce"] = self.nonce
        return fields


def redirect_allowed(registered: list[str], uri: str) -> bool:
    """Exact match, except that a loopback redirect may use any port (RFC 8252 7.3)."""
    if uri in registered:
        return True
    asked = urlsplit(uri)
    if asked.scheme != "http" or asked.hostname not in LOOPBACK_HOSTS:
        return False
    for candidate in registered:
        known = urlsplit(candidate)
        if (
            known.scheme == "http"
            and known.hostname == asked.hostname
            and known.port is None
            and known.path == asked.path
        ):
            return True
    return False


def with_query(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


class DevIdentityProvider:
    def __init__(self, *, settings: GatewaySettings, database: Database, key: RSAKey) -> None:
        self.issuer = settings.dev_issuer
        self.audience = settings.audience
        self.lifetime = settings.dev_token_lifetime
        self.database = database
        self.key = key
        self.kid = key.kid or key.thumbprint()

    # -- published metadata ---------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted(OIDC_SCOPES),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "sop_tenant", "scope"],
        }

    # -- tokens ---------------------------------------------------------------------------

    def access_token(
        self,
        *,
        subject: str,
        client_id: str,
        tenant: str | None,
        scopes: list[str],
        lifetime: int | None = None,
    ) -> tuple[str, int]:
        now = int(time.time())
        life = lifetime or self.lifetime
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + life,
            "jti": uuid7().hex,
            "client_id": client_id,
            "azp": client_id,
            "scope": " ".join(scopes),
        }
        if tenant:
            claims["sop_tenant"] = tenant
        header = {"alg": "RS256", "kid": self.kid, "typ": "at+jwt"}
        return jwt.encode(header, claims, self.key, algorithms=["RS256"]), life

    def _id_token(self, *, subject: str, client_id: str, nonce: str | None, name: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": client_id,
            "iat": now,
            "exp": now + self.lifetime,
            "name": name,
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": self.kid}, claims, self.key, algorithms=["RS256"])

    @staticmethod
    def grant_scopes(requested: str | None, allowed: set[str]) -> list[str]:
        asked = set((requested or "").split())
        sop_asked = {s for s in asked if SOP_SCOPE.match(s)}
        unknown = asked - sop_asked - OIDC_SCOPES
        if unknown:
            raise OAuthError("invalid_scope", f"unknown scope(s): {' '.join(sorted(unknown))}")
        refused = sop_asked - allowed
        if refused:
            raise OAuthError(
                "invalid_scope", f"scope(s) not allowed here: {' '.join(sorted(refused))}"
            )
        granted = sop_asked or allowed  # no scope asked: everything allowed, as providers do
        return sorted(granted) + sorted(asked & OIDC_SCOPES)

    # -- clients --------------------------------------------------------------------------

    async def authenticate_client(
        self, session: AsyncSession, client_id: str | None, secret: str | None
    ) -> Row[Any]:
        row = await repository.client(session, client_id) if client_id else None
        if row is None:
            raise OAuthError("invalid_client", "unknown client", 401)
        if row.secret_hash is None:
            if secret:
                raise OAuthError("invalid_client", "a public client has no secret", 401)
        elif not secret or not check_secret(secret, row.secret_hash):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return row

    def _token_response(
        self, *, subject: str, client_id: str, tenant: str | None, scopes: list[str]
    ) -> dict[str, Any]:
        token, life = self.access_token(
            subject=subject, client_id=client_id, tenant=tenant, scopes=scopes
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": life,
            "scope": " ".join(scopes),
        }

    async def client_credentials(
        self, client_id: str | None, secret: str | None, scope: str | None
    ) -> dict[str, Any]:
        async with self.database.transaction() as session:
            client = await self.authenticate_client(session, client_id, secret)
        if "client_credentials" not in client.grant_types or client.secret_hash is None:
            raise OAuthError("unauthorized_client", "this client may not use client_credentials")
        scopes = self.grant_scopes(scope, set(client.scopes.split()))
        return self._token_response(
            subject=client.client_id,
            client_id=client.client_id,
            tenant=client.tenant,
            scopes=scopes,
        )

    def client_token(self, client: Row[Any], scope: str | None, lifetime: int | None) -> str:
        """For `sop token`: the token `client_credentials` would give, minted in process."""
        scopes = self.grant_scopes(scope, set(client.scopes.split()))
        token, _ = self.access_token(
            subject=client.client_id,
            client_id=client.client_id,
            tenant=client.tenant,
            scopes=scopes,
            lifetime=lifetime,
        )
        return token

    # -- authorization code + PKCE --------------------------------------------------------

    async def authorization_request(self, params: dict[str, str]) -> AuthorizationRequest:
        """Validate an authorization request. Raises OAuthError; the caller must not redirect
        when the client or redirect URI is the problem (status 400 then)."""
        async with self.database.transaction() as session:
            client = (
                await repository.client(session, params.get("client_id", ""))
                if params.get("client_id")
                else None
            )
        if client is None:
            raise OAuthError("invalid_client", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_allowed(list(client.redirect_uris or []), redirect_uri):
            raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
        if "authorization_code" not in client.grant_types:
            raise OAuthError("unauthorized_client", "this client may not use the code flow", 302)
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "only response_type=code", 302)
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise OAuthError(
                "invalid_request", "PKCE with code_challenge_method=S256 is required", 302
            )
        try:
            self.grant_scopes(params.get("scope"), set(client.scopes.split()))
        except OAuthError as exc:
            raise OAuthError(exc.error, exc.description, 302) from None
        return AuthorizationRequest(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=params.get("scope", ""),
            state=params.get("state"),
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce"),
        )

    async def login(self, request: AuthorizationRequest, username: str, password: str) -> str:
        """Check a demo user's password and return the redirect carrying the code."""
        async with self.database.transaction() as session:
            user = await repository.user(session, username)
            if user is None or not check_secret(password, user.password_hash):
                raise OAuthError("access_denied", "unknown user or wrong password", 401)
            client = await repository.client(session, request.client_id)
            assert client is not None
            allowed = set(client.scopes.split()) & set(user.scopes.split())
            scopes = self.grant_scopes(request.scope, allowed) if request.scope else sorted(allowed)
            code = secrets.token_urlsafe(32)
            await repository.add_grant(
                session,
                token_hash=_digest(code),
                kind="code",
                client_id=request.client_id,
                subject=user.username,
                tenant=user.tenant,
                scopes=" ".join(scopes),
                redirect_uri=request.redirect_uri,
                code_challenge=request.code_challenge,
                nonce=request.nonce,
                expires_at=utcnow() + CODE_LIFETIME,
            )
        return with_query(
            request.redirect_uri, {"code": code, "state": request.state, "iss": self.issuer}
        )

    async def authorization_code(
        self,
        client_id: str | None,
        secret: str | None,
        code: str | None,
        redirect_uri: str | None,
        verifier: str | None,
    ) -> dict[str, Any]:
        async with self.database.transaction() as session:
            client = await self.authenticate_client(session, client_id, secret)
            grant = await repository.take_grant(session, _digest(code or ""), "code")
            await repository.purge_expired(session, utcnow())
            if grant is None or grant.client_id != client.client_id:
                raise OAuthError("invalid_grant", "unknown, used or foreign authorization code")
            if as_utc(grant.expires_at) < utcnow():
                raise OAuthError("invalid_grant", "the authorization code has expired")
            if grant.redirect_uri != redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri differs from the authorization")
            if not verifier or not hmac.compare_digest(
                pkce_challenge(verifier), grant.code_challenge or ""
            ):
                raise OAuthError("invalid_grant", "PKCE verification failed")
            return await self._user_tokens(
                session, grant.client_id, grant.subject, grant.tenant, grant.scopes, grant.nonce
            )

    async def refresh(
        self, client_id: str | None, secret: str | None, token: str | None, scope: str | None
    ) -> dict[str, Any]:
        async with self.database.transaction() as session:
            client = await self.authenticate_client(session, client_id, secret)
            grant = await repository.take_grant(session, _digest(token or ""), "refresh")
            if grant is None or grant.client_id != client.client_id:
                raise OAuthError("invalid_grant", "unknown, used or foreign refresh token")
            if as_utc(grant.expires_at) < utcnow():
                raise OAuthError("invalid_grant", "the refresh token has expired")
            scopes = grant.scopes
            if scope:  # a refresh may narrow the scopes, never widen them (RFC 6749 6)
                scopes = " ".join(self.grant_scopes(scope, set(grant.scopes.split())))
            return await self._user_tokens(
                session, grant.client_id, grant.subject, grant.tenant, scopes, None
            )

    async def _user_tokens(
        self,
        session: AsyncSession,
        client_id: str,
        subject: str,
        tenant: str | None,
        granted: str,
        nonce: str | None,
    ) -> dict[str, Any]:
        scopes = granted.split()
        body = self._token_response(
            subject=subject, client_id=client_id, tenant=tenant, scopes=scopes
        )
        refresh = secrets.token_urlsafe(32)
        await repository.add_grant(
            session,
            token_hash=_digest(refresh),
            kind="refresh",
            client_id=client_id,
            subject=subject,
            tenant=tenant,
            scopes=granted,
            expires_at=utcnow() + REFRESH_LIFETIME,
        )
        body["refresh_token"] = refresh
        if "openid" in scopes:
            user = await repository.user(session, subject)
            body["id_token"] = self._id_token(
                subject=subject,
                client_id=client_id,
                nonce=nonce,
                name=user.name if user else subject,
            )
        return body
