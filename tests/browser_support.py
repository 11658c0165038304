"""Chromium for the browser tests (``-m browser``): ``/usr/bin/chromium`` driven by Playwright.
Skipped when it is missing, except in CI (``HOTLINE_REQUIRE_SERVICES=1``) where that fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HAVE_CHROMIUM = Path(CHROMIUM).exists()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        if REQUIRE_SERVICES:
            pytest.fail(f"{CHROMIUM} missing (.ci/system-deps installs it)")
        pytest.skip("chromium missing: apt-get install -y chromium")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            await b.close()
