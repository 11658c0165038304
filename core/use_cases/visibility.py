"""Which orders an actor may know about. A unit user knows only orders its unit is lead,
assisting or copy unit of; for any other order the answer is "not found" (never "forbidden",
which would confirm the order exists)."""

from __future__ import annotations

from core.errors import NotFoundError
from core.work_order_model import WorkOrder
from core.work_order_rules import Actor, Role


def concerns_unit(order: WorkOrder, unit_id: str) -> bool:
    return (
        unit_id == order.lead_unit
        or unit_id in order.assisting_units
        or (unit_id in order.copy_units)
    )


def visible_to(order: WorkOrder, actor: Actor) -> bool:
    if actor.role is not Role.UNIT_USER:
        return True
    return actor.unit_code is not None and concerns_unit(order, actor.unit_code)


def not_found(order_id: str) -> NotFoundError:
    return NotFoundError(
        f"work order {order_id} not found",
        code="work_order.not_found",
        details={"order_id": order_id},
    )


def require_visible(order: WorkOrder | None, order_id: str, actor: Actor) -> WorkOrder:
    if order is None or not visible_to(order, actor):
        raise not_found(order_id)
    return order
