"""Personal-data read audit (implements ``core.use_cases.ports.PersonalDataAudit``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.use_cases.ports import PersonalDataRead
from storage.tables.work_orders import PersonalDataReadRow


class SqlPersonalDataAudit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record(self, reads: Sequence[PersonalDataRead]) -> None:
        if not reads:
            return
        async with self._sessions.begin() as session:
            await session.execute(
                insert(PersonalDataReadRow),
                [
                    {
                        "order_id": r.order_id,
                        "user_id": r.user_id,
                        "role": r.role,
                        "unit_id": r.unit_id,
                        "fields": list(r.fields),
                        "purpose": r.purpose,
                        "read_at": r.read_at,
                    }
                    for r in reads
                ],
            )

    async def reads(self, order_id: str) -> list[PersonalDataRead]:
        query = (
            select(PersonalDataReadRow)
            .where(PersonalDataReadRow.order_id == order_id)
            .order_by(PersonalDataReadRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            PersonalDataRead(
                order_id=r.order_id,
                user_id=r.user_id,
                role=r.role,
                unit_id=r.unit_id,
                fields=tuple(r.fields),
                purpose=r.purpose,
                read_at=r.read_at,
            )
            for r in rows
        ]
