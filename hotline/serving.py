"""Run the API with uvicorn inside the current event loop, and the demo as an explicit list of
components (later issues append theirs: PBX simulator, ASR worker, …)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import uvicorn

from agent_api.app import create_app
from core.errors import ConflictError
from hotline.bootstrap import Container, build_container
from hotline.settings import Settings
from storage.migrate import current_revision, head_revision, upgrade
from storage.seed.demo import SeedSummary, seed_demo

log = logging.getLogger(__name__)

Component = Callable[[Container], Awaitable[None]]
"""A demo component: awaited in order at start; long-running work goes to ``container.spawn``."""


async def migrate_component(container: Container) -> None:
    await upgrade(container.engine)


async def seed_component(container: Container) -> None:
    summary = await seed_demo(container.directory, datetime.now(UTC))
    print_seed(summary)


async def require_migrated(container: Container) -> None:
    current, head = await current_revision(container.engine), head_revision()
    if current != head:
        raise ConflictError(
            f"database is at revision {current}, code expects {head}: "
            "run `python -m hotline migrate`",
            code="database.not_migrated",
            details={"current": current, "head": head},
        )


DEMO_COMPONENTS: list[tuple[str, Component]] = [
    ("migrate", migrate_component),
    ("seed", seed_component),
]
"""What ``python -m hotline demo`` starts, in order. Append ``(name, component)`` to add yours."""
BASE_DEMO_COMPONENTS = tuple(DEMO_COMPONENTS)  # migrate, seed: what every demo starts with


def print_seed(summary: SeedSummary) -> None:
    print(
        f"seeded 西安市: {summary.divisions} divisions, {summary.units} units, "
        f"{summary.categories} categories, {summary.responsibilities} responsibility rows"
    )
    print("demo users (development passwords):")
    for user in summary.users:
        unit = f" unit={user.unit_id}" if user.unit_id else ""
        print(f"  {user.username:<14} {user.password:<20} role={user.role.value}{unit}")


class ApiServer:
    """uvicorn in the running loop; ``stop()`` asks it to exit gracefully."""

    def __init__(self, container: Container, host: str, port: int) -> None:
        config = uvicorn.Config(
            create_app(container),
            host=host,
            port=port,
            log_level=container.settings.log_level.lower(),
            lifespan="off",
        )
        self.server = uvicorn.Server(config)

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    async def serve(self) -> None:
        await self.server.serve()

    def stop(self) -> None:
        self.server.should_exit = True


async def stop_despite_interrupts(container: Container) -> None:
    """Stop the container to the end even when the task is cancelled meanwhile: uvicorn
    re-raises the SIGINT it captured once it has shut down, and asyncio.run turns that into
    a cancellation of this task — which must not cut the shutdown (engine, sockets) short."""
    stopping = asyncio.ensure_future(container.stop())
    while not stopping.done():
        try:
            await asyncio.shield(stopping)
        except asyncio.CancelledError:
            continue
    stopping.result()


async def run(
    settings: Settings,
    components: Sequence[tuple[str, Component]],
    *,
    on_server: Callable[[ApiServer], None] | None = None,
) -> None:
    """Build the container, start the components in order, serve the API until stopped."""
    container = build_container(settings)
    await container.start()
    try:
        for name, component in components:
            log.info("starting %s", name)
            await component(container)
        server = ApiServer(container, settings.api.host, settings.api.port)
        if on_server is not None:
            on_server(server)
        await server.serve()
    finally:
        await stop_despite_interrupts(container)


def _append_defaults() -> None:
    # The integration's components with their defaults (``demo`` rebuilds the list from its
    # options: calls per hour, agents, simulator on/off).
    from hotline.components import SimOptions, demo_components

    DEMO_COMPONENTS.extend(demo_components(SimOptions()))


_append_defaults()
