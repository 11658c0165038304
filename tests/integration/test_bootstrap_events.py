"""The container wires Redis adapters when a Redis URL is set, in-process ones otherwise, and
every stored transition is published on the bus as ``work_order.<event>``."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import ExternalServiceError
from core.ports import BusMessage
from hotline.bootstrap import build_container
from hotline.settings import Settings
from storage.bus_memory import InMemoryEventBus
from storage.bus_redis import RedisEventBus
from storage.live_memory import InMemoryLiveState
from storage.live_redis import RedisLiveState
from tests.integration.adapters import dead_redis_url, purge_prefix, unique_prefix
from tests.integration.api_client import ORDER, running_api


@pytest.mark.parametrize("mode", ["memory", "redis"])
async def test_transitions_are_published_on_the_configured_bus(
    request: pytest.FixtureRequest, seeded_sqlite_url: str, mode: str
) -> None:
    redis = None
    if mode == "redis":
        redis = {"url": request.getfixturevalue("redis_url"), "prefix": unique_prefix()}
    async with running_api(seeded_sqlite_url, redis) as api:
        expected_bus = RedisEventBus if mode == "redis" else InMemoryEventBus
        expected_live = RedisLiveState if mode == "redis" else InMemoryLiveState
        assert isinstance(api.container.bus, expected_bus)
        assert isinstance(api.container.live, expected_live)
        async with api.container.bus.subscribe("work_order.*") as messages:
            order = (await api.post("agent01", "/work-orders", ORDER)).json()
            await api.act("dispatcher01", order["id"], "dispatch", {"lead_unit": "util.water"})

            async def three() -> list[BusMessage]:
                return [await anext(messages) for _ in range(3)]

            got = await asyncio.wait_for(three(), 10)
    if redis is not None:
        await purge_prefix(redis["url"], redis["prefix"])
    assert [m.topic for m in got] == [
        "work_order.created",
        "work_order.accepted",
        "work_order.dispatched",
    ]
    assert all(m.payload["order_id"] == order["id"] for m in got)
    assert got[2].payload["lead_unit"] == "util.water"
    assert got[2].payload["actor_id"] == "dispatcher01"


async def test_container_refuses_to_start_on_a_dead_redis(seeded_sqlite_url: str) -> None:
    url = dead_redis_url()
    settings = Settings(database={"url": seeded_sqlite_url}, redis={"url": url})
    container = build_container(settings)
    try:
        with pytest.raises(ExternalServiceError, match=r"Redis at redis://127\.0\.0\.1") as info:
            await container.start()
        assert info.value.code == "external.redis_unavailable"
    finally:
        await container.stop()
