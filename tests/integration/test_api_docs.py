"""``/docs`` works on an intranet: the page references only this server (no CDN, no external
favicon) and every asset it references is served with the right content type, also under a proxy
prefix (``root_path``). Nothing else is served from the assets' package; ``/redoc`` is off."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from agent_api.app import create_app
from tests.integration.api_client import Api, running_api

# src="…", href="…" attributes and Swagger UI's ``url: '…'`` option.
REFERENCE = re.compile(r"""(?:\b(?:src|href)=["']|\burl:\s*['"])([^"']*)""")
ASSETS = {
    "/docs-assets/swagger-ui.css",
    "/docs-assets/favicon-32x32.png",
    "/docs-assets/swagger-ui-bundle.js",
}
# suffix → (content type, bytes the real file contains). The bundle and the CSS hold non-ASCII
# bytes and the page has no <meta charset>: without charset=utf-8 the browser may misdecode them.
EXPECTED = {
    ".js": ("text/javascript; charset=utf-8", b"SwaggerUIBundle"),
    ".css": ("text/css; charset=utf-8", b".swagger-ui"),
    ".png": ("image/png", b"\x89PNG"),
}


@pytest.fixture
async def api(seeded_sqlite_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_sqlite_url) as api:
        yield api


def references(html: str) -> list[str]:
    return REFERENCE.findall(html)


async def _assert_served(client: httpx.AsyncClient, url: str) -> None:
    r = await client.get(url)
    assert r.status_code == 200, url
    if url.endswith("openapi.json"):
        assert r.json()["openapi"].startswith("3.")
        return
    content_type, marker = EXPECTED[url[url.rindex(".") :]]
    assert r.headers["content-type"] == content_type, url
    assert marker in r.content[:200_000], url


async def test_docs_page_references_only_local_assets(api: Api) -> None:
    r = await api.client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "http://" not in html
    assert "https://" not in html
    assert set(references(html)) == {*ASSETS, "/openapi.json"}
    for url in references(html):
        await _assert_served(api.client, url)


@pytest.mark.parametrize(
    "path",
    [
        "/docs-assets/__init__.py",
        "/docs-assets/swagger-ui-bundle.js.map",
        "/docs-assets/..%2F__init__.py",
        "/redoc",
    ],
)
async def test_nothing_else_is_served(api: Api, path: str) -> None:
    r = await api.client.get(path)
    assert r.status_code == 404, path


async def test_oauth2_redirect_page_is_served(api: Api) -> None:
    r = await api.client.get("/docs/oauth2-redirect")
    assert r.status_code == 200
    assert "swaggerUIRedirectOauth2" in r.text


async def test_docs_routes_are_not_api_operations(api: Api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/docs")]


async def test_docs_behind_a_proxy_prefix_use_the_prefix(api: Api) -> None:
    transport = httpx.ASGITransport(app=create_app(api.container), root_path="/hotline")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.get("/hotline/docs")
        assert r.status_code == 200
        urls = references(r.text)
        assert set(urls) == {"/hotline" + u for u in {*ASSETS, "/openapi.json"}}
        for url in urls:
            await _assert_served(client, url)
        assert "window.location.origin + '/hotline/docs/oauth2-redirect'" in r.text
