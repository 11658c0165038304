"""One contract for every EventBus adapter: in-process and real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis

from core.errors import ExternalServiceError
from core.ports import BusMessage, EventBus
from storage.bus_common import RESYNC_TOPIC
from storage.bus_memory import InMemoryEventBus
from storage.bus_redis import RedisEventBus
from tests.integration.adapters import dead_redis_url, purge_prefix, unique_prefix

GUARD_S = 10.0  # a hang guard, not a timing assertion


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    adapter: InMemoryEventBus | RedisEventBus
    if request.param == "memory":
        adapter = InMemoryEventBus()
        yield adapter
        await adapter.close()
        return
    url, prefix = request.getfixturevalue("redis_url"), unique_prefix()
    adapter = RedisEventBus(url, prefix=prefix)
    yield adapter
    await adapter.close()
    await purge_prefix(url, prefix)


async def take(it: AsyncIterator[BusMessage], n: int) -> list[BusMessage]:
    async def run() -> list[BusMessage]:
        return [await anext(it) for _ in range(n)]

    return await asyncio.wait_for(run(), GUARD_S)


async def until(it: AsyncIterator[BusMessage], topic: str) -> list[BusMessage]:
    async def run() -> list[BusMessage]:
        seen: list[BusMessage] = []
        while True:
            msg = await anext(it)
            seen.append(msg)
            if msg.topic == topic:
                return seen

    return await asyncio.wait_for(run(), GUARD_S)


@pytest.mark.parametrize(
    ("patterns", "published", "expected"),
    [
        (("call.answered",), ["call.queued", "call.answered", "call.ans.x"], ["call.answered"]),
        (("call.*",), ["call.queued", "agent.x", "call.hangup"], ["call.queued", "call.hangup"]),
        (("*",), ["call.queued", "agent.paused"], ["call.queued", "agent.paused"]),
        (("agent.*", "asr.seg"), ["asr.seg", "call.x", "agent.y"], ["asr.seg", "agent.y"]),
        (("call.*",), ["callx.queued", "call.a"], ["call.a"]),
    ],
)
async def test_patterns_select_topics(
    bus: EventBus, patterns: tuple[str, ...], published: list[str], expected: list[str]
) -> None:
    async with bus.subscribe(*patterns, "end") as messages:
        for topic in published:
            await bus.publish(topic, {"t": topic})
        await bus.publish("end", {})
        got = await until(messages, "end")
    assert [m.topic for m in got[:-1]] == expected
    assert [m.payload["t"] for m in got[:-1]] == expected


async def test_payload_roundtrip_and_monotonic_seq(bus: EventBus) -> None:
    payload = {"诉求": "小区停水", "n": 3, "nested": {"ok": True, "list": [1, None, "二"]}}
    async with bus.subscribe("wo.*") as messages:
        for i in range(5):
            await bus.publish("wo.created", {**payload, "i": i})
        got = await take(messages, 5)
    assert [m.payload["i"] for m in got] == [0, 1, 2, 3, 4]
    assert got[0].payload["诉求"] == "小区停水"
    assert got[0].payload["nested"] == {"ok": True, "list": [1, None, "二"]}
    seqs = [m.seq for m in got]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5


async def test_fan_out_to_every_subscriber(bus: EventBus) -> None:
    async with bus.subscribe("x.*") as a, bus.subscribe("*") as b:
        await bus.publish("x.one", {"v": 1})
        ga = await take(a, 1)
        gb = await take(b, 1)
    assert ga[0].payload == gb[0].payload == {"v": 1}
    assert ga[0].seq == gb[0].seq


async def test_slow_subscriber_gets_resync_marker_and_latest(bus: EventBus) -> None:
    async with bus.subscribe("load.*", maxsize=3) as slow, bus.subscribe("load.*") as fast:
        for i in range(60):
            await bus.publish("load.tick", {"i": i})
        await bus.publish("load.done", {})
        fast_got = await until(fast, "load.done")
        slow_got = await until(slow, "load.done")
    # The fast subscriber lost nothing; the slow one kept the newest and was told to resync.
    assert [m.payload.get("i") for m in fast_got[:-1]] == list(range(60))
    assert slow_got[0].topic == RESYNC_TOPIC
    assert slow_got[0].payload["reason"] == "overflow"
    assert slow_got[0].payload["dropped"] > 0
    ticks = [m for m in slow_got if m.topic == "load.tick"]
    assert len(ticks) < 60
    assert ticks[-1].payload["i"] == 59


async def test_non_json_payload_is_refused_and_payloads_are_copies(bus: EventBus) -> None:
    with pytest.raises(TypeError):
        await bus.publish("x.y", {"when": datetime(2026, 1, 1, tzinfo=UTC)})
    original = {"legs": ["a"]}
    async with bus.subscribe("x.*") as messages:
        await bus.publish("x.y", original)
        original["legs"].append("b")
        got = await take(messages, 1)
    assert got[0].payload == {"legs": ["a"]}


@pytest.mark.parametrize("pattern", ["", "call*", "*.answered", "a.*.b"])
async def test_bad_patterns_are_refused(bus: EventBus, pattern: str) -> None:
    with pytest.raises(ValueError, match="pattern"):
        async with bus.subscribe(pattern):
            pass


async def test_close_ends_open_subscriptions(bus: EventBus) -> None:
    async with bus.subscribe("*") as messages:
        await bus.close()
        rest = await asyncio.wait_for(_drain(messages), GUARD_S)
    assert all(m.topic != "never" for m in rest)


async def _drain(it: AsyncIterator[BusMessage]) -> list[BusMessage]:
    return [m async for m in it]


async def test_dead_redis_is_a_clear_external_error() -> None:
    url = dead_redis_url()
    dead = RedisEventBus(url, prefix=unique_prefix())
    try:
        with pytest.raises(ExternalServiceError, match=r"Redis at redis://127\.0\.0\.1") as info:
            await dead.publish("x.y", {})
        assert info.value.code == "external.redis_unavailable"
        with pytest.raises(ExternalServiceError, match="unreachable"):
            async with dead.subscribe("*"):
                pass
    finally:
        await dead.close()


@pytest.mark.redis
async def test_redis_subscriber_reconnects_after_connection_loss(redis_url: str) -> None:
    prefix = unique_prefix()
    bus = RedisEventBus(redis_url, prefix=prefix)
    admin: Any = aioredis.Redis.from_url(redis_url)
    try:
        async with bus.subscribe("r.*") as messages:
            await bus.publish("r.before", {})
            assert (await take(messages, 1))[0].topic == "r.before"
            clients = await admin.client_list()
            mine = [
                c["id"]
                for c in clients
                if c.get("name") == f"hotline-bus-{prefix}" and int(c.get("psub", 0)) > 0
            ]
            assert len(mine) == 1
            await admin.execute_command("CLIENT", "KILL", "ID", mine[0])

            async def wait_reconnect() -> None:
                while True:
                    msg = await anext(messages)
                    if msg.topic == RESYNC_TOPIC and msg.payload["reason"] == "reconnect":
                        return

            await asyncio.wait_for(wait_reconnect(), GUARD_S)
            await bus.publish("r.after", {"ok": 1})
            got = await until(messages, "r.after")
        assert got[-1].payload == {"ok": 1}
    finally:
        await bus.close()
        await admin.aclose()
        await purge_prefix(redis_url, prefix)
