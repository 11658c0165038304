"""``python -m hotline run ROLE``: one process per role (architecture.md's process table),
each built from the same bootstrap with only the components it needs.

| role | components |
| --- | --- |
| api | schema check, FastAPI (uvicorn) |
| ami-bridge | AMI bridge (settings.ami) → events, bus, live state, call records; intake; taps |
| asr-worker | AudioSocket server + Vosk (or gap recording without a model), voicemail batch ASR |
| worker | auto-fill + classifier on ``asr.segment`` |
| scheduler | escalation scan every ``--interval`` seconds |
| fastagi | FastAGI server for the dialplan's IVR; voicemail spool re-import (ivr.voicemail_spool) |
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence

from core.errors import ExternalServiceError
from hotline.bootstrap import Container, build_container
from hotline.components import (
    ami_bridge_component,
    asr_component,
    autofill_component,
    fastagi_component,
    intake_component,
    scheduler_component,
    taps_component,
)
from hotline.serving import require_migrated, run, stop_despite_interrupts
from hotline.settings import Settings
from hotline.voicemail_sweep import voicemail_sweep_component

log = logging.getLogger(__name__)
Component = Callable[[Container], Awaitable[None]]
ROLES = ("api", "ami-bridge", "asr-worker", "worker", "scheduler", "fastagi")


def role_components(role: str, *, interval_s: float = 60.0) -> list[tuple[str, Component]]:
    table: dict[str, list[tuple[str, Component]]] = {
        "api": [("schema check", require_migrated)],
        "ami-bridge": [
            ("schema check", require_migrated),
            ("ivr intake", intake_component),
            ("ami bridge", ami_bridge_component),
            ("asr taps", taps_component),
        ],
        "asr-worker": [("schema check", require_migrated), ("asr worker", asr_component)],
        "worker": [("autofill + classifier worker", autofill_component)],
        "scheduler": [
            ("schema check", require_migrated),
            ("escalation scheduler", scheduler_component(interval_s)),
        ],
        "fastagi": [
            ("schema check", require_migrated),
            ("fastagi", fastagi_component),
            ("voicemail spool re-import", voicemail_sweep_component),
        ],
    }
    if role not in table:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return table[role]


async def run_role(
    settings: Settings,
    role: str,
    *,
    interval_s: float = 60.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Start the role's components and wait for SIGINT/SIGTERM (or ``stop``)."""
    components = role_components(role, interval_s=interval_s)
    if role == "api":
        await run(settings, components)
        return
    await run_components(settings, components, stop=stop, name=role)


async def start_or_fail(container: Container, within_s: float = 10.0) -> None:
    """Ping the bus (Redis): a dead or silent Redis is a clear error, never a hang."""
    try:
        async with asyncio.timeout(within_s):
            await container.start()
    except TimeoutError:
        raise ExternalServiceError(
            f"Redis at {container.settings.redis.url} did not answer within {within_s:g}s",
            code="external.redis_unavailable",
        ) from None


async def run_components(
    settings: Settings,
    components: Sequence[tuple[str, Component]],
    *,
    stop: asyncio.Event | None = None,
    name: str = "role",
) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    container = build_container(settings)
    try:
        await start_or_fail(container)
        for label, component in components:
            log.info("%s: starting %s", name, label)
            await component(container)
        print(f"{name}: running ({', '.join(label for label, _ in components)}); Ctrl-C stops")
        stopped = asyncio.ensure_future(stop.wait())
        failed = asyncio.ensure_future(container.task_failed.wait())
        await asyncio.wait({stopped, failed}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (stopped, failed):
            waiter.cancel()
        if container.failures:
            # e.g. Redis went away under a subscriber: exit non-zero so the supervisor
            # (systemd, compose) restarts the role, instead of idling without its work
            raise ExternalServiceError(
                f"{name}: a component died: {'; '.join(container.failures)}",
                code="external.unavailable",
            )
        print(f"{name}: stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        await stop_despite_interrupts(container)
    print(f"{name}: stopped")
