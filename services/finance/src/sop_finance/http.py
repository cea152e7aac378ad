"""Response helpers every finance router uses: created resources, ETags, pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict

from sop_finance.canonical import Slice
from sop_shared.concurrency import set_etag
from sop_shared.pagination import Page, link_next

PREFIX = "/finance/v1"


class In(BaseModel):
    """A request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")

    def values(
        self,
        *,
        only_set: bool = False,
        drop_none: bool = False,
        exclude: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """Field values as Python objects (`model_dump` would turn money into strings).
        `only_set` keeps what the client sent (a PATCH); `drop_none` ignores explicit nulls for
        fields that cannot be cleared."""
        names = self.model_fields_set if only_set else type(self).model_fields
        values = {name: getattr(self, name) for name in names if name not in exclude}
        return {k: v for k, v in values.items() if v is not None} if drop_none else values


class Out(BaseModel):
    """A response body, built from a canonical object's attributes."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, obj: Any) -> Any:
        return cls.model_validate(obj, from_attributes=True)


def created(response: Response, path: str, version: int) -> None:
    response.headers["Location"] = f"{PREFIX}{path}"
    set_etag(response, version)


def page_of(
    request: Request, response: Response, found: Slice[Any], out: Callable[[Any], Any]
) -> Page[Any]:
    """The route's page body (its `response_model` names the item type) and `Link` header."""
    link_next(request, response, found.next_cursor)
    return Page[Any](items=[out(item) for item in found.items], next_cursor=found.next_cursor)
