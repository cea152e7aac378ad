"""What every service's HTTP interface promises beyond its routes, as a client (or schemathesis
`--checks all`) sees it on a small app built by `create_service_app`: every error it documents
is problem+json, a body that is not JSON is answered with where it breaks, a method a path does
not have is 405 with the path's methods in `Allow`, and dates and numbers in the query are
read strictly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from sop_shared.app import create_service_app
from sop_shared.db import Database
from sop_shared.errors import HeadersTooLarge, problem_response
from sop_shared.settings import ServiceSettings

PROBLEM = "application/problem+json"
THING = "01a252fd-4f6f-70fd-9901-fff9ac1d08eb"

router = APIRouter(prefix="/things/v1")


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int


@router.get("/things")
async def list_things(
    as_of: Annotated[date | None, Query(description="a day")] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ratio: float | None = None,
    amount: Decimal | None = None,
    days: Annotated[list[date] | None, Query()] = None,
    name: str | None = None,
) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "since": since.isoformat() if since else None,
        "limit": limit,
        "ratio": ratio,
        "amount": str(amount) if amount is not None else None,
        "days": [d.isoformat() for d in days or ()],
        "name": name,
    }


@router.post("/things", status_code=201)
async def create_thing(body: ThingIn) -> dict[str, Any]:
    return body.model_dump()


@router.post("/things/imports", status_code=202)
async def import_things(body: list[ThingIn]) -> dict[str, Any]:
    return {"count": len(body)}


@router.get("/things/{thing_id}")
async def get_thing(thing_id: uuid.UUID) -> dict[str, Any]:
    return {"id": str(thing_id)}


@router.patch("/things/{thing_id}")
async def patch_thing(thing_id: uuid.UUID, body: ThingIn) -> dict[str, Any]:
    return {"id": str(thing_id), **body.model_dump()}


@router.delete("/things/{thing_id}", status_code=204)
async def delete_thing(thing_id: uuid.UUID) -> None:
    return None


@pytest.fixture
def app(tmp_path, mint):
    settings = ServiceSettings(
        service="things",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'things.db'}",
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    return create_service_app(
        settings=settings,
        title="Things",
        description="things",
        routers=[router],
        database=Database(settings.database_url),
    )


@pytest_asyncio.fixture(loop_scope="session")
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://things") as c:
        yield c
    await app.state.kernel.database.dispose()


def errors_of(r: httpx.Response) -> dict[str, str]:
    assert r.headers["content-type"] == PROBLEM, r.text
    return {e["field"]: e["message"] for e in r.json()["errors"]}


# --- the document ----------------------------------------------------------------------------


def test_every_error_an_operation_documents_is_problem_json(app):
    spec = app.openapi()
    operations = [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]
    assert operations
    for method, path, op in operations:
        for status, response in op["responses"].items():
            if status[0] in "45":
                assert set(response["content"]) == {PROBLEM}, (method, path, status)
                schema = response["content"][PROBLEM]["schema"]
                assert schema == {"$ref": "#/components/schemas/ProblemDocument"}
    # FastAPI's own validation error shapes are gone: nothing answers with them.
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "ValidationError" not in spec["components"]["schemas"]


def test_operations_taking_parameters_or_a_body_document_422_and_bodies_400(app):
    paths = app.openapi()["paths"]
    listing = paths["/things/v1/things"]["get"]["responses"]
    assert listing["422"]["description"] == "Request is not valid"
    assert "400" not in listing
    for method, path in (
        ("post", "/things/v1/things"),
        ("post", "/things/v1/things/imports"),
        ("patch", "/things/v1/things/{thing_id}"),
    ):
        responses = paths[path][method]["responses"]
        assert {"400", "422"} <= set(responses), (method, path)
        assert set(responses["400"]["content"]) == {PROBLEM}


# --- bodies that are not JSON ----------------------------------------------------------------


async def test_malformed_json_is_422_saying_where_it_breaks(client):
    r = await client.post(
        "/things/v1/things",
        content=b'{"name": "a"  "size": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert errors_of(r) == {"body": "Expecting ',' delimiter: line 1 column 15"}
    assert "line 1 column 15" in r.json()["detail"]


async def test_malformed_json_on_a_later_line_names_that_line(client):
    r = await client.post(
        "/things/v1/things",
        content=b'{\n  "name": "a",\n  "size": 1,\n}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert errors_of(r) == {
        "body": "Expecting property name enclosed in double quotes: line 4 column 1"
    }


async def test_a_body_that_is_not_even_text_is_400_problem(client):
    r = await client.post(
        "/things/v1/things", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"] == "urn:sop:problem:bad-request"
    assert "JSON" in r.json()["detail"]


# --- methods a path does not have ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/things/v1/things", "GET, POST"),
        ("DELETE", "/things/v1/things", "GET, POST"),
        ("FROBNICATE", "/things/v1/things", "GET, POST"),
        ("HEAD", "/things/v1/things/imports", "POST"),
        ("PUT", f"/things/v1/things/{THING}", "DELETE, GET, PATCH"),
        # A path of its own beside a templated one: its methods, not the template's (GET
        # /things/imports is not "thing imports", an id that is not a UUID, 422).
        ("GET", "/things/v1/things/imports", "POST"),
        ("PATCH", "/things/v1/things/imports", "POST"),
        ("DELETE", "/things/v1/things/imports", "POST"),
    ],
)
async def test_a_method_the_path_lacks_is_405_with_its_methods_in_allow(
    client, method, path, allow
):
    r = await client.request(method, path)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    if method != "HEAD":
        assert r.headers["content-type"] == PROBLEM
        body = r.json()
        assert body["type"] == "urn:sop:problem:method-not-allowed"
        assert body["status"] == 405
        assert method in body["detail"]


async def test_the_methods_a_path_has_still_answer(client):
    assert (await client.post("/things/v1/things/imports", json=[])).status_code == 202
    thing = f"/things/v1/things/{THING}"
    assert (await client.get(thing)).status_code == 200
    assert (await client.delete(thing)).status_code == 204
    not_an_id = await client.get("/things/v1/things/not-an-id")
    assert not_an_id.status_code == 422
    assert "thing_id" in errors_of(not_an_id)
    assert (await client.get("/things/v1/nothing-here")).status_code == 404


# --- strict query dates and numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_of=-1.4e-45", "as_of"),
        ("as_of=1700000000", "as_of"),
        ("as_of=0", "as_of"),
        ("as_of=2026-1-5", "as_of"),
        ("as_of=20260105", "as_of"),
        ("since=1700000000", "since"),
        ("since=-1.5", "since"),
        ("limit=1.0", "limit"),
        ("limit=5.", "limit"),
        ("limit=1e1", "limit"),
        ("limit=%201", "limit"),
        ("limit=1_0", "limit"),
        ("ratio=nan", "ratio"),
        ("ratio=inf", "ratio"),
        ("ratio=-Infinity", "ratio"),
        ("ratio=1_000", "ratio"),
        ("amount=NaN", "amount"),
        ("amount=1_000.00", "amount"),
        ("days=2026-01-05&days=17", "days"),
    ],
)
async def test_a_query_date_or_number_in_another_form_is_422_naming_it(client, query, field):
    r = await client.get(f"/things/v1/things?{query}")
    assert r.status_code == 422, r.text
    assert field in errors_of(r)


async def test_query_dates_and_numbers_in_their_own_forms_are_read(client):
    r = await client.get(
        "/things/v1/things",
        params=[
            ("as_of", "2026-01-05"),
            ("since", "2026-01-05T09:30:00Z"),
            ("limit", "25"),
            ("ratio", "-0.5"),
            ("amount", "1234.50"),
            ("days", "2026-01-05"),
            ("days", "2026-02-05"),
            ("name", "1e3"),
        ],
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "as_of": "2026-01-05",
        "since": "2026-01-05T09:30:00+00:00",
        "limit": 25,
        "ratio": -0.5,
        "amount": "1234.50",
        "days": ["2026-01-05", "2026-02-05"],
        "name": "1e3",
    }
    # Limits still apply after the form is checked.
    assert "limit" in errors_of(await client.get("/things/v1/things?limit=0"))


# --- the problem type the gateway answers when headers are too large --------------------------


def test_headers_too_large_is_a_431_problem_type():
    problem = HeadersTooLarge("17 headers, at most 16")
    assert (problem.status, problem.type) == (431, "urn:sop:problem:headers-too-large")
    response = problem_response(431, "too many")
    assert response.status_code == 431
    assert b"urn:sop:problem:headers-too-large" in response.body


async def test_a_document_that_cannot_be_built_leaves_the_routes_serving(app):
    def broken() -> dict[str, Any]:
        raise RuntimeError("a schema pydantic cannot render")

    app.openapi = broken
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://things") as c:
        assert (await c.get("/things/v1/things?limit=5")).json()["limit"] == 5
        assert (await c.get(f"/things/v1/things/{THING}")).status_code == 200
    await app.state.kernel.database.dispose()
