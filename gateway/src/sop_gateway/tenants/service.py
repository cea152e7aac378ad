"""Tenant rules: onboarding (validate, register, provision everywhere, then activate), retry,
update, suspend and resume. Every change writes an audit event under the tenant it concerns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.tenants import repository
from sop_gateway.tenants.provisioning import Actor, Provisioner
from sop_gateway.tenants.registry import TenantRegistry
from sop_gateway.tenants.schemas import TenantCreate, TenantOut, TenantUpdate
from sop_shared.audit import record_event
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    ValidationFailed,
)
from sop_shared.platform_config import PlatformConfig
from sop_shared.timeutil import as_utc

TenantHook = Callable[[AsyncSession, str], Awaitable[None]]


def tenant_out(row: Row[Any]) -> TenantOut:
    return TenantOut(
        id=row.id,
        slug=row.slug,
        name=row.name,
        cluster=row.cluster,
        status=row.status,
        issuer=row.issuer_config,
        provisioned_services=sorted(row.provisioned_services or []),
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def _snapshot(row: Row[Any] | None) -> dict[str, Any] | None:
    return tenant_out(row).model_dump(mode="json") if row is not None else None


def _auditor(actor: Actor, slug: str) -> Principal:
    return Principal(subject=actor.subject, client_id=actor.client_id, tenant=slug, cluster=None)


class Tenants:
    def __init__(
        self,
        *,
        database: Database,
        registry: TenantRegistry,
        provisioner: Provisioner,
        platform: PlatformConfig,
        platform_issuers: Callable[[], set[str]],
        on_onboarded: TenantHook | None = None,
    ) -> None:
        self.database = database
        self.registry = registry
        self.provisioner = provisioner
        self.platform = platform
        self.platform_issuers = platform_issuers
        self.on_onboarded = on_onboarded

    async def _check_issuer(self, session: AsyncSession, slug: str, issuer: str | None) -> None:
        if issuer is None:
            return
        if issuer in self.platform_issuers():
            raise ValidationFailed(
                "a platform issuer cannot be registered to one tenant",
                errors=[("issuer.issuer", "is a shared platform issuer")],
            )
        owner = await repository.owner_of_issuer(session, issuer)
        if owner is not None and owner != slug:
            raise Conflict(f"issuer {issuer} is already registered to another tenant")

    async def onboard(self, body: TenantCreate, actor: Actor) -> tuple[TenantOut, bool]:
        """Register the tenant as `provisioning`, provision it in every service, then make it
        `active`. Repeating the same request resumes an unfinished onboarding; the tenant's
        tokens are refused until every service has answered. Returns (tenant, completed now)."""
        if body.cluster not in self.platform.clusters:
            raise ValidationFailed(
                f"no cluster {body.cluster!r}",
                errors=[("cluster", f"must be one of {', '.join(sorted(self.platform.clusters))}")],
            )
        issuer = body.issuer.model_dump(mode="json") if body.issuer else None
        try:
            row = await self._register(body, issuer, actor)
        except IntegrityError:
            # A concurrent onboarding of the same slug (or issuer) won: judge against it.
            async with self.database.transaction() as session:
                existing = await repository.get(session, body.slug)
            if existing is None:
                raise Conflict("the issuer was registered to another tenant meanwhile") from None
            row = existing
        if (row.name, row.cluster, row.issuer_config) != (body.name, body.cluster, issuer):
            raise Conflict(
                f"tenant {body.slug} already exists with another definition; change it with PATCH"
            )
        await self.registry.load()
        if row.status != "provisioning":
            return tenant_out(row), False
        # Finishing an onboarding (first try or a retry) is the creation the caller asked for.
        return await self.provision(body.slug, actor), True

    async def _register(
        self, body: TenantCreate, issuer: dict[str, Any] | None, actor: Actor
    ) -> Row[Any]:
        async with self.database.transaction() as session:
            await self._check_issuer(session, body.slug, issuer["issuer"] if issuer else None)
            row = await repository.get(session, body.slug)
            if row is not None:
                return row
            await repository.insert(
                session,
                slug=body.slug,
                name=body.name,
                cluster=body.cluster,
                status="provisioning",
                issuer_config=issuer,
            )
            if self.on_onboarded is not None and issuer is None:
                await self.on_onboarded(session, body.slug)
            row = await repository.get(session, body.slug)
            await record_event(
                session,
                action="tenant.registered",
                resource_type="tenant",
                resource_id=body.slug,
                after=_snapshot(row),
                principal=_auditor(actor, body.slug),
            )
            assert row is not None
            return row

    async def provision(self, slug: str, actor: Actor) -> TenantOut:
        """(Re)provision `slug` in every configured service; activates a tenant still
        `provisioning` once all have answered. Raises 503 naming the services that did not."""
        async with self.database.transaction() as session:
            row = await repository.get(session, slug)
        if row is None:
            raise NotFound(f"no tenant {slug}")
        failures = await self.provisioner.provision(slug, row.cluster, actor)
        answered = sorted(set(self.provisioner.services) - set(failures))
        async with self.database.transaction() as session:
            row = await repository.get(session, slug)
            assert row is not None
            values: dict[str, Any] = {
                "provisioned_services": sorted(set(row.provisioned_services or []) | set(answered))
            }
            activate = not failures and row.status == "provisioning"
            if activate:
                values["status"] = "active"
            if values["provisioned_services"] != sorted(row.provisioned_services or []) or activate:
                if not await repository.change(session, row, **values):
                    raise Conflict("the tenant changed while it was being provisioned; retry")
                after = await repository.get(session, slug)
                if activate:
                    await record_event(
                        session,
                        action="tenant.activated",
                        resource_type="tenant",
                        resource_id=slug,
                        before=_snapshot(row),
                        after=_snapshot(after),
                        principal=_auditor(actor, slug),
                    )
                row = after
        await self.registry.load()
        if failures:
            detail = "; ".join(f"{name} {why}" for name, why in sorted(failures.items()))
            raise ServiceUnavailable(
                f"tenant {slug} is not provisioned everywhere yet ({detail}); "
                "repeat the request to complete it",
                retry_after=5,
                tenant=slug,
                pending_services=sorted(failures),
            )
        assert row is not None
        return tenant_out(row)

    async def update(
        self, session: AsyncSession, row: Row[Any], body: TenantUpdate, actor: Actor
    ) -> TenantOut:
        values: dict[str, Any] = {}
        if "name" in body.model_fields_set and body.name is not None:
            values["name"] = body.name
        if "issuer" in body.model_fields_set:
            await self._check_issuer(session, row.slug, body.issuer.issuer if body.issuer else None)
            values["issuer_config"] = body.issuer.model_dump(mode="json") if body.issuer else None
        if not values:
            return tenant_out(row)
        return await self._change(session, row, values, "tenant.updated", actor)

    async def set_status(
        self, session: AsyncSession, row: Row[Any], status: str, actor: Actor
    ) -> TenantOut:
        if row.status == "provisioning":
            raise Conflict(f"tenant {row.slug} is still being onboarded; complete that first")
        if row.status == status:
            return tenant_out(row)
        action = "tenant.suspended" if status == "suspended" else "tenant.resumed"
        return await self._change(session, row, {"status": status}, action, actor)

    async def _change(
        self,
        session: AsyncSession,
        row: Row[Any],
        values: dict[str, Any],
        action: str,
        actor: Actor,
    ) -> TenantOut:
        if not await repository.change(session, row, **values):
            raise PreconditionFailed(
                "the tenant was changed by a concurrent request; read it again"
            )
        after = await repository.get(session, row.slug)
        await record_event(
            session,
            action=action,
            resource_type="tenant",
            resource_id=row.slug,
            before=_snapshot(row),
            after=_snapshot(after),
            principal=_auditor(actor, row.slug),
        )
        return tenant_out(after)  # type: ignore[arg-type]
