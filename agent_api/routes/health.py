from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from agent_api.container import Services
from agent_api.schemas import HealthRead

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthRead, responses={503: {"model": HealthRead}})
async def healthz(services: Services) -> JSONResponse:
    """Checks the database and the event bus; 503 when one is down."""
    checks: dict[str, str] = {}
    for name, check in services.health_checks.items():
        try:
            await check()
            checks[name] = "ok"
        except Exception as exc:  # a health check reports, it does not raise
            checks[name] = f"error: {type(exc).__name__}: {exc}"
    ok = all(v == "ok" for v in checks.values())
    body = HealthRead(status="ok" if ok else "degraded", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
