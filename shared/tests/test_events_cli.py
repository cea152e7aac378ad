"""`sop events` against a real NATS: status, dead letters, replay, and a server that is not
there. (The command lives in the gateway's CLI; these tests sit with the events' own.)"""

from __future__ import annotations

import asyncio
import json

import nats
import pytest

from sop_gateway.cli import main
from sop_shared.events.jetstream import ensure_streams


def sop(*argv: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    return int(done.value.code or 0)


def streams_exist(url: str) -> None:
    async def go() -> None:
        nc = await nats.connect(url)
        try:
            await ensure_streams(nc.jsm())
        finally:
            await nc.close()

    asyncio.run(go())


def test_status_lists_the_streams(nats_url, capsys):
    streams_exist(nats_url)
    assert sop("events", "--nats-url", nats_url, "status") == 0
    out = capsys.readouterr().out
    assert "SOP_EVENTS  sop.>" in out and "SOP_DEAD_LETTERS  sop-dead.>" in out
    assert sop("events", "--nats-url", nats_url, "status", "--json") == 0
    names = [s["name"] for s in json.loads(capsys.readouterr().out)]
    assert names == ["SOP_EVENTS", "SOP_DEAD_LETTERS"]


def test_dead_letters_and_replay_of_what_is_not_there(nats_url, tenant, capsys):
    streams_exist(nats_url)
    assert sop("events", "--nats-url", nats_url, "dead-letters", "--consumer", tenant) == 0
    assert "no dead letters" in capsys.readouterr().out
    assert sop("events", "--nats-url", nats_url, "replay", "999999999") == 1
    assert "no dead letter 999999999" in capsys.readouterr().err


def test_no_nats_is_one_line_not_a_traceback(capsys):
    assert sop("events", "--nats-url", "nats://127.0.0.1:1", "status") == 1
    err = capsys.readouterr().err
    assert err.startswith("sop: cannot reach NATS at nats://127.0.0.1:1")
    assert "Traceback" not in err
