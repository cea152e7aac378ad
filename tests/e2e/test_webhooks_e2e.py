"""Webhooks across processes: an employee updated through the gateway becomes an HR event on
NATS, the gateway's `gateway-webhooks` consumer records a delivery for the tenant's
subscription, and its delivery worker POSTs it, signed, to a receiver listening on 127.0.0.1
(loopback is allowed in development only)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

UPDATED = "uk.gov.sop.hr.employee.updated.v1"


class Receiver:
    """A tiny HTTP/1.1 server on 127.0.0.1 that keeps each request's headers and body."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks/sop"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")[1:]
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            await self.received.put((headers, body))
            writer.write(
                b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            await writer.drain()
        finally:
            writer.close()


async def test_an_employee_update_reaches_the_tenants_webhook_signed(
    stack: Any, client: httpx.AsyncClient
) -> None:
    receiver, other_receiver = Receiver(), Receiver()
    url = await receiver.start()
    try:
        tenant = await stack.onboard(client)
        hooks = stack.tenant_headers(tenant, "webhooks:manage")
        r = await client.post(
            "/platform/v1/webhooks",
            json={"url": url, "event_types": [UPDATED], "description": "e2e"},
            headers=hooks,
        )
        assert r.status_code == 201, r.text
        subscription = r.json()
        secret = subscription["secret"]

        # Another department subscribed to everything sees nothing of this one's events.
        other = await stack.onboard(client)
        other_url = await other_receiver.start()
        r = await client.post(
            "/platform/v1/webhooks",
            json={"url": other_url, "event_types": ["*"]},
            headers=stack.tenant_headers(other, "webhooks:manage"),
        )
        assert r.status_code == 201, r.text

        write = stack.tenant_headers(tenant, "hr:read hr:write")
        created = await client.post(
            "/hr/v1/employees",
            json={
                "employee_number": "WH-1",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "home_region": "england",
                "start_date": "2026-04-01",
            },
            headers=write,
        )
        assert created.status_code == 201, created.text
        employee = created.json()
        updated = await client.patch(
            f"/hr/v1/employees/{employee['id']}",
            json={"last_name": "King"},
            headers={**write, "If-Match": created.headers["etag"]},
        )
        assert updated.status_code == 200, updated.text

        headers, body = await asyncio.wait_for(receiver.received.get(), 60)
        envelope = Webhook(secret).verify(body, headers)
        assert envelope["type"] == UPDATED
        assert envelope["tenant"] == tenant
        assert headers["webhook-id"] == envelope["id"]
        assert headers["content-type"] == "application/json"
        assert employee["id"] in envelope["subject"]

        # The delivery log says so.
        started, log = time.monotonic(), []
        while time.monotonic() - started < 10:
            r = await client.get(
                f"/platform/v1/webhooks/{subscription['id']}/deliveries", headers=hooks
            )
            log = [d for d in r.json()["items"] if d["status"] == "delivered"]
            if log:
                break
            await asyncio.sleep(0.1)
        assert log and log[0]["last_status_code"] == 204 and log[0]["attempts"] == 1
        assert other_receiver.received.empty()
        # The employee's creation was not subscribed to: only updates come.
        while not receiver.received.empty():
            _, extra = receiver.received.get_nowait()
            assert json.loads(extra)["type"] == UPDATED
    finally:
        await receiver.stop()
        await other_receiver.stop()
