"""Alembic environment. Async-aware: ``storage.migrate.upgrade`` hands over a connection from
the async engine (run_sync); the ``alembic`` CLI path opens its own async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.migration_options import compare_options
from storage.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        **compare_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass one via storage.migrate.alembic_config(url)")
    asyncio.run(_run_async(url))


if context.is_offline_mode():  # pragma: no cover - we always migrate online
    raise RuntimeError("offline (SQL script) migrations are not supported")
main()
