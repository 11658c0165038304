"""Alembic, configured in code (no alembic.ini): ``python -m hotline migrate`` and the demo call
:func:`upgrade`. Migrations live in ``storage/migrations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.attributes["url"] = url
    return cfg


def _upgrade_sync(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` (idempotent)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_sync, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current_sync)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _diff_sync(connection: Connection) -> list[Any]:
    from alembic.autogenerate import compare_metadata

    from storage.migration_options import compare_options
    from storage.tables import metadata

    context = MigrationContext.configure(connection, opts=compare_options())
    return list(compare_metadata(context, metadata))


async def schema_diff(engine: AsyncEngine) -> list[Any]:
    """Differences between the live schema and the ORM metadata (empty = in sync)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_diff_sync)
