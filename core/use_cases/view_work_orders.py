"""Read work orders as a given viewer: scoped to a unit, identity masked per
:mod:`core.privacy`, every read of unmasked personal data written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.errors import NotFoundError, PermissionDeniedError
from core.ports import Clock
from core.privacy import Identity, Viewer, identity_for, personal_fields, present
from core.use_cases.ports import (
    DirectoryRepository,
    OrderQuery,
    PersonalDataAudit,
    PersonalDataRead,
    TransitionRecord,
    WorkOrderRepository,
)
from core.use_cases.visibility import require_visible
from core.work_order import allowed_actions
from core.work_order_model import WorkOrder
from core.work_order_rules import Role

AUDITORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class OrderView:
    order: WorkOrder  # appellant already masked/hidden for this viewer
    identity: Identity
    allowed_actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: tuple[OrderView, ...]
    total: int
    limit: int
    offset: int


class ViewWorkOrders:
    def __init__(
        self,
        orders: WorkOrderRepository,
        directory: DirectoryRepository,
        audit: PersonalDataAudit,
        clock: Clock,
    ) -> None:
        self._directory = directory
        self._orders = orders
        self._audit = audit
        self._clock = clock

    async def get(self, viewer: Viewer, order_id: str) -> OrderView:
        order = require_visible(await self._orders.get(order_id), order_id, viewer.actor)
        return await self.present(viewer, order, purpose="get")

    async def present(self, viewer: Viewer, order: WorkOrder, *, purpose: str) -> OrderView:
        """One order as ``viewer`` may see it (masked, audited)."""
        views = await self._present(viewer, [order], purpose=purpose)
        return views[0]

    async def search(
        self, viewer: Viewer, query: OrderQuery, *, purpose: str = "list"
    ) -> OrderPage:
        actor = viewer.actor
        if actor.role is Role.UNIT_USER:
            if query.unit_id is not None and query.unit_id != actor.unit_code:
                # Another unit's view does not exist for this user.
                raise NotFoundError(
                    f"unit {query.unit_id} not found",
                    code="unit.not_found",
                    details={"unit_id": query.unit_id},
                )
            query = replace(query, unit_id=actor.unit_code)
        elif query.unit_id is not None and await self._directory.get_unit(query.unit_id) is None:
            raise NotFoundError(
                f"unit {query.unit_id} not found",
                code="unit.not_found",
                details={"unit_id": query.unit_id},
            )
        page = await self._orders.search(query)
        views = await self._present(viewer, list(page.items), purpose=purpose)
        return OrderPage(tuple(views), page.total, query.limit, query.offset)

    async def transitions(self, viewer: Viewer, order_id: str) -> list[TransitionRecord]:
        require_visible(await self._orders.get(order_id), order_id, viewer.actor)
        return await self._orders.transitions(order_id)

    async def personal_data_reads(self, viewer: Viewer, order_id: str) -> list[PersonalDataRead]:
        if viewer.actor.role not in AUDITORS:
            raise PermissionDeniedError(
                "only supervisors and admins read the personal-data audit",
                code="audit.forbidden",
                details={"roles": sorted(r.value for r in AUDITORS)},
            )
        return await self._audit.reads(order_id)

    async def _present(
        self, viewer: Viewer, orders: list[WorkOrder], *, purpose: str
    ) -> list[OrderView]:
        now = self._clock.now()
        actor = viewer.actor
        views: list[OrderView] = []
        reads: list[PersonalDataRead] = []
        for order in orders:
            identity = identity_for(viewer, order.appellant)
            fields = personal_fields(order.appellant)
            if identity is Identity.FULL and fields:
                reads.append(
                    PersonalDataRead(
                        order_id=order.id,
                        user_id=actor.user_id,
                        role=actor.role.value,
                        unit_id=actor.unit_code,
                        fields=tuple(fields),
                        purpose=purpose,
                        read_at=now,
                    )
                )
            shown = replace(order, appellant=present(order.appellant, identity))
            views.append(OrderView(shown, identity, tuple(allowed_actions(order, actor))))
        # Audit before returning anything: a read that cannot be audited does not happen.
        if reads:
            await self._audit.record(reads)
        return views
