"""One stored record per citizen call (``core.call_records.CallRecord.to_dict()``), upserted
as the call's events arrive; searchable by date range, queue, outcome and number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.call_records import CallRecord
from core.use_cases.view_calls import CallQuery, LinkedOrder
from storage.tables.intake import CallRecordRow
from storage.tables.work_orders import WorkOrderRow


class SqlCallRecordStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save(self, records: list[CallRecord]) -> None:
        if not records:
            return
        async with self._sessions.begin() as session:
            for rec in records:
                row = await session.get(CallRecordRow, rec.linkedid)
                if row is None:
                    row = CallRecordRow(linkedid=rec.linkedid)
                    session.add(row)
                row.caller_number = rec.caller_number
                row.queue = rec.queue
                row.outcome = rec.outcome.value
                row.offered_at = rec.offered_at
                row.ended_at = rec.ended_at
                row.wait_s = rec.wait_s
                row.talk_s = rec.talk_s
                row.agent_name = rec.agent_name
                row.record = rec.to_dict()

    async def get(self, linkedid: str) -> dict[str, Any] | None:
        async with self._sessions() as session:
            row = await session.get(CallRecordRow, linkedid)
            return None if row is None else dict(row.record)

    async def search(self, query: CallQuery) -> tuple[list[dict[str, Any]], int]:
        stmt = select(CallRecordRow)
        if query.start is not None:
            stmt = stmt.where(CallRecordRow.offered_at >= query.start)
        if query.end is not None:
            stmt = stmt.where(CallRecordRow.offered_at < query.end)
        if query.queue:
            stmt = stmt.where(CallRecordRow.queue == query.queue)
        if query.outcome:
            stmt = stmt.where(CallRecordRow.outcome == query.outcome)
        if query.number:
            stmt = stmt.where(CallRecordRow.caller_number == query.number)
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
            rows = await session.scalars(
                stmt.order_by(CallRecordRow.offered_at.desc(), CallRecordRow.linkedid)
                .limit(query.limit)
                .offset(query.offset)
            )
            return [dict(r.record) for r in rows], int(total or 0)

    async def linked_orders(self, linkedid: str) -> list[LinkedOrder]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkOrderRow)
                .where(WorkOrderRow.call_id == linkedid)
                .order_by(WorkOrderRow.created_at)
            )
            return [LinkedOrder(r.id, r.number, r.status, r.title) for r in rows]
