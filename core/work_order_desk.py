"""Steps taken by the hotline desk: intake, dispatch, return review, urge, merge, re-handle."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.errors import ValidationError
from core.work_order_commands import (
    Accept,
    AnswerAtIntake,
    Dispatch,
    DisputeReturn,
    HandOver,
    Merge,
    Refuse,
    ReHandle,
    Urge,
)
from core.work_order_context import (
    HandlingContext,
    Outcome,
    re_sign_deadlines,
    require,
    unique_codes,
    unit_deadlines,
)
from core.work_order_events import (
    WorkOrderAccepted,
    WorkOrderAnsweredAtIntake,
    WorkOrderDispatched,
    WorkOrderHandedOver,
    WorkOrderMerged,
    WorkOrderRefused,
    WorkOrderReHandleOrdered,
    WorkOrderReturnDisputed,
    WorkOrderUrged,
)
from core.work_order_model import ClosureKind, WorkOrder, WorkOrderStatus
from core.work_order_rules import Actor


def accept(
    order: WorkOrder, cmd: Accept, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(title=order.title, content=order.content)
    sla_class = cmd.sla_class or order.sla_class
    category = order.category_code if cmd.category_code is None else cmd.category_code
    return (
        {"sla_class": sla_class, "category_code": category, "accepted_at": now},
        [(WorkOrderAccepted, {"sla_class": sla_class, "category_code": category})],
    )


def answer_at_intake(
    order: WorkOrder, cmd: AnswerAtIntake, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(answer=cmd.answer)
    return (
        {
            "answer": cmd.answer,
            "closure": ClosureKind.ANSWERED_AT_INTAKE,
            "accepted_at": order.accepted_at or now,
            "closed_at": now,
        },
        [(WorkOrderAnsweredAtIntake, {"answer": cmd.answer})],
    )


def hand_over(
    order: WorkOrder, cmd: HandOver, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    return (
        {"handed_over_to": cmd.service, "closed_at": now},
        [(WorkOrderHandedOver, {"service": cmd.service, "note": cmd.note})],
    )


def refuse(
    order: WorkOrder, cmd: Refuse, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    return (
        {"refusal_reason": cmd.reason, "closed_at": now},
        [(WorkOrderRefused, {"reason": cmd.reason, "explanation": cmd.explanation})],
    )


def dispatch(
    order: WorkOrder, cmd: Dispatch, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    lead = cmd.lead_unit.strip()
    require(lead_unit=lead)
    assisting = unique_codes(cmd.assisting_units, {lead})
    copies = unique_codes(cmd.copy_units, {lead, *assisting})
    deadlines = unit_deadlines(order, now, ctx)
    return (
        {
            "lead_unit": lead,
            "assisting_units": assisting,
            "copy_units": copies,
            "deadlines": deadlines,
            "dispatched_at": now,
            "signed_at": None,
            "reply": None,
            "pending_extension": None,
        },
        [
            (
                WorkOrderDispatched,
                {
                    "lead_unit": lead,
                    "assisting_units": assisting,
                    "copy_units": copies,
                    "sla_class": order.sla_class,
                    "sign_due": deadlines.sign_due,
                    "return_due": deadlines.return_due,
                    "reply_due": deadlines.reply_due,
                    "close_due": deadlines.close_due,
                    "provisional_years": deadlines.provisional_years,
                    "redispatch": order.status is WorkOrderStatus.RETURNED,
                },
            )
        ],
    )


def dispute_return(
    order: WorkOrder, cmd: DisputeReturn, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    """Back to the same unit: a fresh sign deadline, but the reply clock keeps running —
    an unjustified return does not buy time."""
    require(decision=cmd.decision)
    deadlines = re_sign_deadlines(order.deadlines, now, ctx)
    returns = order.returns
    if returns:
        returns = (*returns[:-1], replace(returns[-1], disputed=True))
    return (
        {
            "returns": returns,
            "signed_at": None,
            "deadlines": deadlines,
        },
        [
            (
                WorkOrderReturnDisputed,
                {
                    "unit": order.lead_unit,
                    "decision": cmd.decision,
                    "sign_due": deadlines.sign_due,
                    "provisional_years": deadlines.provisional_years,
                },
            )
        ],
    )


def urge(order: WorkOrder, cmd: Urge, actor: Actor, now: datetime, ctx: HandlingContext) -> Outcome:
    count = order.counters.urge_count + 1
    return (
        {"counters": replace(order.counters, urge_count=count)},
        [(WorkOrderUrged, {"unit": order.lead_unit, "urge_count": count, "note": cmd.note})],
    )


def merge(
    order: WorkOrder, cmd: Merge, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(into_id=cmd.into_id)
    if cmd.into_id == order.id:
        raise ValidationError(
            "a work order cannot be merged into itself", code="work_order.merge_self"
        )
    return (
        {"merged_into": cmd.into_id, "closed_at": now, "pending_extension": None},
        [(WorkOrderMerged, {"into_id": cmd.into_id, "into_number": cmd.into_number})],
    )


def re_handle(
    order: WorkOrder, cmd: ReHandle, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    """重办: same lead unit, a new handling round (new contact needed), fresh deadlines."""
    require(note=cmd.note)
    deadlines = unit_deadlines(order, now, ctx)
    round_ = order.handling_round + 1
    return (
        {
            "handling_round": round_,
            "counters": replace(order.counters, rehandle_count=order.counters.rehandle_count + 1),
            "deadlines": deadlines,
            "signed_at": None,
            "reply": None,
            "dispatched_at": now,
        },
        [
            (
                WorkOrderReHandleOrdered,
                {
                    "unit": order.lead_unit,
                    "round": round_,
                    "note": cmd.note,
                    "sign_due": deadlines.sign_due,
                    "reply_due": deadlines.reply_due,
                    "close_due": deadlines.close_due,
                    "provisional_years": deadlines.provisional_years,
                },
            )
        ],
    )
