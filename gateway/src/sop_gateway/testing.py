"""Test support shipped with the gateway: tokens signed as an OIDC provider would sign them,
and a small provider serving discovery and JWKS over HTTP that counts every key fetch."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey


def public_jwks(*keys: Any) -> dict[str, Any]:
    return {"keys": [{**k.as_dict(private=False), "use": "sig"} for k in keys]}


def algorithm_for(key: Any) -> str:
    if isinstance(key, ECKey):
        return "ES256"
    if isinstance(key, OKPKey):
        return "EdDSA"
    return "RS256"


def sign_token(
    key: RSAKey | ECKey | OKPKey,
    *,
    issuer: str,
    alg: str | None = None,
    header: dict[str, Any] | None = None,
    lifetime: int = 600,
    **claims: Any,
) -> str:
    """An access token with sensible defaults (`aud` sop-api, a random `sub`, now..+lifetime);
    a claim given as None is left out."""
    now = int(time.time())
    body = {
        "iss": issuer,
        "aud": "sop-api",
        "sub": "user-" + uuid.uuid4().hex[:8],
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    body = {k: v for k, v in body.items() if v is not None}
    algorithm = alg or algorithm_for(key)
    head = {"alg": algorithm, "kid": key.kid, "typ": "at+jwt", **(header or {})}
    return jwt.encode(head, body, key, algorithms=[algorithm])


def sign_raw_rs256(key: RSAKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """RS256 over any header at all (joserfc refuses to sign headers it would not accept,
    such as an unknown `crit`)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(claims)}"
    private = key.private_key
    if private is None:
        raise ValueError("signing needs a private key")
    raw = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}"


class FakeOidcProvider:
    """Issuers under one local HTTP server, each `http://127.0.0.1:<port>/<name>` with its
    own key, discovery document and JWKS. `fetches` counts requests per path."""

    def __init__(self, keys: dict[str, RSAKey | ECKey | OKPKey]) -> None:
        self.keys = keys
        self.fetches: Counter[str] = Counter()
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name, _, rest = self.path.strip("/").partition("/")
                body: dict[str, Any] | None = None
                if name in provider.keys:
                    with provider._lock:
                        provider.fetches[f"{name}/{rest}"] += 1
                    if rest == ".well-known/openid-configuration":
                        issuer = provider.issuer(name)
                        body = {
                            "issuer": issuer,
                            "jwks_uri": issuer + "/jwks",
                            "token_endpoint": issuer + "/token",
                            "authorization_endpoint": issuer + "/authorize",
                        }
                    elif rest == "jwks":
                        body = public_jwks(provider.keys[name])
                if body is None:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def issuer(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def jwks_fetches(self, name: str) -> int:
        with self._lock:
            return self.fetches[f"{name}/jwks"]

    def token(self, name: str = "main", *, key: Any = None, **claims: Any) -> str:
        return sign_token(key or self.keys[name], issuer=self.issuer(name), **claims)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
