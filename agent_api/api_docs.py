"""The interactive API docs at ``/docs`` (Swagger UI) with no CDN: a hotline's intranet has no
internet, and FastAPI's default page loads its JS/CSS from jsdelivr (blank page offline).

The Swagger UI 5 dist files come from the pinned ``fastapi-swagger`` package (it tracks the
upstream releases; Swagger UI 5 is needed for FastAPI's OpenAPI 3.1) and are served under
``/docs-assets`` — only the three files named here, not the package directory. The page itself is
FastAPI's ``get_swagger_ui_html``, as in its "Custom Docs UI Static Assets" how-to.

There is no ``/redoc``: ReDoc 2 always loads its attribution logo from ``cdn.redoc.ly`` (no
option turns it off), so it cannot be made to stay inside the intranet."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = Path(str(files("fastapi_swagger.resources")))
ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# file name → media type; nothing else under ASSETS is served. The JS and CSS hold non-ASCII bytes
# and FastAPI's page has no <meta charset>, hence the explicit charset.
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def install(app: FastAPI) -> None:
    """Serve ``/docs``, its OAuth2 redirect page and its assets. Create ``app`` with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN-based pages are not registered too."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root_path(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon-32x32.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    async def swagger_ui_asset(name: str) -> FileResponse:
        media_type = ASSET_TYPES.get(name)
        if media_type is None:
            raise HTTPException(status_code=404)
        return FileResponse(ASSETS / name, media_type=media_type)


def _root_path(request: Request) -> str:
    # Behind a reverse proxy with a path prefix (uvicorn --root-path), as FastAPI's own page does.
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")
