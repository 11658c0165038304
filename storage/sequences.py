"""Named counters in the database (safe under concurrent writers on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables.work_orders import SequenceRow


async def next_value(sessions: async_sessionmaker[AsyncSession], name: str) -> int:
    """Increment ``name`` and return the new value (first value 1).

    UPDATE … RETURNING takes the row lock; the first use of a name inserts it, and a racing
    first insert falls back to the update.
    """
    for _ in range(3):
        async with sessions.begin() as session:
            value = await session.scalar(
                update(SequenceRow)
                .where(SequenceRow.name == name)
                .values(value=SequenceRow.value + 1)
                .returning(SequenceRow.value)
            )
            if value is not None:
                return int(value)
        try:
            async with sessions.begin() as session:
                await session.execute(insert(SequenceRow).values(name=name, value=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError(f"could not advance sequence {name!r}")
