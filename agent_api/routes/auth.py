from __future__ import annotations

from fastapi import APIRouter

from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.schemas import LoginCreate, TokenRead

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=TokenRead)
async def login(body: LoginCreate, services: Services) -> TokenRead:
    user = await services.authenticate.execute(body.username, body.password)
    return TokenRead(
        access_token=services.tokens.issue(user),
        expires_in=int(services.tokens.ttl.total_seconds()),
        username=user.username,
        role=user.role.value,
        unit_id=user.unit_id,
    )


@router.get("/auth/me")
async def me(viewer: CurrentViewer) -> dict[str, object]:
    return {
        "username": viewer.actor.user_id,
        "role": viewer.actor.role.value,
        "unit_id": viewer.actor.unit_code,
        "sees_personal_data": viewer.sees_personal_data,
    }
