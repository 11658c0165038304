"""Lifecycle actions: one POST per transition. Each route parses its body into the domain
command(s) of its action and calls the act use case; the response is the order as the caller may
see it. The routes are registered from one table by :func:`_action`; the path, operation name,
summary and body schema of each stay as they were (the OpenAPI document does not change)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter

from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.presenters import work_order_read
from agent_api.schemas import (
    AcceptCreate,
    AnswerCreate,
    CloseCreate,
    ContactCreate,
    DecisionCreate,
    DispatchCreate,
    DisputeCreate,
    ExclusionCreate,
    ExtensionCreate,
    ExtensionDecisionCreate,
    HandOverCreate,
    MergeCreate,
    RefusalCreate,
    ReHandleCreate,
    ReplyCreate,
    ReturnCreate,
    SignCreate,
    UrgeCreate,
    Versioned,
    VisitCreate,
    WorkOrderRead,
)
from core import work_order as wo

router = APIRouter(prefix="/work-orders/{order_id}", tags=["work-order actions"])
ERRORS: dict[int | str, dict[str, str]] = {
    403: {"description": "role may not do this"},
    404: {"description": "unknown (or invisible) order, unit or category"},
    409: {"description": "illegal transition; details.allowed lists the allowed actions"},
    422: {"description": "invalid payload; details.errors lists the fields"},
}

B = TypeVar("B", bound=Versioned)
Commands = wo.Command | tuple[wo.Command, ...]


def _action(
    path: str, name: str, summary: str, body_type: type[B], build: Callable[[B], Commands]
) -> None:
    """Register ``POST {path}``: ``build`` turns the body into the command(s) applied in one
    transaction. ``name`` is the route name (OpenAPI operationId prefix) the handler had when
    each action was its own function."""

    async def endpoint(
        order_id: str, body: B, viewer: CurrentViewer, services: Services
    ) -> WorkOrderRead:
        built = build(body)
        commands = (built,) if isinstance(built, wo.Command) else built
        view = await services.act_on_work_order.execute(
            viewer, order_id, *commands, expected_version=body.expected_version
        )
        return work_order_read(view)

    # FastAPI reads the body model from the signature; the TypeVar names no model.
    endpoint.__annotations__["body"] = body_type
    endpoint.__name__ = endpoint.__qualname__ = name
    router.post(path, response_model=WorkOrderRead, responses=ERRORS, summary=summary, name=name)(
        endpoint
    )


def _reply(body: ReplyCreate) -> tuple[wo.Command, ...]:
    reply = wo.Reply(text=body.text)
    if body.contact is None:
        return (reply,)
    return (wo.RecordContact(method=body.contact.method, summary=body.contact.summary), reply)


def _dispatch(body: DispatchCreate) -> wo.Dispatch:
    return wo.Dispatch(
        lead_unit=body.lead_unit,
        assisting_units=tuple(body.assisting_units),
        copy_units=tuple(body.copy_units),
        note=body.note,
    )


def _visit(body: VisitCreate) -> wo.ReturnVisit:
    return wo.ReturnVisit(
        unit_contacted=body.unit_contacted,
        solved=body.solved,
        satisfaction=body.satisfaction,
        trust=body.trust,
        note=body.note,
    )


_action(
    "/accept",
    "accept",
    "受理",
    AcceptCreate,
    lambda b: wo.Accept(sla_class=b.sla_class, category_code=b.category_code),
)
_action(
    "/answer",
    "answer",
    "咨询直接答复办结",
    AnswerCreate,
    lambda b: wo.AnswerAtIntake(answer=b.answer),
)
_action(
    "/hand-over",
    "hand_over",
    "转110/119/120/122联动",
    HandOverCreate,
    lambda b: wo.HandOver(service=b.service, note=b.note),
)
_action(
    "/refuse",
    "refuse",
    "不予受理",
    RefusalCreate,
    lambda b: wo.Refuse(reason=b.reason, explanation=b.explanation),
)
_action("/dispatch", "dispatch", "派单 / 重新派单", DispatchCreate, _dispatch)
_action("/sign", "sign", "签收", SignCreate, lambda b: wo.Sign())
_action(
    "/return",
    "return_order",
    "退单",
    ReturnCreate,
    lambda b: wo.Return(
        reason=b.reason, legal_basis=b.legal_basis, suggested_unit=b.suggested_unit
    ),
)
_action(
    "/dispute-return",
    "dispute_return",
    "退单争议审核（驳回退单）",
    DisputeCreate,
    lambda b: wo.DisputeReturn(decision=b.decision),
)
_action(
    "/contacts",
    "record_contact",
    "记录联系诉求人",
    ContactCreate,
    lambda b: wo.RecordContact(method=b.method, summary=b.summary),
)
_action("/reply", "reply", "答复（可同时记录联系）", ReplyCreate, _reply)
_action("/visit", "visit", "回访", VisitCreate, _visit)
_action("/close", "close", "办结", CloseCreate, lambda b: wo.Close(note=b.note))
_action(
    "/extension/request",
    "request_extension",
    "申请延期",
    ExtensionCreate,
    lambda b: wo.RequestExtension(working_days=b.working_days, reason=b.reason),
)
_action(
    "/extension/approve",
    "approve_extension",
    "批准延期",
    ExtensionDecisionCreate,
    lambda b: wo.ApproveExtension(working_days=b.working_days, note=b.note),
)
_action(
    "/extension/reject",
    "reject_extension",
    "驳回延期",
    DecisionCreate,
    lambda b: wo.RejectExtension(note=b.note),
)
_action("/urge", "urge", "催办", UrgeCreate, lambda b: wo.Urge(note=b.note))
_action("/merge", "merge", "并案", MergeCreate, lambda b: wo.Merge(into_id=b.into_id))
_action("/re-handle", "re_handle", "重办", ReHandleCreate, lambda b: wo.ReHandle(note=b.note))
_action(
    "/exclusion/request",
    "request_exclusion",
    "申请核减",
    ExclusionCreate,
    lambda b: wo.RequestExclusion(reason=b.reason, leader_sign_off=b.leader_sign_off),
)
_action(
    "/exclusion/approve",
    "approve_exclusion",
    "批准核减",
    DecisionCreate,
    lambda b: wo.ApproveExclusion(note=b.note),
)
_action(
    "/exclusion/reject",
    "reject_exclusion",
    "驳回核减",
    DecisionCreate,
    lambda b: wo.RejectExclusion(note=b.note),
)
