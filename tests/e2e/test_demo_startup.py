"""``python -m hotline demo``-style startup: migrate + seed + uvicorn on a free port, on SQLite.
/healthz answers and /docs (with its OpenAPI document) lists the work-order endpoints."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from hotline.serving import DEMO_COMPONENTS, ApiServer, run
from hotline.settings import Settings

GUARD_S = 60.0  # a hang guard, not a timing assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_demo_serves_healthz_and_docs(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path,
        api={"port": port},
        log_level="WARNING",
        asr={"audiosocket_port": 0, "models_dir": tmp_path / "models"},
        ivr={"agi_port": 0},
        classifier={"model_dir": tmp_path / "no-classifier"},
    )
    servers: list[ApiServer] = []
    task = asyncio.create_task(run(settings, DEMO_COMPONENTS, on_server=servers.append))

    async def until_started() -> None:
        while not (servers and servers[0].started):
            if task.done():
                task.result()  # startup failed: raise its error
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(until_started(), GUARD_S)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.json()["checks"] == {"database": "ok", "bus": "ok"}
            docs = await client.get("/docs")
            assert docs.status_code == 200
            assert "swagger" in docs.text.lower()
            paths = (await client.get("/openapi.json")).json()["paths"]
            login = await client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": "admin-12345"}
            )
            assert login.status_code == 200  # the seed ran
    finally:
        if servers:
            servers[0].stop()
        await asyncio.wait_for(task, GUARD_S)
    for path in (
        "/healthz",
        "/api/v1/auth/login",
        "/api/v1/work-orders",
        "/api/v1/work-orders/{order_id}",
        "/api/v1/work-orders/{order_id}/transitions",
        "/api/v1/units/{unit_id}/work-orders",
    ):
        assert path in paths, path
    actions = {p.rsplit("/{order_id}/", 1)[1] for p in paths if "/{order_id}/" in p}
    assert {
        "accept",
        "dispatch",
        "sign",
        "return",
        "contacts",
        "reply",
        "visit",
        "close",
        "extension/request",
        "extension/approve",
        "extension/reject",
        "urge",
        "merge",
        "re-handle",
        "exclusion/request",
        "exclusion/approve",
        "exclusion/reject",
    } <= actions
    assert (tmp_path / "hotline.db").exists()
