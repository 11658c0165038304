"""Async engine and session factory from a database URL.

SQLite (``sqlite+aiosqlite``) is the embedded default: WAL journal and foreign keys are switched
on for every connection. PostgreSQL is used through ``postgresql+psycopg`` (psycopg 3 is async).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def async_url(url: str) -> str:
    """Map a sync driver name to the async one we ship (``postgresql://`` → psycopg 3)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.get_driver_name() != "aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg", "asyncpg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: no corruption on power loss, only the last commits may be lost; FULL
    # would fsync on every commit (several per request).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    url = async_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Pooled: each aiosqlite connection is a thread, too costly to open per request.
        # WAL lets readers overlap the single writer; busy_timeout queues writers.
        engine = create_async_engine(url, echo=echo, pool_size=pool_size)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip per checkout; recycle instead of testing each time.
    return create_async_engine(url, echo=echo, pool_size=pool_size, pool_recycle=1800)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
