"""Custom actions (absence approval, termination, ending assignments) and all-or-nothing batches."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"
ADF_ERROR = "application/vnd.oracle.adf.error+json"
ACTION = {"Content-Type": "application/vnd.oracle.adf.action+json"}


async def _absence(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "personNumber": "100001",
        "absenceType": "Annual Leave",
        "startDate": "2024-03-04",
        "endDate": "2024-03-08",
        **overrides,
    }
    response = await client.post(f"{BASE}/absences", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_absence_is_created_awaiting_approval(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    absence = await _absence(client)
    assert absence["personId"] == worker["PersonId"]
    assert (absence["absenceStatusCd"], absence["approvalStatusCd"]) == ("SUBMITTED", "AWAITING")
    assert absence["duration"] == 5
    assert absence["assignmentNumber"] == "E100001"
    assert absence["absenceDispStatus"] == "Awaiting approval"


async def test_approve_action_and_illegal_transition(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.hire()
    absence = await _absence(client)
    approve = await client.post(
        f"{hcm.path(absence)}/action/approveAbsence",
        json={"name": "approveAbsence", "parameters": [{"comments": "Enjoy"}]},
        headers=ACTION,
    )
    assert approve.status_code == 200
    assert approve.headers["content-type"] == "application/vnd.oracle.adf.actionresult+json"
    assert approve.json() == {"result": "APPROVED"}
    after = (await client.get(hcm.path(absence))).json()
    assert (after["approvalStatusCd"], after["comments"]) == ("APPROVED", "Enjoy")
    again = await client.post(f"{hcm.path(absence)}/action/denyAbsence", json={}, headers=ACTION)
    assert again.status_code == 400
    withdraw = await client.post(
        f"{hcm.path(absence)}/action/withdrawAbsence", json={}, headers=ACTION
    )
    assert withdraw.json() == {"result": "ORA_WITHDRAWN"}


async def test_changing_an_approved_absence_sends_it_back(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await hcm.hire()
    absence = await _absence(client)
    await client.post(f"{hcm.path(absence)}/action/approveAbsence", json={}, headers=ACTION)
    moved = await client.patch(hcm.path(absence), json={"endDate": "2024-03-05"})
    assert moved.status_code == 200
    assert (moved.json()["approvalStatusCd"], moved.json()["duration"]) == ("AWAITING", 2)


async def test_absence_rules(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.hire()
    await _absence(client)
    overlap = await client.post(
        f"{BASE}/absences",
        json={
            "personNumber": "100001",
            "absenceType": "Sickness",
            "startDate": "2024-03-08",
            "endDate": "2024-03-09",
        },
        headers={"Accept": ADF_ERROR},
    )
    assert overlap.status_code == 400
    assert overlap.json()["o:errorDetails"][0]["o:errorCode"] == "ANC-1530003"
    bad_type = await client.post(
        f"{BASE}/absences",
        json={
            "personNumber": "100001",
            "absenceType": "Duvet Day",
            "startDate": "2025-01-01",
            "endDate": "2025-01-01",
        },
    )
    assert bad_type.status_code == 400
    nobody = await client.post(
        f"{BASE}/absences",
        json={
            "personNumber": "999",
            "absenceType": "Sickness",
            "startDate": "2025-01-01",
            "endDate": "2025-01-01",
        },
    )
    assert nobody.status_code == 400


async def test_terminate_and_reverse(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire(start="2021-04-01")
    rel = worker["workRelationships"][0]
    rel_path = f"{hcm.path(worker)}/child/workRelationships/{rel['PeriodOfServiceId']}"
    response = await client.post(
        f"{rel_path}/action/terminate",
        json={
            "TerminationDate": "2024-06-30",
            "ActionCode": "RESIGNATION",
            "ReasonCode": "NEW_JOB",
        },
        headers=ACTION,
    )
    assert response.status_code == 200, response.text
    terminated = (await client.get(rel_path)).json()
    assert terminated["TerminationDate"] == "2024-06-30"
    last_day = await hcm.assignments(worker, effectiveDate="2024-06-30")
    after = await hcm.assignments(worker, effectiveDate="2024-07-01")
    assert last_day[0]["AssignmentStatusType"] == "ACTIVE"
    assert (after[0]["AssignmentStatusType"], after[0]["ActionCode"]) == ("INACTIVE", "RESIGNATION")
    twice = await client.post(
        f"{rel_path}/action/terminate", json={"TerminationDate": "2024-07-31"}, headers=ACTION
    )
    assert twice.status_code == 400

    reverse = await client.post(f"{rel_path}/action/reverseTermination", json={}, headers=ACTION)
    assert reverse.status_code == 200
    restored = await hcm.assignments(worker, effectiveDate="2024-07-01")
    assert restored[0]["AssignmentStatusType"] == "ACTIVE"
    assert restored[0]["EffectiveEndDate"] == "4712-12-31"


async def test_only_assignment_cannot_be_ended(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    assignment = worker["workRelationships"][0]["assignments"][0]
    response = await client.post(
        f"{hcm.path(assignment)}/action/endAssignment",
        json={"EffectiveDate": "2024-01-31"},
        headers=ACTION,
    )
    assert response.status_code == 400
    unknown = await client.post(f"{hcm.path(assignment)}/action/teleport", json={}, headers=ACTION)
    assert unknown.status_code == 404


async def test_batch_runs_every_part(client: httpx.AsyncClient) -> None:
    response = await client.post(
        BASE,
        json={
            "parts": [
                {
                    "id": "p1",
                    "path": "/jobs",
                    "operation": "create",
                    "payload": {"JobCode": "A", "Name": "A"},
                },
                {
                    "id": "p2",
                    "path": "/jobs",
                    "operation": "create",
                    "payload": {"JobCode": "B", "Name": "B"},
                },
                {"id": "p3", "path": "/jobs?q=JobCode='A'&onlyData=true", "operation": "get"},
            ]
        },
        headers={"Content-Type": "application/vnd.oracle.adf.batch+json"},
    )
    assert response.status_code == 200, response.text
    parts = response.json()["parts"]
    assert [p["id"] for p in parts] == ["p1", "p2", "p3"]
    assert parts[0]["payload"]["JobCode"] == "A"
    assert parts[2]["payload"]["items"][0]["JobCode"] == "A"


async def test_batch_is_all_or_nothing(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{BASE}/",
        json={
            "parts": [
                {
                    "id": "ok",
                    "path": "jobs",
                    "operation": "create",
                    "payload": {"JobCode": "A", "Name": "A"},
                },
                {
                    "id": "bad",
                    "path": "jobs",
                    "operation": "create",
                    "payload": {"Name": "no code"},
                },
            ]
        },
        headers={"Content-Type": "application/vnd.oracle.adf.batch+json"},
    )
    assert response.status_code == 400
    failed = response.json()["parts"]
    assert [p["id"] for p in failed] == ["bad"]
    assert failed[0]["exception"]["o:errorDetails"][0]["o:errorPath"] == "/JobCode"
    assert (await client.get(f"{BASE}/jobs")).json()["count"] == 0


async def test_batch_update_with_stale_if_match_fails(client: httpx.AsyncClient) -> None:
    job = (await client.post(f"{BASE}/jobs", json={"JobCode": "A", "Name": "A"})).json()
    path = httpx.URL(job["links"][0]["href"]).path
    response = await client.post(
        BASE,
        json={
            "parts": [
                {
                    "id": "1",
                    "path": path,
                    "operation": "update",
                    "payload": {"Name": "B"},
                    "ifMatch": "ACED0005",
                },
            ]
        },
        headers={"Content-Type": "application/vnd.oracle.adf.batch+json"},
    )
    assert response.status_code == 412
    assert response.json()["parts"][0]["preconditionSucceeded"] is False
    assert (await client.get(path)).json()["Name"] == "A"
