"""Work-order state machine: ``handle(order, command, actor, now, ctx) -> (order, events)``.

Pure: no I/O, time comes in as ``now``, deadlines are computed with ``ctx`` and stored on the
order. The legal (status, action, role) triples are :data:`core.work_order_rules.TRANSITIONS`.

Public API (import from here): the entity and value types, commands, events, ``handle``,
``allowed_actions``, ``Actor``/``Role``/``Action``, ``HandlingContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core import work_order_desk as desk
from core import work_order_review as review
from core import work_order_unit as unit
from core.clock import ensure_aware
from core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from core.sla import SlaPolicy
from core.work_order_commands import (
    ALL_COMMANDS,
    Accept,
    AnswerAtIntake,
    ApproveExclusion,
    ApproveExtension,
    Close,
    Command,
    Dispatch,
    DisputeReturn,
    HandOver,
    Merge,
    RecordContact,
    Refuse,
    ReHandle,
    RejectExclusion,
    RejectExtension,
    Reply,
    RequestExclusion,
    RequestExtension,
    Return,
    ReturnVisit,
    Sign,
    Urge,
)
from core.work_order_context import HandlingContext, Outcome
from core.work_order_events import WorkOrderEvent
from core.work_order_model import (
    AppealType,
    Appellant,
    Channel,
    ClosureKind,
    ContactMethod,
    Counters,
    Deadlines,
    EmergencyService,
    ExclusionState,
    OutOfScopeReason,
    Satisfaction,
    Trust,
    WorkOrder,
    WorkOrderStatus,
)
from core.work_order_rules import TRANSITIONS, Action, Actor, Role, Transition, transition_for

__all__ = [
    "ALL_COMMANDS",
    "Accept",
    "Action",
    "Actor",
    "AnswerAtIntake",
    "AppealType",
    "Appellant",
    "Applied",
    "ApproveExclusion",
    "ApproveExtension",
    "Channel",
    "Close",
    "ClosureKind",
    "Command",
    "ContactMethod",
    "Counters",
    "Deadlines",
    "Dispatch",
    "DisputeReturn",
    "EmergencyService",
    "ExclusionState",
    "HandOver",
    "HandlingContext",
    "Merge",
    "OutOfScopeReason",
    "ReHandle",
    "RecordContact",
    "Refuse",
    "RejectExclusion",
    "RejectExtension",
    "Reply",
    "ReplyWithoutContactError",
    "RequestExclusion",
    "RequestExtension",
    "Return",
    "ReturnVisit",
    "Role",
    "Satisfaction",
    "Sign",
    "Trust",
    "Urge",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderStatus",
    "allowed_actions",
    "handle",
    "handle_all",
]


class ReplyWithoutContactError(ConflictError):
    """A reply with no recorded contact with the appellant is a fake reply (domain.md §5)."""

    code = "work_order.reply_without_contact"


# -- authorisation ------------------------------------------------------------------------


def _role_allows(rule: Transition, order: WorkOrder, actor: Actor) -> bool:
    if actor.role not in rule.roles:
        return False
    return not (
        rule.lead_unit_only
        and actor.role is Role.UNIT_USER
        and (order.lead_unit is None or actor.unit_code != order.lead_unit)
    )


def _guard(order: WorkOrder, action: Action, policy: SlaPolicy) -> DomainError | None:
    """Preconditions that depend on the order beyond its status (same for every role)."""
    if action is Action.ANSWER_AT_INTAKE and order.appeal_type is not AppealType.CONSULTATION:
        return ValidationError(
            "only a consultation (咨询) can be answered at intake",
            code="work_order.answer_requires_consultation",
            details={"appeal_type": order.appeal_type.value},
        )
    if action is Action.REPLY:
        contact = order.contact_in_round()
        if contact is None or contact.unit != order.lead_unit:
            return ReplyWithoutContactError(
                "record a contact with the appellant before replying",
                details={"round": order.handling_round},
            )
    if action is Action.REQUEST_EXTENSION:
        if order.pending_extension is not None:
            return ConflictError(
                "an extension request is already pending",
                code="work_order.extension_pending",
            )
        if order.counters.extension_working_days >= policy.extension_max_working_days:
            return ValidationError(
                "the extension allowance is used up",
                code="work_order.extension_limit",
                details={
                    "used": order.counters.extension_working_days,
                    "max": policy.extension_max_working_days,
                },
            )
    if (
        action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION)
        and order.pending_extension is None
    ):
        return ConflictError("no extension request is pending", code="work_order.no_extension")
    return None


def allowed_actions(order: WorkOrder, actor: Actor, policy: SlaPolicy | None = None) -> list[str]:
    """Action names ``actor`` may apply to ``order`` now, in table order."""
    policy = policy or SlaPolicy()
    out: list[str] = []
    for rule in TRANSITIONS:
        if rule.source is not order.status or not _role_allows(rule, order, actor):
            continue
        if _guard(order, rule.action, policy) is None and rule.action.value not in out:
            out.append(rule.action.value)
    return out


def _authorise(order: WorkOrder, command: Command, actor: Actor, policy: SlaPolicy) -> Transition:
    action = command.action
    rule = transition_for(action, order.status)
    if rule is None:
        raise InvalidTransitionError(
            f"cannot {action.value} a work order that is {order.status.value}",
            details={
                "action": action.value,
                "status": order.status.value,
                "allowed": allowed_actions(order, actor, policy),
            },
        )
    if not _role_allows(rule, order, actor):
        not_lead = actor.role is Role.UNIT_USER and actor.role in rule.roles
        raise PermissionDeniedError(
            f"role {actor.role.value} may not {action.value} this work order",
            code="work_order.not_lead_unit" if not_lead else "work_order.forbidden",
            details={
                "action": action.value,
                "role": actor.role.value,
                "roles": sorted(r.value for r in rule.roles),
            },
        )
    error = _guard(order, action, policy)
    if error is not None:
        raise error
    return rule


# -- the handler --------------------------------------------------------------------------

Step = Callable[[WorkOrder, Any, Actor, datetime, HandlingContext], Outcome]

# One step function per command; the rule table decides *whether*, the step decides *what*.
STEPS: dict[type[Command], Step] = {
    Accept: desk.accept,
    AnswerAtIntake: desk.answer_at_intake,
    HandOver: desk.hand_over,
    Refuse: desk.refuse,
    Dispatch: desk.dispatch,
    DisputeReturn: desk.dispute_return,
    Urge: desk.urge,
    Merge: desk.merge,
    ReHandle: desk.re_handle,
    Sign: unit.sign,
    Return: unit.return_order,
    RecordContact: unit.record_contact,
    Reply: unit.reply,
    RequestExtension: unit.request_extension,
    RequestExclusion: unit.request_exclusion,
    ReturnVisit: review.return_visit,
    Close: review.close,
    ApproveExtension: review.approve_extension,
    RejectExtension: review.reject_extension,
    ApproveExclusion: review.approve_exclusion,
    RejectExclusion: review.reject_exclusion,
}


def handle(
    order: WorkOrder,
    command: Command,
    actor: Actor,
    now: datetime,
    ctx: HandlingContext,
) -> tuple[WorkOrder, list[WorkOrderEvent]]:
    """Apply ``command``; return the new order (version + 1) and the events it produced.

    Raises InvalidTransitionError (details.allowed lists what the actor may do),
    PermissionDeniedError, ValidationError or ConflictError; the input order is unchanged.
    """
    now = ensure_aware(now)
    step = STEPS.get(type(command))
    if step is None:
        raise ValidationError(
            f"unknown command {type(command).__name__}", code="work_order.unknown_command"
        )
    rule = _authorise(order, command, actor, ctx.policy)
    changes, specs = step(order, command, actor, now, ctx)
    target = changes.pop("status", rule.target or order.status)
    new = replace(order, status=target, version=order.version + 1, **changes)
    common: dict[str, Any] = {
        "occurred_at": now,
        "order_id": order.id,
        "number": order.number,
        "actor_id": actor.user_id,
        "actor_role": actor.role.value,
        "actor_unit": actor.unit_code,
        "from_status": order.status,
        "to_status": new.status,
        "version": new.version,
    }
    return new, [cls(**common, **fields) for cls, fields in specs]


@dataclass(frozen=True, slots=True)
class Applied:
    """One command of a :func:`handle_all` run: the order before and after it, its events."""

    command: Command
    before: WorkOrder
    after: WorkOrder
    events: list[WorkOrderEvent]


def handle_all(
    order: WorkOrder,
    commands: Sequence[Command],
    actor: Actor,
    now: datetime,
    ctx: HandlingContext,
) -> list[Applied]:
    """Apply ``commands`` in order as one unit of work (e.g. 答复 with the contact it reports).

    Each command is its own transition (version + 1, its own events and audit entry) and sees
    the order the previous one made, so a reply sees the contact recorded just before it. All
    of them happen at ``now``. An error in any command raises before anything is returned:
    the caller stores every transition or none (``WorkOrderRepository.update`` takes them all).
    """
    if not commands:
        raise ValueError("handle_all needs at least one command")
    out: list[Applied] = []
    for command in commands:
        after, events = handle(order, command, actor, now, ctx)
        out.append(Applied(command, order, after, events))
        order = after
    return out
