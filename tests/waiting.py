"""Waiting on a condition in tests: poll until it holds, with a generous hang guard.

Never "sleep and hope": a loaded CI machine can be many times slower than a laptop, so a
test waits for the state it needs and the limit only stops a hang (it is not a timing
assertion — a healthy run returns as soon as the condition holds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

HANG_GUARD_S = 60.0


async def wait_until(
    predicate: Callable[[], bool], what: str, within_s: float = HANG_GUARD_S
) -> None:
    """Return once ``predicate()`` is true; fail with ``what`` after ``within_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"still waiting after {within_s:g}s for: {what}")
        await asyncio.sleep(0.01)
