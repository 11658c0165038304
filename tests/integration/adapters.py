"""Fixtures' helpers shared by the bus / live-state contract suites."""

from __future__ import annotations

import socket
import uuid
from typing import Any


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}:"


def dead_redis_url() -> str:
    """A redis:// URL on a local port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/15"


async def purge_prefix(redis_url: str, prefix: str) -> None:
    """Delete every key a test created under its unique prefix (db 15 is shared)."""
    import redis.asyncio as aioredis

    client: Any = aioredis.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
