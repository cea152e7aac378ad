"""The composition root: the cluster's binding picks the adapter; an adapter HR does not have
is a 503 problem; every adapter implements every port exactly as declared."""

from __future__ import annotations

import inspect

import pytest

from sop_hr.absences.ports import AbsenceRecords, LeaveTypeRecords
from sop_hr.adapters.native.absences import NativeAbsences, NativeLeaveTypes
from sop_hr.adapters.native.employees import NativeEmployees
from sop_hr.adapters.native.org_units import NativeOrgUnits
from sop_hr.adapters.native.positions import NativePositions
from sop_hr.adapters.native.terms import NativeTerms
from sop_hr.adapters.oracle_like.absences import OracleAbsences, OracleLeaveTypes
from sop_hr.adapters.oracle_like.employees import OracleEmployees
from sop_hr.adapters.oracle_like.organisation import OracleOrgUnits, OraclePositions
from sop_hr.adapters.oracle_like.terms import OracleTerms
from sop_hr.adapters.registry import ADAPTERS
from sop_hr.adapters.sap_like.absences import SapAbsences, SapLeaveTypes
from sop_hr.adapters.sap_like.employees import SapEmployees
from sop_hr.adapters.sap_like.organisation import SapOrgUnits, SapPositions
from sop_hr.adapters.sap_like.terms import SapTerms
from sop_hr.employees.ports import EmployeeRecords
from sop_hr.org_units.ports import OrgUnitRecords
from sop_hr.positions.ports import PositionRecords
from sop_hr.terms.ports import TermsRecords


async def test_a_cluster_bound_to_an_adapter_hr_lacks_gets_503(hr_client, mint, tenant):
    token = mint(tenant=tenant, cluster="vendorland", scopes="hr:read", audience="sop-hr")
    r = await hr_client.get("/hr/v1/employees", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"]
    assert "workday_like" in r.json()["detail"]


@pytest.mark.parametrize("cluster", ["elsewhere", "ledgeronly"])
async def test_a_cluster_the_config_does_not_bind_for_hr_is_refused_not_guessed(
    hr_client, mint, tenant, cluster, caplog
):
    """An unknown cluster, or one whose config binds no HR adapter, is never served by the
    native adapter: a stale config must not write a department's records to the wrong place."""

    def headers(cluster: str, scopes: str) -> dict[str, str]:
        token = mint(tenant=tenant, cluster=cluster, scopes=scopes, audience="sop-hr")
        return {"Authorization": f"Bearer {token}"}

    r = await hr_client.get("/hr/v1/employees", headers=headers(cluster, "hr:read"))
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith(":cluster-not-bound")
    assert int(r.headers["retry-after"]) > 0
    assert any("no hr binding" in m for m in caplog.messages)

    body = {"code": "OU-1", "name": "Somewhere", "cost_centre": "CC100"}
    r = await hr_client.post("/hr/v1/org-units", json=body, headers=headers(cluster, "hr:write"))
    assert r.status_code == 503
    # Nothing was written anywhere, not even in HR's own (native) records.
    r = await hr_client.get("/hr/v1/org-units", headers=headers("matrix", "hr:read"))
    assert r.status_code == 200
    assert r.json()["items"] == []


@pytest.mark.parametrize(
    ("port", "adapter"),
    [
        (EmployeeRecords, NativeEmployees),
        (TermsRecords, NativeTerms),
        (OrgUnitRecords, NativeOrgUnits),
        (PositionRecords, NativePositions),
        (LeaveTypeRecords, NativeLeaveTypes),
        (AbsenceRecords, NativeAbsences),
        (EmployeeRecords, OracleEmployees),
        (TermsRecords, OracleTerms),
        (OrgUnitRecords, OracleOrgUnits),
        (PositionRecords, OraclePositions),
        (LeaveTypeRecords, OracleLeaveTypes),
        (AbsenceRecords, OracleAbsences),
        (EmployeeRecords, SapEmployees),
        (TermsRecords, SapTerms),
        (OrgUnitRecords, SapOrgUnits),
        (PositionRecords, SapPositions),
        (LeaveTypeRecords, SapLeaveTypes),
        (AbsenceRecords, SapAbsences),
    ],
)
def test_every_adapter_implements_each_port_as_declared(port, adapter):
    wanted = {n for n, v in vars(port).items() if inspect.iscoroutinefunction(v)}
    assert wanted, port
    for name in wanted:
        declared = inspect.signature(getattr(port, name))
        implemented = inspect.signature(getattr(adapter, name))
        assert inspect.iscoroutinefunction(getattr(adapter, name)), name
        assert [(p.name, p.kind) for p in implemented.parameters.values()] == [
            (p.name, p.kind) for p in declared.parameters.values()
        ], f"{adapter.__name__}.{name}"


def test_every_adapter_is_registered():
    assert set(ADAPTERS) == {"native", "oracle_like", "sap_like"}


async def test_openapi_documents_scopes_and_problems(hr_client):
    spec = (await hr_client.get("/openapi.json")).json()
    patch = spec["paths"]["/hr/v1/employees/{employee_id}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert patch["security"] == [{"sop_oauth2": ["hr:write"]}]
    imports = spec["paths"]["/hr/v1/employees/imports"]["post"]
    assert {"text/csv", "multipart/form-data"} <= set(imports["requestBody"]["content"])
    employee = spec["components"]["schemas"]["EmployeeOut"]["properties"]
    assert "hr:sensitive" in employee["national_insurance_number"]["description"]
