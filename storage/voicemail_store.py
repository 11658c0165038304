"""Voicemails (电话语音留言) as received; the intake use case links each to a work order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import ConflictError, NotFoundError
from core.ports import VoicemailReceived
from storage.tables.calls import VoicemailRow


class SqlVoicemailStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, voicemail: VoicemailReceived) -> int:
        row = VoicemailRow(
            call_id=voicemail.call_id,
            caller_number=voicemail.caller_number,
            recording_path=voicemail.recording_path,
            received_at=voicemail.received_at,
            duration_s=voicemail.duration_s,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError as exc:
            raise ConflictError(
                f"voicemail of call {voicemail.call_id} already stored",
                code="voicemail.duplicate",
                details={"call_id": voicemail.call_id},
            ) from exc

    async def link_work_order(self, call_id: str, work_order_id: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.scalar(select(VoicemailRow).where(VoicemailRow.call_id == call_id))
            if row is None:
                raise NotFoundError(f"no voicemail for call {call_id}", code="voicemail.not_found")
            row.work_order_id = work_order_id
            row.status = "drafted"

    async def get(self, call_id: str) -> tuple[VoicemailReceived, str | None, str] | None:
        """(voicemail, linked work order id, status)."""
        async with self._sessions() as session:
            row = await session.scalar(select(VoicemailRow).where(VoicemailRow.call_id == call_id))
        if row is None:
            return None
        return _voicemail(row), row.work_order_id, row.status

    async def received_between(self, since: datetime, until: datetime) -> list[VoicemailReceived]:
        """Voicemails received in [since, until], oldest first (the spool re-import looks for
        the live import of a message)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(VoicemailRow)
                .where(VoicemailRow.received_at >= since, VoicemailRow.received_at <= until)
                .order_by(VoicemailRow.received_at, VoicemailRow.id)
            )
            return [_voicemail(row) for row in rows]


def _voicemail(row: VoicemailRow) -> VoicemailReceived:
    return VoicemailReceived(
        call_id=row.call_id,
        caller_number=row.caller_number,
        recording_path=row.recording_path,
        received_at=row.received_at,
        duration_s=row.duration_s,
    )
