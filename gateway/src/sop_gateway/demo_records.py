"""Demo records for `sop run`: a small department per demo tenant, created through HR's own
API (so tenants on vendor-bound clusters are seeded through their adapters), and what a pay run
needs besides (finance's paying bank account, payroll's monthly pay group and each person's RTI
details), so a department can run its December payroll at once. Idempotent: a tenant whose
first demo employee (or pay group) exists is left alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from sop_shared.security import InternalTokenSigner

log = logging.getLogger("sop.gateway.demo")

SEED_SUBJECT = "sop-demo-seed"
START = "2024-04-01"


@dataclass(frozen=True)
class DemoPerson:
    number: str
    first: str
    last: str
    nino: str
    born: str
    region: str
    unit: str
    position: str
    grade: str
    salary: str
    fte: str = "1"
    tax_code: str = "1257L"


UNITS = (
    # code, name, cost centre, parent code
    ("DEPT", "Department", "CC-100", None),
    ("CORP", "Corporate Services", "CC-110", "DEPT"),
    ("OPS", "Operations", "CC-120", "DEPT"),
)
POSITIONS = (
    # code, title, grade, unit, budgeted FTE
    ("P-001", "Director of Operations", "G6", "OPS", "1"),
    ("P-002", "Policy Adviser", "HEO", "CORP", "2"),
    ("P-003", "Caseworker", "EO", "OPS", "4"),
)
PEOPLE = (
    DemoPerson(
        "D0001",
        "Amara",
        "Okafor",
        "AB123456C",
        "1980-03-14",
        "england",
        "OPS",
        "P-001",
        "G6",
        "72000.00",
    ),
    DemoPerson(
        "D0002",
        "Callum",
        "MacLeod",
        "CE654321A",
        "1991-07-02",
        "scotland",
        "CORP",
        "P-002",
        "HEO",
        "38500.00",
        tax_code="S1257L",
    ),
    DemoPerson(
        "D0003",
        "Rhiannon",
        "Evans",
        "JG112233B",
        "1995-11-23",
        "wales",
        "OPS",
        "P-003",
        "EO",
        "29800.00",
        fte="0.6",
        tax_code="C1257L",
    ),
    DemoPerson(
        "D0004",
        "Priya",
        "Shah",
        "HP998877D",
        "1988-01-30",
        "england",
        "OPS",
        "P-003",
        "EO",
        "29800.00",
    ),
    DemoPerson(
        "D0005",
        "Ciaran",
        "O'Neill",
        "KL445566A",
        "1979-09-09",
        "northern-ireland",
        "CORP",
        "P-002",
        "HEO",
        "38500.00",
    ),
)


async def seed_hr(
    hr_url: str,
    signer: InternalTokenSigner,
    tenants: dict[str, str],
    *,
    request_timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, str]:
    """Seed each tenant (slug -> cluster). Returns slug -> outcome ("seeded", "present", or the
    failure) so `sop run` can say what happened without stopping."""
    outcomes: dict[str, str] = {}
    async with httpx.AsyncClient(
        base_url=hr_url, timeout=request_timeout, transport=transport
    ) as client:
        for tenant, cluster in tenants.items():
            token, _ = signer.sign(
                audience="sop-hr",
                subject=SEED_SUBJECT,
                client_id="sop-cli",
                tenant=tenant,
                cluster=cluster,
                scopes="hr:read hr:write hr:sensitive",
            )
            headers = {"Authorization": f"Bearer {token}"}
            try:
                outcomes[tenant] = await _seed_tenant(client, headers)
            except (httpx.HTTPError, DemoSeedError) as exc:
                outcomes[tenant] = f"not seeded ({exc})"
                log.warning("demo records for %s not seeded: %s", tenant, exc)
    return outcomes


class DemoSeedError(Exception):
    pass


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = await client.request(method, path, headers=headers, json=body)
    if response.status_code >= 400:
        detail = response.json().get("detail") if response.content else ""
        raise DemoSeedError(f"{method} {path}: {response.status_code} {detail}")
    return response.json()


async def _seed_tenant(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    first = PEOPLE[0].number
    found = await _call(client, "GET", f"/hr/v1/employees?employee_number={first}", headers)
    if found["items"]:
        return "present"
    units: dict[str, str] = {}
    existing = await _call(client, "GET", "/hr/v1/org-units?limit=500", headers)
    units.update({u["code"]: u["id"] for u in existing["items"]})
    for code, name, cost_centre, parent in UNITS:
        if code not in units:
            made = await _call(
                client,
                "POST",
                "/hr/v1/org-units",
                headers,
                {
                    "code": code,
                    "name": name,
                    "cost_centre": cost_centre,
                    "parent_id": units[parent] if parent else None,
                },
            )
            units[code] = made["id"]
    positions: dict[str, str] = {}
    existing = await _call(client, "GET", "/hr/v1/positions?limit=500", headers)
    positions.update({p["code"]: p["id"] for p in existing["items"]})
    for code, title, grade, unit, fte in POSITIONS:
        if code not in positions:
            made = await _call(
                client,
                "POST",
                "/hr/v1/positions",
                headers,
                {
                    "code": code,
                    "title": title,
                    "grade": grade,
                    "org_unit_id": units[unit],
                    "budgeted_fte": fte,
                },
            )
            positions[code] = made["id"]
    for person in PEOPLE:
        await _call(
            client,
            "POST",
            "/hr/v1/employees",
            headers,
            {
                "employee_number": person.number,
                "first_name": person.first,
                "last_name": person.last,
                "work_email": f"{person.first}.{person.last}@example.gov.uk".lower().replace(
                    "'", ""
                ),
                "date_of_birth": person.born,
                "national_insurance_number": person.nino,
                "home_region": person.region,
                "bank_details": {
                    "sort_code": "200000",
                    "account_number": f"{10000000 + int(person.number[1:]):08d}",
                    "account_name": f"{person.first} {person.last}".upper().replace("'", "")[:18],
                },
                "start_date": START,
                "payroll": {
                    "tax_code": person.tax_code,
                    "ni_category": "A",
                    "pension_scheme": "alpha",
                },
                "terms": {
                    "org_unit_id": units[person.unit],
                    "position_id": positions[person.position],
                    "grade": person.grade,
                    "fte": person.fte,
                    "annual_salary": person.salary,
                    "pay_frequency": "monthly",
                    "contract_type": "permanent",
                },
            },
        )
    return "seeded"


# What payroll needs besides HR: the gender HMRC records and an address for the FPS.
RTI = {
    "D0001": ("F", "1 Horse Guards Road", "London", "SW1A 2HQ"),
    "D0002": ("M", "4 Princes Street", "Edinburgh", "EH2 2AN"),
    "D0003": ("F", "12 Heol y Frenhines", "Cardiff", "CF10 2BH"),
    "D0004": ("F", "8 Deansgate", "Manchester", "M3 2EN"),
    "D0005": ("M", "3 Donegall Square", "Belfast", "BT1 5GS"),
}
PAY_GROUP = {
    "code": "MONTHLY",
    "name": "Monthly salaried staff",
    "frequency": "monthly",
    "pay_day": "last_working_day",
    "tax_office_number": "123",
    "paye_reference": "AB45678",
    "accounts_office_reference": "123PA00012345",
    # A demo's rates: alpha's employee rate depends on pay (4.6% to 8.05%); employer 28.97%.
    "pension_schemes": {
        "alpha": {
            "method": "net_pay",
            "basis": "pensionable_pay",
            "employee_rate": "0.0545",
            "employer_rate": "0.2897",
        }
    },
}


async def seed_payroll(
    urls: dict[str, str],
    signer: InternalTokenSigner,
    tenants: dict[str, str],
    *,
    request_timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, str]:
    """Per tenant: finance's payroll bank account, payroll's monthly pay group paying from it,
    and RTI details for the demo people. `urls` holds the hr, finance and payroll services'."""
    outcomes: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=request_timeout, transport=transport) as client:
        for tenant, cluster in tenants.items():

            def headers(
                service: str, scopes: str, *, tenant: str = tenant, cluster: str = cluster
            ) -> dict[str, str]:
                token, _ = signer.sign(
                    audience=f"sop-{service}",
                    subject=SEED_SUBJECT,
                    client_id="sop-cli",
                    tenant=tenant,
                    cluster=cluster,
                    scopes=scopes,
                )
                return {"Authorization": f"Bearer {token}"}

            try:
                outcomes[tenant] = await _seed_payroll(client, urls, headers)
            except (httpx.HTTPError, DemoSeedError) as exc:
                outcomes[tenant] = f"not seeded ({exc})"
                log.warning("demo payroll for %s not seeded: %s", tenant, exc)
    return outcomes


