"""The HCM resources the simulator serves, with the rules Oracle applies when they change."""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sop_oracle_like.codec import OPEN_END, parse_date
from sop_oracle_like.errors import OracleError
from sop_oracle_like.model import Action, Attr, Finder, Reference, Resource, Row
from sop_oracle_like.service import (
    Context,
    digits,
    resolve_references,
    split_row,
)
from sop_oracle_like.storage import (
    PARENT,
    PERSON_NUMBER_SEQUENCE,
    PERSON_NUMBER_START,
    ROWID,
    VERSION,
)

ASSIGNMENTS = "workers.workRelationships.assignments"
RELATIONSHIPS = "workers.workRelationships"
FLAGS = ("Y", "N")


def stable_id(name: str, base: int = 300_100_000_000_000) -> int:
    """A 15-digit id derived from a name, for setup data the simulator does not store."""
    return base + zlib.crc32(name.encode()) % 1_000_000_000


def _bad(detail: str, code: str, path: str | None = None) -> OracleError:
    return OracleError(400, detail, code=code, path=path)


async def ensure_unique(
    ctx: Context, res: Resource, row: Row, attr: str, code: str, *, within: str | None = None
) -> None:
    """`attr` names one record; with `within`, one per value of that attribute (Oracle keeps
    department names unique per reference data set, position codes per business unit)."""
    value = row.get(attr)
    if value is None:
        return
    conditions = [ctx.column(res, attr) == value, ctx.column(res, res.id_attr) != row[res.id_attr]]
    if within is not None:
        conditions.append(ctx.column(res, within) == row.get(within))
    clash = await ctx.find(res, *conditions)
    if clash:
        scope = f" in {within} {row.get(within)}" if within is not None else ""
        raise _bad(
            f"The {attr} {value} is already used by another {res.title}{scope}.", code, f"/{attr}"
        )


async def worker_of(ctx: Context, person_id: Any = None, person_number: Any = None) -> Row | None:
    workers = ctx.resource("workers")
    if person_id is not None:
        rows = await ctx.find(workers, ctx.column(workers, "PersonId") == person_id)
    elif person_number is not None:
        rows = await ctx.find(workers, ctx.column(workers, "PersonNumber") == str(person_number))
    else:
        return None
    return rows[0] if rows else None


async def primary_assignment(ctx: Context, person_id: int, on: date) -> tuple[Row, Row] | None:
    """The primary assignment in force on a date and its work relationship."""
    relationships = ctx.resource(RELATIONSHIPS)
    assignments = ctx.resource(ASSIGNMENTS)
    for rel in await ctx.find(relationships, parent_id=person_id):
        rows = await ctx.find(assignments, parent_id=rel["PeriodOfServiceId"], as_of=on)
        rows.sort(key=lambda r: not r.get("PrimaryAssignmentFlag"))
        if rows:
            return rows[0], rel
    return None


# --- workers and person details -----------------------------------------------------------


