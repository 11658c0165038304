"""Fixtures' helpers shared by the bus / live-state contract suites."""

from __future__ import annotations

import socket
import uuid


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}:"


def dead_redis_url() -> str:
    """A redis:// URL on a local port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/15"
