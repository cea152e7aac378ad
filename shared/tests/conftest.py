"""A toy domain ("widgets") built on the kernel, served on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel

from sop_shared.app import create_service_app
from sop_shared.audit import record_event
from sop_shared.concurrency import VersionedMixin, require_if_match, set_etag
from sop_shared.context import Principal
from sop_shared.db import Database, SessionDep, new_registry
from sop_shared.errors import NotFound
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.money import Money
from sop_shared.pagination import Page, PageRequestDep, keyset_page, link_next
from sop_shared.repository import TenantRepository, TenantScopedFields
from sop_shared.security import scopes
from sop_shared.settings import ServiceSettings


class ToyBase(SQLModel, registry=new_registry()):
    pass


class Widget(VersionedMixin, TenantScopedFields, ToyBase, table=True):
    __tablename__ = "widgets"
    name: str = Field(max_length=100)
    price: str = Field(max_length=20)


class WidgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    price: Money


class WidgetOut(BaseModel):
    id: uuid.UUID
    name: str
    price: Money
    version: int


class Widgets(TenantRepository[Widget]):
    model = Widget


def out(w: Widget) -> WidgetOut:
    return WidgetOut(id=w.id, name=w.name, price=w.price, version=w.version)


router = APIRouter(prefix="/toy/v1")
Reader = Annotated[Principal, scopes("toy:read")]
Writer = Annotated[Principal, scopes("toy:write")]


@router.post("/widgets", status_code=201, response_model=WidgetOut)
async def create(body: WidgetIn, session: SessionDep, who: Writer, response: Response) -> WidgetOut:
    w = await Widgets(session, who.tenant or "").add(Widget(name=body.name, price=str(body.price)))
    await record_event(
        session,
        action="widget.created",
        resource_type="widget",
        resource_id=w.id,
        after=out(w).model_dump(mode="json"),
    )
    response.headers["Location"] = f"/toy/v1/widgets/{w.id}"
    set_etag(response, w.version)
    return out(w)


@router.get("/widgets", response_model=Page[WidgetOut])
async def list_(
    request: Request, response: Response, session: SessionDep, who: Reader, page: PageRequestDep
) -> Page[WidgetOut]:
    repo = Widgets(session, who.tenant or "")
    rows, nxt = await keyset_page(session, repo.select(), Widget.id, page)
    link_next(request, response, nxt)
    return Page[WidgetOut](items=[out(w) for w in rows], next_cursor=nxt)


@router.get("/widgets/{widget_id}", response_model=WidgetOut)
async def get(
    widget_id: uuid.UUID, session: SessionDep, who: Reader, response: Response
) -> WidgetOut:
    w = await Widgets(session, who.tenant or "").get(widget_id)
    if w is None:
        raise NotFound(f"no widget {widget_id}")
    set_etag(response, w.version)
    return out(w)


@router.patch("/widgets/{widget_id}", response_model=WidgetOut)
async def patch(
    widget_id: uuid.UUID,
    body: WidgetIn,
    request: Request,
    session: SessionDep,
    who: Writer,
    response: Response,
) -> WidgetOut:
    repo = Widgets(session, who.tenant or "")
    w = await repo.get(widget_id)
    if w is None:
        raise NotFound(f"no widget {widget_id}")
    require_if_match(request, w.version)
    before = out(w).model_dump(mode="json")
    w.name, w.price = body.name, str(body.price)
    await repo.touch(w)
    await record_event(
        session,
        action="widget.updated",
        resource_type="widget",
        resource_id=w.id,
        before=before,
        after=out(w).model_dump(mode="json"),
        sensitive=["price"],
    )
    set_etag(response, w.version)
    return out(w)


@router.post("/explode")
async def explode(session: SessionDep, who: Writer) -> dict:
    await Widgets(session, who.tenant or "").add(Widget(name="half", price="1.00"))
    raise RuntimeError("boom: this must roll back and not leak")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def toy_pg_url(make_postgres_database) -> str:
    return await make_postgres_database("toy")


@pytest.fixture(params=["sqlite", "postgresql"])
def toy_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'toy.db'}"
    return request.getfixturevalue("toy_pg_url")


@pytest_asyncio.fixture(loop_scope="session")
async def toy(toy_url: str, mint) -> AsyncIterator[httpx.AsyncClient]:
    url = toy_url
    settings = ServiceSettings(
        service="toy",
        database_url=url,
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
        await conn.run_sync(ToyBase.metadata.create_all)
    app = create_service_app(
        settings=settings,
        title="Toy",
        description="toy",
        routers=[router],
        area="toy",
        audit_scopes=("toy:read", "toy:sensitive"),
        database=db,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        yield client
    await db.dispose()
