"""FastAPI app factory. Everything the handlers use comes from ``container`` (built in
``hotline.bootstrap``); nothing is created at import."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from agent_api import api_docs, errors, ws
from agent_api.container import ApiContainer
from agent_api.routes import (
    auth,
    callbacks,
    calls,
    health,
    kpi,
    labels,
    live,
    pages,
    reference,
    transcripts,
    work_order_actions,
    work_orders,
)


def create_app(
    container: ApiContainer,
    *,
    title: str = "12345 热线 API",
    ws_settings: ws.WsSettings | None = None,
) -> FastAPI:
    app = FastAPI(
        title=title,
        version="0.1.0",
        description="Work orders (工单) of a 12345 government-service hotline.",
        docs_url=None,  # api_docs serves /docs without a CDN; no /redoc (see there)
        redoc_url=None,
    )
    app.state.container = container
    app.state.ws_settings = ws_settings or ws.WsSettings()
    errors.install(app)
    api_docs.install(app)
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1")
    app.include_router(work_orders.router, prefix="/api/v1")
    app.include_router(work_order_actions.router, prefix="/api/v1")
    app.include_router(reference.router, prefix="/api/v1")
    app.include_router(calls.router, prefix="/api/v1")
    app.include_router(callbacks.router, prefix="/api/v1")
    app.include_router(labels.router, prefix="/api/v1")
    app.include_router(live.router, prefix="/api/v1")
    app.include_router(kpi.router, prefix="/api/v1")
    app.include_router(transcripts.router, prefix="/api/v1")
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    return app
