"""SQL repository of work orders (implements ``core.use_cases.ports.WorkOrderRepository``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import SHANGHAI
from core.errors import ConflictError
from core.use_cases.ports import (
    IdempotencyRecord,
    OrderQuery,
    Page,
    TransitionRecord,
    WorkOrderRepository,
)
from core.work_order_model import TERMINAL_STATUSES, WorkOrder, WorkOrderStatus
from storage.sequences import next_value
from storage.tables.work_orders import (
    IdempotencyKeyRow,
    WorkOrderRow,
    WorkOrderTransitionRow,
    WorkOrderUnitRow,
)
from storage.work_order_mapping import to_columns, to_entity

S = WorkOrderStatus
IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
_WITH_UNIT = (S.DISPATCHED.value, S.SIGNED.value, S.IN_PROGRESS.value)
_AWAITING_CLOSE = (
    S.REPLIED.value,
    S.VISITED.value,
    S.DISSATISFIED.value,
    S.EXCLUSION_REQUESTED.value,
)


def _unit_rows(order: WorkOrder) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    if order.lead_unit:
        rows.append({"order_id": order.id, "unit_id": order.lead_unit, "role": "lead"})
    seen = {order.lead_unit}
    for role, units in (("assisting", order.assisting_units), ("copy", order.copy_units)):
        for unit in units:
            if unit not in seen:
                seen.add(unit)
                rows.append({"order_id": order.id, "unit_id": unit, "role": role})
    return rows


def _transition_values(t: TransitionRecord) -> dict[str, object]:
    return {
        "order_id": t.order_id,
        "version": t.version,
        "action": t.action,
        "from_status": t.from_status,
        "to_status": t.to_status,
        "actor_id": t.actor_id,
        "actor_role": t.actor_role,
        "actor_unit": t.actor_unit,
        "occurred_at": t.occurred_at,
        "payload": dict(t.payload),
    }


def _transition_record(r: WorkOrderTransitionRow) -> TransitionRecord:
    return TransitionRecord(
        order_id=r.order_id,
        version=r.version,
        action=r.action,
        from_status=r.from_status,
        to_status=r.to_status,
        actor_id=r.actor_id,
        actor_role=r.actor_role,
        actor_unit=r.actor_unit,
        occurred_at=r.occurred_at,
        payload=r.payload,
    )


def overdue_condition(at: datetime) -> ColumnElement[bool]:
    """Open orders past the deadline of their current step: not signed by ``sign_due``, no
    reply by ``reply_due``, not closed by ``close_due``."""
    return and_(
        WorkOrderRow.status.not_in([s.value for s in TERMINAL_STATUSES]),
        or_(
            and_(WorkOrderRow.status == S.DISPATCHED.value, WorkOrderRow.sign_due < at),
            and_(WorkOrderRow.status.in_(_WITH_UNIT), WorkOrderRow.reply_due < at),
            and_(WorkOrderRow.status.in_(_AWAITING_CLOSE), WorkOrderRow.close_due < at),
        ),
    )


class SqlWorkOrderRepository(WorkOrderRepository):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, prefix: str = "XA") -> None:
        self._sessions = sessions
        self._prefix = prefix

    async def next_number(self, now: datetime) -> str:
        """``XA20261121000042``: city prefix, Shanghai date, per-day counter."""
        day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
        value = await next_value(self._sessions, f"work_order:{day}")
        return f"{self._prefix}{day}{value:06d}"

    async def add(
        self,
        order: WorkOrder,
        transitions: Sequence[TransitionRecord],
        idempotency: IdempotencyRecord | None = None,
    ) -> None:
        try:
            async with self._sessions.begin() as session:
                await session.execute(insert(WorkOrderRow).values(**to_columns(order)))
                units = _unit_rows(order)
                if units:
                    await session.execute(insert(WorkOrderUnitRow), units)
                await session.execute(
                    insert(WorkOrderTransitionRow), [_transition_values(t) for t in transitions]
                )
                if idempotency is not None:
                    await session.execute(
                        insert(IdempotencyKeyRow).values(
                            user_id=idempotency.user_id,
                            key=idempotency.key,
                            request_hash=idempotency.request_hash,
                            order_id=idempotency.order_id,
                            created_at=idempotency.created_at,
                        )
                    )
        except IntegrityError as exc:
            if idempotency is not None and await self.find_idempotent(
                idempotency.user_id, idempotency.key
            ):
                raise ConflictError(
                    "idempotency key already used",
                    code="idempotency.duplicate",
                    details={"key": idempotency.key},
                ) from exc
            raise

    async def update(
        self, order: WorkOrder, expected_version: int, *transitions: TransitionRecord
    ) -> None:
        versions = [t.version for t in transitions]
        if versions != list(range(expected_version + 1, order.version + 1)):
            raise ValueError(
                f"transition versions {versions} do not lead from {expected_version} to "
                f"{order.version}"
            )
        values = to_columns(order)
        values.pop("id")
        # One transaction for the order row, its unit index and every audit entry: a failure
        # in any statement (stale version, constraint, lost connection) rolls all of it back.
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(WorkOrderRow)
                .where(WorkOrderRow.id == order.id, WorkOrderRow.version == expected_version)
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError(
                    f"work order {order.number} was changed by someone else; reload and retry",
                    code="work_order.stale",
                    details={"order_id": order.id, "expected_version": expected_version},
                )
            await session.execute(
                delete(WorkOrderUnitRow).where(WorkOrderUnitRow.order_id == order.id)
            )
            units = _unit_rows(order)
            if units:
                await session.execute(insert(WorkOrderUnitRow), units)
            for transition in transitions:
                await session.execute(
                    insert(WorkOrderTransitionRow).values(**_transition_values(transition))
                )

    async def get(self, order_id: str) -> WorkOrder | None:
        async with self._sessions() as session:
            row = await session.get(WorkOrderRow, order_id)
            return None if row is None else to_entity(row)

    async def get_by_number(self, number: str) -> WorkOrder | None:
        async with self._sessions() as session:
            row = await session.scalar(select(WorkOrderRow).where(WorkOrderRow.number == number))
            return None if row is None else to_entity(row)

    async def find_idempotent(self, user_id: str, key: str) -> IdempotencyRecord | None:
        async with self._sessions() as session:
            row = await session.get(IdempotencyKeyRow, (user_id, key))
            if row is None:
                return None
            return IdempotencyRecord(
                user_id=row.user_id,
                key=row.key,
                request_hash=row.request_hash,
                order_id=row.order_id,
                created_at=row.created_at,
            )

    async def search(self, query: OrderQuery) -> Page:
        conditions: list[ColumnElement[bool]] = []
        if query.statuses:
            conditions.append(WorkOrderRow.status.in_([s.value for s in query.statuses]))
        if query.unit_id is not None:
            conditions.append(
                WorkOrderRow.id.in_(
                    select(WorkOrderUnitRow.order_id).where(
                        WorkOrderUnitRow.unit_id == query.unit_id
                    )
                )
            )
        if query.category_code:
            conditions.append(WorkOrderRow.category_code == query.category_code)
        if query.district:
            conditions.append(WorkOrderRow.district == query.district)
        if query.created_from is not None:
            conditions.append(WorkOrderRow.created_at >= query.created_from)
        if query.created_to is not None:
            conditions.append(WorkOrderRow.created_at < query.created_to)
        if query.overdue_at is not None:
            conditions.append(overdue_condition(query.overdue_at))
        if query.phone:
            conditions.append(WorkOrderRow.appellant_phone == query.phone)
        if query.provisional_only:
            # JSON array of years; json_array_length exists in SQLite and PostgreSQL alike
            conditions.append(func.json_array_length(WorkOrderRow.provisional_years) > 0)
        where = and_(*conditions) if conditions else and_(True)
        rows_q = (
            select(WorkOrderRow)
            .where(where)
            .order_by(WorkOrderRow.created_at.desc(), WorkOrderRow.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        count_q = select(func.count()).select_from(WorkOrderRow).where(where)
        async with self._sessions() as session:
            total = int(await session.scalar(count_q) or 0)
            rows = (await session.scalars(rows_q)).all()
            return Page([to_entity(r) for r in rows], total)

    async def transitions(self, order_id: str) -> list[TransitionRecord]:
        return (await self.transitions_of([order_id]))[order_id]

    async def transitions_of(self, order_ids: Sequence[str]) -> dict[str, list[TransitionRecord]]:
        out: dict[str, list[TransitionRecord]] = {order_id: [] for order_id in order_ids}
        ids = list(out)
        async with self._sessions() as session:
            # One SELECT per IN_CHUNK ids (one for a report page), not one per order.
            for start in range(0, len(ids), IN_CHUNK):
                query = (
                    select(WorkOrderTransitionRow)
                    .where(WorkOrderTransitionRow.order_id.in_(ids[start : start + IN_CHUNK]))
                    .order_by(WorkOrderTransitionRow.order_id, WorkOrderTransitionRow.version)
                )
                for r in (await session.scalars(query)).all():
                    out[r.order_id].append(_transition_record(r))
        return out
