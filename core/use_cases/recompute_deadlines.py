"""Recompute provisional deadlines once the calendar data for their year(s) exists.

A deadline computed across a year without official calendar data is provisional (Mon–Fri
working, no holidays; ``Deadlines.provisional_years``). When the data arrives (override file
updated or a newer ``chinesecalendar``, service restarted), the deadlines of every open order
so marked are replayed from the clock starts in its audit trail — dispatch / re-handle time,
a refused return's time, approved extensions — with the same rules the transitions use, and
the result is stored with a ``recompute_deadlines`` transition (before/after in its payload).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.errors import ConflictError
from core.events import _jsonable
from core.ports import Clock
from core.sla import SlaClass
from core.use_cases.ports import OrderQuery, TransitionRecord, WorkOrderRepository
from core.work_order_context import (
    HandlingContext,
    extended_deadlines,
    re_sign_deadlines,
    unit_deadlines,
)
from core.work_order_model import TERMINAL_STATUSES, Deadlines, WorkOrder, WorkOrderStatus

log = logging.getLogger(__name__)

ACTION = "recompute_deadlines"
ACTOR_ID = "system:calendar"


def _event(payload: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    events = payload.get("events", [])
    return next((e for e in events if isinstance(e, Mapping) and e.get("event") == name), None)


def replay_deadlines(
    order: WorkOrder, trail: Sequence[TransitionRecord], ctx: HandlingContext
) -> Deadlines | None:
    """The order's deadlines recomputed from its audit trail with today's calendar, or None
    when the trail has no dispatch (nothing to replay)."""
    deadlines: Deadlines | None = None
    for t in sorted(trail, key=lambda r: r.version):
        if t.action in ("dispatch", "re_handle"):
            dispatched = _event(t.payload, "WorkOrderDispatched") or {}
            sla = SlaClass(dispatched.get("sla_class", order.sla_class))
            deadlines = unit_deadlines(replace(order, sla_class=sla), t.occurred_at, ctx)
        elif deadlines is None:
            continue
        elif t.action == "dispute_return":
            deadlines = re_sign_deadlines(deadlines, t.occurred_at, ctx)
        elif t.action == "approve_extension":
            approved = _event(t.payload, "ExtensionApproved")
            if approved is not None:
                deadlines = extended_deadlines(deadlines, int(approved["working_days"]), ctx)
    return deadlines


def _doc(d: Deadlines) -> dict[str, Any]:
    return {
        "sign_due": _jsonable(d.sign_due),
        "return_due": _jsonable(d.return_due),
        "reply_due": _jsonable(d.reply_due),
        "close_due": _jsonable(d.close_due),
        "provisional_years": list(d.provisional_years),
    }


@dataclass(slots=True)
class RecomputeReport:
    examined: int = 0  # open orders with provisional deadlines
    recomputed: list[str] = field(default_factory=list)  # order numbers whose deadlines changed
    still_provisional: list[str] = field(default_factory=list)  # data still missing
    skipped: list[str] = field(default_factory=list)  # no dispatch in the trail / changed meanwhile


class RecomputeProvisionalDeadlines:
    """Run at startup of the scheduler and by ``python -m hotline calendar
    recompute-provisional``; idempotent (an order whose replay changes nothing is untouched)."""

    def __init__(self, orders: WorkOrderRepository, clock: Clock, ctx: HandlingContext) -> None:
        self._orders = orders
        self._clock = clock
        self._ctx = ctx

    async def _provisional_open_orders(self) -> list[WorkOrder]:
        statuses = tuple(
            s
            for s in WorkOrderStatus
            if s not in TERMINAL_STATUSES and s is not WorkOrderStatus.DRAFT
        )
        out: list[WorkOrder] = []
        offset = 0
        while True:
            page = await self._orders.search(
                OrderQuery(statuses=statuses, provisional_only=True, limit=500, offset=offset)
            )
            out.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return out

    async def execute(self, *, dry_run: bool = False) -> RecomputeReport:
        report = RecomputeReport()
        orders = await self._provisional_open_orders()
        report.examined = len(orders)
        trails = await self._orders.transitions_of([o.id for o in orders]) if orders else {}
        now = self._clock.now()
        for order in orders:
            fresh = replay_deadlines(order, trails.get(order.id, []), self._ctx)
            if fresh is None:
                report.skipped.append(order.number)
                continue
            if fresh.provisional:
                report.still_provisional.append(order.number)
            if fresh == order.deadlines:
                continue
            if not dry_run and not await self._store(order, fresh, now):
                report.skipped.append(order.number)
                continue
            report.recomputed.append(order.number)
        return report

    async def _store(self, order: WorkOrder, fresh: Deadlines, now: datetime) -> bool:
        updated = replace(order, deadlines=fresh, version=order.version + 1)
        record = TransitionRecord(
            order_id=order.id,
            version=updated.version,
            action=ACTION,
            from_status=order.status.value,
            to_status=updated.status.value,
            actor_id=ACTOR_ID,
            actor_role="system",
            actor_unit=None,
            occurred_at=now,
            payload={
                "reason": "calendar data for provisional year(s) "
                + ", ".join(str(y) for y in order.deadlines.provisional_years),
                "before": _doc(order.deadlines),
                "after": _doc(fresh),
            },
        )
        try:
            await self._orders.update(updated, order.version, record)
        except ConflictError:  # changed meanwhile: the next run picks it up again
            log.info("order %s changed during the recompute; deferred", order.number)
            return False
        log.info(
            "order %s: deadlines recomputed (provisional %s → %s)",
            order.number,
            list(order.deadlines.provisional_years),
            list(fresh.provisional_years),
        )
        return True
