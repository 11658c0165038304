"""Lifecycle actions: one POST per transition. Each handler parses its body into one domain
command and calls the act use case; the response is the order as the caller may see it."""

from __future__ import annotations

from fastapi import APIRouter

from agent_api.auth import CurrentViewer
from agent_api.container import ApiContainer, Services
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
from core.privacy import Viewer
from core.work_order import (
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

router = APIRouter(prefix="/work-orders/{order_id}", tags=["work-order actions"])
ERRORS: dict[int | str, dict[str, str]] = {
    403: {"description": "role may not do this"},
    404: {"description": "unknown (or invisible) order, unit or category"},
    409: {"description": "illegal transition; details.allowed lists the allowed actions"},
    422: {"description": "invalid payload; details.errors lists the fields"},
}


async def _act(
    services: ApiContainer, viewer: Viewer, order_id: str, body: Versioned, *commands: Command
) -> WorkOrderRead:
    view = await services.act_on_work_order.execute(
        viewer, order_id, *commands, expected_version=body.expected_version
    )
    return work_order_read(view)


@router.post("/accept", response_model=WorkOrderRead, responses=ERRORS, summary="受理")
async def accept(
    order_id: str, body: AcceptCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(
        services,
        viewer,
        order_id,
        body,
        Accept(sla_class=body.sla_class, category_code=body.category_code),
    )


@router.post("/answer", response_model=WorkOrderRead, responses=ERRORS, summary="咨询直接答复办结")
async def answer(
    order_id: str, body: AnswerCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, AnswerAtIntake(answer=body.answer))


@router.post(
    "/hand-over", response_model=WorkOrderRead, responses=ERRORS, summary="转110/119/120/122联动"
)
async def hand_over(
    order_id: str, body: HandOverCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(
        services, viewer, order_id, body, HandOver(service=body.service, note=body.note)
    )


@router.post("/refuse", response_model=WorkOrderRead, responses=ERRORS, summary="不予受理")
async def refuse(
    order_id: str, body: RefusalCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(
        services, viewer, order_id, body, Refuse(reason=body.reason, explanation=body.explanation)
    )


@router.post("/dispatch", response_model=WorkOrderRead, responses=ERRORS, summary="派单 / 重新派单")
async def dispatch(
    order_id: str, body: DispatchCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = Dispatch(
        lead_unit=body.lead_unit,
        assisting_units=tuple(body.assisting_units),
        copy_units=tuple(body.copy_units),
        note=body.note,
    )
    return await _act(services, viewer, order_id, body, command)


@router.post("/sign", response_model=WorkOrderRead, responses=ERRORS, summary="签收")
async def sign(
    order_id: str, body: SignCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, Sign())


@router.post("/return", response_model=WorkOrderRead, responses=ERRORS, summary="退单")
async def return_order(
    order_id: str, body: ReturnCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = Return(
        reason=body.reason, legal_basis=body.legal_basis, suggested_unit=body.suggested_unit
    )
    return await _act(services, viewer, order_id, body, command)


@router.post(
    "/dispute-return",
    response_model=WorkOrderRead,
    responses=ERRORS,
    summary="退单争议审核（驳回退单）",
)
async def dispute_return(
    order_id: str, body: DisputeCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, DisputeReturn(decision=body.decision))


@router.post("/contacts", response_model=WorkOrderRead, responses=ERRORS, summary="记录联系诉求人")
async def record_contact(
    order_id: str, body: ContactCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(
        services, viewer, order_id, body, RecordContact(method=body.method, summary=body.summary)
    )


@router.post(
    "/reply", response_model=WorkOrderRead, responses=ERRORS, summary="答复（可同时记录联系）"
)
async def reply(
    order_id: str, body: ReplyCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    commands: list[Command] = []
    if body.contact is not None:
        commands.append(RecordContact(method=body.contact.method, summary=body.contact.summary))
    commands.append(Reply(text=body.text))
    return await _act(services, viewer, order_id, body, *commands)


@router.post("/visit", response_model=WorkOrderRead, responses=ERRORS, summary="回访")
async def visit(
    order_id: str, body: VisitCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = ReturnVisit(
        unit_contacted=body.unit_contacted,
        solved=body.solved,
        satisfaction=body.satisfaction,
        trust=body.trust,
        note=body.note,
    )
    return await _act(services, viewer, order_id, body, command)


@router.post("/close", response_model=WorkOrderRead, responses=ERRORS, summary="办结")
async def close(
    order_id: str, body: CloseCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, Close(note=body.note))


@router.post(
    "/extension/request", response_model=WorkOrderRead, responses=ERRORS, summary="申请延期"
)
async def request_extension(
    order_id: str, body: ExtensionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = RequestExtension(working_days=body.working_days, reason=body.reason)
    return await _act(services, viewer, order_id, body, command)


@router.post(
    "/extension/approve", response_model=WorkOrderRead, responses=ERRORS, summary="批准延期"
)
async def approve_extension(
    order_id: str, body: ExtensionDecisionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = ApproveExtension(working_days=body.working_days, note=body.note)
    return await _act(services, viewer, order_id, body, command)


@router.post(
    "/extension/reject", response_model=WorkOrderRead, responses=ERRORS, summary="驳回延期"
)
async def reject_extension(
    order_id: str, body: DecisionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, RejectExtension(note=body.note))


@router.post("/urge", response_model=WorkOrderRead, responses=ERRORS, summary="催办")
async def urge(
    order_id: str, body: UrgeCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, Urge(note=body.note))


@router.post("/merge", response_model=WorkOrderRead, responses=ERRORS, summary="并案")
async def merge(
    order_id: str, body: MergeCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, Merge(into_id=body.into_id))


@router.post("/re-handle", response_model=WorkOrderRead, responses=ERRORS, summary="重办")
async def re_handle(
    order_id: str, body: ReHandleCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, ReHandle(note=body.note))


@router.post(
    "/exclusion/request", response_model=WorkOrderRead, responses=ERRORS, summary="申请核减"
)
async def request_exclusion(
    order_id: str, body: ExclusionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    command = RequestExclusion(reason=body.reason, leader_sign_off=body.leader_sign_off)
    return await _act(services, viewer, order_id, body, command)


@router.post(
    "/exclusion/approve", response_model=WorkOrderRead, responses=ERRORS, summary="批准核减"
)
async def approve_exclusion(
    order_id: str, body: DecisionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, ApproveExclusion(note=body.note))


@router.post(
    "/exclusion/reject", response_model=WorkOrderRead, responses=ERRORS, summary="驳回核减"
)
async def reject_exclusion(
    order_id: str, body: DecisionCreate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    return await _act(services, viewer, order_id, body, RejectExclusion(note=body.note))
