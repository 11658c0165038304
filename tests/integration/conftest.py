"""Databases for integration tests: a migrated SQLite file per test, and one PostgreSQL
database per session (``hotline_t_<random>``, dropped at the end; other helpers share the
server) wiped before each test; the same seeded with the demo directory; the in-process API
over each kind (``api``), a real uvicorn (``served``) and Chromium (``browser``)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import metadata
from tests.integration.api_client import Api, running_api
from tests.web_server import Served, serving

if TYPE_CHECKING:
    from playwright.async_api import Browser


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@contextmanager
def _scratch_pg_database(postgres_url: str) -> Iterator[str]:
    """URL of a new, empty database ``hotline_t_<random>`` on the server, dropped afterwards."""
    name = f"hotline_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_conninfo(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    with _scratch_pg_database(postgres_url) as url:
        asyncio.run(_migrate(url))
        yield url


@pytest.fixture(scope="session")
def empty_pg_database_url(postgres_url: str) -> Iterator[str]:
    """An empty (unmigrated) PostgreSQL database, for the migration test."""
    with _scratch_pg_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """URL of a migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "hotline.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_database_url")
    asyncio.run(_wipe(url))
    return url


async def _wipe(url: str, tables: Sequence[str] | None = None) -> None:
    """Delete every row of ``tables`` (default: all, children first)."""
    names = [t.name for t in reversed(metadata.sorted_tables)] if tables is None else tables
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for name in names:
                await conn.execute(delete(metadata.tables[name]))
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


# -- seeded databases + the API over them ----------------------------------------------------
async def _seed(url: str) -> None:
    from storage.db import session_factory
    from storage.directory_repo import SqlDirectoryRepository
    from storage.seed.demo import seed_demo

    engine = create_engine(url)
    try:
        await seed_demo(SqlDirectoryRepository(session_factory(engine)), SEED_TIME)
    finally:
        await engine.dispose()


SEED_TIME = __import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC)
WORK_ORDER_TABLES = (
    "call_records",
    "callback_tasks",
    "transcription_jobs",
    "voicemails",
    "personal_data_reads",
    "idempotency_keys",
    "work_order_transitions",
    "work_order_units",
    "work_orders",
    "sequences",
)


@pytest.fixture(scope="session")
def seeded_sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy(sqlite_template, path)
    asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def seeded_pg_url(postgres_url: str) -> Iterator[str]:
    with _scratch_pg_database(postgres_url) as url:
        asyncio.run(_migrate(url))
        asyncio.run(_seed(url))
        yield url


@pytest.fixture
def seeded_sqlite_url(seeded_sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "api.db"
    shutil.copy(seeded_sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def seeded_postgres_url(seeded_pg_url: str) -> str:
    asyncio.run(_wipe(seeded_pg_url, WORK_ORDER_TABLES))
    return seeded_pg_url


@pytest.fixture(params=["sqlite", "postgres"])
def seeded_url(request: pytest.FixtureRequest) -> str:
    """URL of a seeded database of each kind (``seeded_sqlite_url``, ``seeded_postgres_url``)."""
    url: str = request.getfixturevalue(f"seeded_{request.param}_url")
    return url


@pytest.fixture
async def api(seeded_url: str) -> AsyncIterator[Api]:
    """The in-process API over each kind of seeded database; a module that needs one kind
    only defines its own ``api``."""
    async with running_api(seeded_url) as api:
        yield api


# -- a real server, and Chromium for the browser tests (``-m browser``) ------------------------
@pytest.fixture
async def served(seeded_sqlite_url: str) -> AsyncIterator[Served]:
    """A real uvicorn over a seeded SQLite database (a module may define its own)."""
    async with serving(seeded_sqlite_url) as s:
        yield s


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    from tests.browser_support import chromium  # Playwright only where a test asks for it

    async with chromium() as b:
        yield b
