"""The browser pages: plain HTML + ES modules from ``agent_api/static`` (no build step, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(include_in_schema=False)
PAGES = {"desk": "desk.html", "wallboard": "wallboard.html", "review": "review.html"}


def _page(name: str) -> FileResponse:
    # No caching: a page and its modules must change together when the server is updated.
    return FileResponse(STATIC / PAGES[name], headers={"Cache-Control": "no-cache"})


@router.get("/desk")
async def desk() -> FileResponse:
    return _page("desk")


@router.get("/wallboard")
async def wallboard() -> FileResponse:
    return _page("wallboard")


@router.get("/review")
async def review() -> FileResponse:
    return _page("review")
