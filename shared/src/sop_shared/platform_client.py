"""Calling other services: through the gateway, with a token obtained by OAuth 2.0 Token
Exchange (RFC 8693). The service authenticates as itself (private_key_jwt, RFC 7523: a
short-lived assertion signed with its own key) and exchanges the internal token of the request
it is serving for a token in the same tenant with its allow-listed scopes and an `act` claim
naming it; for scheduled work it asks for a named tenant instead (ADR 0108).

    platform = PlatformClient.from_settings(settings)        # once per process
    hr = await platform.acting_for(internal_token)            # in a request
    employee = (await hr.get(f"/hr/v1/employees/{id}")).json()
    nightly = await platform.scheduled("cabinet-office")      # in a scheduled job

Exchanged tokens are cached until shortly before they expire. Each call has a deadline; only
safe methods, or calls carrying an `Idempotency-Key`, are retried (bounded, with backoff). A
problem+json answer raises `PlatformProblem`; a 502/503/504 or a transport failure raises the
kernel's `ServiceUnavailable` carrying the upstream's Retry-After."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import hashlib
import json
import logging
import os
import random
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.request import Request

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from sop_shared.context import request_id_var, traceparent_var
from sop_shared.errors import ServiceUnavailable
from sop_shared.security import generate_signing_key
from sop_shared.settings import ServiceSettings

log = logging.getLogger("sop.platform_client")

TOKEN_PATH = "/platform/v1/oauth/token"
GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TENANT_RESOURCE = "urn:sop:tenant:"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRIED_STATUSES = frozenset({429, 502, 503, 504})
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})

ClientKey = ECKey | OKPKey | RSAKey


# --- errors ------------------------------------------------------------------------------------


_PROBLEM_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "instance", "errors", "request_id"}
)


class PlatformProblem(Exception):
    """An error answer from another service (or the gateway), as its problem+json said it."""

    def __init__(
        self,
        status: int,
        *,
        type: str = "about:blank",
        title: str = "",
        detail: str | None = None,
        errors: list[dict[str, str]] | None = None,
        instance: str | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {title or type}: {detail or ''}".rstrip(": "))
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.instance = instance
        self.request_id = request_id
        self.headers = dict(headers or {})
        # The problem's other members (RFC 9457 extensions), e.g. `journal_id` on a 409.
        self.extensions = dict(extensions or {})

    @property
    def retry_after(self) -> int | None:
        return retry_after_seconds(self.headers.get("retry-after"))

    @classmethod
    def from_response(cls, response: httpx.Response) -> PlatformProblem:
        body: Any = None
        with contextlib.suppress(ValueError):
            body = response.json()
        if not isinstance(body, dict):
            body = {}
        raw_errors = body.get("errors")
        errors = (
            [
                {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
                for e in raw_errors
                if isinstance(e, dict)
            ]
            if isinstance(raw_errors, list)
            else []
        )
        return cls(
            response.status_code,
            type=str(body.get("type") or "about:blank"),
            title=str(body.get("title") or response.reason_phrase),
            detail=_str_or_none(body.get("detail")),
            errors=errors,
            instance=_str_or_none(body.get("instance")),
            request_id=_str_or_none(body.get("request_id")) or response.headers.get("x-request-id"),
            headers={k.lower(): v for k, v in response.headers.items()},
            extensions={k: v for k, v in body.items() if k not in _PROBLEM_MEMBERS},
        )


class TokenExchangeRefused(PlatformProblem):
    """The gateway's token endpoint refused the exchange (an RFC 6749 5.2 error: `error` is
    e.g. `invalid_grant`, `invalid_scope`, `invalid_target`, `invalid_client`)."""

    def __init__(self, status: int, error: str, description: str | None) -> None:
        super().__init__(status, title=error, detail=description)
        self.error = error


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def retry_after_seconds(value: str | None) -> int | None:
    """Retry-After as whole seconds (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds() + 0.999))


# --- keys --------------------------------------------------------------------------------------


