"""SQL adapter of :class:`core.ports.TranscriptStore` with a LIKE-based search."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ports import TranscriptSegment
from storage.tables.calls import TranscriptSegmentRow


def _to_entity(row: TranscriptSegmentRow) -> TranscriptSegment:
    return TranscriptSegment(
        call_id=row.call_id,
        speaker=row.speaker,
        start_ms=row.start_ms,
        end_ms=row.end_ms,
        text=row.text,
        final=row.final,
        confidence=row.confidence,
        text_normalised=row.text_normalised,
        gap=row.gap,
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlTranscriptStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, segment: TranscriptSegment) -> None:
        """Insert, or replace the segment with the same (call, speaker, start).

        A partial is replaced by later partials and by its final; a late partial never
        overwrites a final.
        """
        async with self._sessions.begin() as session:
            existing = await session.scalar(
                select(TranscriptSegmentRow).where(
                    TranscriptSegmentRow.call_id == segment.call_id,
                    TranscriptSegmentRow.speaker == segment.speaker,
                    TranscriptSegmentRow.start_ms == segment.start_ms,
                )
            )
            if existing is None:
                session.add(TranscriptSegmentRow(**_fields(segment)))
                return
            if existing.final and not segment.final:
                return
            for name, value in _fields(segment).items():
                setattr(existing, name, value)

    async def for_call(self, call_id: str) -> list[TranscriptSegment]:
        query = (
            select(TranscriptSegmentRow)
            .where(TranscriptSegmentRow.call_id == call_id)
            .order_by(TranscriptSegmentRow.start_ms, TranscriptSegmentRow.speaker)
        )
        async with self._sessions() as session:
            return [_to_entity(r) for r in (await session.scalars(query)).all()]

    async def search(self, text: str, limit: int = 50) -> list[TranscriptSegment]:
        """Final segments whose raw or normalised text contains ``text``, newest call first."""
        needle = text.strip()
        if not needle:
            return []
        pattern = f"%{_like_escape(needle)}%"
        query = (
            select(TranscriptSegmentRow)
            .where(
                TranscriptSegmentRow.final.is_(True),
                or_(
                    TranscriptSegmentRow.text.like(pattern, escape="\\"),
                    TranscriptSegmentRow.text_normalised.like(pattern, escape="\\"),
                ),
            )
            .order_by(TranscriptSegmentRow.id.desc())
            .limit(max(1, min(limit, 500)))
        )
        async with self._sessions() as session:
            return [_to_entity(r) for r in (await session.scalars(query)).all()]


def _fields(segment: TranscriptSegment) -> dict[str, object]:
    return {
        "call_id": segment.call_id,
        "speaker": segment.speaker,
        "start_ms": segment.start_ms,
        "end_ms": segment.end_ms,
        "text": segment.text,
        "text_normalised": segment.text_normalised,
        "final": segment.final,
        "confidence": segment.confidence,
        "gap": segment.gap,
    }
