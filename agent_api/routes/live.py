"""Live state (queues, agents, calls, data-gap marker) as the AMI bridge keeps it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from agent_api.api_time import in_api_zone
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.roles import LIVE_READERS, require_role
from core.use_cases.live_view import ReadLive

router = APIRouter(tags=["live"])


@router.get("/live/queues")
async def live_queues(viewer: CurrentViewer, services: Services) -> list[dict[str, Any]]:
    require_role(viewer, LIVE_READERS)
    return in_api_zone(await ReadLive(services.live_state).queues())


@router.get("/live/agents")
async def live_agents(viewer: CurrentViewer, services: Services) -> list[dict[str, Any]]:
    require_role(viewer, LIVE_READERS)
    return in_api_zone(await ReadLive(services.live_state).agents())


@router.get("/live/calls")
async def live_calls(viewer: CurrentViewer, services: Services) -> list[dict[str, Any]]:
    require_role(viewer, LIVE_READERS)
    return in_api_zone(await ReadLive(services.live_state).calls())


@router.get("/live/summary")
async def live_summary(viewer: CurrentViewer, services: Services) -> dict[str, Any]:
    """Everything the wallboard's live half needs in one read, with the gap marker."""
    require_role(viewer, LIVE_READERS)
    snap = await ReadLive(services.live_state).snapshot()
    return in_api_zone(
        {
            "as_of": services.clock.now(),  # the page measures "time in state" from it
            "summary": snap.summary(),
            "queues": snap.queues,
            "agents": snap.agents,
            "calls": snap.calls,
            "gap": snap.gap,
        }
    )
