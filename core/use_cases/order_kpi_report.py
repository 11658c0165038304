"""Work-order KPIs per handling unit for a period (``core.kpi_orders``), from the stored orders
and their audit trail (each transition stores the events it emitted, ``payload["events"]``).

Reads every order page by page and, per page, all their transitions in one query: fine for a
report run on demand at a city hotline's volume; a materialised event table would be the next
step at larger scale.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from core import work_order_events
from core.errors import PermissionDeniedError, ValidationError
from core.kpi_orders import LABELS, Kpi, KpiValue, Period, UnitKpis, kpis_by_unit, unit_kpis
from core.privacy import Viewer
from core.use_cases.ports import OrderQuery, WorkOrderRepository
from core.work_order_events import WorkOrderEvent
from core.work_order_model import WorkOrder
from core.work_order_rules import Role

MAX_PERIOD = timedelta(days=366)
PAGE = 200
REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER, Role.UNIT_USER})

EVENT_TYPES: dict[str, type[WorkOrderEvent]] = {
    name: cls
    for name, cls in vars(work_order_events).items()
    if isinstance(cls, type) and issubclass(cls, WorkOrderEvent) and cls is not WorkOrderEvent
}


def _revive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is tuple:
        (inner, *_) = typing.get_args(hint) or (str,)
        return tuple(_revive(inner, v) for v in value)
    for candidate in typing.get_args(hint) or (hint,):
        if candidate is datetime:
            return datetime.fromisoformat(value)
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate(value)
    return value


def event_from_dict(data: Mapping[str, Any]) -> WorkOrderEvent | None:
    """Rebuild a stored work-order event; None for an event name this version does not know."""
    cls = EVENT_TYPES.get(str(data.get("event", "")))
    if cls is None:
        return None
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: _revive(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)


def kpi_value_json(value: KpiValue) -> dict[str, Any]:
    return {
        "kpi": value.kpi.value,
        "label": value.label,
        "formula": {"name": value.formula, "version": value.version},
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": value.value,
        "order_ids": list(value.order_ids),
    }


def unit_json(kpis: UnitKpis) -> dict[str, Any]:
    return {"unit": kpis.unit, "kpis": {k.value: kpi_value_json(v) for k, v in kpis.values.items()}}


class WorkOrderKpiReport:
    def __init__(self, orders: WorkOrderRepository) -> None:
        self._orders = orders

    async def execute(
        self, viewer: Viewer, start: datetime, end: datetime, unit: str | None
    ) -> dict[str, Any]:
        actor = viewer.actor
        if actor.role not in REPORT_ROLES:
            raise PermissionDeniedError("role may not read work-order KPIs", code="auth.forbidden")
        if actor.role is Role.UNIT_USER:
            if unit not in (None, actor.unit_code):
                raise PermissionDeniedError("a unit sees its own KPIs", code="auth.forbidden")
            unit = actor.unit_code
        if start.tzinfo is None or end.tzinfo is None or end - start > MAX_PERIOD:
            raise ValidationError(
                "period needs time zones and at most 366 days",
                code="validation.invalid",
                details={
                    "errors": [{"field": "query.to", "message": "统计周期须带时区且不超过 366 天"}]
                },
            )
        period = Period(start, end)  # raises kpi.period_invalid for start >= end
        orders, events = await self._history()
        if unit is not None:
            units = [unit_kpis(unit, period, orders, events)]
        else:
            units = list(kpis_by_unit(period, orders, events).values())
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "unit": unit,
            "labels": {k.value: LABELS[k] for k in Kpi},
            "units": [unit_json(u) for u in units],
        }

    async def _history(self) -> tuple[list[WorkOrder], list[WorkOrderEvent]]:
        """Every order and the events of its audit trail (order by order, each by version),
        page by page: per page one query for the orders and one for all their transitions,
        so the statement count grows with pages, never with orders."""
        orders: list[WorkOrder] = []
        events: list[WorkOrderEvent] = []
        offset = 0
        while True:
            page = await self._orders.search(OrderQuery(limit=PAGE, offset=offset))
            trails = await self._orders.transitions_of([o.id for o in page.items])
            for order in page.items:
                orders.append(order)
                for t in trails[order.id]:
                    for data in t.payload.get("events", []):
                        event = event_from_dict(data)
                        if event is not None:
                            events.append(event)
            offset += PAGE
            if offset >= page.total or not page.items:
                return orders, events
