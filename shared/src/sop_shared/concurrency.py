"""Optimistic concurrency: every resource has a `version`, responses carry it as an `ETag`, and
changes need a matching `If-Match` (428 without one, 412 when stale)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import declared_attr

from sop_shared.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def require_if_match(request: Request, current_version: int) -> None:
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired(
            "send If-Match with the ETag you last read, so a concurrent change is not overwritten"
        )
    candidates = [c.strip() for c in header.split(",")]
    if "*" in candidates:
        return
    if etag(current_version) not in [c.removeprefix("W/") for c in candidates]:
        raise PreconditionFailed(
            f"the resource has changed (current ETag {etag(current_version)}); read it again"
        )


class VersionedMixin:
    """Makes SQLAlchemy check and bump `version` on every UPDATE (lost updates become 412)."""

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
