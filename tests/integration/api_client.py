"""An in-process API (real container, real database) driven through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx

from agent_api.app import create_app
from core.clock import SHANGHAI, ManualClock
from hotline.bootstrap import Container, build_container
from hotline.settings import Settings

START = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)  # a Monday


class Api:
    def __init__(self, client: httpx.AsyncClient, container: Container, clock: ManualClock) -> None:
        self.client = client
        self.container = container
        self.clock = clock
        self._tokens: dict[str, str] = {}

    async def login(self, username: str) -> dict[str, str]:
        if username not in self._tokens:
            r = await self.client.post(
                "/api/v1/auth/login",
                json={"username": username, "password": f"{username}-12345"},
            )
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def post(self, user: str, path: str, body: Any, **headers: str) -> httpx.Response:
        auth = await self.login(user)
        return await self.client.post(f"/api/v1{path}", json=body, headers={**auth, **headers})

    async def get(self, user: str, path: str, **params: Any) -> httpx.Response:
        auth = await self.login(user)
        return await self.client.get(f"/api/v1{path}", headers=auth, params=params)

    async def act(
        self, user: str, order_id: str, action: str, body: Any | None = None
    ) -> dict[str, Any]:
        r = await self.post(user, f"/work-orders/{order_id}/{action}", body or {})
        assert r.status_code == 200, f"{action} by {user}: {r.status_code} {r.text}"
        data: dict[str, Any] = r.json()
        return data


@asynccontextmanager
async def running_api(
    database_url: str,
    redis: dict[str, str] | None = None,
    *,
    calendar: dict[str, Any] | None = None,
    start: datetime = START,
) -> AsyncIterator[Api]:
    settings = Settings(
        database={"url": database_url},
        api={"token_ttl_minutes": 30 * 24 * 60},
        redis=redis or {},
        calendar=calendar or {},
    )
    clock = ManualClock(start)
    container = build_container(settings, clock=clock)
    await container.start()
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client, container, clock)
    finally:
        await container.stop()


ORDER = {
    "title": "小区停水三天",
    "content": "雁塔区小寨路街道某小区停水三天，物业不作为。",
    "appeal_type": "投诉",
    "category_code": "utilities.water",
    "appellant": {"name": "张三丰", "phone": "13812345678"},
    "address": "雁塔区小寨路1号",
    "district": "雁塔区",
    "town": "小寨路街道",
}
