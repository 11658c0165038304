"""Steps after the reply: return visit, closing, and approvals (extension, 核减)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.errors import ValidationError
from core.work_order_commands import (
    ApproveExclusion,
    ApproveExtension,
    Close,
    RejectExclusion,
    RejectExtension,
    ReturnVisit,
)
from core.work_order_context import (
    HandlingContext,
    Outcome,
    extended_deadlines,
    on_time,
    require,
)
from core.work_order_events import (
    ExclusionApproved,
    ExclusionRejected,
    ExtensionApproved,
    ExtensionRejected,
    ReturnVisitRecorded,
    WorkOrderClosed,
)
from core.work_order_model import (
    ClosureKind,
    ExclusionState,
    ReturnVisitResult,
    Satisfaction,
    WorkOrder,
    WorkOrderStatus,
)
from core.work_order_rules import Actor


def return_visit(
    order: WorkOrder, cmd: ReturnVisit, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    visit = ReturnVisitResult(
        at=now,
        by_user=actor.user_id,
        unit_contacted=cmd.unit_contacted,
        solved=cmd.solved,
        satisfaction=cmd.satisfaction,
        trust=cmd.trust,
        note=cmd.note,
        round=order.handling_round,
    )
    changes: dict[str, object] = {"visit": visit}
    if cmd.satisfaction is Satisfaction.DISSATISFIED:
        changes["status"] = WorkOrderStatus.DISSATISFIED  # instead of the table's "visited"
    return changes, [
        (
            ReturnVisitRecorded,
            {
                "unit": order.lead_unit,
                "unit_contacted": cmd.unit_contacted,
                "solved": cmd.solved,
                "satisfaction": cmd.satisfaction,
                "trust": cmd.trust,
                "round": order.handling_round,
            },
        )
    ]


def _closed(order: WorkOrder, closure: ClosureKind, now: datetime, note: str) -> Outcome:
    due = order.deadlines.close_due
    return (
        {"closure": closure, "closed_at": now},
        [
            (
                WorkOrderClosed,
                {
                    "unit": order.lead_unit,
                    "closure": closure,
                    "close_due": due,
                    "on_time": on_time(now, due),
                    "note": note,
                },
            )
        ],
    )


def close(
    order: WorkOrder, cmd: Close, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    if order.status is WorkOrderStatus.VISITED:
        closure = ClosureKind.HANDLED
    elif order.status is WorkOrderStatus.REPLIED:
        require(note=cmd.note)  # why no return visit was possible
        closure = ClosureKind.WITHOUT_VISIT
    else:
        require(note=cmd.note)  # the joint analysis that found it handled lawfully
        closure = ClosureKind.HANDLED_LAWFULLY
    return _closed(order, closure, now, cmd.note)


def approve_extension(
    order: WorkOrder, cmd: ApproveExtension, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    pending = order.pending_extension
    assert pending is not None  # guarded in core.work_order
    days = pending.working_days if cmd.working_days is None else cmd.working_days
    used = order.counters.extension_working_days
    if not 1 <= days <= pending.working_days or used + days > ctx.policy.extension_max_working_days:
        raise ValidationError(
            f"approved days must be 1–{pending.working_days} and keep the total within "
            f"{ctx.policy.extension_max_working_days} working days",
            code="work_order.extension_limit",
            details={"approved": days, "requested": pending.working_days, "used": used},
        )
    deadlines = extended_deadlines(order.deadlines, days, ctx)
    total = used + days
    return (
        {
            "pending_extension": None,
            "deadlines": deadlines,
            "counters": replace(order.counters, extension_working_days=total),
        },
        [
            (
                ExtensionApproved,
                {
                    "unit": order.lead_unit,
                    "working_days": days,
                    "total_working_days": total,
                    "reply_due": deadlines.reply_due,
                    "close_due": deadlines.close_due,
                    "provisional_years": deadlines.provisional_years,
                },
            )
        ],
    )


def reject_extension(
    order: WorkOrder, cmd: RejectExtension, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    return (
        {"pending_extension": None},
        [(ExtensionRejected, {"unit": order.lead_unit, "note": cmd.note})],
    )


def approve_exclusion(
    order: WorkOrder, cmd: ApproveExclusion, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    changes, events = _closed(order, ClosureKind.EXCLUDED, now, cmd.note)
    changes["exclusion"] = ExclusionState.APPROVED
    return changes, [(ExclusionApproved, {"unit": order.lead_unit, "note": cmd.note}), *events]


def reject_exclusion(
    order: WorkOrder, cmd: RejectExclusion, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    return (
        {"exclusion": ExclusionState.REJECTED},
        [(ExclusionRejected, {"unit": order.lead_unit, "note": cmd.note})],
    )
