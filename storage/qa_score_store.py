"""SQL adapter of :class:`core.use_cases.transcript_review.QaScoreStore`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.use_cases.transcript_review import SCORE_ITEMS, QaScore
from storage.tables.qa import QaScoreRow


def _to_entity(row: QaScoreRow) -> QaScore:
    return QaScore(
        call_id=row.call_id,
        reviewer=row.reviewer,
        items={k: int(getattr(row, k)) for k in SCORE_ITEMS},
        comment=row.comment,
        created_at=row.created_at,
        id=row.id,
    )


class SqlQaScoreStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, score: QaScore) -> QaScore:
        row = QaScoreRow(
            call_id=score.call_id,
            reviewer=score.reviewer,
            comment=score.comment,
            created_at=score.created_at,
            **{k: int(score.items[k]) for k in SCORE_ITEMS},
        )
        async with self._sessions.begin() as session:
            session.add(row)
            await session.flush()
            return _to_entity(row)

    async def for_call(self, call_id: str) -> list[QaScore]:
        query = (
            select(QaScoreRow)
            .where(QaScoreRow.call_id == call_id)
            .order_by(QaScoreRow.created_at, QaScoreRow.id)
        )
        async with self._sessions() as session:
            return [_to_entity(r) for r in (await session.scalars(query)).all()]
