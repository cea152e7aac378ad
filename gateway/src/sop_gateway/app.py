"""The gateway's composition root: builds every part from settings and the platform config,
and serves them as one ASGI app. Service prefixes go down the raw proxy path; everything else
(platform API, dev IdP, docs, health) is a FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sop_gateway import __version__
from sop_gateway.access import Gatekeeper
from sop_gateway.aux_http import aux_client, get_json
from sop_gateway.devidp.router import dev_idp_router
from sop_gateway.devidp.service import DevIdentityProvider
from sop_gateway.exchange.clients import service_clients
from sop_gateway.exchange.replay import make_replay_guard
from sop_gateway.exchange.router import exchange_router
from sop_gateway.exchange.service import TOKEN_PATH, TokenExchange
from sop_gateway.identity.config import ClaimMapping, IdentityConfig, identity_config
from sop_gateway.identity.internal import InternalTokens
from sop_gateway.identity.jwks import RemoteKeys, StaticKeys
from sop_gateway.identity.verifier import TokenVerifier, TrustedIssuer
from sop_gateway.keys import internal_signer, load_dev_idp_key, publish_internal_jwks
from sop_gateway.openapi import ServiceDocs, merge_documents, oauth_flows, security_schemes
from sop_gateway.problems import DuplicateAuthorization
from sop_gateway.proxy import Proxy
from sop_gateway.ratelimit import make_limiter
from sop_gateway.routes import ScopeRules, Upstream
from sop_gateway.seed import ensure_tenant_identities
from sop_gateway.server import REGISTRY as SERVER_METRICS
from sop_gateway.settings import GatewaySettings
from sop_gateway.telemetry import BatchingHandler, CachedMetrics, batch_logging, flush_periodically
from sop_gateway.tenants.bindings import LiveBindings
from sop_gateway.tenants.provisioning import Provisioner
from sop_gateway.tenants.registry import TenantEntry, TenantRegistry
from sop_gateway.tenants.router import platform_router
from sop_gateway.tenants.service import Tenants
from sop_gateway.upstream import UpstreamPool
from sop_gateway.webhooks.dispatcher import CONSUMER_NAME, SUBJECTS, DeliveryWorker, handle_event
from sop_gateway.webhooks.router import webhooks_router
from sop_gateway.webhooks.service import Webhooks
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.docs_ui import docs_assets_router, redoc_page, swagger_page
from sop_shared.errors import (
    HeadersTooLarge,
    Problem,
    install_problem_handlers,
    problem_response,
    render_problem,
)
from sop_shared.events.catalogue import merge as merge_event_documents
from sop_shared.events.consumer import Consumer
from sop_shared.http import DocumentedRequestsMiddleware
from sop_shared.idempotency import IdempotencyStore
from sop_shared.observability import ClientGuard, RequestContextMiddleware, configure_logging
from sop_shared.openapi import service_openapi
from sop_shared.platform_config import PlatformConfig, load_platform_config
from sop_shared.security import INTERNAL_ALGORITHMS, InternalKeys
from sop_shared.transactions import BodyLimitMiddleware, TransactionMiddleware

log = logging.getLogger("sop.gateway")

INTERNAL_JWKS_PATH = "/.well-known/sop-internal-jwks.json"


def configured_upstreams(
    settings: GatewaySettings, platform: PlatformConfig
) -> dict[str, Upstream]:
    wanted = set(settings.services) if settings.services is not None else None
    return {
        name: Upstream(
            name=name, base_url=endpoint.url, prefix=(endpoint.model_extra or {}).get("prefix", "")
        )
        for name, endpoint in platform.services.items()
        if wanted is None or name in wanted
    }


# Credentials shipped for development (the simulators' defaults, the demo realm's, ours).
DEVELOPMENT_SECRETS = frozenset(
    {"sop-dev-password", "sop-dev-oracle-token", "sop-dev-sap-token", "dev-secret", "demo"}
)


def refuse_unsafe_platform_config(identity: IdentityConfig, platform: PlatformConfig) -> None:
    problems = []
    insecure = [i.issuer for i in identity.issuers if not i.issuer.startswith("https://")]
    if not identity.issuers or insecure:
        problems.append(
            "configure at least one https issuer in the identity section"
            + (f" (not https: {', '.join(insecure)})" if insecure else "")
        )
    for name, endpoint in platform.services.items():
        jwks_url = endpoint.client.jwks_url if endpoint.client else None
        if jwks_url and not jwks_url.startswith("https://"):
            problems.append(f"service {name}: the client's jwks_url must be https")
    for name, cluster in platform.clusters.items():
        for service, binding in cluster.bindings.items():
            for field in ("password", "token"):
                value = getattr(binding, field)
                if value and (value in DEVELOPMENT_SECRETS or value.startswith("change-me")):
                    problems.append(f"cluster {name}, {service}: {field} is a development default")
    if problems:
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))


class Gateway:
    """Every long-lived part of one gateway process."""

    def __init__(self, settings: GatewaySettings, platform: PlatformConfig | None = None) -> None:
        self.settings = settings
        self.platform = platform or load_platform_config(settings.platform_config)
        identity = identity_config(self.platform)
        self.audience = identity.audience or settings.audience
        if settings.env == "production":
            refuse_unsafe_platform_config(identity, self.platform)
        self.upstreams = configured_upstreams(settings, self.platform)
        self.database = Database(settings.database_url)
        self.metrics = CachedMetrics("gateway")
        signer, self.internal_jwks = internal_signer(settings)
        self.internal_tokens = InternalTokens(signer, cache_size=settings.token_cache_size)
        self.aux_http: httpx.AsyncClient | None = None

        self.verifier = TokenVerifier(cache_size=settings.token_cache_size)
        self.dev_idp: DevIdentityProvider | None = None
        platform_issuers: list[TrustedIssuer] = []
        if settings.dev_idp_enabled:
            self.dev_idp = DevIdentityProvider(
                settings=settings, database=self.database, key=load_dev_idp_key(settings)
            )
            platform_issuers.append(
                TrustedIssuer(
                    issuer=self.dev_idp.issuer,
                    audience=settings.audience,
                    keys=StaticKeys(self.dev_idp.jwks()),
                    claims=ClaimMapping(),
                )
            )
        self.remote_keys: dict[tuple[str, str | None], RemoteKeys] = {}
        for cfg in identity.issuers:
            if cfg.issuer == settings.exchange_issuer:
                raise RuntimeError(f"{cfg.issuer} is the gateway's own token exchange issuer")
            platform_issuers.append(
                TrustedIssuer(
                    issuer=cfg.issuer,
                    audience=cfg.audience or self.audience,
                    keys=self._keys_for(cfg.issuer, cfg.jwks_uri),
                    claims=cfg.claims,
                    algorithms=frozenset(cfg.algorithms),
                )
            )
        # Tokens the gateway issues by token exchange come back to it: trusted like any
        # platform issuer, verified with its own keys, their `act` claim carried through.
        platform_issuers.append(
            TrustedIssuer(
                issuer=settings.exchange_issuer,
                audience=self.audience,
                keys=StaticKeys(self.internal_jwks),
                claims=ClaimMapping(),
                algorithms=frozenset(INTERNAL_ALGORITHMS),
                delegation=True,
            )
        )
        self.verifier.set_platform_issuers(platform_issuers)

        self.registry = TenantRegistry(
            self.database, ttl=settings.tenant_cache_ttl_seconds, on_change=self._tenants_changed
        )
        self.replay = make_replay_guard(settings.redis_url)
        self.exchange = TokenExchange(
            issuer=settings.exchange_issuer,
            audience=self.audience,
            token_endpoint=settings.public_url.rstrip("/") + TOKEN_PATH,
            clients=service_clients(self.platform, self._client_keys),
            signer=signer,
            internal_keys=InternalKeys(jwks=self.internal_jwks),
            internal_issuer=settings.internal_issuer,
            registry=self.registry,
            clusters=lambda: self.platform.clusters.keys(),
            replay=self.replay,
            lifetime=settings.exchange_token_lifetime,
        )
        self.gate = Gatekeeper(verifier=self.verifier, registry=self.registry)
        self.rules = ScopeRules()
        self.limiter = make_limiter(
            redis_url=settings.redis_url,
            rate=settings.rate_limit_per_second,
            burst=settings.rate_limit_burst,
        )
        self.proxy = Proxy(
            gate=self.gate,
            rules=self.rules,
            limiter=self.limiter,
            tokens=self.internal_tokens,
            pools={},  # made at start-up, on the serving loop
            max_body_bytes=settings.max_body_bytes,
            max_header_count=settings.max_header_count,
            max_header_bytes=settings.max_header_bytes,
        )
        self.provisioner = Provisioner(
            services={n: u.base_url for n, u in self.upstreams.items()},
            tokens=self.internal_tokens,
            timeout=settings.provisioning_timeout_seconds,
        )
        self.live_bindings = LiveBindings(
            services={n: u.base_url for n, u in self.upstreams.items()},
            tokens=self.internal_tokens,
            timeout=settings.cluster_view_timeout_seconds,
        )
        self.tenants = Tenants(
            database=self.database,
            registry=self.registry,
            provisioner=self.provisioner,
            platform=self.platform,
            platform_issuers=lambda: {i.issuer for i in self.verifier.platform_issuers},
            on_onboarded=ensure_tenant_identities if self.dev_idp is not None else None,
        )
        self.docs = ServiceDocs(
            upstreams=self.upstreams, rules=self.rules, max_age=settings.openapi_cache_seconds
        )
        self._events_doc: tuple[float, dict[str, Any]] | None = None  # (fetched at, merged)
        # Webhooks (docs/webhooks.md): the API's store, the worker that delivers, and the
        # durable consumer that turns events into deliveries (when NATS is configured).
        allow_loopback = settings.env == "development"
        self.webhooks = Webhooks(
            allow_loopback=allow_loopback,
            secret_overlap=timedelta(seconds=settings.webhook_secret_overlap_seconds),
            max_per_tenant=settings.webhook_max_subscriptions_per_tenant,
        )
        self.webhook_worker: DeliveryWorker | None = None
        self.webhook_consumer: Consumer | None = None
        if settings.webhooks_enabled:
            self.webhook_worker = DeliveryWorker(
                self.database,
                allow_loopback=allow_loopback,
                schedule=settings.webhook_retry_schedule,
                timeout=settings.webhook_timeout_seconds,
                concurrency=settings.webhook_concurrency,
                per_subscription=settings.webhook_concurrency_per_subscription,
                disable_after_failures=settings.webhook_disable_after_failures,
                disable_after=timedelta(seconds=settings.webhook_disable_after_seconds),
                poll_interval=settings.webhook_poll_seconds,
                retention=timedelta(days=settings.webhook_retention_days),
            )
            if settings.nats_url:
                self.webhook_consumer = Consumer(
                    CONSUMER_NAME,
                    SUBJECTS,
                    handle_event,
                    database=self.database,
                    nats_url=settings.nats_url,
                )
        self._tasks: list[asyncio.Task[None]] = []
        self.log_handler: BatchingHandler | None = None

    # -- identity plumbing ------------------------------------------------------------------

    async def fetch_json(self, url: str) -> dict[str, Any]:
        assert self.aux_http is not None, "the gateway is not started"
        data = await get_json(self.aux_http, url, total=10)
        if not isinstance(data, dict):
            raise ValueError(f"{url} did not return a JSON object")
        return data

    def _keys_for(self, issuer: str, jwks_uri: str | None) -> RemoteKeys:
        key = (issuer, jwks_uri)
        if key not in self.remote_keys:
            self.remote_keys[key] = RemoteKeys(
                issuer,
                fetch_json=self.fetch_json,
                jwks_uri=jwks_uri,
                refetch_interval=self.settings.jwks_refetch_interval,
            )
        return self.remote_keys[key]

    def _client_keys(self, client_id: str, jwks_url: str) -> RemoteKeys:
        """A service's published client keys (`client.jwks_url`), no discovery."""
        return RemoteKeys(
            client_id,
            fetch_json=self.fetch_json,
            jwks_uri=jwks_url,
            refetch_interval=self.settings.jwks_refetch_interval,
        )

    def _tenants_changed(self, entries: dict[str, TenantEntry]) -> None:
        issuers = [
            TrustedIssuer(
                issuer=e.issuer.issuer,
                audience=e.issuer.audience or self.audience,
                keys=self._keys_for(e.issuer.issuer, e.issuer.jwks_uri),
                claims=e.issuer.claims,
                algorithms=frozenset(e.issuer.algorithms),
                tenant=e.slug,
            )
            for e in entries.values()
            if e.issuer is not None
        ]
        self.verifier.set_tenant_issuers(issuers)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        s = self.settings
        self.proxy.pools.update(
            {
                name: UpstreamPool(
                    u.host,
                    u.port,
                    tls=u.tls,
                    size=s.upstream_pool_size,
                    connect_timeout=s.upstream_connect_timeout_seconds,
                    read_timeout=s.upstream_timeout_seconds,
                )
                for name, u in self.upstreams.items()
            }
        )
        # For everything off the hot path: discovery, JWKS, services' OpenAPI, provisioning.
        # No cookies kept, no redirects followed (sop_gateway.aux_http).
        self.aux_http = aux_client(timeout=10, connect=3)
        self.provisioner.client = self.aux_http
        self.live_bindings.client = self.aux_http
        publish_internal_jwks(s, self.internal_jwks)
        try:
            await self.registry.load()
        except Exception as exc:
            raise RuntimeError(
                f"cannot read the tenant registry ({type(exc).__name__}: {exc}); "
                "is the gateway database migrated (`uv run sop migrate`)?"
            ) from exc
        self._tasks = [
            asyncio.create_task(self.registry.keep_fresh(), name="tenant-registry"),
            asyncio.create_task(self.docs.keep_fresh(self.fetch_json), name="service-docs"),
        ]
        if self.log_handler is not None:
            self._tasks.append(asyncio.create_task(flush_periodically(self.log_handler)))
        if self.webhook_worker is not None:
            await self.webhook_worker.start()
        if self.webhook_consumer is not None:
            await self.webhook_consumer.start()

    async def stop(self) -> None:
        if self.webhook_consumer is not None:
            await self.webhook_consumer.stop()
        if self.webhook_worker is not None:
            await self.webhook_worker.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for pool in self.proxy.pools.values():
            await pool.close()
        if self.aux_http is not None:
            await self.aux_http.aclose()
        await self.limiter.close()
        await self.replay.close()
        await self.database.dispose()

    # -- docs ------------------------------------------------------------------------------

    async def oauth_endpoints(self) -> tuple[str | None, str | None, str | None]:
        """(token URL, authorization URL, discovery URL) of the provider the docs point at."""
        if self.dev_idp is not None:
            issuer = self.dev_idp.issuer
            return (
                f"{issuer}/token",
                f"{issuer}/authorize",
                f"{issuer}/.well-known/openid-configuration",
            )
        for trusted in self.verifier.platform_issuers:
            keys = trusted.keys
            if isinstance(keys, RemoteKeys):
                discovery_url = trusted.issuer.rstrip("/") + "/.well-known/openid-configuration"
                doc = keys.discovery
                if doc is None:
                    with contextlib.suppress(Exception):
                        doc = await keys.load_discovery()
                if doc is None:
                    return None, None, discovery_url
                return doc.get("token_endpoint"), doc.get("authorization_endpoint"), discovery_url
        return None, None, None

    async def events_catalogue(self) -> dict[str, Any]:
        """The services' event catalogues merged, kept as long as their OpenAPI documents."""
        cached = self._events_doc
        if cached and time.monotonic() - cached[0] < self.settings.openapi_cache_seconds:
            return cached[1]

        async def one(name: str) -> dict[str, Any] | None:
            try:
                return await self.fetch_json(
                    self.upstreams[name].base_url + "/events/asyncapi.json"
                )
            except Exception as exc:
                log.info("no event catalogue from %s: %s", name, exc)
                return None

        found = await asyncio.gather(*(one(name) for name in self.upstreams))
        merged = merge_event_documents([doc for doc in found if doc], version=__version__)
        if all(found):  # keep only a complete catalogue; ask again while a service is missing
            self._events_doc = (time.monotonic(), merged)
        return merged

    async def openapi(self, platform_doc: dict[str, Any]) -> dict[str, Any]:
        await self.docs.refresh(self.fetch_json)
        token_url, authorization_url, discovery_url = await self.oauth_endpoints()
        return merge_documents(
            platform_doc,
            self.docs.current(),
            title="SOP API",
            version=__version__,
            server_url=self.settings.public_url,
            schemes=security_schemes(
                oauth_flows(token_url=token_url, authorization_url=authorization_url),
                discovery_url,
            ),
        )


