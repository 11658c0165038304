"""Callback tasks (回电 worklist) and voicemail transcription jobs; idempotent per call id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import NotFoundError
from core.intake_ports import CallbackRequest, TranscriptionJob
from core.ports import Clock
from core.use_cases.work_callbacks import CallbackTask
from storage.tables.intake import CallbackTaskRow, TranscriptionJobRow


def _task(row: CallbackTaskRow) -> CallbackTask:
    return CallbackTask(
        row.id, row.call_id, row.caller_number, row.reason, row.draft_id, row.requested_at,
        row.due_at, row.status, row.attempts, row.last_result,
    )  # fmt: skip


class SqlCallbackTasks:
    """:class:`core.intake_ports.CallbackTasks` and the worklist agents work through."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, request: CallbackRequest) -> str:
        async with self._sessions.begin() as session:
            existing = await session.scalar(
                select(CallbackTaskRow).where(CallbackTaskRow.call_id == request.call_id)
            )
            if existing is not None:
                return existing.id
            row = CallbackTaskRow(
                id=str(uuid.uuid4()),
                call_id=request.call_id,
                caller_number=request.caller_number,
                reason=request.reason,
                draft_id=request.draft_id,
                requested_at=request.requested_at,
                due_at=request.due_at,
                status="open",
                attempts=0,
                last_result="",
            )
            session.add(row)
            return row.id

    async def open_tasks(self, limit: int = 100) -> list[CallbackTask]:
        """Oldest due first: the order agents work through them."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CallbackTaskRow)
                .where(CallbackTaskRow.status == "open")
                .order_by(CallbackTaskRow.due_at, CallbackTaskRow.requested_at)
                .limit(limit)
            )
            return [_task(r) for r in rows]

    async def get(self, task_id: str) -> CallbackTask:
        async with self._sessions() as session:
            row = await session.get(CallbackTaskRow, task_id)
        if row is None:
            raise NotFoundError(f"no callback task {task_id}", code="callback.not_found")
        return _task(row)

    async def record_attempt(self, task_id: str, *, done: bool, result: str) -> CallbackTask:
        async with self._sessions.begin() as session:
            row = await session.get(CallbackTaskRow, task_id)
            if row is None:
                raise NotFoundError(f"no callback task {task_id}", code="callback.not_found")
            row.attempts += 1
            row.last_result = result
            row.status = "done" if done else "open"
            return _task(row)


@dataclass(frozen=True, slots=True)
class TranscriptionJobRecord:
    call_id: str
    recording_path: str
    draft_id: str
    status: str  # pending | done | failed
    text: str
    error: str


class SqlTranscriptionJobs:
    """:class:`core.intake_ports.TranscriptionQueue` backed by a table: a job stays ``pending``
    until a worker with a model transcribes it (nothing is lost while no model is present)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def enqueue(self, job: TranscriptionJob) -> None:
        values = {
            "call_id": job.call_id,
            "recording_path": job.recording_path,
            "draft_id": job.draft_id,
            "speaker": job.speaker,
            "status": "pending",
            "text": "",
            "error": "",
            "created_at": self._clock.now(),
        }
        async with self._sessions.begin() as session:
            dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            await session.execute(
                insert(TranscriptionJobRow).values(**values).on_conflict_do_nothing()
            )

    async def pending(self, limit: int = 20) -> list[TranscriptionJobRecord]:
        return await self._where("pending", limit)

    async def all(self, limit: int = 1000) -> list[TranscriptionJobRecord]:
        return await self._where(None, limit)

    async def _where(self, status: str | None, limit: int) -> list[TranscriptionJobRecord]:
        query = select(TranscriptionJobRow).order_by(TranscriptionJobRow.created_at).limit(limit)
        if status is not None:
            query = query.where(TranscriptionJobRow.status == status)
        async with self._sessions() as session:
            rows = await session.scalars(query)
            return [
                TranscriptionJobRecord(
                    r.call_id, r.recording_path, r.draft_id, r.status, r.text, r.error
                )
                for r in rows
            ]

    async def finish(self, call_id: str, *, text: str = "", error: str = "") -> None:
        async with self._sessions.begin() as session:
            row = await session.get(TranscriptionJobRow, call_id)
            if row is None:
                raise NotFoundError(
                    f"no transcription job {call_id}", code="transcription.not_found"
                )
            row.status = "failed" if error else "done"
            row.text, row.error = text, error
            row.done_at = self._clock.now()