def client_jwks_file(key_file: str | Path) -> Path:
    """Where the public JWKS of a client key is written: beside it, `-key` becoming `-jwks`
    (`payroll-client-key.json` -> `payroll-client-jwks.json`)."""
    path = Path(key_file)
    stem = path.stem[: -len("-key")] if path.stem.endswith("-key") else path.stem
    return path.with_name(f"{stem}-jwks{path.suffix or '.json'}")


def _import_private_keys(path: Path) -> list[ClientKey]:
    data = json.loads(path.read_text())
    entries = data.get("keys", [data]) if isinstance(data, dict) else []
    keys: list[ClientKey] = []
    for entry in entries:
        key = JWKRegistry.import_key(entry)
        if not isinstance(key, ECKey | OKPKey | RSAKey) or not key.is_private:
            raise RuntimeError(f"{path}: client keys must be private EC, OKP or RSA keys")
        if isinstance(key, ECKey) and key.curve_name != "P-256":
            raise RuntimeError(f"{path}: EC client keys must be P-256 (ES256)")
        if isinstance(key, OKPKey) and key.curve_name != "Ed25519":
            raise RuntimeError(f"{path}: OKP client keys must be Ed25519 (EdDSA)")
        keys.append(key)
    if not keys:
        raise RuntimeError(f"{path} holds no key")
    return keys


def public_jwks(keys: Iterable[ClientKey]) -> dict[str, Any]:
    """The public JWKS the gateway is given for these keys (`client.jwks_file`/`jwks_url`)."""
    published = []
    for key in keys:
        public = key.as_dict(private=False)
        public.update({"kid": key.kid or key.thumbprint(), "use": "sig", "alg": algorithm_of(key)})
        published.append(public)
    return {"keys": published}


def algorithm_of(key: ClientKey) -> str:
    if isinstance(key, ECKey):
        return "ES256"
    if isinstance(key, OKPKey):
        return "EdDSA"
    return "RS256"


