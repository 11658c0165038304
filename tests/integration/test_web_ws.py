"""``/ws`` over real TCP (uvicorn + the websockets client): per-role fan-out of bus messages,
auth by query token or first frame, refusal, overflow → resync, logout and expiry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from agent_api.ws import WsSettings
from tests.web_server import Served, serving


@pytest.fixture
async def served(seeded_sqlite_url: str) -> AsyncIterator[Served]:
    async with serving(seeded_sqlite_url, WsSettings(queue_size=16, heartbeat_s=3600)) as s:
        yield s


async def _recv(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(10):  # a missing frame fails the test instead of hanging it
        frame: dict[str, Any] = json.loads(await ws.recv())
    return frame


async def _close_code(ws: ClientConnection) -> int:
    """The code of the close frame the server sends next (any other frame fails the test)."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(10):
            await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _open(served: Served, user: str) -> ClientConnection:
    ws = await connect(f"{served.ws_url}?token={await served.token(user)}")
    hello = await _recv(ws)
    assert hello["type"] == "hello", hello
    assert hello["user"] == user
    return ws


async def _events(ws: ClientConnection, until_topic: str) -> list[str]:
    topics: list[str] = []
    while True:
        frame = await _recv(ws)
        if frame["type"] == "event":
            topics.append(frame["topic"])
            if frame["topic"] == until_topic:
                return topics


ROUND: list[tuple[str, dict[str, Any]]] = [
    ("agent.paused", {"interface": "PJSIP/agent8003"}),
    ("asr.segment", {"call_id": "1.1", "text": "你好"}),
    ("work_order.dispatched", {"order_id": "x"}),
    ("autofill.updated", {"call_id": "1.1", "fields": {}}),
    ("call.offered", {"linkedid": "1.1"}),
]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("agent01", [t for t, _ in ROUND]),
        ("supervisor01", [t for t, _ in ROUND]),
        ("dispatcher01", ["agent.paused", "work_order.dispatched", "call.offered"]),
        ("trainer01", ["asr.segment", "call.offered"]),
    ],
)
async def test_each_role_gets_its_topics(served: Served, user: str, expected: list[str]) -> None:
    ws = await _open(served, user)
    async with ws:
        for topic, payload in ROUND:
            await served.container.bus.publish(topic, payload)
        assert await _events(ws, "call.offered") == expected


async def test_fan_out_to_every_client_with_payload_and_seq(served: Served) -> None:
    a, b = await _open(served, "agent01"), await _open(served, "supervisor01")
    async with a, b:
        await served.container.bus.publish("asr.segment", {"call_id": "9.1", "text": "停水"})
        for ws in (a, b):
            frame = await _recv(ws)
            assert frame["type"] == "event"
            assert frame["payload"] == {"call_id": "9.1", "text": "停水"}
            assert frame["seq"] >= 1


async def test_event_payload_times_are_written_in_shanghai_time(served: Served) -> None:
    ws = await _open(served, "agent01")
    async with ws:
        payload = {"linkedid": "7.1", "occurred_at": "2026-11-16T01:00:00+00:00", "note": "停水"}
        await served.container.bus.publish("call.queued", payload)
        frame = await _recv(ws)
        assert frame["payload"] == {**payload, "occurred_at": "2026-11-16T09:00:00+08:00"}


async def test_auth_by_first_frame(served: Served) -> None:
    token = await served.token("agent01")
    async with connect(served.ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        assert (await _recv(ws))["type"] == "hello"
        await served.container.bus.publish("call.offered", {"linkedid": "5.1"})
        assert (await _recv(ws))["topic"] == "call.offered"


@pytest.mark.parametrize(
    ("query", "first", "code", "close"),
    [
        ("?token=not-a-jwt", None, "auth.invalid_token", 4401),
        ("", {"type": "hello"}, "auth.unauthenticated", 4401),
        ("", {"type": "auth", "token": "x.y.z"}, "auth.invalid_token", 4401),
    ],
)
async def test_bad_credentials_are_refused(
    served: Served, query: str, first: dict[str, str] | None, code: str, close: int
) -> None:
    async with connect(served.ws_url + query) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        frame = await _recv(ws)
        assert (frame["type"], frame["code"]) == ("error", code)
        assert frame["message"]  # Chinese text for the page
        assert await _close_code(ws) == close


async def test_a_unit_user_gets_no_socket(served: Served) -> None:
    async with connect(f"{served.ws_url}?token={await served.token('water01')}") as ws:
        frame = await _recv(ws)
        assert frame["code"] == "ws.role_has_no_topics"
        assert await _close_code(ws) == 4403


async def test_overflow_drops_and_sends_resync_then_continues(seeded_sqlite_url: str) -> None:
    async with serving(seeded_sqlite_url, WsSettings(queue_size=4)) as served:
        await _overflow(served)


async def _overflow(served: Served) -> None:
    ws = await _open(served, "supervisor01")
    async with ws:
        # 50 publishes without yielding: the client's 4-frame queue overflows.
        for i in range(50):
            await served.container.bus.publish("call.tick", {"i": i})
        frames = []
        while True:
            frame = await _recv(ws)
            frames.append(frame)
            if frame.get("payload", {}).get("i") == 49:
                break
        kinds = [f["type"] for f in frames]
        assert "resync" in kinds
        assert frames[kinds.index("resync")]["reason"] == "overflow"
        assert kinds.count("event") < 50
        # After the resync the newest messages still arrive, in order.
        after = [f["payload"]["i"] for f in frames[kinds.index("resync") + 1 :]]
        assert after == sorted(after)
        assert after[-1] == 49


async def test_logout_closes_cleanly(served: Served) -> None:
    ws = await _open(served, "agent01")
    await ws.send(json.dumps({"type": "logout"}))
    assert await _close_code(ws) == 1000


async def test_heartbeat_and_expiry(seeded_sqlite_url: str) -> None:
    async with serving(seeded_sqlite_url, WsSettings(heartbeat_s=0.05)) as served:
        ws = await _open(served, "agent01")
        assert (await _recv(ws))["type"] == "ping"
        served.clock.advance(timedelta(minutes=61))  # past the 60-minute token
        frame = await _recv(ws)
        while frame["type"] == "ping":
            frame = await _recv(ws)
        assert (frame["type"], frame["code"]) == ("expired", "auth.token_expired")
        assert await _close_code(ws) == 4401
