"""The Employee Central entities the simulator serves, with the rules applied when they change."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sop_sap_like.edm import (
    BOOLEAN,
    DATETIME,
    DATETIMEOFFSET,
    DECIMAL,
    INT32,
    INT64,
    OPEN_END,
    EntitySet,
    Nav,
    Prop,
    Row,
)
from sop_sap_like.errors import bad_request
from sop_sap_like.service import Context, recompute_slices, require
from sop_sap_like.storage import ROWID, VERSION

PERSON_KEY = Prop("personIdExternal", key=True, max_length=100)


def _keyed_person(*props: Prop) -> list[Prop]:
    return [PERSON_KEY, *props]


async def _person_exists(ctx: Context, row: Row) -> Row:
    return await require(
        ctx,
        "PerPerson",
        f"[COE0019] The person {row.get('personIdExternal')!r} doesn't exist.",
        "personIdExternal",
        personIdExternal=row.get("personIdExternal"),
    )


async def _employment_of(ctx: Context, user_id: Any, target: str = "userId") -> Row:
    return await require(
        ctx,
        "EmpEmployment",
        f"[COE0019] No employment exists for the user {user_id!r}.",
        target,
        userId=user_id,
    )


def _positive(
    row: Row, name: str, *, upper: Decimal | None = None, allow_zero: bool = False
) -> None:
    value = row.get(name)
    if value is None:
        return
    low_ok = value >= 0 if allow_zero else value > 0
    if not low_ok or (upper is not None and value > upper):
        bound = f" and at most {upper}" if upper is not None else ""
        raise bad_request(f"[COE0019] {name} must be more than 0{bound}; it is {value}.", name)


# --- person -------------------------------------------------------------------------------


async def _next_person_id(ctx: Context, _values: Row) -> str:
    return str(await ctx.store.next_value(ctx.conn, "personId", 10_001))


async def _uuid(_ctx: Context, _values: Row) -> str:
    return uuid.uuid4().hex.upper()


async def _person_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    born = row.get("dateOfBirth")
    if born is not None and born > ctx.today:
        raise bad_request("[COE0019] The date of birth can't be in the future.", "dateOfBirth")


async def _personal_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _person_exists(ctx, row)
    first = row.get("preferredName") or row.get("firstName")
    row["displayName"] = " ".join(p for p in (first, row.get("lastName")) if p)
    row["formalName"] = " ".join(
        p for p in (row.get("salutation"), row.get("firstName"), row.get("lastName")) if p
    )


_NINO = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


async def _national_id_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _person_exists(ctx, row)
    if (
        row.get("country") == "GBR"
        and row.get("cardType") in ("NI", "NINO")
        and row.get("nationalId")
    ):
        number = re.sub(r"\s", "", row["nationalId"]).upper()
        if not _NINO.match(number):
            raise bad_request("[COE0019] The National Insurance number isn't valid.", "nationalId")
        row["nationalId"] = number


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def _email_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _person_exists(ctx, row)
    if row.get("emailAddress") and not _EMAIL.match(row["emailAddress"]):
        raise bad_request("[COE0019] The email address isn't valid.", "emailAddress")


async def _needs_person(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _person_exists(ctx, row)


# --- employment and job -------------------------------------------------------------------


async def _user_from_person(_ctx: Context, values: Row) -> Any:
    return values.get("personIdExternal")


async def _employment_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _person_exists(ctx, row)
    if row.get("originalStartDate") is None:
        row["originalStartDate"] = row.get("startDate")
    if row.get("seniorityDate") is None:
        row["seniorityDate"] = row.get("startDate")


async def _one(_ctx: Context, _values: Row) -> int:
    return 1


async def _check_reference(
    ctx: Context, es_name: str, column: str, value: Any, on: date, target: str
) -> None:
    if value is None:
        return
    es = ctx.entity(es_name)
    rows = await ctx.find(es, ctx.column(es, column) == value, on=on)
    if not rows:
        raise bad_request(
            f"[COE0019] {target} {value!r} doesn't match an active {es_name} on {on.isoformat()}.",
            target,
        )


async def _job_check(ctx: Context, es: EntitySet, row: Row, old: Row | None) -> None:
    employment = await _employment_of(ctx, row.get("userId"))
    start = row["startDate"]
    if start < employment["startDate"]:
        raise bad_request(
            "[COE0019] The job record can't start before the employment.", "startDate"
        )
    if employment.get("endDate") is not None and start > employment["endDate"] + timedelta(days=1):
        raise bad_request("[COE0019] The employment has ended.", "startDate")
    await _check_reference(
        ctx, "FODepartment", "externalCode", row.get("department"), start, "department"
    )
    await _check_reference(ctx, "FOJobCode", "externalCode", row.get("jobCode"), start, "jobCode")
    await _check_reference(ctx, "Position", "code", row.get("position"), start, "position")
    _positive(row, "fte", upper=Decimal(1))
    _positive(row, "standardHours", upper=Decimal(168))
    if old is None and row.get("event") is None:
        earlier = await ctx.find(
            es, ctx.column(es, "userId") == row["userId"], ctx.column(es, "startDate") < start
        )
        row["event"] = "5" if earlier else "H"
    if row.get("fte") is not None and row.get("isFulltimeEmployee") is None:
        row["isFulltimeEmployee"] = row["fte"] == 1


async def _termination_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    employment = await require(
        ctx,
        "EmpEmployment",
        "[COE0019] The employment to terminate doesn't exist.",
        "userId",
        personIdExternal=row.get("personIdExternal"),
        userId=row.get("userId"),
    )
    if row["endDate"] < employment["startDate"]:
        raise bad_request("[COE0019] The termination date is before the start date.", "endDate")
    if row.get("lastDateWorked") is None:
        row["lastDateWorked"] = row["endDate"]


async def _apply_termination(ctx: Context, _es: EntitySet, row: Row, old: Row | None) -> None:
    """End the employment and add the terminated job record the day after the end date."""
    if old is not None and old["endDate"] != row["endDate"]:
        await _undo_termination(ctx, _es, old, None)
    employments = ctx.entity("EmpEmployment")
    employment = await ctx.by_key(
        employments, {"personIdExternal": row["personIdExternal"], "userId": row["userId"]}
    )
    assert employment is not None
    await ctx.store.update(
        ctx.conn,
        employments,
        employment[ROWID],
        {
            "endDate": row["endDate"],
            "lastDateWorked": row.get("lastDateWorked"),
            "okToRehire": row.get("okToRehire"),
            VERSION: employment[VERSION] + 1,
            "lastModifiedBy": ctx.user,
            "lastModifiedDateTime": ctx.now,
        },
    )
    jobs = ctx.entity("EmpJob")
    table = ctx.store.table(jobs)
    leaving = row["endDate"] + timedelta(days=1)
    in_force = await ctx.find(jobs, table.c.userId == row["userId"], on=row["endDate"])
    later = await ctx.find(jobs, table.c.userId == row["userId"], table.c.startDate >= leaving)
    await ctx.store.delete_rows(ctx.conn, jobs, [r[ROWID] for r in later])
    if not in_force:
        return
    slice_ = {k: v for k, v in in_force[-1].items() if k != ROWID}
    slice_.update(
        {
            "startDate": leaving,
            "endDate": OPEN_END,
            "seqNumber": 1,
            "emplStatus": "T",
            "event": "26",
            "eventReason": row.get("eventReason"),
            "createdBy": ctx.user,
            "createdDateTime": ctx.now,
            "lastModifiedBy": ctx.user,
            "lastModifiedDateTime": ctx.now,
            VERSION: 1,
        }
    )
    inserted = await ctx.store.insert(ctx.conn, jobs, slice_)
    await recompute_slices(ctx, jobs, inserted)


async def _undo_termination(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    """Deleting a termination reinstates the employee (the rehire-free correction)."""
    jobs = ctx.entity("EmpJob")
    table = ctx.store.table(jobs)
    leaving = row["endDate"] + timedelta(days=1)
    terminated = await ctx.find(
        jobs,
        table.c.userId == row["userId"],
        table.c.startDate == leaving,
        table.c.emplStatus == "T",
    )
    await ctx.store.delete_rows(ctx.conn, jobs, [r[ROWID] for r in terminated])
    remaining = await ctx.find(jobs, table.c.userId == row["userId"])
    if remaining:
        await recompute_slices(ctx, jobs, remaining[0])
    employments = ctx.entity("EmpEmployment")
    employment = await ctx.by_key(
        employments, {"personIdExternal": row["personIdExternal"], "userId": row["userId"]}
    )
    if employment is not None:
        await ctx.store.update(
            ctx.conn,
            employments,
            employment[ROWID],
            {
                "endDate": None,
                "lastDateWorked": None,
                VERSION: employment[VERSION] + 1,
                "lastModifiedBy": ctx.user,
                "lastModifiedDateTime": ctx.now,
            },
        )


async def _pay_component_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _employment_of(ctx, row.get("userId"))
    _positive(row, "paycompvalue", allow_zero=True)


# --- foundation objects -------------------------------------------------------------------


async def _department_check(ctx: Context, es: EntitySet, row: Row, _old: Row | None) -> None:
    seen = {row["externalCode"]}
    parent = row.get("parent")
    while parent is not None:
        if parent in seen:
            raise bad_request("[COE0019] A department can't be its own parent.", "parent")
        seen.add(parent)
        parents = await ctx.find(es, ctx.column(es, "externalCode") == parent, on=row["startDate"])
        if not parents:
            raise bad_request(
                f"[COE0019] The parent department {parent!r} doesn't exist.", "parent"
            )
        parent = parents[-1].get("parent")


async def _position_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    start = row["effectiveStartDate"]
    await _check_reference(
        ctx, "FODepartment", "externalCode", row.get("department"), start, "department"
    )
    await _check_reference(ctx, "FOJobCode", "externalCode", row.get("jobCode"), start, "jobCode")
    # A position several people may hold (job shares, pooled posts) may be funded above 1 FTE.
    upper = None if row.get("multipleIncumbentsAllowed") else Decimal(1)
    _positive(row, "targetFTE", upper=upper)


# --- time off -----------------------------------------------------------------------------

_CLOSED = ("REJECTED", "CANCELLED")
_TRANSITIONS = {
    "PENDING": {"PENDING", "APPROVED", "REJECTED", "CANCELLED"},
    "APPROVED": {"APPROVED", "CANCELLED", "PENDING_CANCELLATION", "PENDING"},
    "PENDING_CANCELLATION": {"PENDING_CANCELLATION", "CANCELLED", "APPROVED"},
    "REJECTED": {"REJECTED"},
    "CANCELLED": {"CANCELLED"},
}


def _working_days(start: date, end: date) -> int:
    days = 0
    current = start
    while current <= end:
        days += current.weekday() < 5
        current += timedelta(days=1)
    return days


async def _time_check(ctx: Context, es: EntitySet, row: Row, old: Row | None) -> None:
    await _employment_of(ctx, row.get("userId"))
    types = ctx.settings.time_type_map
    if row.get("timeType") not in types:
        raise bad_request(
            f"[COE0019] The time type {row.get('timeType')!r} isn't valid; valid types are "
            f"{', '.join(types)}.",
            "timeType",
        )
    start, end = row.get("startDate"), row.get("endDate")
    if start is None or end is None:
        raise bad_request("[COE0020] An absence needs a startDate and an endDate.", "startDate")
    if end < start:
        raise bad_request("[COE0019] The end date is before the start date.", "endDate")
    if old is not None:
        before, after = (
            old.get("approvalStatus") or "PENDING",
            row.get("approvalStatus") or "PENDING",
        )
        if after not in _TRANSITIONS.get(before, {before}):
            raise bad_request(
                f"[COE0019] The approval status can't change from {before} to {after}.",
                "approvalStatus",
            )
        moved = any(old.get(k) != row.get(k) for k in ("startDate", "endDate", "timeType"))
        if moved and before == "APPROVED" and after == "APPROVED":
            # A changed absence goes back through approval.
            row["approvalStatus"] = "PENDING"
    row["quantityInDays"] = Decimal(_working_days(start, end))
    row["quantityInHours"] = row["quantityInDays"] * Decimal("7.5")
    if row.get("approvalStatus") not in _CLOSED:
        table = ctx.store.table(es)
        clash = await ctx.find(
            es,
            table.c.userId == row["userId"],
            table.c.externalCode != row["externalCode"],
            table.c.approvalStatus.not_in(_CLOSED),
            table.c.startDate <= end,
            table.c.endDate >= start,
        )
        if clash:
            raise bad_request(
                "[COE0019] The absence overlaps another absence of this user.", "startDate"
            )


async def _leave_type_check(ctx: Context, es: EntitySet, row: Row, _old: Row | None) -> None:
    table = ctx.store.table(es)
    clash = await ctx.find(
        es,
        table.c.cust_company == row.get("cust_company"),
        table.c.cust_code == row.get("cust_code"),
        table.c.externalCode != row["externalCode"],
    )
    if clash:
        raise bad_request(
            f"[COE0019] The leave type code {row.get('cust_code')!r} is already used in "
            f"company {row.get('cust_company')!r}.",
            "cust_code",
        )
    _positive(row, "cust_entitlementDays", upper=Decimal(366), allow_zero=True)


# --- payment information ------------------------------------------------------------------


async def _payment_info_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await _employment_of(ctx, row.get("worker"), "worker")


async def _next_detail_code(ctx: Context, _values: Row) -> int:
    return await ctx.store.next_value(ctx.conn, "paymentDetail", 1)


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


async def _payment_detail_check(ctx: Context, _es: EntitySet, row: Row, _old: Row | None) -> None:
    await require(
        ctx,
        "PaymentInformationV3",
        "[COE0019] The payment information record doesn't exist.",
        "PaymentInformationV3_worker",
        effectiveStartDate=row.get("PaymentInformationV3_effectiveStartDate"),
        worker=row.get("PaymentInformationV3_worker"),
    )
    if row.get("paymentMethod") == "BANK_TRANSFER" and row.get("bankCountry") == "GBR":
        sort_code, account = _digits(row.get("routingNumber")), _digits(row.get("accountNumber"))
        if len(sort_code) != 6:
            raise bad_request("[COE0019] A UK sort code has six digits.", "routingNumber")
        if len(account) != 8:
            raise bad_request("[COE0019] A UK account number has eight digits.", "accountNumber")
        row["routingNumber"], row["accountNumber"] = sort_code, account
    _positive(row, "percent", upper=Decimal(100))
    _positive(row, "amount")


# --- the catalogue ------------------------------------------------------------------------


# Custom fields the SOP deployment configures on Employment Details (SuccessFactors' cust_
# prefix): the legal entity (company) the employment is with, the employee number the customer
# gives it, and the UK payroll details its payroll needs.
EMPLOYMENT_CUSTOM_FIELDS = (
    Prop("cust_company", max_length=128, label="Legal Entity"),
    Prop("cust_employeeNumber", max_length=128, label="Employee Number"),
    Prop("cust_homeRegion", max_length=30, label="Home Region"),
    Prop("cust_userSubject", max_length=255, label="Login Subject"),
    Prop("cust_taxCode", max_length=20, label="Tax Code"),
    Prop("cust_niCategory", max_length=1, label="NI Category"),
    Prop("cust_studentLoanPlans", max_length=60, label="Student Loan Plans"),
    Prop("cust_postgraduateLoan", BOOLEAN, label="Postgraduate Loan"),
    Prop("cust_pensionScheme", max_length=50, label="Pension Scheme"),
)


def build_entity_sets() -> list[EntitySet]:
    person_join = (("personIdExternal", "personIdExternal"),)
    user_join = (("userId", "userId"),)
    return [
        EntitySet(
            "PerPerson",
            "Biographical Information",
            _keyed_person(
                Prop("personId", upsertable=False, updatable=False),
                Prop("perPersonUuid", upsertable=False, updatable=False),
                Prop("dateOfBirth", DATETIME),
                Prop("countryOfBirth", max_length=128),
                Prop("regionOfBirth", max_length=128),
                Prop("placeOfBirth", max_length=128),
                Prop("dateOfDeath", DATETIME),
            ),
            navs=[
                Nav("personalInfoNav", "PerPersonal", True, person_join),
                Nav("nationalIdNav", "PerNationalId", True, person_join),
                Nav("emailNav", "PerEmail", True, person_join),
                Nav("phoneNav", "PerPhone", True, person_join),
                Nav("homeAddressNavDEFLT", "PerAddressDEFLT", True, person_join),
                Nav("employmentNav", "EmpEmployment", True, person_join),
            ],
            generated={"personId": _next_person_id, "perPersonUuid": _uuid},
            before_write=_person_check,
        ),
        EntitySet(
            "PerPersonal",
            "Personal Information",
            _keyed_person(
                Prop("startDate", DATETIME, key=True),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("firstName", required=True, max_length=128),
                Prop("lastName", required=True, max_length=128),
                Prop("middleName", max_length=128),
                Prop("preferredName", max_length=128),
                Prop("birthName", max_length=128),
                Prop("salutation", max_length=128),
                Prop("suffix", max_length=128),
                Prop("displayName", upsertable=False, updatable=False),
                Prop("formalName", upsertable=False, updatable=False),
                Prop("gender", picklist=("M", "F", "U", "O")),
                Prop("maritalStatus", picklist=("S", "M", "D", "W", "CP", "SEP", "U")),
                Prop("nationality", max_length=128),
                Prop("nativePreferredLang", max_length=128),
            ),
            navs=[Nav("personNav", "PerPerson", False, person_join)],
            effective=("startDate", "endDate"),
            group=("personIdExternal",),
            before_write=_personal_check,
        ),
        EntitySet(
            "PerNationalId",
            "National ID Card",
            _keyed_person(
                Prop("country", key=True, max_length=128),
                Prop("cardType", key=True, max_length=256),
                Prop("nationalId", required=True, max_length=256),
                Prop("isPrimary", BOOLEAN, default=True),
                Prop("notes", max_length=255),
            ),
            before_write=_national_id_check,
        ),
        EntitySet(
            "PerEmail",
            "Email Information",
            _keyed_person(
                Prop("emailType", key=True, picklist=("B", "P", "O")),
                Prop("emailAddress", required=True, max_length=100),
                Prop("isPrimary", BOOLEAN, default=False),
            ),
            before_write=_email_check,
        ),
        EntitySet(
            "PerPhone",
            "Phone Information",
            _keyed_person(
                Prop("phoneType", key=True, picklist=("B", "H", "C")),
                Prop("countryCode", max_length=256),
                Prop("areaCode", max_length=256),
                Prop("phoneNumber", required=True, max_length=256),
                Prop("extension", max_length=256),
                Prop("isPrimary", BOOLEAN, default=False),
            ),
            before_write=_needs_person,
        ),
        EntitySet(
            "PerAddressDEFLT",
            "Addresses",
            _keyed_person(
                Prop("addressType", key=True, picklist=("home", "mailing", "work")),
                Prop("startDate", DATETIME, key=True),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("address1", required=True, max_length=256),
                Prop("address2", max_length=256),
                Prop("address3", max_length=256),
                Prop("city", max_length=256),
                Prop("county", max_length=256, label="County"),
                Prop("state", max_length=256),
                Prop("zipCode", max_length=256),
                Prop("country", default="GBR", max_length=256),
            ),
            effective=("startDate", "endDate"),
            group=("personIdExternal", "addressType"),
            before_write=_needs_person,
        ),
        EntitySet(
            "EmpEmployment",
            "Employment Details",
            _keyed_person(
                Prop("userId", key=True, max_length=100),
                Prop("startDate", DATETIME, required=True),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("originalStartDate", DATETIME),
                Prop("seniorityDate", DATETIME),
                Prop("lastDateWorked", DATETIME, upsertable=False, updatable=False),
                Prop("okToRehire", BOOLEAN, upsertable=False, updatable=False),
                Prop("isPrimary", BOOLEAN, default=True),
                Prop("assignmentClass", default="ST", picklist=("ST", "GA", "CW")),
                *EMPLOYMENT_CUSTOM_FIELDS,
            ),
            navs=[
                Nav("personNav", "PerPerson", False, person_join),
                Nav("jobInfoNav", "EmpJob", True, user_join),
                Nav(
                    "empEmploymentTerminationNav",
                    "EmpEmploymentTermination",
                    True,
                    (("personIdExternal", "personIdExternal"), ("userId", "userId")),
                ),
            ],
            generated={"userId": _user_from_person},
            before_write=_employment_check,
            deletable=False,
        ),
        EntitySet(
            "EmpEmploymentTermination",
            "Employment Termination",
            _keyed_person(
                Prop("userId", key=True, max_length=100),
                Prop("endDate", DATETIME, required=True),
                Prop("eventReason", max_length=32),
                Prop("lastDateWorked", DATETIME),
                Prop("okToRehire", BOOLEAN),
                Prop("payrollEndDate", DATETIME),
                Prop("notes", max_length=4000),
            ),
            before_write=_termination_check,
            after_write=_apply_termination,
            before_delete=_undo_termination,
        ),
        EntitySet(
            "EmpJob",
            "Job Information",
            [
                Prop("seqNumber", INT64, key=True),
                Prop("startDate", DATETIME, key=True),
                Prop("userId", key=True, max_length=100),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("jobCode", max_length=128),
                Prop("jobTitle", max_length=256),
                Prop("position", max_length=128),
                Prop("department", max_length=128),
                Prop("division", max_length=128),
                Prop("businessUnit", max_length=128),
                Prop("company", max_length=128),
                Prop("costCenter", max_length=128),
                Prop("location", max_length=128),
                Prop("payGrade", max_length=256),
                Prop("payGroup", max_length=32),
                Prop("managerId", max_length=256),
                Prop("fte", DECIMAL),
                Prop("standardHours", DECIMAL),
                Prop("workingDaysPerWeek", DECIMAL),
                Prop("isFulltimeEmployee", BOOLEAN),
                Prop(
                    "employeeClass",
                    default="EMPLOYEE",
                    picklist=("EMPLOYEE", "CONTRACTOR", "INTERN", "APPRENTICE"),
                ),
                Prop("employmentType", picklist=("FULL_TIME", "PART_TIME")),
                # The customer's picklist: the UK public sector's kinds of contract.
                Prop(
                    "contractType",
                    picklist=(
                        "PERMANENT",
                        "FIXED_TERM",
                        "CASUAL",
                        "TEMPORARY",
                        "SECONDMENT",
                        "LOAN",
                        "APPRENTICESHIP",
                    ),
                ),
                Prop("contractEndDate", DATETIME),
                Prop("regularTemp", picklist=("R", "T")),
                Prop("emplStatus", default="A", picklist=("A", "U", "P", "S", "R", "T")),
                Prop("event", max_length=32),
                Prop("eventReason", max_length=32),
                Prop("timezone", max_length=256),
            ],
            navs=[
                Nav("employmentNav", "EmpEmployment", False, user_join),
                Nav("departmentNav", "FODepartment", False, (("department", "externalCode"),)),
                Nav("jobCodeNav", "FOJobCode", False, (("jobCode", "externalCode"),)),
                Nav("positionNav", "Position", False, (("position", "code"),)),
            ],
            effective=("startDate", "endDate"),
            group=("userId",),
            generated={"seqNumber": _one},
            before_write=_job_check,
        ),
        EntitySet(
            "EmpPayCompRecurring",
            "Recurring Pay Components",
            [
                Prop("payComponent", key=True, max_length=32),
                Prop("seqNumber", INT64, key=True),
                Prop("startDate", DATETIME, key=True),
                Prop("userId", key=True, max_length=100),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("paycompvalue", DECIMAL, required=True, scale=2),
                Prop("currencyCode", default="GBP", max_length=32),
                Prop("frequency", default="ANN", picklist=("ANN", "MON", "WEK", "HOURLY")),
                Prop("notes", max_length=4000),
            ],
            effective=("startDate", "endDate"),
            group=("userId", "payComponent"),
            generated={"seqNumber": _one},
            before_write=_pay_component_check,
        ),
        EntitySet(
            "FODepartment",
            "Department",
            [
                Prop("externalCode", key=True, max_length=32),
                Prop("startDate", DATETIME, key=True),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("name", required=True, max_length=255),
                Prop("description", max_length=255),
                Prop("parent", max_length=32),
                Prop("costCenter", max_length=32, label="Cost Center"),
                Prop("headOfUnit", max_length=100),
                Prop("status", default="A", picklist=("A", "I")),
                Prop("cust_company", max_length=128, label="Legal Entity"),
                Prop("cust_code", max_length=128, label="Department Code"),
            ],
            navs=[
                Nav("parentNav", "FODepartment", False, (("parent", "externalCode"),)),
            ],
            effective=("startDate", "endDate"),
            group=("externalCode",),
            before_write=_department_check,
        ),
        EntitySet(
            "FOJobCode",
            "Job Classification",
            [
                Prop("externalCode", key=True, max_length=32),
                Prop("startDate", DATETIME, key=True),
                Prop("endDate", DATETIME, upsertable=False, updatable=False),
                Prop("name", required=True, max_length=255),
                Prop("description", max_length=255),
                Prop("status", default="A", picklist=("A", "I")),
                Prop("grade", max_length=32),
                Prop("standardHours", DECIMAL),
                Prop("isFulltimeEmployee", BOOLEAN),
                Prop("regularTemporary", picklist=("R", "T")),
                Prop("employeeClass", max_length=32),
            ],
            effective=("startDate", "endDate"),
            group=("externalCode",),
        ),
        EntitySet(
            "Position",
            "Position",
            [
                Prop("code", key=True, max_length=128),
                Prop("effectiveStartDate", DATETIME, key=True),
                Prop("effectiveEndDate", DATETIME, upsertable=False, updatable=False),
                Prop("externalName_defaultValue", required=True, max_length=255),
                Prop("effectiveStatus", default="A", picklist=("A", "I")),
                Prop("jobCode", max_length=128),
                Prop("department", max_length=128),
                Prop("company", max_length=128),
                Prop("businessUnit", max_length=128),
                Prop("location", max_length=128),
                Prop("costCenter", max_length=128),
                Prop("payGrade", max_length=128),
                Prop("targetFTE", DECIMAL, default=Decimal(1)),
                Prop("standardHours", DECIMAL),
                Prop("vacant", BOOLEAN, default=True),
                Prop("multipleIncumbentsAllowed", BOOLEAN, default=False),
                Prop("employeeClass", max_length=128),
                Prop("regularTemporary", picklist=("R", "T")),
                Prop("parentPosition", max_length=128),
                Prop("cust_code", max_length=128, label="Position Number"),
            ],
            navs=[
                Nav("departmentNav", "FODepartment", False, (("department", "externalCode"),)),
                Nav("jobCodeNav", "FOJobCode", False, (("jobCode", "externalCode"),)),
            ],
            effective=("effectiveStartDate", "effectiveEndDate"),
            group=("code",),
            before_write=_position_check,
        ),
        EntitySet(
            "TimeType",
            "Time Type",
            [
                Prop("externalCode", key=True, max_length=128),
                Prop("externalName_defaultValue", max_length=255),
                Prop("unit", default="DAYS", picklist=("DAYS", "HOURS")),
                Prop("category", default="ABSENCE"),
            ],
            audit=False,
            creatable=False,
            updatable=False,
            deletable=False,
        ),
        EntitySet(
            "EmployeeTime",
            "Employee Time",
            [
                Prop("externalCode", key=True, max_length=128),
                Prop("userId", required=True, updatable=False, max_length=100),
                Prop("timeType", required=True, max_length=128),
                Prop("startDate", DATETIME, required=True),
                Prop("endDate", DATETIME, required=True),
                Prop("startTime", max_length=20),
                Prop("endTime", max_length=20),
                Prop(
                    "approvalStatus",
                    default="PENDING",
                    picklist=(
                        "PENDING",
                        "APPROVED",
                        "REJECTED",
                        "CANCELLED",
                        "PENDING_CANCELLATION",
                    ),
                ),
                Prop("quantityInDays", DECIMAL, upsertable=False, updatable=False),
                Prop("quantityInHours", DECIMAL, upsertable=False, updatable=False),
                Prop("comment", max_length=4000),
                Prop("mdfSystemRecordStatus", default="N", upsertable=False, updatable=False),
                Prop("cust_requestedBy", max_length=255, label="Requested By"),
                Prop("cust_decidedBy", max_length=255, label="Decided By"),
                Prop("cust_decidedAt", DATETIMEOFFSET, label="Decided At"),
                Prop("cust_decisionNote", max_length=500, label="Decision Note"),
                # Working days by the customer's holiday calendar (quantityInDays counts weekdays).
                Prop("cust_workingDays", INT32, label="Working Days"),
            ],
            navs=[
                Nav("timeTypeNav", "TimeType", False, (("timeType", "externalCode"),)),
                Nav("userIdNav", "EmpEmployment", False, user_join),
            ],
            generated={"externalCode": _uuid},
            before_write=_time_check,
        ),
        EntitySet(
            # A custom MDF object (the cust_ prefix is SuccessFactors' for customer objects):
            # the leave types each company offers and their yearly entitlement.
            "cust_SOPLeaveType",
            "SOP Leave Type",
            [
                Prop("externalCode", key=True, max_length=128),
                Prop("externalName", required=True, max_length=255),
                Prop("cust_company", required=True, max_length=128, label="Legal Entity"),
                Prop("cust_code", required=True, max_length=128, label="Code"),
                Prop("cust_paid", BOOLEAN, default=True, label="Paid"),
                Prop("cust_entitlementDays", DECIMAL, label="Entitlement Days"),
                Prop("mdfSystemRecordStatus", default="N", upsertable=False, updatable=False),
            ],
            before_write=_leave_type_check,
            deletable=False,
        ),
        EntitySet(
            "PaymentInformationV3",
            "Payment Information",
            [
                Prop("effectiveStartDate", DATETIME, key=True),
                Prop("worker", key=True, max_length=100),
                Prop("effectiveEndDate", DATETIME, upsertable=False, updatable=False),
                Prop("jobCountry", default="GBR", max_length=128),
            ],
            navs=[
                Nav(
                    "toPaymentInformationDetailV3",
                    "PaymentInformationDetailV3",
                    True,
                    (
                        ("effectiveStartDate", "PaymentInformationV3_effectiveStartDate"),
                        ("worker", "PaymentInformationV3_worker"),
                    ),
                ),
            ],
            effective=("effectiveStartDate", "effectiveEndDate"),
            group=("worker",),
            before_write=_payment_info_check,
        ),
        EntitySet(
            "PaymentInformationDetailV3",
            "Payment Information Details",
            [
                Prop("PaymentInformationV3_effectiveStartDate", DATETIME, key=True),
                Prop("PaymentInformationV3_worker", key=True, max_length=100),
                Prop("externalCode", INT64, key=True),
                Prop("payType", default="MAIN", picklist=("MAIN", "EXTRA")),
                Prop(
                    "paymentMethod",
                    default="BANK_TRANSFER",
                    picklist=("BANK_TRANSFER", "CHEQUE", "CASH"),
                ),
                Prop("bankCountry", default="GBR", max_length=128),
                Prop("bank", max_length=128),
                Prop("accountOwner", max_length=255),
                Prop("accountNumber", max_length=255),
                Prop("routingNumber", max_length=255, label="Sort Code"),
                Prop("iban", max_length=255),
                Prop("businessIdentifierCode", max_length=255),
                Prop("buildingSocietyRollNumber", max_length=255),
                Prop("currency", default="GBP", max_length=128),
                Prop("amount", DECIMAL, scale=2),
                Prop("percent", DECIMAL),
                Prop("purpose", max_length=255),
            ],
            generated={"externalCode": _next_detail_code},
            before_write=_payment_detail_check,
        ),
    ]


__all__ = ["build_entity_sets"]
