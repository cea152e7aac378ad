"""The platform API for clusters, tenants and their audit trail (`platform:admin` only)."""

import asyncio
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select

from sop_gateway.auth import PlatformAdmin
from sop_gateway.tenants import repository
from sop_gateway.tenants.provisioning import Actor
from sop_gateway.tenants.schemas import (
    ClusterList,
    ClusterOut,
    TenantCreate,
    TenantOut,
    TenantStatus,
    TenantUpdate,
)
from sop_gateway.tenants.service import Tenants, tenant_out
from sop_shared.audit import AuditEvent
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.db import SessionDep, get_uow
from sop_shared.errors import NotFound, problem_responses
from sop_shared.kernel_tables import audit_events
from sop_shared.pagination import Page, PageRequestDep, keyset_page, link_next
from sop_shared.provisioning import TENANT_SLUG
from sop_shared.timeutil import as_utc

Slug = Annotated[str, Path(pattern=TENANT_SLUG.pattern, description="The tenant's slug.")]


def _tenants(request: Request) -> Tenants:
    return request.app.state.gateway.tenants


async def _cluster_out(request: Request, name: str, actor: Actor) -> ClusterOut:
    """The cluster with each service's binding as the service says it is using it (HR's after
    a supplier switch), else the platform config's. Credentials in a binding stay where they
    are; only the adapter and URL are shown."""
    gateway = request.app.state.gateway
    cluster = gateway.platform.clusters[name]
    return ClusterOut(
        name=name,
        description=cluster.description,
        bindings=await gateway.live_bindings.bindings(name, cluster, actor),
    )


