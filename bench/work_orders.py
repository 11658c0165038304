"""Work-order create+dispatch over real HTTP: throughput and p50/p99 latency for N concurrent
clients, on SQLite and on PostgreSQL.

The server is ``python -m hotline serve`` in its own process (uvicorn on a free port) on a
freshly migrated and seeded database; the clients are httpx in this process. One operation =
POST /work-orders (with an Idempotency-Key) + POST /work-orders/{id}/dispatch.

    python bench/work_orders.py                      # both backends, 1 and 8 clients
    python bench/work_orders.py --backends sqlite --clients 1,4,16 --ops 400

PostgreSQL: HOTLINE_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
a database ``hotline_b_<random>`` is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import create_engine, session_factory  # noqa: E402
from storage.directory_repo import SqlDirectoryRepository  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.seed.demo import seed_demo  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ORDER = {
    "title": "小区停水",
    "content": "雁塔区小寨路街道某小区停水三天",
    "appeal_type": "投诉",
    "category_code": "utilities.water",
    "appellant": {"name": "张三丰", "phone": "13812345678"},
    "district": "雁塔区",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seed_demo(SqlDirectoryRepository(session_factory(engine)), datetime.now(UTC))
    finally:
        await engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    base = os.environ.get("HOTLINE_TEST_POSTGRES_URL", PG_DEFAULT)
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"hotline_b_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(database_url: str, data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "HOTLINE_DATABASE__URL": database_url,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_LOG_LEVEL": "WARNING",
        "HOTLINE_API__PORT": str(port),
    }
    env.pop("HOTLINE_REDIS__URL", None)
    proc = subprocess.Popen(  # our own CLI, fixed arguments
        [sys.executable, "-m", "hotline", "serve"], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": f"{username}-12345"}
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def load(base: str, clients: int, ops: int) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=clients * 2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        agent = await token(client, "agent01")
        dispatcher = await token(client, "dispatcher01")
        latencies: list[float] = []
        counter = iter(range(ops))

        async def worker() -> None:
            for _ in counter:
                started = time.perf_counter()
                r = await client.post(
                    "/api/v1/work-orders",
                    json=ORDER,
                    headers={**agent, "Idempotency-Key": uuid.uuid4().hex},
                )
                r.raise_for_status()
                oid = r.json()["id"]
                r = await client.post(
                    f"/api/v1/work-orders/{oid}/dispatch",
                    json={"lead_unit": "util.water", "copy_units": ["610113"]},
                    headers=dispatcher,
                )
                r.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return time.perf_counter() - started, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_backend(
    name: str, url: str, data_dir: Path, client_counts: list[int], ops: int
) -> list[str]:
    asyncio.run(prepare(url))
    rows = []
    with server(url, data_dir) as base:
        asyncio.run(load(base, 2, 20))  # warm-up (imports, connection pools, caches)
        for clients in client_counts:
            elapsed, lat = asyncio.run(load(base, clients, ops))
            rows.append(
                f"| {name:<10} | {clients:>7} | {len(lat):>5} | {elapsed:>7.2f} | "
                f"{len(lat) / elapsed:>8.1f} | {statistics.median(lat) * 1000:>7.1f} | "
                f"{percentile(lat, 0.99) * 1000:>7.1f} |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--ops", type=int, default=200, help="create+dispatch pairs per run")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
                rows += run_backend("SQLite", url, data_dir, client_counts, args.ops)
            elif backend == "postgres":
                with postgres_database() as url:
                    rows += run_backend("PostgreSQL", url, data_dir, client_counts, args.ops)
            else:
                raise SystemExit(f"unknown backend {backend!r}")
    print(
        f"create+dispatch over HTTP, {args.ops} pairs per run (one server process, 2 requests/pair)"
    )
    print("| backend    | clients | pairs | seconds | pairs/s  | p50 ms  | p99 ms  |")
    print("| ---------- | ------- | ----- | ------- | -------- | ------- | ------- |")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