async def _worker_before_create(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    if not row.get("PersonNumber"):
        row["PersonNumber"] = str(
            await ctx.store.next_value(ctx.conn, PERSON_NUMBER_SEQUENCE, PERSON_NUMBER_START)
        )
    await ensure_unique(ctx, res, row, "PersonNumber", "PER-1530002")
    _check_birth(ctx, row)


async def _worker_before_update(ctx: Context, _res: Resource, _old: Row, new: Row) -> None:
    _check_birth(ctx, new)


def _check_birth(ctx: Context, row: Row) -> None:
    born = row.get("DateOfBirth")
    if born is not None and born > ctx.today:
        raise _bad("The date of birth can't be in the future.", "PER-1530011", "/DateOfBirth")


def _hire_date(payload: dict[str, Any]) -> date | None:
    starts = []
    for rel in payload.get("workRelationships") or []:
        if isinstance(rel, dict) and isinstance(rel.get("StartDate"), str):
            try:
                starts.append(parse_date(rel["StartDate"]))
            except ValueError:
                continue
    return min(starts) if starts else None


async def _name_derive(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    first, last = row.get("FirstName"), row.get("LastName")
    known = row.get("KnownAs") or first
    row["DisplayName"] = " ".join(p for p in (known, last) if p)
    row["FullName"] = row["ListName"] = row["OrderName"] = ", ".join(p for p in (last, first) if p)
    if _parent is not None:
        clash = await ctx.find(
            res,
            ctx.column(res, "LegislationCode") == row.get("LegislationCode"),
            ctx.column(res, res.id_attr) != row[res.id_attr],
            parent_id=row[PARENT],
        )
        if clash:
            raise _bad(
                "The worker already has a name for this legislation; update it instead.",
                "PER-1530003",
                "/LegislationCode",
            )


async def _name_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _name_derive(ctx, res, new, None)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def _email_check(ctx: Context, _res: Resource, row: Row, _parent: Row | None) -> None:
    if row.get("EmailAddress") and not _EMAIL.match(row["EmailAddress"]):
        raise _bad("The email address isn't valid.", "PER-1530005", "/EmailAddress")
    if row.get("FromDate") is None:
        row["FromDate"] = ctx.default_start or ctx.today


async def _email_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _email_check(ctx, res, new, None)


_NINO = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


async def _national_id_check(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    number = row.get("NationalIdentifierNumber")
    if number and row.get("LegislationCode") == "GB" and row.get("NationalIdentifierType") == "NIN":
        number = re.sub(r"\s", "", number).upper()
        if not _NINO.match(number):
            raise _bad(
                "The National Insurance number isn't valid.",
                "PER-1530010",
                "/NationalIdentifierNumber",
            )
        row["NationalIdentifierNumber"] = number
    clash = await ctx.find(
        res,
        ctx.column(res, "NationalIdentifierType") == row.get("NationalIdentifierType"),
        ctx.column(res, "LegislationCode") == row.get("LegislationCode"),
        ctx.column(res, res.id_attr) != row[res.id_attr],
        parent_id=row[PARENT],
    )
    if clash:
        raise _bad(
            "The worker already has a national identifier of this type.",
            "PER-1530012",
            "/NationalIdentifierType",
        )


async def _national_id_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _national_id_check(ctx, res, new, None)


# --- work relationships and assignments ----------------------------------------------------


async def _relationship_before_create(
    ctx: Context, _res: Resource, row: Row, _parent: Row | None
) -> None:
    row["LegalEmployerName"] = row.get("LegalEmployerName") or ctx.settings.legal_employer_name
    row["LegalEntityId"] = row.get("LegalEntityId") or stable_id(row["LegalEmployerName"])
    if row.get("StartDate") is None:
        row["StartDate"] = ctx.effective_of.start or ctx.today


async def _relationship_after_create(ctx: Context, _res: Resource, row: Row) -> None:
    # Oracle creates the payroll relationship itself when an employee is hired.
    if row.get("WorkerType") != "E":
        return
    payroll = ctx.resource("payrollRelationships")
    existing = await ctx.find(payroll, ctx.column(payroll, "PersonId") == row[PARENT])
    if existing:
        return
    worker = await worker_of(ctx, person_id=row[PARENT])
    assert worker is not None
    await ctx.store.insert(
        ctx.conn,
        payroll,
        {
            "PayrollRelationshipId": await ctx.next_id(),
            "PayrollRelationshipNumber": worker["PersonNumber"],
            "PersonId": worker["PersonId"],
            "PersonNumber": worker["PersonNumber"],
            "LegislativeDataGroupName": ctx.settings.legislative_data_group,
            "LegislativeDataGroupId": stable_id(ctx.settings.legislative_data_group),
            "RelationshipTypeCode": "STANDARD",
            "PayrollStatutoryUnitName": row["LegalEmployerName"],
            "StartDate": row["StartDate"],
            "EndDate": OPEN_END,
            "CreatedBy": ctx.user,
            "CreationDate": ctx.now,
            "LastUpdatedBy": ctx.user,
            "LastUpdateDate": ctx.now,
            VERSION: 1,
        },
    )


_HOURS_IN = {"D": 24, "W": 168, "M": 744, "Y": 8784}
_STATUS_TYPES = {
    "ACTIVE_PROCESS": "ACTIVE",
    "ACTIVE_NO_PROCESS": "ACTIVE",
    "SUSPEND_PROCESS": "SUSPENDED",
    "SUSPEND_NO_PROCESS": "SUSPENDED",
    "INACTIVE_PROCESS": "INACTIVE",
    "INACTIVE_NO_PROCESS": "INACTIVE",
}


def _check_hours(row: Row) -> None:
    hours, frequency = row.get("NormalHours"), row.get("Frequency") or "W"
    if hours is not None and not (Decimal(0) < hours <= _HOURS_IN.get(frequency, 168)):
        raise _bad(
            f"The normal hours {hours} aren't valid for the frequency {frequency}.",
            "PER-1530021",
            "/NormalHours",
        )


async def _assignment_before_create(ctx: Context, res: Resource, row: Row, rel: Row | None) -> None:
    assert rel is not None
    if row["EffectiveStartDate"] < rel["StartDate"]:
        raise _bad(
            "The assignment can't start before its work relationship.",
            "PER-1530022",
            "/EffectiveStartDate",
        )
    if rel.get("TerminationDate") is not None:
        raise _bad("The work relationship is terminated.", "PER-1530031")
    worker = await worker_of(ctx, person_id=rel[PARENT])
    assert worker is not None
    siblings = await ctx.find(res, parent_id=rel["PeriodOfServiceId"])
    first = not siblings
    row["ActionCode"] = row.get("ActionCode") or ("HIRE" if first else "ADD_ASSIGNMENT")
    if row.get("PrimaryAssignmentFlag") is None:
        row["PrimaryAssignmentFlag"] = first
    if not row.get("AssignmentNumber"):
        number = f"E{worker['PersonNumber']}"
        taken = await ctx.find(res, ctx.column(res, "AssignmentNumber").like(f"{number}%"))
        row["AssignmentNumber"] = number if not taken else f"{number}-{len(taken) + 1}"
    await ensure_unique(ctx, res, row, "AssignmentNumber", "PER-1530023")
    row["BusinessUnitName"] = row.get("BusinessUnitName") or ctx.settings.business_unit_name
    row["BusinessUnitId"] = row.get("BusinessUnitId") or stable_id(row["BusinessUnitName"])
    worker_type = rel.get("WorkerType") or "E"
    row["SystemPersonType"] = {"E": "EMP", "C": "CWK", "N": "NONW", "P": "PWK"}[worker_type]
    row["UserPersonType"] = {
        "E": "Employee",
        "C": "Contingent Worker",
        "N": "Nonworker",
        "P": "Pending Worker",
    }[worker_type]
    row["AssignmentType"] = worker_type
    await _assignment_derive(ctx, res, row)


async def _assignment_derive(ctx: Context, res: Resource, row: Row) -> None:
    _check_hours(row)
    row["AssignmentStatusType"] = _STATUS_TYPES.get(row.get("AssignmentStatusTypeCode") or "")
    await resolve_references(ctx, res, row, row["EffectiveStartDate"])
    if not row.get("AssignmentName") and row.get("JobId"):
        jobs = ctx.resource("jobs")
        found = await ctx.find(jobs, ctx.column(jobs, "JobId") == row["JobId"])
        if found:
            row["AssignmentName"] = found[0]["Name"]


async def _assignment_before_update(ctx: Context, res: Resource, old: Row, new: Row) -> None:
    if new["EffectiveStartDate"] != old["EffectiveStartDate"] and new.get("ActionCode") == old.get(
        "ActionCode"
    ):
        new["ActionCode"] = "ASG_CHANGE"
    await _assignment_derive(ctx, res, new)


async def _assignment_after_create(ctx: Context, _res: Resource, row: Row) -> None:
    relationships = ctx.resource(RELATIONSHIPS)
    rel = (
        await ctx.find(relationships, ctx.column(relationships, "PeriodOfServiceId") == row[PARENT])
    )[0]
    payroll = ctx.resource("payrollRelationships")
    found = await ctx.find(payroll, ctx.column(payroll, "PersonId") == rel[PARENT])
    if not found:
        return
    payroll_assignments = ctx.resource("payrollRelationships.payrollAssignments")
    await ctx.store.insert(
        ctx.conn,
        payroll_assignments,
        {
            "PayrollAssignmentId": await ctx.next_id(),
            "AssignmentId": row["AssignmentId"],
            "AssignmentNumber": row["AssignmentNumber"],
            "StartDate": row["EffectiveStartDate"],
            "EndDate": OPEN_END,
            "CreatedBy": ctx.user,
            "CreationDate": ctx.now,
            "LastUpdatedBy": ctx.user,
            "LastUpdateDate": ctx.now,
            PARENT: found[0]["PayrollRelationshipId"],
            VERSION: 1,
        },
    )


def _param(params: dict[str, Any], name: str, default: Any = None) -> Any:
    for key, value in params.items():
        if key.lower() == name.lower():
            return value
    return default


def _date_param(params: dict[str, Any], name: str, *, required: bool) -> date | None:
    raw = _param(params, name)
    if raw is None:
        if required:
            raise _bad(f"The action parameter {name} is required.", "27030", f"/{name}")
        return None
    try:
        return parse_date(str(raw))
    except ValueError as exc:
        raise _bad(f"The action parameter {name} isn't a date.", "27030", f"/{name}") from exc


async def _inactivate_assignment(
    ctx: Context, res: Resource, ident: int, on: date, action_code: str, reason: Any
) -> None:
    """From `on`, the assignment is inactive: later changes are removed, a new row starts."""
    table = ctx.store.table(res)
    later = await ctx.find(res, table.c.AssignmentId == ident, table.c.EffectiveStartDate >= on)
    in_force = await ctx.find(res, table.c.AssignmentId == ident, as_of=on - timedelta(days=1))
    if not in_force:
        return
    await ctx.store.delete_rows(ctx.conn, res, [r[ROWID] for r in later])
    current = in_force[0]
    await ctx.store.update(ctx.conn, res, current[ROWID], {"EffectiveEndDate": OPEN_END})
    current["EffectiveEndDate"] = OPEN_END
    changes = {
        "AssignmentStatusTypeCode": "INACTIVE_PROCESS",
        "ActionCode": action_code,
        "ReasonCode": reason,
    }
    await split_row(ctx, res, current, changes, on, None, False)


async def _terminate(ctx: Context, res: Resource, rel: Row, params: dict[str, Any]) -> Any:
    if rel.get("TerminationDate") is not None:
        raise _bad(
            "The work relationship is already terminated; reverse the termination first.",
            "PER-1530030",
        )
    when = _date_param(params, "TerminationDate", required=True)
    assert when is not None
    if when < rel["StartDate"]:
        raise _bad(
            "The termination date can't be before the start date.",
            "PER-1530032",
            "/TerminationDate",
        )
    action_code = _param(params, "ActionCode", "TERMINATION")
    reason = _param(params, "ReasonCode")
    assignments = ctx.resource(ASSIGNMENTS)
    idents = {
        r["AssignmentId"] for r in await ctx.find(assignments, parent_id=rel["PeriodOfServiceId"])
    }
    for ident in sorted(idents):
        await _inactivate_assignment(
            ctx, assignments, ident, when + timedelta(days=1), action_code, reason
        )
    changes = {
        "TerminationDate": when,
        "LastWorkingDate": _date_param(params, "LastWorkingDate", required=False) or when,
        "NotificationDate": _date_param(params, "NotificationDate", required=False),
        "ActionCode": action_code,
        "ReasonCode": reason,
        "RecommendedForRehire": _param(params, "RecommendedForRehire"),
        VERSION: rel[VERSION] + 1,
        "LastUpdatedBy": ctx.user,
        "LastUpdateDate": ctx.now,
    }
    await ctx.store.update(ctx.conn, res, rel[ROWID], changes)
    payroll = ctx.resource("payrollRelationships")
    for pr in await ctx.find(payroll, ctx.column(payroll, "PersonId") == rel[PARENT]):
        await ctx.store.update(ctx.conn, payroll, pr[ROWID], {"EndDate": when})
    return "SUCCESS"


async def _reverse_termination(
    ctx: Context, res: Resource, rel: Row, params: dict[str, Any]
) -> Any:
    when = rel.get("TerminationDate")
    if when is None:
        raise _bad("The work relationship isn't terminated.", "PER-1530033")
    assignments = ctx.resource(ASSIGNMENTS)
    table = ctx.store.table(assignments)
    start = when + timedelta(days=1)
    for row in await ctx.find(
        assignments, table.c.EffectiveStartDate == start, parent_id=rel["PeriodOfServiceId"]
    ):
        if row.get("AssignmentStatusType") != "INACTIVE":
            continue
        await ctx.store.delete_rows(ctx.conn, assignments, [row[ROWID]])
        before = await ctx.find(
            assignments,
            table.c.AssignmentId == row["AssignmentId"],
            table.c.EffectiveEndDate == when,
        )
        for prior in before:
            await ctx.store.update(
                ctx.conn, assignments, prior[ROWID], {"EffectiveEndDate": row["EffectiveEndDate"]}
            )
    await ctx.store.update(
        ctx.conn,
        res,
        rel[ROWID],
        {
            "TerminationDate": None,
            "LastWorkingDate": None,
            "NotificationDate": None,
            "ActionCode": None,
            "ReasonCode": _param(params, "ReasonCode"),
            VERSION: rel[VERSION] + 1,
            "LastUpdatedBy": ctx.user,
            "LastUpdateDate": ctx.now,
        },
    )
    payroll = ctx.resource("payrollRelationships")
    for pr in await ctx.find(payroll, ctx.column(payroll, "PersonId") == rel[PARENT]):
        await ctx.store.update(ctx.conn, payroll, pr[ROWID], {"EndDate": OPEN_END})
    return "SUCCESS"


async def _end_assignment(ctx: Context, res: Resource, row: Row, params: dict[str, Any]) -> Any:
    when = _date_param(params, "EffectiveDate", required=True)
    assert when is not None
    others = [
        r
        for r in await ctx.find(res, parent_id=row[PARENT], as_of=when)
        if r["AssignmentId"] != row["AssignmentId"] and r.get("AssignmentStatusType") == "ACTIVE"
    ]
    if not others:
        raise _bad(
            "You can't end the only active assignment; terminate the work relationship instead.",
            "PER-1530024",
        )
    await _inactivate_assignment(
        ctx,
        res,
        row["AssignmentId"],
        when + timedelta(days=1),
        _param(params, "ActionCode", "END_ASSIGNMENT"),
        _param(params, "ReasonCode"),
    )
    return "SUCCESS"


async def _work_measure_check(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    value = row.get("Value")
    if row.get("Unit") == "FTE" and value is not None and not (Decimal(0) < value <= Decimal(1)):
        raise _bad("The FTE must be greater than 0 and at most 1.", "PER-1530025", "/Value")
    if _parent is not None:
        clash = await ctx.find(
            res,
            ctx.column(res, "Unit") == row.get("Unit"),
            ctx.column(res, res.id_attr) != row[res.id_attr],
            parent_id=row[PARENT],
        )
        if clash:
            raise _bad(
                "The assignment already has a work measure for this unit.", "PER-1530026", "/Unit"
            )


async def _work_measure_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _work_measure_check(ctx, res, new, None)


# --- organisation: departments, jobs, positions, locations ---------------------------------


def _unique_code(attr: str, code: str, within: str | None = None) -> Any:
    async def before_create(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
        await ensure_unique(ctx, res, row, attr, code, within=within)

    return before_create


def _unique_code_update(attr: str, code: str, within: str | None = None) -> Any:
    async def before_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
        await ensure_unique(ctx, res, new, attr, code, within=within)

    return before_update


async def _department_check(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    await ensure_unique(ctx, res, row, "Name", "PER-1530041", within="SetCode")
    await resolve_references(ctx, res, row, row["EffectiveStartDate"])
    seen = {row["OrganizationId"]}
    parent_id = row.get("ParentOrganizationId")
    while parent_id is not None:
        if parent_id in seen:
            raise _bad(
                "A department can't be its own parent, directly or indirectly.",
                "PER-1530042",
                "/ParentOrganizationId",
            )
        seen.add(parent_id)
        parents = await ctx.find(res, ctx.column(res, "OrganizationId") == parent_id)
        parent_id = parents[0].get("ParentOrganizationId") if parents else None


async def _department_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _department_check(ctx, res, new, None)


# --- absences -----------------------------------------------------------------------------

_OPEN_STATUSES = ("ORA_WITHDRAWN", "DENIED")


def _display_status(row: Row, today: date) -> str:
    if row.get("absenceStatusCd") == "ORA_WITHDRAWN":
        return "Withdrawn"
    if row.get("absenceStatusCd") == "SAVED":
        return "Saved"
    approval = row.get("approvalStatusCd")
    if approval == "DENIED":
        return "Denied"
    if approval == "APPROVED":
        end = row.get("endDate")
        return "Completed" if end is not None and end < today else "Scheduled"
    return "Awaiting approval"


def _duration(row: Row) -> Decimal | None:
    start, end = row.get("startDate"), row.get("endDate")
    if start is None or end is None:
        return None
    days = Decimal((end - start).days + 1)
    first = row.get("startDateDuration")
    last = row.get("endDateDuration")
    if start == end:
        return first if first is not None else days
    if first is not None:
        days -= 1 - first
    if last is not None:
        days -= 1 - last
    return days


async def _absence_check(ctx: Context, res: Resource, row: Row) -> None:
    start, end = row.get("startDate"), row.get("endDate")
    if start is None:
        raise _bad("The attribute startDate of absences is required.", "27011", "/startDate")
    if end is None and not row.get("openEndedFlag"):
        raise _bad(
            "The absence needs an end date unless it is open-ended.", "ANC-1530004", "/endDate"
        )
    if start is not None and end is not None and end < start:
        raise _bad("The end date is before the start date.", "ANC-1530001", "/endDate")
    types = ctx.settings.absence_type_list
    if row.get("absenceType") not in types:
        raise _bad(
            f"The absence type {row.get('absenceType')!r} isn't valid; valid types are "
            f"{', '.join(types)}.",
            "ANC-1530002",
            "/absenceType",
        )
    row["absenceTypeId"] = stable_id(row["absenceType"])
    if (
        row.get("absenceStatusCd") != "ORA_WITHDRAWN"
        and row.get("approvalStatusCd") not in _OPEN_STATUSES
    ):
        table = ctx.store.table(res)
        clash = await ctx.find(
            res,
            table.c.personId == row["personId"],
            table.c.personAbsenceEntryId != row["personAbsenceEntryId"],
            table.c.absenceStatusCd != "ORA_WITHDRAWN",
            table.c.approvalStatusCd.not_in(_OPEN_STATUSES),
            table.c.startDate <= (end or OPEN_END),
            (table.c.endDate.is_(None)) | (table.c.endDate >= start),
        )
        if clash:
            raise _bad(
                "The absence overlaps another absence of this person.", "ANC-1530003", "/startDate"
            )
    row["duration"] = row.get("duration") if row.get("duration") is not None else _duration(row)
    row["singleDayFlag"] = start is not None and start == end
    row["absenceDispStatus"] = _display_status(row, ctx.today)


async def _absence_before_create(
    ctx: Context, res: Resource, row: Row, _parent: Row | None
) -> None:
    worker = await worker_of(ctx, row.get("personId"), row.get("personNumber"))
    if worker is None:
        raise _bad("The person doesn't exist.", "ANC-1530010", "/personNumber")
    row["personId"], row["personNumber"] = worker["PersonId"], worker["PersonNumber"]
    row["absenceStatusCd"] = row.get("absenceStatusCd") or "SUBMITTED"
    if row["absenceStatusCd"] == "SUBMITTED":
        row["approvalStatusCd"] = row.get("approvalStatusCd") or "AWAITING"
        row["submittedDate"] = ctx.today
    primary = await primary_assignment(ctx, worker["PersonId"], row.get("startDate") or ctx.today)
    if primary is not None:
        assignment, rel = primary
        row["assignmentId"] = assignment["AssignmentId"]
        row["assignmentNumber"] = assignment["AssignmentNumber"]
        row["periodOfServiceId"] = rel["PeriodOfServiceId"]
        row["employer"] = row.get("employer") or rel["LegalEmployerName"]
        row["legalEntityId"] = rel["LegalEntityId"]
    row["legislationCode"] = "GB"
    await _absence_check(ctx, res, row)


async def _absence_before_update(ctx: Context, res: Resource, old: Row, new: Row) -> None:
    if old.get("absenceStatusCd") == "ORA_WITHDRAWN":
        raise _bad("A withdrawn absence can't be changed.", "ANC-1530005")
    changed = any(old.get(k) != new.get(k) for k in ("startDate", "endDate", "absenceType"))
    if changed:
        new["duration"] = None
        # Changing an approved absence sends it back for approval.
        if new.get("approvalStatusCd") == "APPROVED":
            new["approvalStatusCd"] = "AWAITING"
    await _absence_check(ctx, res, new)


def _absence_transition(target: str, allowed_from: tuple[str, ...], withdraw: bool = False) -> Any:
    async def handler(ctx: Context, res: Resource, row: Row, params: dict[str, Any]) -> Any:
        if row.get("absenceStatusCd") == "ORA_WITHDRAWN" or (
            not withdraw and row.get("approvalStatusCd") not in allowed_from
        ):
            raise _bad(
                f"The absence can't move from {row.get('approvalStatusCd')} to {target}.",
                "ANC-1530006",
            )
        changes: Row = {"approvalStatusCd": target}
        if withdraw:
            changes["absenceStatusCd"] = "ORA_WITHDRAWN"
        comments = _param(params, "comments")
        if comments is not None:
            changes["comments"] = str(comments)
        new = {**row, **changes}
        new["absenceDispStatus"] = _display_status(new, ctx.today)
        changes["absenceDispStatus"] = new["absenceDispStatus"]
        changes.update(
            {VERSION: row[VERSION] + 1, "lastUpdatedBy": ctx.user, "lastUpdateDate": ctx.now}
        )
        await ctx.store.update(ctx.conn, res, row[ROWID], changes)
        return target

    return handler


def _check_entitlement(row: Row) -> None:
    days = row.get("EntitlementDays")
    if days is not None and not (Decimal(0) <= days <= Decimal(366)):
        raise _bad(
            "The entitlement must be between 0 and 366 days.", "ANC-1530021", "/EntitlementDays"
        )


async def _absence_type_create(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    _check_entitlement(row)
    await ensure_unique(ctx, res, row, "AbsenceTypeCode", "ANC-1530020", within="SetCode")


async def _absence_type_update(_ctx: Context, _res: Resource, _old: Row, new: Row) -> None:
    _check_entitlement(new)


# --- pay: salaries, payroll relationships, element entries, payment methods, bank accounts --

_ANNUAL_FACTOR = {"ANNUAL": Decimal(1), "MONTHLY": Decimal(12), "WEEKLY": Decimal(52)}


async def _salary_derive(ctx: Context, res: Resource, row: Row) -> None:
    await resolve_references(ctx, res, row, row.get("DateFrom") or ctx.today)
    assignments = ctx.resource(ASSIGNMENTS)
    found = await ctx.find(
        assignments,
        ctx.column(assignments, "AssignmentId") == row["AssignmentId"],
        as_of=row["DateFrom"],
    )
    if not found:
        raise _bad(
            "The assignment isn't in force on the salary start date.", "CMP-1530002", "/DateFrom"
        )
    assignment = found[0]
    relationships = ctx.resource(RELATIONSHIPS)
    rel = await ctx.find(
        relationships, ctx.column(relationships, "PeriodOfServiceId") == assignment[PARENT]
    )
    worker = await worker_of(ctx, person_id=rel[0][PARENT])
    assert worker is not None
    row["PersonId"], row["PersonNumber"] = worker["PersonId"], worker["PersonNumber"]
    amount = row.get("SalaryAmount")
    frequency = row.get("SalaryFrequencyCode") or "ANNUAL"
    if amount is not None and amount < 0:
        raise _bad("The salary amount can't be negative.", "CMP-1530003", "/SalaryAmount")
    if amount is None:
        row["AnnualSalary"] = None
    elif frequency == "HOURLY":
        hours = (
            assignment.get("NormalHours")
            or assignment.get("StandardWorkingHours")
            or Decimal("37.5")
        )
        row["AnnualSalary"] = (amount * hours * 52).quantize(Decimal("0.01"))
    else:
        row["AnnualSalary"] = (amount * _ANNUAL_FACTOR[frequency]).quantize(Decimal("0.01"))
    if row.get("DateTo") is not None and row["DateTo"] < row["DateFrom"]:
        raise _bad("The salary end date is before its start date.", "CMP-1530004", "/DateTo")


async def _salary_before_create(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    if row.get("DateFrom") is None:
        row["DateFrom"] = ctx.effective_of.start or ctx.today
    await _salary_derive(ctx, res, row)
    table = ctx.store.table(res)
    later = await ctx.find(
        res, table.c.AssignmentId == row["AssignmentId"], table.c.DateFrom >= row["DateFrom"]
    )
    if later:
        raise _bad(
            "A salary already starts on or after this date; correct that salary instead.",
            "CMP-1530001",
            "/DateFrom",
        )
    # Oracle ends the salary in force the day before the new one starts.
    current = await ctx.find(
        res,
        table.c.AssignmentId == row["AssignmentId"],
        table.c.DateFrom < row["DateFrom"],
        table.c.DateTo >= row["DateFrom"],
    )
    for prior in current:
        await ctx.store.update(
            ctx.conn,
            res,
            prior[ROWID],
            {"DateTo": row["DateFrom"] - timedelta(days=1), VERSION: prior[VERSION] + 1},
        )
    row["DateTo"] = row.get("DateTo") or OPEN_END


async def _salary_before_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _salary_derive(ctx, res, new)


async def _resolve_person(ctx: Context, row: Row, path: str) -> Row:
    worker = await worker_of(ctx, row.get("PersonId"), row.get("PersonNumber"))
    if worker is None:
        raise _bad("The person doesn't exist.", "PAY-1530001", path)
    row["PersonId"], row["PersonNumber"] = worker["PersonId"], worker["PersonNumber"]
    return worker


async def _element_entry_before_create(
    ctx: Context, res: Resource, row: Row, _parent: Row | None
) -> None:
    worker = await _resolve_person(ctx, row, "/PersonNumber")
    await resolve_references(ctx, res, row, row["EffectiveStartDate"])
    if row.get("AssignmentId") is None:
        primary = await primary_assignment(ctx, worker["PersonId"], row["EffectiveStartDate"])
        if primary is None:
            raise _bad("The person has no assignment on this date.", "PAY-1530002", "/AssignmentId")
        row["AssignmentId"] = primary[0]["AssignmentId"]
        row["AssignmentNumber"] = primary[0]["AssignmentNumber"]


async def _payment_method_check(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    await resolve_references(ctx, res, row, row.get("EffectiveStartDate") or ctx.today)
    payroll = ctx.resource("payrollRelationships")
    rel = await ctx.find(
        payroll, ctx.column(payroll, "PayrollRelationshipId") == row["PayrollRelationshipId"]
    )
    row["PersonId"], row["PersonNumber"] = rel[0]["PersonId"], rel[0]["PersonNumber"]
    kind = row.get("PaymentAmountType")
    if kind == "P":
        pct = row.get("Percentage")
        if pct is None or not (Decimal(0) < pct <= Decimal(100)):
            raise _bad(
                "The percentage must be more than 0 and at most 100.", "PAY-1530010", "/Percentage"
            )
    elif kind == "M" and (row.get("Amount") is None or row["Amount"] <= 0):
        raise _bad("The amount must be more than 0.", "PAY-1530011", "/Amount")
    if row.get("OrganizationPaymentMethodName") != "Cheque" and row.get("BankAccountId") is None:
        raise _bad("The payment method needs a bank account.", "PAY-1530012", "/BankAccountId")


async def _payment_method_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _payment_method_check(ctx, res, new, None)


async def _bank_account_check(ctx: Context, res: Resource, row: Row, _parent: Row | None) -> None:
    if row.get("CountryCode") == "GB":
        sort_code = digits(row.get("BranchNumber") or "")
        if len(sort_code) != 6:
            raise _bad("A UK sort code has six digits.", "IBY-1530001", "/BranchNumber")
        number = digits(row.get("BankAccountNumber") or "")
        if len(number) != 8:
            raise _bad(
                "A UK bank account number has eight digits.", "IBY-1530002", "/BankAccountNumber"
            )
        row["BranchNumber"], row["BankAccountNumber"] = sort_code, number
    table = ctx.store.table(res)
    clash = await ctx.find(
        res,
        table.c.CountryCode == row.get("CountryCode"),
        table.c.BranchNumber == row.get("BranchNumber"),
        table.c.BankAccountNumber == row.get("BankAccountNumber"),
        table.c.BankAccountId != row["BankAccountId"],
    )
    if clash:
        raise _bad("The bank account already exists.", "IBY-1530003", "/BankAccountNumber")


async def _bank_account_update(ctx: Context, res: Resource, _old: Row, new: Row) -> None:
    await _bank_account_check(ctx, res, new, None)


# --- the catalogue ------------------------------------------------------------------------

# Descriptive flexfield segments the SOP deployment configures (context SOP_HR). Oracle keeps
# DFF segments as columns of the row they extend, so an assignment's segments split with it
# when it changes on a date; the simulator shows them flattened onto the item, as Oracle's
# older REST resources (emps) did, under the segment codes' API names.
PERSON_SEGMENTS = (
    Attr("homeRegion", max_length=30, title="Home Region"),
    Attr("userSubject", max_length=255, title="Identity Provider Subject"),
    Attr("taxCode", max_length=20, title="Tax Code"),
    Attr("niCategory", max_length=1, title="NI Category"),
    Attr("studentLoanPlans", max_length=60, title="Student Loan Plans"),
    Attr("postgraduateLoan", "boolean", title="Postgraduate Loan"),
    Attr("pensionScheme", max_length=50, title="Pension Scheme"),
    Attr("bankSortCode", max_length=6, title="Sort Code"),
    Attr("bankAccountNumber", max_length=8, title="Account Number"),
    Attr("bankAccountName", max_length=100, title="Account Name"),
)
ASSIGNMENT_SEGMENTS = (
    Attr("annualSalary", "number", title="Annual Salary"),
    Attr("payFrequency", max_length=20, title="Pay Frequency"),
    Attr("contractType", max_length=20, title="Contract Type"),
)
ABSENCE_SEGMENTS = (
    Attr("requestedBy", max_length=255, title="Requested By"),
    Attr("decidedBy", max_length=255, title="Decided By"),
    Attr("decidedAt", "datetime", title="Decided At"),
)


def _person_children() -> list[Resource]:
    names = Resource(
        name="names",
        title="Worker Names",
        id_attr="PersonNameId",
        effective=True,
        uniq_key=True,
        attrs=[
            Attr("PersonNameId", "integer", creatable=False, updatable=False),
            Attr("LegislationCode", default="GB", updatable=False),
            Attr("LastName", required=True, max_length=150),
            Attr("FirstName", max_length=150),
            Attr("MiddleNames", max_length=80),
            Attr("Title", max_length=30),
            Attr("PreNameAdjunct", max_length=30),
            Attr("Suffix", max_length=80),
            Attr("KnownAs", max_length=80),
            Attr("PreviousLastName", max_length=150),
            Attr("Honors", max_length=80),
            Attr("NameLanguage", default="US"),
            Attr("DisplayName", creatable=False, updatable=False),
            Attr("FullName", creatable=False, updatable=False),
            Attr("ListName", creatable=False, updatable=False),
            Attr("OrderName", creatable=False, updatable=False),
        ],
        before_create=_name_derive,
        before_update=_name_update,
    )
    emails = Resource(
        name="emails",
        title="Worker Emails",
        id_attr="EmailAddressId",
        attrs=[
            Attr("EmailAddressId", "integer", creatable=False, updatable=False),
            Attr("EmailType", required=True, choices=("W1", "W2", "W3", "H1", "H2", "H3", "O1")),
            Attr("EmailAddress", required=True, max_length=240),
            Attr("FromDate", "date"),
            Attr("ToDate", "date"),
            Attr("PrimaryFlag", "boolean", default=False),
        ],
        before_create=_email_check,
        before_update=_email_update,
    )
    addresses = Resource(
        name="addresses",
        title="Worker Addresses",
        id_attr="AddressId",
        effective=True,
        uniq_key=True,
        attrs=[
            Attr("AddressId", "integer", creatable=False, updatable=False),
            Attr("AddressType", default="HOME", choices=("HOME", "MAIL", "W1", "HM")),
            Attr("AddressLine1", required=True, max_length=240),
            Attr("AddressLine2", max_length=240),
            Attr("AddressLine3", max_length=240),
            Attr("AddressLine4", max_length=240),
            Attr("TownOrCity", max_length=60),
            Attr("Region1", max_length=120, title="County"),
            Attr("Region2", max_length=120),
            Attr("Region3", max_length=120),
            Attr("Country", required=True, default="GB", max_length=2),
            Attr("PostalCode", max_length=30),
            Attr("LongPostalCode", max_length=30),
            Attr("PrimaryFlag", "boolean", default=True),
        ],
    )
    national_ids = Resource(
        name="nationalIdentifiers",
        title="Worker National Identifiers",
        id_attr="NationalIdentifierId",
        attrs=[
            Attr("NationalIdentifierId", "integer", creatable=False, updatable=False),
            Attr("LegislationCode", default="GB", updatable=False),
            Attr("NationalIdentifierType", default="NIN"),
            Attr("NationalIdentifierNumber", required=True, max_length=30),
            Attr("IssueDate", "date"),
            Attr("ExpirationDate", "date"),
            Attr("PlaceOfIssue", max_length=150),
            Attr("PrimaryFlag", "boolean", default=True),
        ],
        before_create=_national_id_check,
        before_update=_national_id_update,
    )
    phones = Resource(
        name="phones",
        title="Worker Phones",
        id_attr="PhoneId",
        attrs=[
            Attr("PhoneId", "integer", creatable=False, updatable=False),
            Attr("PhoneType", required=True, choices=("W1", "W2", "H1", "HM", "WM", "HF", "WF")),
            Attr("LegislationCode", default="GB"),
            Attr("CountryCodeNumber", default="44", max_length=30),
            Attr("AreaCode", max_length=30),
            Attr("PhoneNumber", required=True, max_length=60),
            Attr("Extension", max_length=60),
            Attr("FromDate", "date"),
            Attr("ToDate", "date"),
            Attr("PrimaryFlag", "boolean", default=False),
        ],
    )
    legislative = Resource(
        name="legislativeInfo",
        title="Worker Legislative Information",
        id_attr="PersonLegislativeId",
        effective=True,
        uniq_key=True,
        attrs=[
            Attr("PersonLegislativeId", "integer", creatable=False, updatable=False),
            Attr("LegislationCode", default="GB", updatable=False),
            Attr("Gender", choices=("M", "F", "ORA_HRX_X", "U")),
            Attr("MaritalStatus", choices=("S", "M", "D", "W", "CP", "SEP", "U")),
            Attr("HighestEducationLevel"),
        ],
    )
    work_measures = Resource(
        name="workMeasures",
        title="Assignment Work Measures",
        id_attr="AssignmentWorkMeasureId",
        effective=True,
        uniq_key=True,
        attrs=[
            Attr("AssignmentWorkMeasureId", "integer", creatable=False, updatable=False),
            Attr("Unit", required=True, choices=("FTE", "HEAD"), updatable=False),
            Attr("Value", "number", required=True),
        ],
        before_create=_work_measure_check,
        before_update=_work_measure_update,
    )
    assignments = Resource(
        name="assignments",
        title="Assignments",
        id_attr="AssignmentId",
        effective=True,
        uniq_key=True,
        extra_key_attrs=("EffectiveSequence", "EffectiveLatestChange"),
        children=[work_measures],
        attrs=[
            Attr("AssignmentId", "integer", creatable=False, updatable=False),
            Attr("AssignmentNumber", updatable=False, max_length=30),
            Attr("AssignmentName", max_length=80),
            Attr("ActionCode", max_length=30),
            Attr("ReasonCode", max_length=30),
            Attr("EffectiveSequence", "integer", creatable=False, updatable=False, default=1),
            Attr("EffectiveLatestChange", creatable=False, updatable=False, default="Y"),
            Attr("BusinessUnitId", "integer"),
            Attr("BusinessUnitName"),
            Attr("AssignmentType", creatable=False, updatable=False),
            Attr(
                "AssignmentStatusTypeCode",
                default="ACTIVE_PROCESS",
                choices=tuple(_STATUS_TYPES),
            ),
            Attr("AssignmentStatusType", creatable=False, updatable=False),
            Attr("SystemPersonType", creatable=False, updatable=False),
            Attr("UserPersonType", creatable=False, updatable=False),
            Attr("PrimaryAssignmentFlag", "boolean"),
            Attr("PositionId", "integer"),
            Attr("PositionCode"),
            Attr("JobId", "integer"),
            Attr("JobCode"),
            Attr("GradeId", "integer"),
            Attr("GradeCode"),
            Attr("DepartmentId", "integer"),
            Attr("DepartmentName"),
            Attr("LocationId", "integer"),
            Attr("LocationCode"),
            Attr("WorkAtHomeFlag", "boolean", default=False),
            Attr("AssignmentCategory", choices=("FR", "FT", "PR", "PT")),
            Attr("FullPartTime", choices=("FULL_TIME", "PART_TIME")),
            Attr("PermanentTemporary", choices=("R", "T")),
            Attr("HourlySalariedCode", choices=("H", "S")),
            Attr("ManagerId", "integer"),
            Attr("ManagerAssignmentId", "integer"),
            Attr("ManagerType", default="LINE_MANAGER"),
            Attr("NormalHours", "number"),
            Attr("Frequency", choices=("D", "W", "M", "Y")),
            Attr("StandardWorkingHours", "number", default=Decimal("37.5")),
            Attr("StandardFrequency", default="W", choices=("D", "W", "M", "Y")),
            Attr("StartTime"),
            Attr("EndTime"),
            Attr("ProbationPeriod", "number"),
            Attr("ProbationPeriodUnit", choices=("D", "W", "M", "Y")),
            Attr("NoticePeriod", "number"),
            Attr("NoticePeriodUOM", choices=("D", "W", "M", "Y")),
            Attr("ProjectedEndDate", "date"),
            *ASSIGNMENT_SEGMENTS,
        ],
        references=[
            Reference(
                "DepartmentId",
                "DepartmentName",
                "departments",
                "OrganizationId",
                "Name",
                "PER-1530040",
            ),
            Reference("JobId", "JobCode", "jobs", "JobId", "JobCode", "PER-1530043"),
            Reference(
                "PositionId",
                "PositionCode",
                "positions",
                "PositionId",
                "PositionCode",
                "PER-1530044",
            ),
            Reference(
                "LocationId",
                "LocationCode",
                "locations",
                "LocationId",
                "LocationCode",
                "PER-1530045",
            ),
        ],
        actions=[Action("endAssignment", _end_assignment, "End an assignment")],
        before_create=_assignment_before_create,
        before_update=_assignment_before_update,
        after_create=_assignment_after_create,
    )
    relationships = Resource(
        name="workRelationships",
        title="Work Relationships",
        id_attr="PeriodOfServiceId",
        child_start_attr="StartDate",
        deletable=False,
        children=[assignments],
        attrs=[
            Attr("PeriodOfServiceId", "integer", creatable=False, updatable=False),
            Attr("LegislationCode", default="GB", updatable=False),
            Attr("LegalEntityId", "integer", updatable=False),
            Attr("LegalEmployerName", updatable=False),
            Attr("WorkerType", default="E", choices=("E", "C", "N", "P"), updatable=False),
            Attr("PrimaryFlag", "boolean", default=True),
            Attr("StartDate", "date", required=True, updatable=False),
            Attr("LegalEmployerSeniorityDate", "date"),
            Attr("EnterpriseSeniorityDate", "date"),
            Attr("OnMilitaryServiceFlag", "boolean", default=False),
            Attr("WorkerNumber"),
            Attr("TerminationDate", "date", creatable=False, updatable=False),
            Attr("LastWorkingDate", "date", creatable=False, updatable=False),
            Attr("NotificationDate", "date", creatable=False, updatable=False),
            Attr("ActionCode", creatable=False, updatable=False),
            Attr("ReasonCode", creatable=False, updatable=False),
            Attr("RecommendedForRehire", creatable=False, updatable=False),
        ],
        actions=[
            Action("terminate", _terminate, "Terminate the work relationship"),
            Action("reverseTermination", _reverse_termination, "Reverse a termination"),
        ],
        before_create=_relationship_before_create,
        after_create=_relationship_after_create,
    )
    return [addresses, emails, legislative, names, national_ids, phones, relationships]


def build_resources() -> list[Resource]:
    """The top-level resources, children attached."""
    workers = Resource(
        name="workers",
        title="Workers",
        id_attr="PersonId",
        uniq_key=True,
        deletable=False,
        alternate_keys=("PersonNumber",),
        payload_start=_hire_date,
        children=_person_children(),
        finders=[Finder("findByPersonNumber", {"PersonNumber": "PersonNumber"})],
        attrs=[
            Attr("PersonId", "integer", creatable=False, updatable=False),
            Attr("PersonNumber", updatable=False, max_length=30),
            Attr("CorrespondenceLanguage", max_length=4),
            Attr("BloodType", max_length=30),
            Attr("DateOfBirth", "date"),
            Attr("DateOfDeath", "date"),
            Attr("CountryOfBirth", max_length=2),
            Attr("RegionOfBirth", max_length=120),
            Attr("TownOfBirth", max_length=90),
            Attr("ApplicantNumber", max_length=30),
            *PERSON_SEGMENTS,
        ],
        before_create=_worker_before_create,
        before_update=_worker_before_update,
    )
    locations = Resource(
        name="locations",
        title="Locations",
        id_attr="LocationId",
        effective=True,
        uniq_key=True,
        finders=[Finder("findByLocationCode", {"LocationCode": "LocationCode"})],
        attrs=[
            Attr("LocationId", "integer", creatable=False, updatable=False),
            Attr("LocationCode", required=True, max_length=60),
            Attr("LocationName", required=True, max_length=240),
            Attr("ActiveStatus", default="A", choices=("A", "I")),
            Attr("SetCode", default="COMMON"),
            Attr("AddressLine1", max_length=240),
            Attr("AddressLine2", max_length=240),
            Attr("TownOrCity", max_length=60),
            Attr("Region1", max_length=120),
            Attr("PostalCode", max_length=30),
            Attr("Country", default="GB", max_length=2),
        ],
        before_create=_unique_code("LocationCode", "PER-1530046"),
        before_update=_unique_code_update("LocationCode", "PER-1530046"),
    )
    departments = Resource(
        name="departments",
        title="Departments",
        id_attr="OrganizationId",
        effective=True,
        uniq_key=True,
        finders=[Finder("findByName", {"Name": "Name"})],
        attrs=[
            Attr("OrganizationId", "integer", creatable=False, updatable=False),
            Attr("Name", required=True, max_length=240),
            Attr("Title", max_length=240),
            Attr("SetCode", default="COMMON"),
            Attr("ActiveStatus", default="A", choices=("A", "I")),
            Attr("ParentOrganizationId", "integer"),
            Attr("ParentOrganizationName"),
            Attr("CostCenter", max_length=30, title="Cost Center"),
            Attr("CostCenterValueSet", default="SOP_COST_CENTER"),
            Attr("Company", max_length=30),
            Attr("LocationId", "integer"),
            Attr("LocationCode"),
            Attr("ManagerId", "integer"),
        ],
        references=[
            Reference(
                "ParentOrganizationId",
                "ParentOrganizationName",
                "departments",
                "OrganizationId",
                "Name",
                "PER-1530040",
            ),
            Reference(
                "LocationId",
                "LocationCode",
                "locations",
                "LocationId",
                "LocationCode",
                "PER-1530045",
            ),
        ],
        before_create=_department_check,
        before_update=_department_update,
    )
    jobs = Resource(
        name="jobs",
        title="Jobs",
        id_attr="JobId",
        effective=True,
        uniq_key=True,
        finders=[Finder("findByJobCode", {"JobCode": "JobCode"})],
        attrs=[
            Attr("JobId", "integer", creatable=False, updatable=False),
            Attr("JobCode", required=True, max_length=30),
            Attr("Name", required=True, max_length=240),
            Attr("SetCode", default="COMMON"),
            Attr("ActiveStatus", default="A", choices=("A", "I")),
            Attr("FullPartTime", choices=("FULL_TIME", "PART_TIME")),
            Attr("RegularTemporary", choices=("R", "T")),
            Attr("JobFamilyName"),
            Attr("JobFunctionCode"),
            Attr("ManagerLevel"),
        ],
        before_create=_unique_code("JobCode", "PER-1530047"),
        before_update=_unique_code_update("JobCode", "PER-1530047"),
    )
    positions = Resource(
        name="positions",
        title="Positions",
        id_attr="PositionId",
        effective=True,
        uniq_key=True,
        finders=[Finder("findByPositionCode", {"PositionCode": "PositionCode"})],
        attrs=[
            Attr("PositionId", "integer", creatable=False, updatable=False),
            Attr("PositionCode", required=True, max_length=30),
            Attr("Name", required=True, max_length=240),
            Attr("BusinessUnitName"),
            Attr("DepartmentId", "integer"),
            Attr("DepartmentName"),
            Attr("JobId", "integer"),
            Attr("JobCode"),
            Attr("LocationId", "integer"),
            Attr("LocationCode"),
            Attr("ActiveStatus", default="A", choices=("A", "I")),
            Attr("HiringStatus", default="APPROVED", choices=("APPROVED", "FROZEN", "PROPOSED")),
            Attr("FullPartTime", choices=("FULL_TIME", "PART_TIME")),
            Attr("RegularTemporary", choices=("R", "T")),
            Attr("FTE", "number", default=Decimal(1)),
            Attr("HeadCount", "integer", default=1),
            Attr("StandardWorkingHours", "number", default=Decimal("37.5")),
            Attr("StandardWorkingFrequency", default="W"),
            Attr("GradeId", "integer"),
            Attr("GradeCode", max_length=30),
        ],
        references=[
            Reference(
                "DepartmentId",
                "DepartmentName",
                "departments",
                "OrganizationId",
                "Name",
                "PER-1530040",
            ),
            Reference("JobId", "JobCode", "jobs", "JobId", "JobCode", "PER-1530043"),
            Reference(
                "LocationId",
                "LocationCode",
                "locations",
                "LocationId",
                "LocationCode",
                "PER-1530045",
            ),
        ],
        before_create=_unique_code("PositionCode", "PER-1530048", within="BusinessUnitName"),
        before_update=_unique_code_update("PositionCode", "PER-1530048", within="BusinessUnitName"),
    )
    absences = Resource(
        name="absences",
        title="Absences",
        id_attr="personAbsenceEntryId",
        audit="camel",
        finders=[Finder("findByPersonNumber", {"personNumber": "personNumber"})],
        attrs=[
            Attr("personAbsenceEntryId", "integer", creatable=False, updatable=False),
            Attr("personId", "integer", updatable=False),
            Attr("personNumber", updatable=False),
            Attr("absenceType", required=True),
            Attr("absenceTypeId", "integer", creatable=False, updatable=False),
            Attr("absenceReason"),
            Attr("employer", updatable=False),
            Attr("legalEntityId", "integer", creatable=False, updatable=False),
            Attr("legislationCode", creatable=False, updatable=False),
            Attr("startDate", "date", required=True),
            Attr("endDate", "date"),
            Attr("startDateDuration", "number"),
            Attr("endDateDuration", "number"),
            Attr("duration", "number"),
            Attr("unitOfMeasure", default="D", choices=("D", "H")),
            Attr("openEndedFlag", "boolean", default=False),
            Attr("singleDayFlag", "boolean", creatable=False, updatable=False),
            Attr(
                "absenceStatusCd", choices=("SUBMITTED", "SAVED", "ORA_WITHDRAWN"), updatable=False
            ),
            Attr(
                "approvalStatusCd",
                choices=("AWAITING", "APPROVED", "DENIED", "ORA_WITHDRAWN"),
                updatable=False,
            ),
            Attr("absenceDispStatus", creatable=False, updatable=False),
            Attr("submittedDate", "date", creatable=False, updatable=False),
            Attr("comments", max_length=2000),
            Attr("assignmentId", "integer", creatable=False, updatable=False),
            Attr("assignmentNumber", creatable=False, updatable=False),
            Attr("periodOfServiceId", "integer", creatable=False, updatable=False),
            Attr("source", default="REST"),
            *ABSENCE_SEGMENTS,
        ],
        actions=[
            Action("approveAbsence", _absence_transition("APPROVED", ("AWAITING",))),
            Action("denyAbsence", _absence_transition("DENIED", ("AWAITING",))),
            Action("withdrawAbsence", _absence_transition("ORA_WITHDRAWN", (), withdraw=True)),
        ],
        before_create=_absence_before_create,
        before_update=_absence_before_update,
    )
    absence_types = Resource(
        name="absenceTypes",
        title="Absence Types",
        id_attr="AbsenceTypeId",
        finders=[Finder("findByCode", {"AbsenceTypeCode": "AbsenceTypeCode"})],
        attrs=[
            Attr("AbsenceTypeId", "integer", creatable=False, updatable=False),
            Attr("AbsenceTypeCode", required=True, max_length=30, updatable=False),
            Attr("Name", required=True, max_length=240),
            Attr("Description", max_length=2000),
            # The reference data set the type belongs to; COMMON is shared by every set.
            Attr("SetCode", default="COMMON", updatable=False),
            Attr("PaidFlag", "boolean", default=True),
            # The yearly entitlement of the type's accrual plan, for a full-time worker.
            Attr("EntitlementDays", "number"),
            Attr("UnitOfMeasure", default="D", choices=("D", "H")),
            Attr("ActiveStatus", default="A", choices=("A", "I")),
        ],
        before_create=_absence_type_create,
        before_update=_absence_type_update,
    )
    salaries = Resource(
        name="salaries",
        title="Salaries",
        id_attr="SalaryId",
        deletable=True,
        attrs=[
            Attr("SalaryId", "integer", creatable=False, updatable=False),
            Attr("AssignmentId", "integer", updatable=False),
            Attr("AssignmentNumber", updatable=False),
            Attr("PersonId", "integer", creatable=False, updatable=False),
            Attr("PersonNumber", creatable=False, updatable=False),
            Attr("SalaryBasisName", default="UK Annual Salary"),
            Attr(
                "SalaryFrequencyCode",
                default="ANNUAL",
                choices=("ANNUAL", "MONTHLY", "WEEKLY", "HOURLY"),
            ),
            Attr("SalaryAmount", "number", required=True),
            Attr("AnnualSalary", "number", creatable=False, updatable=False),
            Attr("CurrencyCode", default="GBP", max_length=3),
            Attr("DateFrom", "date", updatable=False),
            Attr("DateTo", "date"),
            Attr("ActionCode", default="CHANGE_SALARY"),
            Attr("ActionReasonCode"),
            Attr("SalaryApproved", default="Y", choices=FLAGS),
        ],
        references=[
            Reference(
                "AssignmentId",
                "AssignmentNumber",
                ASSIGNMENTS,
                "AssignmentId",
                "AssignmentNumber",
                "CMP-1530005",
            )
        ],
        before_create=_salary_before_create,
        before_update=_salary_before_update,
    )
    assigned_payrolls = Resource(
        name="assignedPayrolls",
        title="Assigned Payrolls",
        id_attr="AssignedPayrollId",
        attrs=[
            Attr("AssignedPayrollId", "integer", creatable=False, updatable=False),
            Attr("PayrollId", "integer"),
            Attr("PayrollName", required=True),
            Attr("StartDate", "date"),
            Attr("EndDate", "date"),
        ],
    )
    payroll_assignments = Resource(
        name="payrollAssignments",
        title="Payroll Assignments",
        id_attr="PayrollAssignmentId",
        creatable=False,
        updatable=False,
        deletable=False,
        children=[assigned_payrolls],
        attrs=[
            Attr("PayrollAssignmentId", "integer", creatable=False, updatable=False),
            Attr("AssignmentId", "integer", creatable=False, updatable=False),
            Attr("AssignmentNumber", creatable=False, updatable=False),
            Attr("StartDate", "date", creatable=False, updatable=False),
            Attr("EndDate", "date", creatable=False, updatable=False),
        ],
    )
    payroll_relationships = Resource(
        name="payrollRelationships",
        title="Payroll Relationships",
        id_attr="PayrollRelationshipId",
        creatable=False,
        updatable=False,
        deletable=False,
        children=[payroll_assignments],
        attrs=[
            Attr("PayrollRelationshipId", "integer", creatable=False, updatable=False),
            Attr("PayrollRelationshipNumber", creatable=False, updatable=False),
            Attr("PersonId", "integer", creatable=False, updatable=False),
            Attr("PersonNumber", creatable=False, updatable=False),
            Attr("LegislativeDataGroupName", creatable=False, updatable=False),
            Attr("LegislativeDataGroupId", "integer", creatable=False, updatable=False),
            Attr("RelationshipTypeCode", creatable=False, updatable=False),
            Attr("PayrollStatutoryUnitName", creatable=False, updatable=False),
            Attr("StartDate", "date", creatable=False, updatable=False),
            Attr("EndDate", "date", creatable=False, updatable=False),
        ],
    )
    entry_values = Resource(
        name="elementEntryValues",
        title="Element Entry Values",
        id_attr="ElementEntryValueId",
        attrs=[
            Attr("ElementEntryValueId", "integer", creatable=False, updatable=False),
            Attr("InputValueName", required=True, updatable=False),
            Attr("ScreenEntryValue", max_length=240),
        ],
    )
    element_entries = Resource(
        name="elementEntries",
        title="Element Entries",
        id_attr="ElementEntryId",
        effective=True,
        uniq_key=True,
        children=[entry_values],
        attrs=[
            Attr("ElementEntryId", "integer", creatable=False, updatable=False),
            Attr("ElementName", required=True, updatable=False),
            Attr("ElementTypeId", "integer"),
            Attr("PersonId", "integer", updatable=False),
            Attr("PersonNumber", updatable=False),
            Attr("AssignmentId", "integer", updatable=False),
            Attr("AssignmentNumber", updatable=False),
            Attr("EntryType", default="E", choices=("E", "A", "R")),
            Attr("CreatorType", default="F"),
        ],
        references=[
            Reference(
                "AssignmentId",
                "AssignmentNumber",
                ASSIGNMENTS,
                "AssignmentId",
                "AssignmentNumber",
                "PAY-1530003",
            )
        ],
        before_create=_element_entry_before_create,
    )
    payment_methods = Resource(
        name="personalPaymentMethods",
        title="Personal Payment Methods",
        id_attr="PersonalPaymentMethodId",
        effective=True,
        uniq_key=True,
        attrs=[
            Attr("PersonalPaymentMethodId", "integer", creatable=False, updatable=False),
            Attr("PersonalPaymentMethodCode", max_length=80),
            Attr("Name", max_length=80),
            Attr("PayrollRelationshipId", "integer", updatable=False),
            Attr("PayrollRelationshipNumber", updatable=False),
            Attr("PersonId", "integer", creatable=False, updatable=False),
            Attr("PersonNumber", creatable=False, updatable=False),
            Attr("OrganizationPaymentMethodName", default="BACS"),
            Attr("PaymentAmountType", default="P", choices=("P", "M")),
            Attr("Percentage", "number", default=Decimal(100)),
            Attr("Amount", "number"),
            Attr("ProcessingOrder", "integer", default=1),
            Attr("BankAccountId", "integer"),
            Attr("BankAccountNumber", creatable=False, updatable=False),
        ],
        references=[
            Reference(
                "PayrollRelationshipId",
                "PayrollRelationshipNumber",
                "payrollRelationships",
                "PayrollRelationshipId",
                "PayrollRelationshipNumber",
                "PAY-1530013",
            ),
            Reference(
                "BankAccountId",
                "BankAccountNumber",
                "externalBankAccounts",
                "BankAccountId",
                "BankAccountNumber",
                "PAY-1530014",
            ),
        ],
        before_create=_payment_method_check,
        before_update=_payment_method_update,
    )
    account_owners = Resource(
        name="accountOwners",
        title="Account Owners",
        id_attr="AccountOwnerId",
        api="fscmRestApi",
        attrs=[
            Attr("AccountOwnerId", "integer", creatable=False, updatable=False),
            Attr("AccountOwnerPartyIdentifier", "integer", required=True),
            Attr("AccountOwnerPartyNumber"),
            Attr("AccountOwnerPartyName"),
            Attr("PrimaryOwnerIndicator", default="Y", choices=FLAGS),
            Attr("StartDate", "date"),
            Attr("EndDate", "date"),
        ],
    )
    bank_accounts = Resource(
        name="externalBankAccounts",
        title="External Bank Accounts",
        id_attr="BankAccountId",
        api="fscmRestApi",
        children=[account_owners],
        attrs=[
            Attr("BankAccountId", "integer", creatable=False, updatable=False),
            Attr("BankAccountNumber", required=True, max_length=100),
            Attr("BankAccountName", max_length=80),
            Attr("CountryCode", required=True, default="GB", max_length=2),
            Attr("CurrencyCode", default="GBP", max_length=15),
            Attr("IBAN", max_length=50),
            Attr("BankName", max_length=360),
            Attr("BankBranchName", max_length=360),
            Attr("BranchNumber", max_length=30, title="Sort Code"),
            Attr("AccountType", max_length=25),
            Attr("AccountSuffix", max_length=30),
            Attr("SecondaryAccountReference", max_length=30, title="Building Society Roll Number"),
            Attr("AllowInternationalPaymentIndicator", default="N", choices=FLAGS),
            Attr("StartDate", "date"),
            Attr("EndDate", "date"),
        ],
        before_create=_bank_account_check,
        before_update=_bank_account_update,
    )
    return [
        workers,
        departments,
        jobs,
        positions,
        locations,
        absences,
        absence_types,
        salaries,
        payroll_relationships,
        element_entries,
        payment_methods,
        bank_accounts,
    ]


__all__ = ["build_resources", "stable_id"]