def platform_router() -> APIRouter:
    router = APIRouter(prefix="/platform/v1")

    @router.get(
        "/clusters",
        response_model=ClusterList,
        tags=["clusters"],
        summary="List clusters and their adapter bindings",
        responses=problem_responses(401, 403),
    )
    async def list_clusters(request: Request, admin: PlatformAdmin) -> ClusterList:
        names = sorted(request.app.state.gateway.platform.clusters)
        found = await asyncio.gather(*(_cluster_out(request, n, admin) for n in names))
        return ClusterList(items=list(found))

    @router.get(
        "/clusters/{name}",
        response_model=ClusterOut,
        tags=["clusters"],
        summary="Read a cluster",
        responses=problem_responses(401, 403, 404),
    )
    async def get_cluster(request: Request, name: str, admin: PlatformAdmin) -> ClusterOut:
        if name not in request.app.state.gateway.platform.clusters:
            raise NotFound(f"no cluster {name}")
        return await _cluster_out(request, name, admin)

    @router.post(
        "/tenants",
        response_model=TenantOut,
        status_code=201,
        tags=["tenants"],
        summary="Onboard a tenant",
        description="Registers the department, provisions it in every service and activates "
        "it. All or nothing: until every service has answered the tenant stays "
        "`provisioning` (its tokens are refused) and the call answers 503; repeating the same "
        "request completes it. Repeating it for an active tenant answers 200.",
        responses={
            200: {"description": "The tenant already existed, as described", "model": TenantOut},
            **problem_responses(401, 403, 409, 422, 503),
        },
    )
    async def onboard_tenant(
        body: TenantCreate, request: Request, response: Response, admin: PlatformAdmin
    ) -> TenantOut:
        tenant, completed = await _tenants(request).onboard(body, admin)
        if not completed:
            response.status_code = 200
        response.headers["Location"] = f"/platform/v1/tenants/{tenant.slug}"
        set_etag(response, tenant.version)
        return tenant

    @router.get(
        "/tenants",
        response_model=Page[TenantOut],
        tags=["tenants"],
        summary="List tenants",
        responses=problem_responses(401, 403, 422),
    )
    async def list_tenants(
        request: Request,
        response: Response,
        session: SessionDep,
        page: PageRequestDep,
        _admin: PlatformAdmin,
        status: TenantStatus | None = None,
        cluster: Annotated[str | None, Query(max_length=63)] = None,
    ) -> Page[TenantOut]:
        rows, next_cursor = await repository.page(session, page, status=status, cluster=cluster)
        link_next(request, response, next_cursor)
        return Page[TenantOut](items=[tenant_out(r) for r in rows], next_cursor=next_cursor)

    @router.get(
        "/tenants/{slug}",
        response_model=TenantOut,
        tags=["tenants"],
        summary="Read a tenant",
        responses=problem_responses(401, 403, 404),
    )
    async def get_tenant(
        slug: Slug, session: SessionDep, response: Response, _admin: PlatformAdmin
    ) -> TenantOut:
        row = await repository.get(session, slug)
        if row is None:
            raise NotFound(f"no tenant {slug}")
        set_etag(response, row.version)
        return tenant_out(row)

    @router.patch(
        "/tenants/{slug}",
        response_model=TenantOut,
        tags=["tenants"],
        summary="Update a tenant's name or issuer",
        description="Needs `If-Match` with the tenant's ETag. The cluster cannot be changed "
        "here: moving a department between clusters is a data migration.",
        responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    )
    async def update_tenant(
        slug: Slug,
        body: TenantUpdate,
        request: Request,
        session: SessionDep,
        response: Response,
        admin: PlatformAdmin,
    ) -> TenantOut:
        row = await repository.get(session, slug)
        if row is None:
            raise NotFound(f"no tenant {slug}")
        require_if_match(request, row.version)
        tenant = await _tenants(request).update(session, row, body, admin)
        get_uow(request).after_commit.append(request.app.state.gateway.registry.load)
        set_etag(response, tenant.version)
        return tenant

    async def _set_status(
        slug: str, status: str, request: Request, session: SessionDep, response: Response, admin
    ) -> TenantOut:
        row = await repository.get(session, slug)
        if row is None:
            raise NotFound(f"no tenant {slug}")
        tenant = await _tenants(request).set_status(session, row, status, admin)
        # Reloaded before the response leaves: once the caller sees 200, this gateway refuses
        # (or admits) the tenant's tokens; other replicas follow within the registry TTL.
        get_uow(request).after_commit.append(request.app.state.gateway.registry.load)
        set_etag(response, tenant.version)
        return tenant

    @router.post(
        "/tenants/{slug}/suspend",
        response_model=TenantOut,
        tags=["tenants"],
        summary="Suspend a tenant: its tokens get 403 everywhere",
        responses=problem_responses(401, 403, 404, 409),
    )
    async def suspend_tenant(
        slug: Slug, request: Request, session: SessionDep, response: Response, admin: PlatformAdmin
    ) -> TenantOut:
        return await _set_status(slug, "suspended", request, session, response, admin)

    @router.post(
        "/tenants/{slug}/resume",
        response_model=TenantOut,
        tags=["tenants"],
        summary="Resume a suspended tenant",
        responses=problem_responses(401, 403, 404, 409),
    )
    async def resume_tenant(
        slug: Slug, request: Request, session: SessionDep, response: Response, admin: PlatformAdmin
    ) -> TenantOut:
        return await _set_status(slug, "active", request, session, response, admin)

    @router.post(
        "/tenants/{slug}/provision",
        response_model=TenantOut,
        tags=["tenants"],
        summary="Provision a tenant again in every service",
        description="Idempotent. Completes an unfinished onboarding, or provisions existing "
        "tenants in a service added to the platform since.",
        responses=problem_responses(401, 403, 404, 503),
    )
    async def provision_tenant(
        slug: Slug, request: Request, response: Response, admin: PlatformAdmin
    ) -> TenantOut:
        tenant = await _tenants(request).provision(slug, admin)
        set_etag(response, tenant.version)
        return tenant

    @router.get(
        "/audit-events",
        response_model=Page[AuditEvent],
        tags=["audit"],
        summary="List platform audit events (tenant lifecycle)",
        responses=problem_responses(401, 403, 422),
    )
    async def list_platform_audit_events(
        request: Request,
        response: Response,
        session: SessionDep,
        page: PageRequestDep,
        _admin: PlatformAdmin,
        tenant: Annotated[str | None, Query(max_length=63)] = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        since: datetime | None = None,
    ) -> Page[AuditEvent]:
        t = audit_events
        stmt = select(t)
        if tenant:
            stmt = stmt.where(t.c.tenant == tenant)
        if action:
            stmt = stmt.where(t.c.action == action)
        if since:
            stmt = stmt.where(t.c.occurred_at >= as_utc(since))
        rows, next_cursor = await keyset_page(session, stmt, t.c.id, page, scalars=False)
        link_next(request, response, next_cursor)
        items = [
            AuditEvent(
                id=uuid.UUID(str(r.id)),
                occurred_at=as_utc(r.occurred_at),
                actor=r.actor,
                client_id=r.client_id,
                action=r.action,
                resource_type=r.resource_type,
                resource_id=r.resource_id,
                before=r.before,
                after=r.after,
                request_id=r.request_id,
                trace_id=r.trace_id,
            )
            for r in rows
        ]
        return Page[AuditEvent](items=items, next_cursor=next_cursor)

    return router
