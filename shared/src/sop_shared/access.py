"""The one way a route declares what it needs: its service's per-request context, behind the
scopes it names. `Reader = Annotated[HRContext, access("hr:read")]` in a service's context.py;
the factory that builds the context is registered by the service's app.py (the composition root,
the only part that knows the adapters) with `register_contexts`."""

from __future__ import annotations

from typing import Annotated, Any, Protocol, TypeVar

from fastapi import FastAPI, Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.security import scopes

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

C_co = TypeVar("C_co", covariant=True)


class ContextFactory(Protocol[C_co]):
    """Builds one request's context: the caller, the request's session, and whether the
    request writes (a write waits for, or is refused by, a supplier switch in progress)."""

    async def __call__(
        self, *, session: AsyncSession, principal: Principal, writing: bool
    ) -> C_co: ...


def register_contexts(app: FastAPI, factory: ContextFactory[Any]) -> None:
    app.state.contexts = factory


async def request_context(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, scopes()],  # the scopes come from access(...)
) -> Any:
    build: ContextFactory[Any] = request.app.state.contexts
    return await build(
        session=session, principal=principal, writing=request.method not in READ_METHODS
    )


def access(*required: str) -> Any:
    """Dependency: the request's context, for a tenant caller holding every scope in
    `required` (403 otherwise; listed as the operation's security in OpenAPI)."""
    return Security(request_context, scopes=list(required))