def _write(path: Path, text: str, mode: int, *, exclusive: bool) -> bool:
    """Write `path` atomically; with `exclusive`, only if it does not exist yet (False if
    another process won the race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        if not exclusive:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def load_client_key(settings: ServiceSettings) -> ClientKey:
    """This service's private key for client assertions: the first key in
    `settings.client_key_file` (a private JWK, or a JWKS whose first key signs). Outside
    production a key is generated there on first use and its public JWKS written beside it
    (where the platform config's `client.jwks_file` points); in production never generated."""
    prefix = str(settings.model_config.get("env_prefix") or "SOP_")
    if not settings.client_key_file:
        raise RuntimeError(
            f"refusing to start: {prefix}CLIENT_KEY_FILE must name this service's private key"
        )
    path = Path(settings.client_key_file)
    if not path.exists():
        if settings.env == "production":
            raise RuntimeError(
                f"refusing to start in production: no client key at {path} "
                f"({prefix}CLIENT_KEY_FILE; keys are never generated in production)"
            )
        fresh = generate_signing_key()
        _write(path, json.dumps(fresh.as_dict(private=True)), 0o600, exclusive=True)
    keys = _import_private_keys(path)
    if settings.env != "production":
        jwks_path = client_jwks_file(path)
        text = json.dumps(public_jwks(keys), indent=2)
        if not jwks_path.exists() or jwks_path.read_text() != text:
            _write(jwks_path, text, 0o644, exclusive=False)
    return keys[0]


# --- the HTTP client ---------------------------------------------------------------------------


class NoCookies(CookiePolicy):
    """Accept no cookie and send none: one caller's cookies must never reach another's call."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: Request) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class ExchangedToken:
    access_token: str
    scope: frozenset[str]
    tenant: str | None
    expires_at: float
    refresh_at: float  # when the cache stops handing it out


@dataclass(frozen=True, slots=True)
class _Grant:
    """What a token is asked for: a subject token (acting for a person) or a tenant
    (scheduled work), and the scopes (empty: the client's whole allow-list)."""

    subject_token: str | None
    tenant: str | None
    scope: str

    @property
    def cache_key(self) -> tuple[str, str, str]:
        if self.subject_token is not None:
            digest = hashlib.sha256(self.subject_token.encode()).hexdigest()
            return ("subject", digest, self.scope)
        return ("tenant", self.tenant or "", self.scope)

    def form(self) -> dict[str, str]:
        if self.subject_token is not None:
            fields = {
                "grant_type": GRANT_TOKEN_EXCHANGE,
                "subject_token": self.subject_token,
                "subject_token_type": TOKEN_TYPE_JWT,
            }
        else:
            fields = {
                "grant_type": "client_credentials",
                "resource": TENANT_RESOURCE + (self.tenant or ""),
            }
        if self.scope:
            fields["scope"] = self.scope
        return fields


def _scope(scopes: str | Iterable[str] | None) -> str:
    if scopes is None:
        return ""
    values = scopes.split() if isinstance(scopes, str) else list(scopes)
    return " ".join(sorted(set(values)))


def _claims_of(token: str) -> dict[str, Any]:
    """A token's claims, unverified (the client only reads what the gateway told it)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class PlatformClient:
    """One per service process: a pooled HTTP client to the gateway (no proxies from the
    environment, no redirects followed, no cookies kept), this service's key, and the cache of
    exchanged tokens."""

    def __init__(
        self,
        gateway_url: str,
        client_id: str,
        key: ClientKey,
        *,
        audience: str | None = None,
        deadline: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.1,
        max_backoff: float = 2.0,
        refresh_margin: float = 30.0,
        assertion_lifetime: int = 60,
        cache_size: int = 4096,
        max_connections: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0 < assertion_lifetime <= 300:
            raise ValueError("a client assertion lives at most five minutes")
        self.gateway_url = gateway_url.rstrip("/")
        self.client_id = client_id
        self.key = key
        self.algorithm = algorithm_of(key)
        self.kid = key.kid or key.thumbprint()
        # RFC 7523 3 / OIDC Core 9: the token endpoint's URL identifies the audience.
        self.audience = audience or self.gateway_url + TOKEN_PATH
        self.deadline = deadline
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.refresh_margin = refresh_margin
        self.assertion_lifetime = assertion_lifetime
        self._clock = clock
        self._sleep = sleep
        self._cache: OrderedDict[tuple[str, str, str], ExchangedToken] = OrderedDict()
        self._cache_size = cache_size
        self._pending: dict[tuple[str, str, str], asyncio.Future[ExchangedToken]] = {}
        self.exchanges = 0  # tokens obtained from the gateway (not from the cache)
        self._http = httpx.AsyncClient(
            base_url=self.gateway_url,
            timeout=httpx.Timeout(deadline, connect=min(deadline, 3.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20),
            cookies=CookieJar(policy=NoCookies()),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **options: Any) -> PlatformClient:
        """The service's client from its settings: `gateway_url`, `client_id` (`sop-<service>`)
        and the key at `client_key_file` (generated outside production)."""
        return cls(settings.gateway_url, settings.client_id, load_client_key(settings), **options)

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- sessions ----------------------------------------------------------------------------

    async def acting_for(
        self, subject_token: str, *, scopes: str | Iterable[str] | None = None
    ) -> TenantSession:
        """Calls on behalf of the person whose request this service is serving:
        `subject_token` is that request's internal token (its `aud` must be this service's).
        The exchange happens now, so a refusal surfaces here (`TokenExchangeRefused`)."""
        grant = _Grant(subject_token=subject_token, tenant=None, scope=_scope(scopes))
        token = await self.token(grant)
        return TenantSession(self, grant, token.tenant)

    async def scheduled(
        self, tenant: str, *, scopes: str | Iterable[str] | None = None
    ) -> TenantSession:
        """Calls for `tenant` with no person behind them (scheduled work), when this
        service's platform configuration allows it (`scheduled: true`)."""
        grant = _Grant(subject_token=None, tenant=tenant, scope=_scope(scopes))
        await self.token(grant)
        return TenantSession(self, grant, tenant)

    # -- tokens ------------------------------------------------------------------------------

    def client_assertion(self) -> str:
        """A fresh private_key_jwt assertion: `iss` = `sub` = this client, `aud` the token
        endpoint, a new `jti`, short-lived."""
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + self.assertion_lifetime,
        }
        header = {"alg": self.algorithm, "kid": self.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=[self.algorithm])

    async def token(self, grant: _Grant, *, fresh: bool = False) -> ExchangedToken:
        """A token for `grant`: from the cache until shortly before it expires, else
        exchanged (one exchange at a time per grant, however many callers wait)."""
        key = grant.cache_key
        if not fresh:
            hit = self._cache.get(key)
            if hit is not None and hit.refresh_at > self._clock():
                self._cache.move_to_end(key)
                return hit
        while (pending := self._pending.get(key)) is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise
                # The caller doing the exchange was cancelled, not us: take over.
        future: asyncio.Future[ExchangedToken] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            token = await self._exchange(grant)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(token)
        self._cache[key] = token
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return token

    def forget(self, grant: _Grant) -> None:
        self._cache.pop(grant.cache_key, None)

    async def _exchange(self, grant: _Grant) -> ExchangedToken:
        async def attempt(remaining: float) -> httpx.Response:
            form = {
                **grant.form(),
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion(),  # a new jti on every attempt
            }
            return await self._http.post(
                TOKEN_PATH,
                data=form,
                headers={"Accept": "application/json"},
                timeout=remaining,
            )

        # Every attempt carries a fresh assertion and a token request changes nothing: retried
        # like a safe call.
        response = await self._with_retries("POST", TOKEN_PATH, attempt, retry=True)
        body: Any = None
        with contextlib.suppress(ValueError):
            body = response.json()
        if response.status_code != 200 or not isinstance(body, dict):
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                raise TokenExchangeRefused(
                    response.status_code, body["error"], _str_or_none(body.get("error_description"))
                )
            raise PlatformProblem.from_response(response)
        access_token = body.get("access_token")
        expires_in = body.get("expires_in")
        if not isinstance(access_token, str) or not isinstance(expires_in, int | float):
            raise PlatformProblem(
                502, title="Bad token response", detail="the token endpoint's answer is malformed"
            )
        self.exchanges += 1
        now = self._clock()
        margin = min(self.refresh_margin, float(expires_in) / 2)
        return ExchangedToken(
            access_token=access_token,
            scope=frozenset(str(body.get("scope", "")).split()),
            tenant=_str_or_none(_claims_of(access_token).get("sop_tenant")) or grant.tenant,
            expires_at=now + float(expires_in),
            refresh_at=now + float(expires_in) - margin,
        )

    # -- calls -------------------------------------------------------------------------------

    async def request(
        self,
        grant: _Grant,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        """One call through the gateway within `deadline` seconds (default: the client's),
        retried only when safe or keyed. 2xx and 3xx answers are returned; problems raised."""
        method = method.upper()
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if request_id := request_id_var.get():
            sent_headers.setdefault("X-Request-Id", request_id)
        if traceparent := traceparent_var.get():
            sent_headers.setdefault("traceparent", traceparent)
        keyed = any(name.lower() == "idempotency-key" for name in sent_headers)
        retry = method in SAFE_METHODS or keyed
        renewed = False

        async def attempt(remaining: float) -> httpx.Response:
            nonlocal renewed
            token = await self.token(grant)
            call_headers = {**sent_headers, "Authorization": f"Bearer {token.access_token}"}
            response = await self._http.request(
                method,
                path,
                params=params,
                json=json,
                content=content,
                headers=call_headers,
                timeout=remaining,
            )
            if response.status_code == 401 and not renewed:
                # Refused at the door (the gateway's keys rotated, say): nothing happened, so
                # one more try with a freshly exchanged token is safe for any method.
                renewed = True
                self.forget(grant)
                token = await self.token(grant, fresh=True)
                call_headers["Authorization"] = f"Bearer {token.access_token}"
                response = await self._http.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    content=content,
                    headers=call_headers,
                    timeout=max(0.001, remaining),
                )
            return response

        response = await self._with_retries(method, path, attempt, retry=retry, deadline=deadline)
        if response.status_code >= 400:
            raise PlatformProblem.from_response(response)
        return response

    async def _with_retries(
        self,
        method: str,
        path: str,
        attempt: Callable[[float], Awaitable[httpx.Response]],
        *,
        retry: bool,
        deadline: float | None = None,
    ) -> httpx.Response:
        """Run `attempt` until it answers with a status not worth retrying, within the
        deadline. 502/503/504 and transport failures that remain become ServiceUnavailable."""
        budget = self.deadline if deadline is None else deadline
        ends_at = time.monotonic() + budget
        attempts = self.attempts if retry else 1
        what = f"{method} {path}"
        for number in range(1, attempts + 1):
            remaining = ends_at - time.monotonic()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    response = await attempt(remaining)
            except (TimeoutError, httpx.TimeoutException):
                failure: str = f"no answer within {budget:g}s"
                wait_hint: int | None = None
                last: httpx.Response | None = None
            except httpx.TransportError as exc:
                failure, wait_hint, last = f"{type(exc).__name__}: {exc}", None, None
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return response
                await response.aread()
                failure = f"answered {response.status_code}"
                wait_hint = retry_after_seconds(response.headers.get("retry-after"))
                last = response
            if number < attempts:
                pause = min(self.max_backoff, self.backoff * 2 ** (number - 1))
                pause *= 0.5 + random.random() / 2  # jitter: replicas do not retry in step
                if wait_hint is not None:
                    pause = max(pause, float(wait_hint))
                if time.monotonic() + pause < ends_at:
                    log.info("retrying %s through the gateway (%s)", what, failure)
                    await self._sleep(pause)
                    continue
            if last is not None and last.status_code not in UNAVAILABLE_STATUSES:
                return last  # a 429 that stayed: the caller sees the problem itself
            raise self._unavailable(what, failure, last)
        raise ServiceUnavailable(f"{what} through the gateway: no answer within {budget:g}s")

    @staticmethod
    def _unavailable(what: str, failure: str, last: httpx.Response | None) -> ServiceUnavailable:
        retry_after = 5
        if last is not None:
            retry_after = retry_after_seconds(last.headers.get("retry-after")) or retry_after
            problem = PlatformProblem.from_response(last)
            if problem.detail:
                failure = f"{failure}: {problem.detail}"
        return ServiceUnavailable(
            f"{what} through the gateway failed ({failure}); retry shortly",
            retry_after=retry_after,
        )


