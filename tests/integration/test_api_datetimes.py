"""One spelling for every datetime the API emits: ISO 8601 with +08:00 (``agent_api.api_time``).

The domain clock hands out Shanghai datetimes, storage gives back UTC and AMI-derived documents
carry whatever zone their events had; an action's response and a later read of the same thing
must still show the same string. Naive datetimes in queries are refused with 422."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.clock import SystemClock
from core.live import LiveReducer
from core.ports import TranscriptSegment, VoicemailReceived
from hotline.telephony_wiring import CallRecorder
from telephony.ami_client import AmiClient, AmiConfig
from telephony.commands import AgentCommands
from telephony.sim.script import Scenario, agent_pool
from telephony.sim.server import SimServer
from telephony.trace_replay import load_trace, translate_trace
from tests.conftest import shared_path
from tests.integration.api_client import ORDER, START, Api, running_api
from tests.web_support import DAY, apply_live, logins, morning, offered, store

# Any date-time, with or without an offset, so a naive one fails the checks too.
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
HOUR = timedelta(hours=1)


def times(document: Any) -> list[str]:
    """Every date-time string in a JSON document, in order."""
    return DATETIME.findall(json.dumps(document, ensure_ascii=False))


def assert_shanghai(document: Any) -> list[str]:
    found = times(document)
    assert found, "nothing to check: the document holds no datetime"
    assert [t for t in found if not t.endswith("+08:00")] == []
    return found


async def test_work_order_action_and_later_reads_spell_times_alike(api: Api) -> None:
    created = (await api.post("agent01", "/work-orders", ORDER)).json()
    oid = created["id"]
    api.clock.advance(HOUR)
    await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
    api.clock.advance(HOUR)
    signed = await api.act("water01", oid, "sign", {})  # the clock's Shanghai datetime

    read = (await api.get("water01", f"/work-orders/{oid}")).json()  # storage's UTC one
    assert signed["signed_at"] == read["signed_at"] == "2026-11-16T11:00:00+08:00"
    assert assert_shanghai(signed) == assert_shanghai(read)
    page = (await api.get("water01", "/work-orders")).json()
    assert times(next(o for o in page["items"] if o["id"] == oid)) == times(read)

    trail = (await api.get("supervisor01", f"/work-orders/{oid}/transitions")).json()
    assert_shanghai(trail)  # the payloads' event times too
    assert trail[-1]["occurred_at"] == read["signed_at"]
    assert [t["occurred_at"] for t in trail][:2] == [created["created_at"], read["accepted_at"]]
    reads = (await api.get("supervisor01", f"/work-orders/{oid}/personal-data-reads")).json()
    assert_shanghai(reads)


async def test_qa_score_and_the_transcript_show_the_same_time(api: Api) -> None:
    await api.container.transcripts.add(
        TranscriptSegment("3001.1", "caller", 0, 1500, "小区停水三天了", True, 0.9)
    )
    items = {"courtesy": 20, "accuracy": 25, "record": 18, "communication": 22}
    r = await api.post("trainer01", "/transcripts/3001.1/scores", {"items": items})
    assert r.status_code == 201, r.text
    scored = r.json()  # from the clock
    listed = (await api.get("trainer01", "/transcripts/3001.1")).json()["scores"]  # from storage
    assert scored["created_at"] == listed[0]["created_at"] == START.isoformat()


async def test_call_records_list_and_detail_in_shanghai_time(api: Api) -> None:
    events, _ = translate_trace(load_trace(shared_path("ami-traces"), "01-answered-caller-hangup"))
    recorder = CallRecorder(api.container.call_records)
    for event in events:
        await recorder.on_event(event)
    await recorder.flush()
    item = (await api.get("supervisor01", "/calls")).json()["items"][0]
    detail = (await api.get("supervisor01", f"/calls/{item['linkedid']}")).json()
    assert detail["record"]["offered_at"] == item["offered_at"]
    assert assert_shanghai(detail["record"]) == assert_shanghai(item)  # legs and timeline too


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[AgentCommands]:
    server = SimServer(
        Scenario(agent_pool(2), []), base_epoch=1795241705, queue_log=tmp_path / "queue_log"
    )
    await server.start()
    client = AmiClient(
        AmiConfig(port=server.port, secret=server.secret, auth="md5", action_timeout_s=5),
        SystemClock(),
    )
    client.start()
    try:
        await client.wait_connected(5)
        yield AgentCommands(client)
    finally:
        await client.stop()
        await server.stop()


async def test_callback_worklist_and_the_call_action_spell_times_alike(
    seeded_sqlite_url: str, pbx: AgentCommands
) -> None:
    async with running_api(seeded_sqlite_url) as api:
        api.container.extras["telephony"] = SimpleNamespace(commands=pbx)  # as the bridge does
        await api.container.voicemail_intake.receive(
            VoicemailReceived("1795241705.9", "13812345678", "/var/spool/msg0000.wav", START)
        )
        [task] = (await api.get("agent01", "/callbacks")).json()
        r = await api.post(
            "agent01", f"/callbacks/{task['id']}/call", {"endpoint": "PJSIP/agent8001"}
        )
        assert r.status_code == 200, r.text
        called = r.json()
        assert called["status"] == "done"
        assert called["requested_at"] == task["requested_at"] == START.isoformat()
        assert times(called) == times(task)


async def test_every_read_endpoint_writes_shanghai_time(seeded_sqlite_url: str) -> None:
    async with running_api(seeded_sqlite_url) as api:
        oid = (await api.post("agent01", "/work-orders", ORDER)).json()["id"]
        await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
        await store(morning(), api.container.call_events)
        ten_utc = DAY.replace(hour=10).astimezone(UTC)  # as the AMI bridge's clock gives them
        await apply_live(
            [*logins(ten_utc), *offered("2001.1", ten_utc + HOUR, "13911112222")],
            api.container.live,
            LiveReducer(),
        )
        await api.container.transcripts.add(
            TranscriptSegment("1001.1", "caller", 0, 1500, "停水", True, 0.9)
        )
        period = {"from": "2026-11-16T00:00:00Z", "to": "2026-11-17T00:00:00Z"}  # UTC in
        reads: list[tuple[str, str, dict[str, str]]] = [
            ("supervisor01", "/work-orders", {}),
            ("supervisor01", f"/work-orders/{oid}", {}),
            ("supervisor01", f"/work-orders/{oid}/transitions", {}),
            ("water01", "/units/util.water/work-orders", {}),
            ("supervisor01", "/kpi/calls", period),
            ("supervisor01", "/kpi/work-orders", period),
            ("supervisor01", "/live/queues", {}),
            ("supervisor01", "/live/agents", {}),
            ("supervisor01", "/live/calls", {}),
            ("supervisor01", "/live/summary", {}),
            ("supervisor01", "/transcripts/1001.1", {}),
        ]
        for user, path, params in reads:
            r = await api.get(user, path, **params)
            assert r.status_code == 200, (path, r.text)
            assert_shanghai(r.json())
        kpis = (await api.get("supervisor01", "/kpi/calls", **period)).json()
        assert (kpis["from"], kpis["to"]) == (
            "2026-11-16T08:00:00+08:00",
            "2026-11-17T08:00:00+08:00",
        )


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/work-orders", "created_from"),
        ("/work-orders", "created_to"),
        ("/calls", "from"),
        ("/calls", "to"),
        ("/kpi/calls", "from"),
        ("/kpi/calls", "to"),
        ("/kpi/work-orders", "from"),
        ("/kpi/work-orders.xlsx", "to"),
    ],
)
async def test_naive_datetimes_in_queries_are_refused(
    seeded_sqlite_url: str, path: str, param: str
) -> None:
    params = {"from": "2026-11-16T00:00:00+08:00", "to": "2026-11-17T00:00:00+08:00"}
    if path == "/work-orders":
        params = {}
    params[param] = "2026-11-16T09:00:00"
    async with running_api(seeded_sqlite_url) as api:
        r = await api.get("supervisor01", path, **params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"code", "message", "details", "request_id"}
