"""Employee import: read the CSV, check every row with the same rules as a single create,
and write all of them, or none and a list of every bad row's line and field."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from sop_hr.context import HRContext
from sop_hr.employees import service as employees
from sop_hr.employees.schemas import EmployeeCreate
from sop_hr.imports.ports import Row
from sop_hr.imports.schemas import (
    BANK,
    COLUMNS,
    PAYROLL,
    REQUIRED,
    SENSITIVE_COLUMNS,
    TERMS,
    ImportedEmployee,
    ImportResult,
)
from sop_hr.org_units.ports import OrgUnit
from sop_hr.positions.ports import Position
from sop_hr.problems import ImportRejected, SensitiveFieldsNeedScope
from sop_hr.terms.service import References

# Where a field of EmployeeCreate came from in the CSV, for error messages.
_COLUMN_OF: dict[tuple[str, ...], str] = {
    ("terms", "org_unit_id"): "org_unit_code",
    ("terms", "position_id"): "position_code",
    **{("bank_details", field): column for column, field in BANK.items()},
}


def read_rows(text: str, max_rows: int) -> list[Row]:
    """The file's data rows with the line each starts on (the header is line 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportRejected("the file is empty", errors=[("line 1", "no header row")]) from None
    except csv.Error as exc:
        raise ImportRejected(f"not CSV: {exc}", errors=[("line 1", str(exc))]) from None
    problems = [(f"line 1: {h or '(blank)'}", "unknown column") for h in header if h not in COLUMNS]
    problems += [(f"line 1: {c}", "required column missing") for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    problems += [(f"line 1: {h}", "column appears twice") for h in duplicated]
    if problems:
        raise ImportRejected(
            "the header row is not usable; columns are: " + ", ".join(COLUMNS), errors=problems
        )
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num - sum(c.count("\n") for c in cells)
            if len(cells) != len(header):
                rows.append(
                    Row(line, {"__shape__": f"{len(cells)} cells, header has {len(header)}"})
                )
                continue
            rows.append(Row(line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
            if len(rows) > max_rows:
                raise ImportRejected(
                    f"at most {max_rows} rows per import", errors=[("file", "too many rows")]
                )
    except csv.Error as exc:
        raise ImportRejected(
            f"not CSV at line {reader.line_num}: {exc}",
            errors=[(f"line {reader.line_num}", str(exc))],
        ) from None
    if not rows:
        raise ImportRejected("the file has no data rows", errors=[("file", "no data rows")])
    return rows


def _payload(
    cells: dict[str, str], refs_by_code: Mapping[str, Mapping[str, OrgUnit | Position]]
) -> dict[str, Any]:
    """The row as an EmployeeCreate body (blank cells left out)."""
    given = {k: v for k, v in cells.items() if v != ""}
    body: dict[str, Any] = {
        k: v for k, v in given.items() if k not in PAYROLL and k not in BANK and k not in TERMS
    }
    payroll: dict[str, Any] = {k: v for k, v in given.items() if k in PAYROLL}
    if "student_loan_plans" in payroll:
        payroll["student_loan_plans"] = [
            p.strip().lower()
            for p in payroll["student_loan_plans"].replace(",", ";").split(";")
            if p.strip()
        ]
    if payroll:
        body["payroll"] = payroll
    if any(k in given for k in BANK):
        body["bank_details"] = {field: given.get(column) for column, field in BANK.items()}
    if any(k in given for k in TERMS):
        terms: dict[str, Any] = {
            k: given.get(k) for k in TERMS if k not in ("org_unit_code", "position_code")
        }
        unit = refs_by_code["org_units"].get(given.get("org_unit_code", ""))
        terms["org_unit_id"] = unit.id if unit else None
        if "position_code" in given:
            position = refs_by_code["positions"].get(given["position_code"])
            terms["position_id"] = position.id if position else None
        body["terms"] = terms
    return body


def _field(loc: Sequence[Any]) -> str:
    parts = tuple(str(p) for p in loc)
    if parts[:2] in _COLUMN_OF:
        return _COLUMN_OF[parts[:2]]
    if parts and parts[0] in ("payroll", "terms", "bank_details") and len(parts) > 1:
        return parts[1]
    return parts[0] if parts else "row"


def _message(err: Any) -> str:
    return str(err.get("msg", "invalid")).removeprefix("Value error, ")


async def import_employees(hr: HRContext, *, text: str) -> ImportResult:
    rows = read_rows(text, hr.settings.import_max_rows)
    sensitive = sorted({c for r in rows for c in SENSITIVE_COLUMNS if r.cells.get(c)})
    if sensitive and not hr.sees_sensitive:
        raise SensitiveFieldsNeedScope(
            f"the file sets {', '.join(sensitive)}, which needs the hr:sensitive scope",
            errors=[(c, "needs hr:sensitive") for c in sensitive],
        )

    unit_codes = {r.cells.get("org_unit_code", "") for r in rows} - {""}
    position_codes = {r.cells.get("position_code", "") for r in rows} - {""}
    units = await hr.backend.org_units.find_by_codes(hr.tenant, unit_codes)
    positions = await hr.backend.positions.find_by_codes(hr.tenant, position_codes)
    refs_by_code: dict[str, Mapping[str, OrgUnit | Position]] = {
        "org_units": units,
        "positions": positions,
    }
    refs = References(hr)
    refs.know(units.values(), positions.values())

    errors: dict[int, list[tuple[str, str]]] = {}
    valid: list[tuple[int, EmployeeCreate]] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        found: list[tuple[str, str]] = []
        if "__shape__" in row.cells:
            errors[row.line] = [("row", row.cells["__shape__"])]
            continue
        for code_column, kind in (("org_unit_code", "org_units"), ("position_code", "positions")):
            code = row.cells.get(code_column, "")
            if code and code not in refs_by_code[kind]:
                found.append((code_column, f"no {kind[:-1].replace('_', ' ')} with code {code}"))
        if any(row.cells.get(c) for c in TERMS) and not row.cells.get("org_unit_code"):
            found.append(("org_unit_code", "required with the other terms columns"))
        number = row.cells.get("employee_number", "")
        if number in first_line_of:
            found.append(("employee_number", f"also on line {first_line_of[number]}"))
        elif number:
            first_line_of[number] = row.line
        try:
            data = EmployeeCreate.model_validate(_payload(row.cells, refs_by_code))
        except ValidationError as exc:
            reported = {f for f, _ in found}
            found += [
                (_field(e["loc"]), _message(e))
                for e in exc.errors()
                if _field(e["loc"]) not in reported  # an unknown code already says why
            ]
        else:
            found += await employees.new_employee_errors(hr, data, refs)
            valid.append((row.line, data))
        if found:
            errors[row.line] = found

    in_use = await hr.backend.employees.numbers_in_use(hr.tenant, list(first_line_of))
    for row in rows:
        number = row.cells.get("employee_number", "")
        if number in in_use and first_line_of.get(number) == row.line:
            errors.setdefault(row.line, []).append(("employee_number", "already in use"))

    if errors:
        bad = sorted(errors)
        raise ImportRejected(
            f"{len(bad)} of {len(rows)} rows are not valid (lines {', '.join(map(str, bad[:20]))}"
            f"{'...' if len(bad) > 20 else ''}); nothing was imported",
            errors=[(f"line {line}: {f}", m) for line in bad for f, m in errors[line]],
            invalid_rows=[
                {"line": line, "errors": [{"field": f, "message": m} for f, m in errors[line]]}
                for line in bad
            ],
        )

    imported = []
    for line, data in valid:
        created = await employees.store_new(hr, data)
        imported.append(
            ImportedEmployee(
                line=line,
                id=created.employee.id,
                employee_number=created.employee.employee_number,
            )
        )
    return ImportResult(imported=len(imported), employees=imported)
