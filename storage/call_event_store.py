"""SQL adapter of :class:`core.ports.CallEventStore` (append-only call event log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ports import StoredCallEvent
from storage.tables.calls import CallEventRow


def _to_entity(row: CallEventRow) -> StoredCallEvent:
    return StoredCallEvent(
        linkedid=row.linkedid,
        name=row.name,
        occurred_at=row.occurred_at,
        payload=dict(row.payload),
        id=row.id,
    )


class SqlCallEventStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def append(self, events: list[StoredCallEvent]) -> None:
        if not events:
            return
        async with self._sessions.begin() as session:
            session.add_all(
                CallEventRow(
                    linkedid=e.linkedid,
                    name=e.name,
                    occurred_at=e.occurred_at,
                    payload=dict(e.payload),
                )
                for e in events
            )

    async def between(self, start: datetime, end: datetime) -> list[StoredCallEvent]:
        """Events with ``start <= occurred_at < end`` in the order they happened."""
        query = (
            select(CallEventRow)
            .where(CallEventRow.occurred_at >= start, CallEventRow.occurred_at < end)
            .order_by(CallEventRow.occurred_at, CallEventRow.id)
        )
        async with self._sessions() as session:
            return [_to_entity(r) for r in (await session.scalars(query)).all()]

    async def for_call(self, linkedid: str) -> list[StoredCallEvent]:
        query = (
            select(CallEventRow)
            .where(CallEventRow.linkedid == linkedid)
            .order_by(CallEventRow.occurred_at, CallEventRow.id)
        )
        async with self._sessions() as session:
            return [_to_entity(r) for r in (await session.scalars(query)).all()]