class TenantSession:
    """Calls to other services for one tenant, with the exchanged token of one grant (renewed
    from the client's cache as it nears expiry). Paths are the gateway's: `/hr/v1/...`."""

    def __init__(self, client: PlatformClient, grant: _Grant, tenant: str | None) -> None:
        self.client = client
        self._grant = grant
        self.tenant = tenant

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.client.request(
            self._grant,
            method,
            path,
            params=params,
            json=json,
            content=content,
            headers=headers,
            deadline=deadline,
        )

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.request("GET", path, params=params, headers=headers, deadline=deadline)

    async def post(
        self,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.request(
            "POST", path, json=json, content=content, headers=headers, deadline=deadline
        )

    async def put(
        self,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.request(
            "PUT", path, json=json, content=content, headers=headers, deadline=deadline
        )

    async def patch(
        self,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.request(
            "PATCH", path, json=json, content=content, headers=headers, deadline=deadline
        )

    async def delete(
        self,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        return await self.request("DELETE", path, headers=headers, deadline=deadline)


def main(argv: list[str] | None = None) -> int:
    """`python -m sop_shared.platform_client public-jwks KEY_FILE`: print the public JWKS the
    gateway needs for a provisioned client key (the platform config's `client.jwks_file`)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "public-jwks":
        print("usage: python -m sop_shared.platform_client public-jwks KEY_FILE", file=sys.stderr)
        return 2
    print(json.dumps(public_jwks(_import_private_keys(Path(args[1]))), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
