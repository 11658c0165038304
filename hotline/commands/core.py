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
from hotline.serving import BASE_DEMO_COMPONENTS, print_seed, require_migrated, run
from hotline.settings import Settings
from storage.migrate import current_revision, upgrade
from storage.seed.demo import seed_demo

# the checkout's sibling ``shared`` directory (as tests/conftest.py finds it)
DEFAULT_AUDIO_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "asr-samples"


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
    except KeyboardInterrupt:  # Ctrl-C: the components were stopped cleanly before this
        typer.echo("stopped", err=True)
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
    def demo(
        data_dir: DataDir = None,
        port: Port = None,
        calls_per_hour: Annotated[
            float, typer.Option("--calls-per-hour", min=1, help="simulated arrivals per hour")
        ] = 120.0,
        agents: Annotated[int, typer.Option(min=1, help="simulated agents")] = 6,
        simulator: Annotated[
            bool, typer.Option("--simulator/--no-simulator", help="run the PBX simulator")
        ] = True,
        speed: Annotated[float, typer.Option(min=1.0, help="simulated time compression")] = 1.0,
        seed: Annotated[int, typer.Option(help="seed of the call model")] = 7,
        audio_dir: Annotated[
            Path | None,
            typer.Option(
                "--audio-dir",
                help="WAVs the simulator streams to the ASR taps "
                "(default ../shared/asr-samples if present; none: taps fail)",
            ),
        ] = None,
        escalation_interval: Annotated[
            float, typer.Option(min=1.0, help="seconds between escalation scans")
        ] = 60.0,
        status_interval: Annotated[
            float, typer.Option(min=1.0, help="seconds between status lines")
        ] = 30.0,
    ) -> None:
        """Everything in one process on SQLite: migrate, seed, API, PBX simulator + AMI bridge,
        FastAGI, IVR intake, ASR worker + taps, auto-fill worker, escalation scheduler."""
        from hotline.components import SimOptions, demo_components

        settings = _settings(data_dir, port)
        if audio_dir is None and DEFAULT_AUDIO_DIR.is_dir():
            audio_dir = DEFAULT_AUDIO_DIR
        sim = (
            SimOptions(calls_per_hour, agents, speed, seed=seed, audio_dir=audio_dir)
            if simulator
            else None
        )
        components = [
            *BASE_DEMO_COMPONENTS,
            *demo_components(
                sim,
                escalation_interval_s=escalation_interval,
                status_interval_s=status_interval,
                real_ami=not simulator and settings.ami.enabled,
            ),
        ]
        print(f"demo: http://{settings.api.host}:{settings.api.port}/docs")
        _run(run(settings, components))
