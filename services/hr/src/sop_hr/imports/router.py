"""Import route: POST /hr/v1/employees/imports (a CSV file, as text/csv or multipart)."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from sop_hr.context import Writer
from sop_hr.imports import service
from sop_hr.imports.schemas import COLUMNS, ImportResult
from sop_hr.problems import ImportRejected, UnsupportedMediaType
from sop_shared.errors import problem_responses

router = APIRouter(prefix="/hr/v1", tags=["employees"])

_COLUMN_TABLE = "\n".join(f"| `{c}` | {d} |" for c, d in COLUMNS.items())


async def _csv_text(request: Request) -> str:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in ("text/csv", "application/csv", "text/plain"):
        raw = await request.body()
    elif media_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ImportRejected(
                "send the CSV as the form field `file`", errors=[("file", "missing")]
            )
        raw = await upload.read()
    else:
        raise UnsupportedMediaType(
            f"send the CSV as text/csv or multipart/form-data, not {media_type or 'nothing'}"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected("the file is not UTF-8 text", errors=[("file", "not UTF-8")]) from None


@router.post(
    "/employees/imports",
    response_model=ImportResult,
    summary="Import employees from CSV",
    description=(
        "Every row is checked with the rules of a single create (and employee numbers against "
        "each other and existing records). If any row is bad, nothing is written and the 422 "
        "problem lists every bad row's line and field (`invalid_rows`). Columns:\n\n"
        "| column | |\n|---|---|\n" + _COLUMN_TABLE
    ),
    responses=problem_responses(401, 403, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def import_employees(request: Request, hr: Writer) -> ImportResult:
    return await service.import_employees(hr, text=await _csv_text(request))
