"""A real uvicorn server on a free port inside the test's event loop, over the real container
(SQLite, in-memory bus and live state, a ManualClock), for WebSocket and browser tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from agent_api.app import create_app
from agent_api.ws import WsSettings
from core.clock import ManualClock
from hotline.bootstrap import Container, build_container
from hotline.settings import Settings
from tests.integration.api_client import START


@dataclass
class Served:
    base_url: str
    container: Container
    clock: ManualClock

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    async def token(self, username: str) -> str:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            r = await client.post(
                "/api/v1/auth/login", json={"username": username, "password": f"{username}-12345"}
            )
            r.raise_for_status()
            token: str = r.json()["access_token"]
            return token


@asynccontextmanager
async def serving(database_url: str, ws: WsSettings | None = None) -> AsyncIterator[Served]:
    settings = Settings(database={"url": database_url}, api={"token_ttl_minutes": 60})
    clock = ManualClock(START)
    container = build_container(settings, clock=clock)
    await container.start()
    config = uvicorn.Config(
        create_app(container, ws_settings=ws),
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    try:
        while not server.started:
            if task.done():
                task.result()  # startup failed: raise its error
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Served(f"http://127.0.0.1:{port}", container, clock)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await container.stop()
