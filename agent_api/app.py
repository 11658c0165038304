"""FastAPI app factory. Everything the handlers use comes from ``container`` (built in
``hotline.bootstrap``); nothing is created at import."""

from __future__ import annotations

from fastapi import FastAPI

from agent_api import errors
from agent_api.container import ApiContainer
from agent_api.routes import (
    auth,
    callbacks,
    calls,
    health,
    reference,
    work_order_actions,
    work_orders,
)


def create_app(container: ApiContainer, *, title: str = "12345 热线 API") -> FastAPI:
    app = FastAPI(
        title=title,
        version="0.1.0",
        description="Work orders (工单) of a 12345 government-service hotline.",
    )
    app.state.container = container
    errors.install(app)
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1")
    app.include_router(work_orders.router, prefix="/api/v1")
    app.include_router(work_order_actions.router, prefix="/api/v1")
    app.include_router(reference.router, prefix="/api/v1")
    app.include_router(calls.router, prefix="/api/v1")
    app.include_router(callbacks.router, prefix="/api/v1")
    return app
