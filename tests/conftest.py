"""Shared test fixtures: paths to ../shared, real PostgreSQL / Redis URLs.

Integration tests need real services. Locally they are skipped when a service is down;
in CI (``HOTLINE_REQUIRE_SERVICES=1``, set by ``.ci/run``) a missing service fails the run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HOTLINE_SHARED_DIR", ROOT.parent / "shared"))
AMI_TRACES = SHARED / "ami-traces"
ASR_SAMPLES = SHARED / "asr-samples"
DATA = SHARED / "data"

REQUIRE_SERVICES = os.environ.get("HOTLINE_REQUIRE_SERVICES") == "1"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+psycopg", "").replace("+asyncpg", ""))
    try:
        address = (parsed.hostname or "127.0.0.1", parsed.port or default_port)
        with socket.create_connection(address, 1):
            return True
    except OSError:
        return False


def _service_url(env: str, default: str, port: int) -> str:
    url = os.environ.get(env, default)
    if not _reachable(url, port):
        msg = f"{env}={url} is not reachable"
        if REQUIRE_SERVICES:
            pytest.fail(msg)
        pytest.skip(msg)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of a real PostgreSQL (sync driver name; adapt for async)."""
    return _service_url(
        "HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test", 5432
    )


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _service_url("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15", 6379)


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skip (fail in CI) when the shared data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if REQUIRE_SERVICES:
            pytest.fail(f"missing shared data: {path}")
        pytest.skip(f"missing shared data: {path}")
    return path
