"""Core commands: ``serve``, ``migrate``, ``seed-demo``, ``demo``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from core.errors import DomainError
from hotline.bootstrap import build_container
from hotline.serving import DEMO_COMPONENTS, print_seed, require_migrated, run
from hotline.settings import Settings
from storage.migrate import current_revision, upgrade
from storage.seed.demo import seed_demo


def _settings(data_dir: Path | None, port: int | None) -> Settings:
    settings = Settings()
    updates: dict[str, object] = {}
    if data_dir is not None:
        updates["data_dir"] = data_dir
    if port is not None:
        updates["api"] = settings.api.model_copy(update={"port": port})
    settings = settings.model_copy(update=updates)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings


async def _migrate(settings: Settings) -> None:
    container = build_container(settings)
    try:
        await upgrade(container.engine)
        print(f"database at revision {await current_revision(container.engine)}")
    finally:
        await container.stop()


async def _seed(settings: Settings) -> None:
    container = build_container(settings)
    try:
        await require_migrated(container)
        print_seed(await seed_demo(container.directory, datetime.now(UTC)))
    finally:
        await container.stop()


def _run(coro: Coroutine[Any, Any, None]) -> None:
    """Run a command; a domain error (not migrated, Redis down, bad calendar file …) is a
    one-line message and exit status 1, not a traceback."""
    try:
        asyncio.run(coro)
    except DomainError as exc:
        typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
        raise typer.Exit(1) from exc


DataDir = Annotated[Path | None, typer.Option(help="data directory (default: HOTLINE_DATA_DIR)")]
Port = Annotated[int | None, typer.Option(help="API port (default: HOTLINE_API__PORT)")]


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate(data_dir: DataDir = None) -> None:
        """Upgrade the database to the latest schema (Alembic)."""
        _run(_migrate(_settings(data_dir, None)))

    @app.command("seed-demo")
    def seed_demo_command(data_dir: DataDir = None) -> None:
        """Load Xi'an divisions, categories, units, responsibilities and demo users."""
        _run(_seed(_settings(data_dir, None)))

    @app.command()
    def serve(data_dir: DataDir = None, port: Port = None) -> None:
        """Serve the API (the database must be migrated)."""
        settings = _settings(data_dir, port)
        _run(run(settings, [("schema check", require_migrated)]))

    @app.command()
    def demo(data_dir: DataDir = None, port: Port = None) -> None:
        """Everything in one process on SQLite: migrate, seed, serve (plus appended components)."""
        settings = _settings(data_dir, port)
        print(f"demo: http://{settings.api.host}:{settings.api.port}/docs")
        _run(run(settings, DEMO_COMPONENTS))
