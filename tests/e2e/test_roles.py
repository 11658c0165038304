"""``python -m hotline run ROLE`` in a subprocess: starts, says so, stops cleanly on SIGINT;
a dead Redis is a clear error (exit 1), a dead Asterisk is retried and logged, never a hang."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from storage.db import create_engine
from storage.migrate import upgrade
from tests.cli_support import run_hotline
from tests.conftest import ROOT

GUARD_S = 60.0  # hang guard, not a timing assertion


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(HOTLINE_DATA_DIR=str(tmp_path), HOTLINE_LOG_LEVEL="INFO", **extra)
    return env


def _hotline(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hotline", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_until(proc: subprocess.Popen[str], marker: str) -> str:
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + GUARD_S
    while marker not in seen:
        line = proc.stdout.readline()
        if not line:
            _, err = proc.communicate(timeout=GUARD_S)
            raise AssertionError(f"exited {proc.returncode} before {marker!r}: {err[-2000:]}")
        seen += line
        assert time.monotonic() < deadline, "hang guard"
    return seen


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roles") / "hotline.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def migrated(tmp_path: Path, migrated_template: Path) -> dict[str, str]:
    shutil.copy(migrated_template, tmp_path / "hotline.db")
    return _env(tmp_path)


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        ("scheduler", ("--interval", "0.2")),
        ("fastagi", ()),
        ("ami-bridge", ()),  # nothing listens on the AMI port: retried with backoff
    ],
)
def test_role_starts_and_stops_on_sigint(
    migrated: dict[str, str], role: str, extra: tuple[str, ...]
) -> None:
    env = {
        **migrated,
        "HOTLINE_IVR__AGI_PORT": "0",
        "HOTLINE_AMI__PORT": str(_free_port()),
    }
    proc = _hotline("run", role, *extra, env=env)
    try:
        _run_until(proc, f"{role}: running")
        time.sleep(0.5)  # let the role work a little (scans, connect attempts)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=GUARD_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert f"{role}: stopped" in out
    assert "Traceback" not in err
    if role == "ami-bridge":
        assert "AMI: connect to 127.0.0.1" in err  # the failed attempt is logged, not silent


def test_dead_redis_is_a_clear_error(migrated: dict[str, str]) -> None:
    env = {**migrated, "HOTLINE_REDIS__URL": f"redis://127.0.0.1:{_free_port()}/15"}
    done = run_hotline("run", "scheduler", env=env, timeout=GUARD_S)
    assert done.returncode == 1
    assert "error [external.redis_unavailable]" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    done = run_hotline("run", "nonsense", env=_env(tmp_path), timeout=GUARD_S)
    assert done.returncode == 2
    assert "unknown role" in done.stderr


def test_api_role_serves_and_stops_on_sigint(migrated: dict[str, str]) -> None:
    port = _free_port()
    proc = _hotline("run", "api", "--port", str(port), env=migrated)
    try:
        deadline = time.monotonic() + GUARD_S
        while True:
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "hang guard"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=GUARD_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
