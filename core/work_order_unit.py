"""Steps taken by the lead unit (主办): sign, return, contact, reply, ask for extension/核减."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.errors import ValidationError
from core.work_order_commands import (
    RecordContact,
    Reply,
    RequestExclusion,
    RequestExtension,
    Return,
    Sign,
)
from core.work_order_context import HandlingContext, Outcome, on_time, require
from core.work_order_events import (
    AppellantContacted,
    ExclusionRequested,
    ExtensionRequested,
    WorkOrderReplied,
    WorkOrderReturned,
    WorkOrderSigned,
)
from core.work_order_model import (
    ContactRecord,
    ExclusionState,
    ExtensionRequest,
    ReplyRecord,
    ReturnRecord,
    WorkOrder,
)
from core.work_order_rules import Actor


def _lead(order: WorkOrder) -> str:
    # The rule table only lets the lead unit's users reach these steps.
    assert order.lead_unit is not None
    return order.lead_unit


def sign(order: WorkOrder, cmd: Sign, actor: Actor, now: datetime, ctx: HandlingContext) -> Outcome:
    due = order.deadlines.sign_due
    return (
        {"signed_at": now},
        [(WorkOrderSigned, {"unit": _lead(order), "sign_due": due, "on_time": on_time(now, due)})],
    )


def return_order(
    order: WorkOrder, cmd: Return, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(reason=cmd.reason, legal_basis=cmd.legal_basis, suggested_unit=cmd.suggested_unit)
    unit = _lead(order)
    late = not on_time(now, order.deadlines.return_due)
    record = ReturnRecord(
        at=now,
        by_user=actor.user_id,
        unit=unit,
        reason=cmd.reason,
        legal_basis=cmd.legal_basis,
        suggested_unit=cmd.suggested_unit,
        late=late,
    )
    count = order.counters.return_count + 1
    return (
        {
            "returns": (*order.returns, record),
            "counters": replace(order.counters, return_count=count),
            "pending_extension": None,
        },
        [
            (
                WorkOrderReturned,
                {
                    "unit": unit,
                    "reason": cmd.reason,
                    "legal_basis": cmd.legal_basis,
                    "suggested_unit": cmd.suggested_unit,
                    "late": late,
                    "return_count": count,
                },
            )
        ],
    )


def record_contact(
    order: WorkOrder, cmd: RecordContact, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(summary=cmd.summary)
    unit = _lead(order)
    record = ContactRecord(
        at=now,
        by_user=actor.user_id,
        unit=unit,
        method=cmd.method,
        summary=cmd.summary,
        round=order.handling_round,
    )
    due = order.deadlines.reply_due
    return (
        {"contacts": (*order.contacts, record)},
        [
            (
                AppellantContacted,
                {
                    "unit": unit,
                    "method": cmd.method,
                    "summary": cmd.summary,
                    "round": order.handling_round,
                    "reply_due": due,
                    "on_time": on_time(now, due),
                },
            )
        ],
    )


def reply(
    order: WorkOrder, cmd: Reply, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(text=cmd.text)
    unit = _lead(order)
    record = ReplyRecord(
        at=now, by_user=actor.user_id, unit=unit, text=cmd.text, round=order.handling_round
    )
    due = order.deadlines.reply_due
    return (
        {"reply": record, "replied_at": now, "pending_extension": None},
        [
            (
                WorkOrderReplied,
                {
                    "unit": unit,
                    "text": cmd.text,
                    "round": order.handling_round,
                    "reply_due": due,
                    "on_time": on_time(now, due),
                },
            )
        ],
    )


def request_extension(
    order: WorkOrder, cmd: RequestExtension, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(reason=cmd.reason)
    policy = ctx.policy
    left = policy.extension_max_working_days - order.counters.extension_working_days
    if not 1 <= cmd.working_days <= left:
        raise ValidationError(
            f"an extension must be 1–{left} working days",
            code="work_order.extension_limit",
            details={
                "requested": cmd.working_days,
                "used": order.counters.extension_working_days,
                "max": policy.extension_max_working_days,
            },
        )
    request = ExtensionRequest(
        at=now, by_user=actor.user_id, working_days=cmd.working_days, reason=cmd.reason
    )
    return (
        {"pending_extension": request},
        [
            (
                ExtensionRequested,
                {"unit": _lead(order), "working_days": cmd.working_days, "reason": cmd.reason},
            )
        ],
    )


def request_exclusion(
    order: WorkOrder, cmd: RequestExclusion, actor: Actor, now: datetime, ctx: HandlingContext
) -> Outcome:
    require(reason=cmd.reason, leader_sign_off=cmd.leader_sign_off)
    return (
        {"exclusion": ExclusionState.REQUESTED},
        [
            (
                ExclusionRequested,
                {
                    "unit": _lead(order),
                    "reason": cmd.reason,
                    "leader_sign_off": cmd.leader_sign_off,
                },
            )
        ],
    )
