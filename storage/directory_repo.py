"""Directory repository: divisions, units, categories, responsibilities and users."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.directory import Category, Division, Responsibility, Unit, User
from core.sla import SlaClass
from core.work_order_rules import Role
from storage.tables.directory import (
    CategoryRow,
    DivisionRow,
    ResponsibilityRow,
    UnitRow,
    UserRow,
)


def _unit(r: UnitRow) -> Unit:
    return Unit.of(
        r.id,
        r.name,
        r.kind,
        r.district,
        parent_code=r.parent_id,
        division_code=r.division_code,
        duty_phone=r.duty_phone,
        active=r.active,
    )


def _category(r: CategoryRow) -> Category:
    return Category(
        code=r.code,
        name=r.name,
        parent_code=r.parent_code,
        sla_class=SlaClass(r.sla_class),
        active=r.active,
    )


def _user(r: UserRow) -> User:
    return User(
        id=r.id,
        username=r.username,
        display_name=r.display_name,
        role=Role(r.role),
        password_hash=r.password_hash,
        unit_id=r.unit_id,
        sees_personal_data=r.sees_personal_data,
        active=r.active,
    )


class SqlDirectoryRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # -- reads ------------------------------------------------------------------------------
    async def get_unit(self, unit_id: str) -> Unit | None:
        async with self._sessions() as session:
            row = await session.get(UnitRow, unit_id)
            return None if row is None else _unit(row)

    async def get_category(self, code: str) -> Category | None:
        async with self._sessions() as session:
            row = await session.get(CategoryRow, code)
            return None if row is None else _category(row)

    async def list_units(self) -> list[Unit]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(UnitRow).order_by(UnitRow.id))).all()
            return [_unit(r) for r in rows]

    async def list_categories(self) -> list[Category]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(CategoryRow).order_by(CategoryRow.code))).all()
            return [_category(r) for r in rows]

    async def list_responsibilities(self, unit_ref: str | None = None) -> list[Responsibility]:
        query = select(ResponsibilityRow).order_by(ResponsibilityRow.id)
        if unit_ref is not None:
            query = query.where(ResponsibilityRow.unit_ref == unit_ref)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            Responsibility(
                category_code=r.category_code,
                territory=r.territory,
                unit_ref=r.unit_ref,
                role=r.role,
                basis=r.basis,
            )
            for r in rows
        ]

    async def list_divisions(self, level: str | None = None) -> list[Division]:
        query = select(DivisionRow).order_by(DivisionRow.code)
        if level is not None:
            query = query.where(DivisionRow.level == level)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            Division(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code)
            for r in rows
        ]

    async def get_user(self, username: str) -> User | None:
        async with self._sessions() as session:
            row = await session.scalar(select(UserRow).where(UserRow.username == username))
            return None if row is None else _user(row)

    # -- writes (seeding, admin) -----------------------------------------------------------
    async def save_divisions(self, divisions: Sequence[Division]) -> None:
        """Insert new divisions in bulk and update changed ones (thousands of rows: no merge)."""
        # Parents first so the self-referencing foreign key holds at every insert.
        rank = {"district": 0, "street": 1, "community": 2}
        wanted = sorted(divisions, key=lambda d: (rank.get(d.level, 3), d.code))
        async with self._sessions.begin() as session:
            rows = (await session.execute(select(DivisionRow))).scalars().all()
            existing = {r.code: (r.name, r.level, r.parent_code) for r in rows}
            fresh = [
                {"code": d.code, "name": d.name, "level": d.level, "parent_code": d.parent_code}
                for d in wanted
                if d.code not in existing
            ]
            if fresh:
                await session.execute(insert(DivisionRow), fresh)
            for d in wanted:
                old = existing.get(d.code)
                if old is not None and old != (d.name, d.level, d.parent_code):
                    await session.execute(
                        update(DivisionRow)
                        .where(DivisionRow.code == d.code)
                        .values(name=d.name, level=d.level, parent_code=d.parent_code)
                    )

    async def save_units(self, units: Sequence[Unit]) -> None:
        async with self._sessions.begin() as session:
            pending = list(units)
            known = set((await session.scalars(select(UnitRow.id))).all())
            # Parents before children (parent_id is a foreign key).
            while pending:
                ready = [u for u in pending if u.parent_code is None or u.parent_code in known]
                if not ready:
                    missing = sorted({u.parent_code or "" for u in pending})
                    raise ValueError(f"units with unknown parent: {missing}")
                for u in ready:
                    await session.merge(
                        UnitRow(
                            id=u.code,
                            name=u.name,
                            kind=u.kind.value,
                            district=u.district,
                            division_code=u.division_code,
                            parent_id=u.parent_code,
                            duty_phone=u.duty_phone,
                            active=u.active,
                        )
                    )
                    known.add(u.code)
                await session.flush()
                pending = [u for u in pending if u not in ready]

    async def save_categories(self, categories: Sequence[Category]) -> None:
        async with self._sessions.begin() as session:
            for c in sorted(categories, key=lambda c: (c.parent_code is not None, c.code)):
                await session.merge(
                    CategoryRow(
                        code=c.code,
                        name=c.name,
                        parent_code=c.parent_code,
                        sla_class=c.sla_class.value,
                        active=c.active,
                    )
                )

    async def replace_responsibilities(self, rows: Sequence[Responsibility]) -> None:
        async with self._sessions.begin() as session:
            await session.execute(delete(ResponsibilityRow))
            session.add_all(
                ResponsibilityRow(
                    category_code=r.category_code,
                    territory=r.territory,
                    unit_ref=r.unit_ref,
                    role=r.role,
                    basis=r.basis,
                )
                for r in rows
            )

    async def save_user(self, user: User, *, created_at: datetime) -> None:
        """Insert or update by username."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(UserRow).where(UserRow.username == user.username))
            if row is None:
                row = UserRow(username=user.username, created_at=created_at)
                session.add(row)
            row.display_name = user.display_name
            row.password_hash = user.password_hash
            row.role = user.role.value
            row.unit_id = user.unit_id
            row.sees_personal_data = user.sees_personal_data
            row.active = user.active
