"""``/docs`` renders in a real Chromium with the internet cut off, as on a hotline's intranet:
every request to a host other than the test server is aborted (and recorded; there must be
none), and Swagger UI must still list every operation of the OpenAPI document. With FastAPI's
default page (Swagger UI from jsdelivr) this fails: the bundle is blocked, the page stays blank."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.web_server import Served

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class Offline:
    """A browser context whose requests to other hosts fail as on a network without internet."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.page_errors: list[str] = []

    async def route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    async def open(self, context: BrowserContext, url: str) -> Page:
        await context.route("**/*", self.route)
        page = await context.new_page()
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        await page.goto(url)
        return page


async def _operations(served: Served) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=served.base_url) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    return [(m, p) for p, ops in paths.items() for m in ops if m in METHODS]


async def test_swagger_ui_lists_every_operation_offline(browser: Browser, served: Served) -> None:
    operations = await _operations(served)
    assert len(operations) > 20
    offline = Offline()
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await offline.open(context, served.base_url + "/docs")
    orders = page.locator('.opblock-post .opblock-summary-path[data-path="/api/v1/work-orders"]')
    await expect(orders).to_be_visible()
    await expect(page.locator(".opblock")).to_have_count(len(operations))
    await expect(page.locator(".info .title")).to_contain_text("12345 热线 API")
    await page.screenshot(path=str(SHOTS / "api_docs_swagger.png"))
    assert offline.blocked == []
    assert offline.page_errors == []
    await context.close()
