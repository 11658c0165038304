"""The callback worklist (回电): voicemail and IVR-requested callbacks, oldest due first; an
agent takes one and the hotline rings the agent's phone, then dials the citizen (Originate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from core.privacy import Viewer, mask_phone
from core.work_order_rules import Role

CALLBACK_WORKERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class CallbackTask:
    id: str
    call_id: str
    caller_number: str
    reason: str  # voicemail | callback | abandoned
    draft_id: str | None
    requested_at: datetime
    due_at: datetime | None
    status: str  # open | done
    attempts: int
    last_result: str


class CallbackWorklist(Protocol):
    async def open_tasks(self, limit: int = 100) -> list[CallbackTask]: ...

    async def get(self, task_id: str) -> CallbackTask: ...

    async def record_attempt(self, task_id: str, *, done: bool, result: str) -> CallbackTask: ...


class CallbackDialer(Protocol):
    async def dial(self, agent_endpoint: str, number: str, task_id: str) -> str:
        """Ring ``agent_endpoint``, then the citizen; return the call's id. Raises an
        ExternalServiceError when the PBX refuses or is unreachable."""
        ...


class WorkCallbacks:
    def __init__(self, tasks: CallbackWorklist, dialer: CallbackDialer) -> None:
        self._tasks = tasks
        self._dialer = dialer

    def _authorise(self, viewer: Viewer) -> None:
        if viewer.actor.role not in CALLBACK_WORKERS:
            raise PermissionDeniedError(
                f"role {viewer.actor.role.value} does not work the callback list",
                code="callback.forbidden",
            )

    async def open_tasks(self, viewer: Viewer, limit: int = 100) -> list[CallbackTask]:
        self._authorise(viewer)
        tasks = await self._tasks.open_tasks(limit)
        if viewer.sees_personal_data:
            return tasks
        return [_masked(t) for t in tasks]

    async def call_back(self, viewer: Viewer, task_id: str, agent_endpoint: str) -> CallbackTask:
        self._authorise(viewer)
        if not agent_endpoint.strip():
            raise ValidationError("the agent's endpoint is required", code="callback.endpoint")
        task = await self._tasks.get(task_id)
        if task.status != "open":
            raise ConflictError(
                f"callback task {task_id} is {task.status}",
                code="callback.closed",
                details={"task_id": task_id, "status": task.status},
            )
        try:
            call_id = await self._dialer.dial(agent_endpoint, task.caller_number, task.id)
        except DomainError as exc:
            await self._tasks.record_attempt(task.id, done=False, result=exc.message)
            raise
        done = await self._tasks.record_attempt(
            task.id, done=True, result=f"originated {call_id} via {agent_endpoint}"
        )
        return done if viewer.sees_personal_data else _masked(done)


def _masked(task: CallbackTask) -> CallbackTask:
    return CallbackTask(
        task.id, task.call_id, mask_phone(task.caller_number), task.reason, task.draft_id,
        task.requested_at, task.due_at, task.status, task.attempts, task.last_result,
    )  # fmt: skip
