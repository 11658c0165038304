"""Correct the intake fields of a work order before it is dispatched (e.g. an auto-filled
draft the agent fixes). Not a state transition: the status stays, the version moves on and the
change is audited like one (action ``edit``, with the changed fields)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from core.errors import ConflictError, ValidationError
from core.ports import Clock, EventBus
from core.privacy import Viewer
from core.sla import SlaClass
from core.use_cases.checks import require_category, require_role, require_version
from core.use_cases.create_work_order import CREATORS
from core.use_cases.ports import DirectoryRepository, WorkOrderRepository
from core.use_cases.publishing import publish_all
from core.use_cases.records import transition_record
from core.use_cases.view_work_orders import OrderView, ViewWorkOrders
from core.use_cases.visibility import require_visible
from core.work_order_events import WorkOrderEdited as WorkOrderEdited
from core.work_order_model import AppealType, Appellant, Channel, WorkOrderStatus

EDITABLE_STATUSES = frozenset({WorkOrderStatus.DRAFT, WorkOrderStatus.ACCEPTED})


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderChanges:
    """``None`` = leave as is."""

    title: str | None = None
    content: str | None = None
    appeal_type: AppealType | None = None
    channel: Channel | None = None
    category_code: str | None = None
    sla_class: SlaClass | None = None
    enterprise: bool | None = None
    appellant: Appellant | None = None
    address: str | None = None
    district: str | None = None
    town: str | None = None


class EditWorkOrder:
    def __init__(
        self,
        orders: WorkOrderRepository,
        directory: DirectoryRepository,
        bus: EventBus,
        clock: Clock,
        presenter: ViewWorkOrders,
    ) -> None:
        self._orders = orders
        self._directory = directory
        self._bus = bus
        self._clock = clock
        self._presenter = presenter

    async def execute(
        self,
        viewer: Viewer,
        order_id: str,
        changes: WorkOrderChanges,
        expected_version: int | None = None,
    ) -> OrderView:
        actor = viewer.actor
        order = require_visible(await self._orders.get(order_id), order_id, actor)
        require_role(actor, CREATORS, "edit")
        if order.status not in EDITABLE_STATUSES:
            raise ConflictError(
                f"a work order that is {order.status.value} can no longer be edited",
                code="work_order.not_editable",
                details={"status": order.status.value, "editable": sorted(EDITABLE_STATUSES)},
            )
        require_version(order, expected_version)
        updates: dict[str, Any] = {
            f.name: getattr(changes, f.name)
            for f in fields(changes)
            if getattr(changes, f.name) is not None
        }
        for name in ("title", "content"):
            if name in updates and not str(updates[name]).strip():
                raise ValidationError(
                    f"{name} may not be empty",
                    code="work_order.field_required",
                    details={"fields": [name]},
                )
        if changes.category_code:
            category = await require_category(self._directory, changes.category_code)
            updates.setdefault("sla_class", category.sla_class)
        changed = tuple(sorted(k for k, v in updates.items() if getattr(order, k) != v))
        if not changed:
            return await self._presenter.present(viewer, order, purpose="act")
        now = self._clock.now()
        edited = replace(order, **{k: updates[k] for k in changed}, version=order.version + 1)
        event = WorkOrderEdited(
            occurred_at=now,
            order_id=order.id,
            number=order.number,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            actor_unit=actor.unit_code,
            from_status=order.status,
            to_status=order.status,
            version=edited.version,
            changed=changed,
        )
        # The audit keeps which fields changed, not the personal data itself.
        record = transition_record(
            before=order,
            after=edited,
            action="edit",
            actor=actor,
            events=[event],
            command={"command": "Edit", "changed": list(changed)},
        )
        await self._orders.update(edited, order.version, record)
        await publish_all(self._bus, [event])
        return await self._presenter.present(viewer, edited, purpose="act")