async def _seed_payroll(client: httpx.AsyncClient, urls: dict[str, str], headers: Any) -> str:
    payroll = headers("payroll", "payroll:read payroll:run")
    groups = await _call(client, "GET", f"{urls['payroll']}/payroll/v1/pay-groups", payroll)
    if any(g["code"] == PAY_GROUP["code"] for g in groups["items"]):
        return "present"
    finance = headers("finance", "finance:read finance:write finance:approve")
    accounts = await _call(client, "GET", f"{urls['finance']}/finance/v1/bank-accounts", finance)
    bank = next((a for a in accounts["items"] if a["name"] == "Payroll account"), None)
    if bank is None:
        bank = await _call(
            client,
            "POST",
            f"{urls['finance']}/finance/v1/bank-accounts",
            finance,
            {
                "name": "Payroll account",
                "sort_code": "60-70-80",
                "account_number": "10002000",
                "account_name": "DEPARTMENT PAYROLL",
                "service_user_number": "123456",
                "ledger_account_code": "43100000",
            },
        )
    hr = headers("hr", "hr:read")
    people = await _call(client, "GET", f"{urls['hr']}/hr/v1/employees?limit=500", hr)
    for employee in people["items"]:
        found = RTI.get(employee["employee_number"])
        if found is None:
            continue
        gender, line1, town, postcode = found
        path = f"{urls['payroll']}/payroll/v1/employees/{employee['id']}/rti-details"
        response = await client.get(path, headers=payroll)
        if response.status_code == 404:
            await _call(
                client,
                "PUT",
                path,
                payroll,
                {"gender": gender, "address": {"lines": [line1, town], "postcode": postcode}},
            )
    await _call(
        client,
        "POST",
        f"{urls['payroll']}/payroll/v1/pay-groups",
        payroll,
        {**PAY_GROUP, "bank_account_id": bank["id"]},
    )
    return "seeded"
