"""Demo data, seeded idempotently: five departments in five clusters, and the development
identity provider's clients and users (never in production). Every tenant of the development
provider, demo or onboarded, gets a client (`<slug>-integrator`) and two people for the
four-eyes rules: `officer@<slug>`, who prepares (read and write scopes, no approval), and
`approver@<slug>`, who approves (read and approve scopes, no writes)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.devidp import repository as idp
from sop_gateway.devidp.service import hash_secret
from sop_gateway.identity.config import TENANT_SCOPES
from sop_gateway.settings import GatewaySettings
from sop_gateway.tenants import repository as tenants
from sop_shared.db import Database
from sop_shared.platform_config import PlatformConfig

log = logging.getLogger("sop.gateway.seed")

DEMO_TENANTS = (
    ("cabinet-office", "Cabinet Office", "matrix"),
    ("home-office", "Home Office", "synergy"),
    ("hmrc", "HM Revenue & Customs", "unity"),
    ("mod", "Ministry of Defence", "defence"),
    ("fcdo", "Foreign, Commonwealth & Development Office", "overseas"),
)
# Development-only credentials, printed in the docs; the dev IdP refuses to exist in production.
DEV_CLIENT_SECRET = "dev-secret"
DEMO_PASSWORD = "demo"
ADMIN_CLIENT = "sop-admin"
WEB_CLIENT = "sop-web"
READ_SCOPES = tuple(s for s in TENANT_SCOPES if s.endswith(":read"))
# The two sides of every four-eyes rule (a journal above the threshold, a supplier invoice, a
# pay run): one person prepares, another approves. Neither is an employee (`payroll:self`) nor
# manages webhooks.
OFFICER_SCOPES = (
    *READ_SCOPES,
    "hr:write",
    "hr:sensitive",
    "finance:write",
    "procurement:write",
    "payroll:run",
)
APPROVER_SCOPES = (*READ_SCOPES, *(s for s in TENANT_SCOPES if s.endswith(":approve")))


def integrator_client_id(tenant: str) -> str:
    return f"{tenant}-integrator"


def officer_username(tenant: str) -> str:
    return f"officer@{tenant}"


def approver_username(tenant: str) -> str:
    return f"approver@{tenant}"


async def ensure_tenant_identities(session: AsyncSession, tenant: str) -> None:
    """What a tenant of the development provider starts with: its client-credentials client
    (what `sop token --tenant` uses), and its officer and approver (password `demo`).
    The gateway calls it when a tenant is onboarded with the development provider on, which
    is never in production."""
    await _ensure_client(session, tenant)
    await _ensure_user(
        session, officer_username(tenant), f"{tenant} officer", tenant, OFFICER_SCOPES
    )
    await _ensure_user(
        session, approver_username(tenant), f"{tenant} approver", tenant, APPROVER_SCOPES
    )


async def _ensure_client(session: AsyncSession, tenant: str) -> None:
    client_id = integrator_client_id(tenant)
    if await idp.client(session, client_id) is None:
        await idp.add_client(
            session,
            client_id=client_id,
            name=f"{tenant} integration (demo)",
            secret_hash=hash_secret(DEV_CLIENT_SECRET),
            tenant=tenant,
            scopes=" ".join(TENANT_SCOPES),
            grant_types=["client_credentials"],
            redirect_uris=[],
        )


async def _ensure_user(
    session: AsyncSession, username: str, name: str, tenant: str | None, scopes: tuple[str, ...]
) -> None:
    if await idp.user(session, username) is None:
        await idp.add_user(
            session,
            username=username,
            name=name,
            password_hash=hash_secret(DEMO_PASSWORD),
            tenant=tenant,
            scopes=" ".join(scopes),
        )


async def seed_dev_idp(session: AsyncSession, settings: GatewaySettings, slugs: list[str]) -> None:
    if await idp.client(session, ADMIN_CLIENT) is None:
        await idp.add_client(
            session,
            client_id=ADMIN_CLIENT,
            name="Platform administration (demo)",
            secret_hash=hash_secret(DEV_CLIENT_SECRET),
            tenant=None,
            scopes="platform:admin",
            grant_types=["client_credentials"],
            redirect_uris=[],
        )
    if await idp.client(session, WEB_CLIENT) is None:
        await idp.add_client(
            session,
            client_id=WEB_CLIENT,
            name="SOP demo web app and API docs",
            secret_hash=None,
            tenant=None,
            scopes=" ".join((*TENANT_SCOPES, "platform:admin")),
            grant_types=["authorization_code", "refresh_token"],
            redirect_uris=[
                settings.public_url.rstrip("/") + "/docs/oauth2-redirect",
                "http://127.0.0.1/callback",
                "http://localhost/callback",
            ],
        )
    await _ensure_user(
        session, "platform-admin", "Platform Administrator", None, ("platform:admin",)
    )
    for slug in slugs:
        await ensure_tenant_identities(session, slug)
        await _ensure_user(session, f"admin@{slug}", f"{slug} administrator", slug, TENANT_SCOPES)
        await _ensure_user(session, f"reader@{slug}", f"{slug} reader", slug, READ_SCOPES)


async def seed(
    database: Database, settings: GatewaySettings, platform: PlatformConfig
) -> list[str]:
    """Add what is missing; returns the slugs of the tenants added. Demo tenants start as
    `provisioning`: `sop run` provisions them once the services are up."""
    if settings.env == "production":
        raise RuntimeError("refusing to seed demo data in production")
    added = []
    slugs = []
    async with database.transaction() as session:
        for slug, name, cluster in DEMO_TENANTS:
            if cluster not in platform.clusters:
                log.warning(
                    "not seeding %s: cluster %s is not in the platform config", slug, cluster
                )
                continue
            slugs.append(slug)
            if await tenants.get(session, slug) is None:
                await tenants.insert(
                    session,
                    slug=slug,
                    name=name,
                    cluster=cluster,
                    status="provisioning",
                    issuer_config=None,
                )
                added.append(slug)
        if settings.dev_idp_enabled:
            await seed_dev_idp(session, settings, slugs)
    return added
