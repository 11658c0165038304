"""The callback worklist (回电): open tasks oldest due first; take one → the PBX rings the
agent, then dials the citizen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from agent_api.api_time import ApiDatetime
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from core.use_cases.work_callbacks import CallbackTask

router = APIRouter(tags=["callbacks"])


class CallbackTaskRead(BaseModel):
    id: str
    call_id: str
    caller_number: str
    reason: str
    draft_id: str | None
    requested_at: ApiDatetime
    due_at: ApiDatetime | None
    status: str
    attempts: int
    last_result: str


class CallbackCall(BaseModel):
    endpoint: Annotated[str, Field(min_length=1, max_length=80, examples=["PJSIP/agent8001"])]


def _read(task: CallbackTask) -> CallbackTaskRead:
    return CallbackTaskRead(
        id=task.id, call_id=task.call_id, caller_number=task.caller_number, reason=task.reason,
        draft_id=task.draft_id, requested_at=task.requested_at, due_at=task.due_at,
        status=task.status, attempts=task.attempts, last_result=task.last_result,
    )  # fmt: skip


@router.get("/callbacks", response_model=list[CallbackTaskRead])
async def open_callbacks(
    viewer: CurrentViewer,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CallbackTaskRead]:
    return [_read(t) for t in await services.work_callbacks.open_tasks(viewer, limit)]


@router.post("/callbacks/{task_id}/call", response_model=CallbackTaskRead)
async def call_back(
    task_id: str, body: CallbackCall, viewer: CurrentViewer, services: Services
) -> CallbackTaskRead:
    return _read(await services.work_callbacks.call_back(viewer, task_id, body.endpoint))