class ExternalTokenVerifier:
    """The kernel's `TokenVerifier` for the platform routes: the principal behind an external
    (OIDC) bearer token, which the transaction middleware scopes Idempotency-Keys to."""

    def __init__(self, gate: Gatekeeper) -> None:
        self.gate = gate

    async def verify(self, token: str) -> Principal:
        identity = await self.gate.identify("Bearer " + token)
        return Principal(
            subject=identity.subject,
            client_id=identity.client_id,
            tenant=identity.tenant,
            cluster=None,
            scopes=identity.scopes,
            acting_service=identity.actors[0] if identity.actors else None,
        )


def create_platform_app(gateway: Gateway) -> FastAPI:
    app = FastAPI(
        title="SOP platform",
        version=__version__,
        description="Clusters, tenants and onboarding.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "tenants", "description": "Departments using the platform, and onboarding."},
            {"name": "clusters", "description": "Groups of tenants and their adapter bindings."},
            {"name": "audit", "description": "Who changed which tenant, and how."},
            {"name": "webhooks", "description": "A tenant's event subscriptions (webhooks)."},
        ],
    )
    app.state.gateway = gateway
    install_problem_handlers(app)
    app.include_router(platform_router())
    app.include_router(webhooks_router())
    app.include_router(
        exchange_router(
            gateway.exchange, jwks_uri=gateway.settings.public_url.rstrip("/") + INTERNAL_JWKS_PATH
        )
    )
    if gateway.dev_idp is not None:
        app.include_router(dev_idp_router(gateway.dev_idp))
    app.include_router(docs_assets_router())

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(await gateway.openapi(platform_openapi(app)))

    @app.get("/events/asyncapi.json", include_in_schema=False)
    async def events_asyncapi() -> JSONResponse:
        """Every event the services publish (AsyncAPI 3.0), merged from each service's own
        catalogue; a service that does not answer is left out, not an error."""
        return JSONResponse(await gateway.events_catalogue())

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        init_oauth = None
        if gateway.dev_idp is not None:
            init_oauth = {"clientId": "sop-web", "usePkceWithAuthorizationCodeGrant": True}
        return swagger_page(
            openapi_url="/openapi.json",
            title="SOP API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            init_oauth=init_oauth,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page(openapi_url="/openapi.json", title="SOP API")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(INTERNAL_JWKS_PATH, include_in_schema=False)
    async def internal_jwks() -> JSONResponse:
        return JSONResponse(gateway.internal_jwks, headers={"Cache-Control": "public, max-age=300"})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "service": "gateway"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            await gateway.database.ping()
        except Exception as exc:
            return problem_response(
                503,
                f"not ready: database ({type(exc).__name__})",
                instance=request.url.path,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ready", "services": sorted(gateway.docs.docs)})

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus metrics, not for the public. With `SOP_GATEWAY_METRICS_TOKEN` set, only
        to a request bearing that token (Prometheus' `authorization` scrape setting); unset,
        only to loopback clients (a scraper on the same host): development only, production
        refuses to start without the token (a reverse proxy on the same host looks like
        loopback)."""
        if not metrics_allowed(request, gateway.settings.metrics_token):
            return problem_response(403, "the metrics are not public", instance=request.url.path)
        body = generate_latest(gateway.metrics.registry) + generate_latest(SERVER_METRICS)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    # Innermost: requests held to the platform's document (405 with the path's methods in
    # `Allow`, dates and numbers in their one written form) before FastAPI routes them.
    app.add_middleware(DocumentedRequestsMiddleware, document=lambda: platform_openapi(app))
    app.add_middleware(
        TransactionMiddleware,
        database=gateway.database,
        idempotency=IdempotencyStore(gateway.database),
        verifier=ExternalTokenVerifier(gateway.gate),
        max_body_bytes=gateway.settings.max_body_bytes,
    )
    # Outside the transaction middleware: no body read for an anonymous platform call, and
    # every body capped (the public routes' too).
    app.add_middleware(BearerRequired)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=gateway.settings.max_body_bytes)
    try:  # built now rather than by the first request, as each service's is
        platform_openapi(app)
    except Exception:  # the routes still serve; DocumentedRequestsMiddleware stands aside
        log.exception("could not build the platform's OpenAPI document")
    return app


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def metrics_allowed(request: Request, token: str | None) -> bool:
    if token:
        presented = request.headers.get("authorization", "")
        return hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())
    return request.client is not None and request.client.host in LOOPBACK


# Under /platform/, only the token exchange is public (it authenticates by client assertion
# in its body); the dev IdP, docs, catalogue and well-known documents live elsewhere.
PUBLIC_PLATFORM_PATHS = frozenset({TOKEN_PATH})


class BearerRequired:
    """A platform API request without an `Authorization: Bearer` header is answered 401
    before its body is read (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and path.startswith("/platform/")
            and path not in PUBLIC_PLATFORM_PATHS
            and not _has_bearer(scope)
        ):
            response = problem_response(
                401,
                "a bearer token is required",
                instance=path,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_bearer(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.partition(b" ")
            return scheme.lower() == b"bearer" and bool(token.strip())
    return False


def header_problem(scope: Scope, max_count: int, max_bytes: int) -> Response | None:
    """431 `headers-too-large` for too many headers or too many header bytes; 400
    `duplicate-authorization` for two Authorization headers (refused rather than picking one)."""
    headers = scope["headers"]
    path = scope.get("path", "")
    problem: Problem | None = None
    if len(headers) > max_count:
        problem = HeadersTooLarge(f"more than {max_count} request headers")
    elif sum(len(k) + len(v) for k, v in headers) > max_bytes:
        problem = HeadersTooLarge(f"the request headers exceed {max_bytes} bytes")
    elif sum(1 for k, _ in headers if k.lower() == b"authorization") > 1:
        problem = DuplicateAuthorization("more than one Authorization header")
    return None if problem is None else render_problem(problem, path)


def platform_openapi(app: FastAPI) -> dict[str, Any]:
    """The platform routes' own document (merged with the services' by the gateway), built as
    every service's is: each error as problem+json, whatever FastAPI added on its own."""
    if app.openapi_schema:
        return app.openapi_schema
    app.openapi_schema = service_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    return app.openapi_schema


class GatewayApp:
    """Dispatch by the first path segment: a service prefix goes to the proxy, anything else
    to the platform app. Lifespan starts and stops the gateway's shared parts."""

    def __init__(self, gateway: Gateway, platform_app: ASGIApp) -> None:
        self.gateway = gateway
        self.platform_app = platform_app
        self.prefixes = {u.prefix: u for u in gateway.upstreams.values()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            s = self.gateway.settings
            problem = header_problem(scope, s.max_header_count, s.max_header_bytes)
            if problem is not None:
                await problem(scope, receive, send)
                return
            path: str = scope["path"]
            end = path.find("/", 1)
            upstream = self.prefixes.get(path if end < 0 else path[:end])
            if upstream is not None:
                await self.gateway.proxy(scope, receive, send, upstream)
                return
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.platform_app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.gateway.start()
                except Exception as exc:
                    log.exception("gateway start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.gateway.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(
    settings: GatewaySettings | None = None, platform: PlatformConfig | None = None
) -> ASGIApp:
    """The ASGI app (uvicorn `--factory sop_gateway.app:create_app`)."""
    settings = settings or GatewaySettings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
    gateway = Gateway(settings, platform)
    gateway.log_handler = batch_logging()
    app = RequestContextMiddleware(
        ClientGuard(GatewayApp(gateway, create_platform_app(gateway))),
        service="gateway",
        metrics=gateway.metrics,
    )
    app.gateway = gateway  # type: ignore[attr-defined]  # for tests and the launcher
    return app
