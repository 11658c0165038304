"""Repository ports of the work-order use cases (implemented in ``storage``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.directory import Category, Division, Responsibility, Unit, User
from core.work_order_model import WorkOrder, WorkOrderStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionRecord:
    """One audit-trail entry: who did what to which order, when, from → to."""

    order_id: str
    version: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: str
    actor_role: str
    actor_unit: str | None
    occurred_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalDataRead:
    order_id: str
    user_id: str
    role: str
    unit_id: str | None
    fields: tuple[str, ...]
    purpose: str  # "get" | "list" | "unit_view"
    read_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    user_id: str
    key: str
    request_hash: str
    order_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderQuery:
    statuses: tuple[WorkOrderStatus, ...] = ()
    unit_id: str | None = None  # lead, assisting or copy unit
    category_code: str | None = None
    district: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    overdue_at: datetime | None = None  # only orders overdue at this instant
    phone: str | None = None  # appellant phone, exact (the desk's caller profile)
    provisional_only: bool = False  # only orders whose deadlines are provisional
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[WorkOrder]
    total: int


class DirectoryRepository(Protocol):
    async def get_unit(self, unit_id: str) -> Unit | None: ...

    async def get_category(self, code: str) -> Category | None: ...

    async def list_units(self) -> list[Unit]: ...

    async def list_categories(self) -> list[Category]: ...

    async def list_responsibilities(self, unit_ref: str | None = None) -> list[Responsibility]: ...

    async def list_divisions(self, level: str | None = None) -> list[Division]: ...

    async def get_user(self, username: str) -> User | None: ...


class WorkOrderRepository(Protocol):
    async def next_number(self, now: datetime) -> str:
        """A new human-readable order number (工单编号), unique."""
        ...

    async def add(
        self,
        order: WorkOrder,
        transitions: Sequence[TransitionRecord],
        idempotency: IdempotencyRecord | None = None,
    ) -> None:
        """Insert atomically. A taken idempotency key raises ConflictError
        ``idempotency.duplicate`` and stores nothing."""
        ...

    async def update(
        self, order: WorkOrder, expected_version: int, *transitions: TransitionRecord
    ) -> None:
        """Replace the order if its stored version is ``expected_version`` (else ConflictError
        ``work_order.stale``) and append the transitions (one or more, versions
        ``expected_version + 1`` … ``order.version``) in one transaction: on any error nothing
        of it is stored."""
        ...

    async def get(self, order_id: str) -> WorkOrder | None: ...

    async def find_idempotent(self, user_id: str, key: str) -> IdempotencyRecord | None: ...

    async def search(self, query: OrderQuery) -> Page: ...

    async def transitions(self, order_id: str) -> list[TransitionRecord]: ...

    async def transitions_of(self, order_ids: Sequence[str]) -> dict[str, list[TransitionRecord]]:
        """The audit trails of many orders in one round trip: every requested id maps to its
        transitions by version (an empty list when it has none)."""
        ...


class PersonalDataAudit(Protocol):
    async def record(self, reads: Sequence[PersonalDataRead]) -> None: ...

    async def reads(self, order_id: str) -> list[PersonalDataRead]: ...
