"""One contract for every LiveState adapter: in-process and real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from core.errors import ExternalServiceError
from core.ports import LiveState
from storage.live_memory import InMemoryLiveState
from storage.live_redis import RedisLiveState
from tests.integration.adapters import dead_redis_url, unique_prefix


@pytest.fixture(params=["memory", "redis"])
async def live(request: pytest.FixtureRequest) -> AsyncIterator[LiveState]:
    adapter: InMemoryLiveState | RedisLiveState
    if request.param == "memory":
        adapter = InMemoryLiveState()
    else:
        adapter = RedisLiveState(request.getfixturevalue("redis_url"), prefix=unique_prefix())
    yield adapter
    for ns in ("agents", "queues", "calls"):
        await adapter.clear(ns)
    await adapter.close()


async def test_put_get_roundtrip(live: LiveState) -> None:
    doc = {"name": "坐席01", "state": "idle", "skills": ["咨询", "投诉"], "n": 2, "x": None}
    await live.put("agents", "1001", doc)
    assert await live.get("agents", "1001") == doc
    assert await live.get("agents", "404") is None
    assert await live.get("nobody", "1001") is None


async def test_put_replaces_whole_document(live: LiveState) -> None:
    await live.put("agents", "1", {"a": 1, "b": 2})
    await live.put("agents", "1", {"c": 3})
    assert await live.get("agents", "1") == {"c": 3}


@pytest.mark.parametrize(
    ("before", "patch", "after"),
    [
        (None, {"state": "busy"}, {"state": "busy"}),
        ({"state": "idle", "calls": 1}, {"state": "busy"}, {"state": "busy", "calls": 1}),
        ({"s": 1}, {"paused": True, "why": "午餐"}, {"s": 1, "paused": True, "why": "午餐"}),
        ({"l": [1, 2]}, {"l": []}, {"l": []}),
    ],
)
async def test_patch_merges_top_level_fields(
    live: LiveState,
    before: dict[str, object] | None,
    patch: dict[str, object],
    after: dict[str, object],
) -> None:
    if before is not None:
        await live.put("agents", "7", before)
    await live.patch("agents", "7", patch)
    assert await live.get("agents", "7") == after


async def test_concurrent_patches_keep_every_field(live: LiveState) -> None:
    await asyncio.gather(*(live.patch("queues", "q1", {f"f{i}": i}) for i in range(20)))
    doc = await live.get("queues", "q1")
    assert doc == {f"f{i}": i for i in range(20)}


async def test_all_delete_clear_and_namespace_isolation(live: LiveState) -> None:
    await live.put("agents", "a", {"v": 1})
    await live.put("agents", "b", {"v": 2})
    await live.put("queues", "a", {"v": 3})
    assert await live.all("agents") == {"a": {"v": 1}, "b": {"v": 2}}
    await live.delete("agents", "a")
    await live.delete("agents", "never-there")
    assert await live.all("agents") == {"b": {"v": 2}}
    await live.clear("agents")
    assert await live.all("agents") == {}
    assert await live.all("queues") == {"a": {"v": 3}}


async def test_returned_documents_are_copies(live: LiveState) -> None:
    await live.put("calls", "c1", {"legs": ["a"]})
    got = await live.get("calls", "c1")
    assert got is not None
    got["legs"].append("b")
    assert await live.get("calls", "c1") == {"legs": ["a"]}


async def test_non_json_values_are_refused(live: LiveState) -> None:
    with pytest.raises(TypeError):
        await live.put("calls", "c2", {"when": datetime(2026, 1, 1, tzinfo=UTC)})
    assert await live.get("calls", "c2") is None


async def test_redis_prefixes_isolate_deployments(redis_url: str) -> None:
    one = RedisLiveState(redis_url, prefix=unique_prefix())
    two = RedisLiveState(redis_url, prefix=unique_prefix())
    try:
        await one.put("agents", "1", {"who": "one"})
        assert await two.get("agents", "1") is None
        assert await two.all("agents") == {}
    finally:
        await one.clear("agents")
        await one.close()
        await two.close()


async def test_dead_redis_is_a_clear_external_error() -> None:
    dead = RedisLiveState(dead_redis_url(), prefix=unique_prefix())
    try:
        for call in (dead.get("agents", "1"), dead.put("agents", "1", {}), dead.all("agents")):
            with pytest.raises(ExternalServiceError, match=r"Redis at .* is unreachable"):
                await call
    finally:
        await dead.close()
