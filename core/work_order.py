"""Work-order state machine: ``handle(order, command, actor, now, ctx) -> (order, events)``.

Pure: no I/O, time comes in as ``now``, deadlines are computed with ``ctx`` and stored on the
order. The legal (status, action, role) triples are :data:`core.work_order_rules.TRANSITIONS`.

Public API (import from here): the entity and value types, commands, events, ``handle``,
``allowed_actions``, ``Actor``/``Role``/``Action``, ``HandlingContext``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from core.business_calendar import BusinessCalendar
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
from core.work_order_events import (
    AppellantContacted,
    ExclusionApproved,
    ExclusionRejected,
    ExclusionRequested,
    ExtensionApproved,
    ExtensionRejected,
    ExtensionRequested,
    ReturnVisitRecorded,
    WorkOrderAccepted,
    WorkOrderAnsweredAtIntake,
    WorkOrderClosed,
    WorkOrderDispatched,
    WorkOrderEvent,
    WorkOrderHandedOver,
    WorkOrderMerged,
    WorkOrderRefused,
    WorkOrderReHandleOrdered,
    WorkOrderReplied,
    WorkOrderReturnDisputed,
    WorkOrderReturned,
    WorkOrderSigned,
    WorkOrderUrged,
)
from core.work_order_model import (
    AppealType,
    Appellant,
    Channel,
    ClosureKind,
    ContactMethod,
    ContactRecord,
    Counters,
    Deadlines,
    EmergencyService,
    ExclusionState,
    ExtensionRequest,
    OutOfScopeReason,
    ReplyRecord,
    ReturnRecord,
    ReturnVisitResult,
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
]


class ReplyWithoutContactError(ConflictError):
    """A reply with no recorded contact with the appellant is a fake reply (domain.md §5)."""

    code = "work_order.reply_without_contact"


@dataclass(slots=True)
class HandlingContext:
    """What ``handle`` needs beyond the order: the calendar and the SLA table."""

    calendar: BusinessCalendar
    policy: SlaPolicy = field(default_factory=SlaPolicy)


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


# -- helpers ------------------------------------------------------------------------------


def _required(**fields: str) -> None:
    missing = [name for name, value in fields.items() if not value.strip()]
    if missing:
        raise ValidationError(
            f"required: {', '.join(missing)}",
            code="work_order.field_required",
            details={"fields": missing},
        )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _unit_deadlines(order: WorkOrder, now: datetime, ctx: HandlingContext) -> Deadlines:
    """Fresh deadlines for the lead unit, with the clock starting at ``now``."""
    cal, policy = ctx.calendar, ctx.policy
    reply_due = policy.feedback_limit(order.sla_class).deadline(cal, now)
    return Deadlines(
        sign_due=_utc(policy.sign.deadline(cal, now)),
        return_due=_utc(policy.return_window.deadline(cal, now)),
        reply_due=_utc(reply_due),
        close_due=_utc(policy.visit.deadline(cal, reply_due)),
    )


def _on_time(now: datetime, due: datetime | None) -> bool:
    return due is None or now <= due


def _uniq(codes: tuple[str, ...], exclude: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        code = code.strip()
        if code and code not in exclude and code not in out:
            out.append(code)
    return tuple(out)


# -- the handler --------------------------------------------------------------------------


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
    rule = _authorise(order, command, actor, ctx.policy)
    changes, extra = _apply(order, command, actor, now, ctx)
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
    return new, [cls(**common, **fields) for cls, fields in extra]


_Changes = dict[str, Any]
_Events = list[tuple[type[WorkOrderEvent], dict[str, Any]]]


def _apply(
    order: WorkOrder, cmd: Command, actor: Actor, now: datetime, ctx: HandlingContext
) -> tuple[_Changes, _Events]:
    unit = order.lead_unit
    match cmd:
        case Accept():
            _required(title=order.title, content=order.content)
            sla_class = cmd.sla_class or order.sla_class
            category = order.category_code if cmd.category_code is None else cmd.category_code
            return (
                {"sla_class": sla_class, "category_code": category, "accepted_at": now},
                [(WorkOrderAccepted, {"sla_class": sla_class, "category_code": category})],
            )
        case AnswerAtIntake():
            _required(answer=cmd.answer)
            return (
                {
                    "answer": cmd.answer,
                    "closure": ClosureKind.ANSWERED_AT_INTAKE,
                    "accepted_at": order.accepted_at or now,
                    "closed_at": now,
                },
                [(WorkOrderAnsweredAtIntake, {"answer": cmd.answer})],
            )
        case HandOver():
            return (
                {"handed_over_to": cmd.service, "closed_at": now},
                [(WorkOrderHandedOver, {"service": cmd.service, "note": cmd.note})],
            )
        case Refuse():
            return (
                {"refusal_reason": cmd.reason, "closed_at": now},
                [(WorkOrderRefused, {"reason": cmd.reason, "explanation": cmd.explanation})],
            )
        case Dispatch():
            return _dispatch(order, cmd, now, ctx)
        case Sign():
            due = order.deadlines.sign_due
            return (
                {"signed_at": now},
                [(WorkOrderSigned, {"unit": unit, "sign_due": due, "on_time": _on_time(now, due)})],
            )
        case Return():
            return _return(order, cmd, actor, now)
        case DisputeReturn():
            _required(decision=cmd.decision)
            sign_due = _utc(ctx.policy.sign.deadline(ctx.calendar, now))
            return_due = _utc(ctx.policy.return_window.deadline(ctx.calendar, now))
            returns = order.returns
            if returns:
                returns = (*returns[:-1], replace(returns[-1], disputed=True))
            return (
                {
                    "returns": returns,
                    "signed_at": None,
                    "deadlines": replace(order.deadlines, sign_due=sign_due, return_due=return_due),
                },
                [
                    (
                        WorkOrderReturnDisputed,
                        {"unit": unit, "decision": cmd.decision, "sign_due": sign_due},
                    )
                ],
            )
        case RecordContact():
            _required(summary=cmd.summary)
            assert unit is not None  # guaranteed: lead-unit-only rule
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
                            "on_time": _on_time(now, due),
                        },
                    )
                ],
            )
        case Reply():
            _required(text=cmd.text)
            assert unit is not None
            reply = ReplyRecord(
                at=now, by_user=actor.user_id, unit=unit, text=cmd.text, round=order.handling_round
            )
            due = order.deadlines.reply_due
            return (
                {"reply": reply, "replied_at": now, "pending_extension": None},
                [
                    (
                        WorkOrderReplied,
                        {
                            "unit": unit,
                            "text": cmd.text,
                            "round": order.handling_round,
                            "reply_due": due,
                            "on_time": _on_time(now, due),
                        },
                    )
                ],
            )
        case ReturnVisit():
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
            changes: _Changes = {"visit": visit}
            if cmd.satisfaction is Satisfaction.DISSATISFIED:
                changes["status"] = WorkOrderStatus.DISSATISFIED
            return (
                changes,
                [
                    (
                        ReturnVisitRecorded,
                        {
                            "unit": unit,
                            "unit_contacted": cmd.unit_contacted,
                            "solved": cmd.solved,
                            "satisfaction": cmd.satisfaction,
                            "trust": cmd.trust,
                            "round": order.handling_round,
                        },
                    )
                ],
            )
        case Close():
            return _close(order, cmd, now)
        case RequestExtension():
            return _request_extension(order, cmd, actor, now, ctx.policy)
        case ApproveExtension():
            return _approve_extension(order, cmd, ctx)
        case RejectExtension():
            return (
                {"pending_extension": None},
                [(ExtensionRejected, {"unit": unit, "note": cmd.note})],
            )
        case Urge():
            count = order.counters.urge_count + 1
            return (
                {"counters": replace(order.counters, urge_count=count)},
                [(WorkOrderUrged, {"unit": unit, "urge_count": count, "note": cmd.note})],
            )
        case Merge():
            _required(into_id=cmd.into_id)
            if cmd.into_id == order.id:
                raise ValidationError(
                    "a work order cannot be merged into itself", code="work_order.merge_self"
                )
            return (
                {"merged_into": cmd.into_id, "closed_at": now, "pending_extension": None},
                [(WorkOrderMerged, {"into_id": cmd.into_id, "into_number": cmd.into_number})],
            )
        case ReHandle():
            _required(note=cmd.note)
            assert unit is not None
            deadlines = _unit_deadlines(order, now, ctx)
            round_ = order.handling_round + 1
            return (
                {
                    "handling_round": round_,
                    "counters": replace(
                        order.counters, rehandle_count=order.counters.rehandle_count + 1
                    ),
                    "deadlines": deadlines,
                    "signed_at": None,
                    "reply": None,
                    "dispatched_at": now,
                },
                [
                    (
                        WorkOrderReHandleOrdered,
                        {
                            "unit": unit,
                            "round": round_,
                            "note": cmd.note,
                            "sign_due": deadlines.sign_due,
                            "reply_due": deadlines.reply_due,
                            "close_due": deadlines.close_due,
                        },
                    )
                ],
            )
        case RequestExclusion():
            _required(reason=cmd.reason, leader_sign_off=cmd.leader_sign_off)
            assert unit is not None
            return (
                {"exclusion": ExclusionState.REQUESTED},
                [
                    (
                        ExclusionRequested,
                        {
                            "unit": unit,
                            "reason": cmd.reason,
                            "leader_sign_off": cmd.leader_sign_off,
                        },
                    )
                ],
            )
        case ApproveExclusion():
            due = order.deadlines.close_due
            return (
                {
                    "exclusion": ExclusionState.APPROVED,
                    "closure": ClosureKind.EXCLUDED,
                    "closed_at": now,
                },
                [
                    (ExclusionApproved, {"unit": unit, "note": cmd.note}),
                    (
                        WorkOrderClosed,
                        {
                            "unit": unit,
                            "closure": ClosureKind.EXCLUDED,
                            "close_due": due,
                            "on_time": _on_time(now, due),
                            "note": cmd.note,
                        },
                    ),
                ],
            )
        case RejectExclusion():
            return (
                {"exclusion": ExclusionState.REJECTED},
                [(ExclusionRejected, {"unit": unit, "note": cmd.note})],
            )
    raise ValidationError(  # pragma: no cover - every Command subclass is matched above
        f"unknown command {type(cmd).__name__}", code="work_order.unknown_command"
    )


def _dispatch(
    order: WorkOrder, cmd: Dispatch, now: datetime, ctx: HandlingContext
) -> tuple[_Changes, _Events]:
    lead = cmd.lead_unit.strip()
    _required(lead_unit=lead)
    assisting = _uniq(cmd.assisting_units, {lead})
    copies = _uniq(cmd.copy_units, {lead, *assisting})
    deadlines = _unit_deadlines(order, now, ctx)
    assert deadlines.sign_due is not None
    assert deadlines.return_due is not None
    assert deadlines.reply_due is not None
    assert deadlines.close_due is not None
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
                    "redispatch": order.status is WorkOrderStatus.RETURNED,
                },
            )
        ],
    )


def _return(order: WorkOrder, cmd: Return, actor: Actor, now: datetime) -> tuple[_Changes, _Events]:
    _required(reason=cmd.reason, legal_basis=cmd.legal_basis, suggested_unit=cmd.suggested_unit)
    unit = order.lead_unit
    assert unit is not None
    late = not _on_time(now, order.deadlines.return_due)
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


def _close(order: WorkOrder, cmd: Close, now: datetime) -> tuple[_Changes, _Events]:
    if order.status is WorkOrderStatus.VISITED:
        closure = ClosureKind.HANDLED
    elif order.status is WorkOrderStatus.REPLIED:
        _required(note=cmd.note)  # why no return visit was possible
        closure = ClosureKind.WITHOUT_VISIT
    else:
        _required(note=cmd.note)  # the joint analysis that found it handled lawfully
        closure = ClosureKind.HANDLED_LAWFULLY
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
                    "on_time": _on_time(now, due),
                    "note": cmd.note,
                },
            )
        ],
    )


def _request_extension(
    order: WorkOrder, cmd: RequestExtension, actor: Actor, now: datetime, policy: SlaPolicy
) -> tuple[_Changes, _Events]:
    _required(reason=cmd.reason)
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
    assert order.lead_unit is not None
    request = ExtensionRequest(
        at=now, by_user=actor.user_id, working_days=cmd.working_days, reason=cmd.reason
    )
    return (
        {"pending_extension": request},
        [
            (
                ExtensionRequested,
                {"unit": order.lead_unit, "working_days": cmd.working_days, "reason": cmd.reason},
            )
        ],
    )


def _approve_extension(
    order: WorkOrder, cmd: ApproveExtension, ctx: HandlingContext
) -> tuple[_Changes, _Events]:
    pending = order.pending_extension
    assert pending is not None  # guarded
    days = pending.working_days if cmd.working_days is None else cmd.working_days
    used = order.counters.extension_working_days
    if not 1 <= days <= pending.working_days or used + days > ctx.policy.extension_max_working_days:
        raise ValidationError(
            f"approved days must be 1–{pending.working_days} and keep the total within "
            f"{ctx.policy.extension_max_working_days} working days",
            code="work_order.extension_limit",
            details={"approved": days, "requested": pending.working_days, "used": used},
        )
    old = order.deadlines
    assert old.reply_due is not None
    assert old.close_due is not None
    reply_due = _utc(ctx.calendar.add_working_days(old.reply_due, days))
    close_due = _utc(ctx.calendar.add_working_days(old.close_due, days))
    total = used + days
    return (
        {
            "pending_extension": None,
            "deadlines": replace(old, reply_due=reply_due, close_due=close_due),
            "counters": replace(order.counters, extension_working_days=total),
        },
        [
            (
                ExtensionApproved,
                {
                    "unit": order.lead_unit,
                    "working_days": days,
                    "total_working_days": total,
                    "reply_due": reply_due,
                    "close_due": close_due,
                },
            )
        ],
    )
