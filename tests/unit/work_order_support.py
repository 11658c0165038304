"""Builders shared by the work-order tests: orders driven through real transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.clock import SHANGHAI
from core.work_order import (
    Accept,
    Action,
    Actor,
    ApproveExclusion,
    ApproveExtension,
    Close,
    Command,
    ContactMethod,
    Dispatch,
    DisputeReturn,
    EmergencyService,
    HandOver,
    Merge,
    OutOfScopeReason,
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
    Role,
    Satisfaction,
    Sign,
    Trust,
    Urge,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderStatus,
    handle,
)
from core.work_order_commands import AnswerAtIntake
from core.work_order_model import Appellant
from tests.fixtures.orders import context as context  # one handling context for all order tests

LEAD = "U-LEAD"
OTHER = "U-OTHER"
S = WorkOrderStatus

# Monday 2026-03-02 09:00 Shanghai: an ordinary working week, far from holidays.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


ACTORS: dict[Role, Actor] = {
    Role.AGENT: Actor("agent-1", Role.AGENT),
    Role.DISPATCHER: Actor("disp-1", Role.DISPATCHER),
    Role.SUPERVISOR: Actor("sup-1", Role.SUPERVISOR),
    Role.TRAINER: Actor("trainer-1", Role.TRAINER),
    Role.UNIT_USER: Actor("unit-1", Role.UNIT_USER, LEAD),
    Role.ADMIN: Actor("admin-1", Role.ADMIN),
}
AGENT, DISPATCHER, SUPERVISOR = ACTORS[Role.AGENT], ACTORS[Role.DISPATCHER], ACTORS[Role.SUPERVISOR]
UNIT = ACTORS[Role.UNIT_USER]
OTHER_UNIT = Actor("unit-2", Role.UNIT_USER, OTHER)


def draft(**changes: object) -> WorkOrder:
    base = WorkOrder(
        id="wo-1",
        number="2026030200001",
        title="小区楼下路灯不亮",
        content="雁塔区某小区门口路灯坏了两周，晚上很黑。",
        appellant=Appellant(name="张三", phone="13812345678"),
        address="陕西省西安市雁塔区小寨东路1号",
        district="雁塔区",
        category_code="CITY.LIGHTING",
        created_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# A valid sample command per action (payloads that pass validation).
SAMPLES: dict[Action, Command] = {
    Action.ACCEPT: Accept(),
    Action.ANSWER_AT_INTAKE: AnswerAtIntake(answer="办理时间为工作日 9:00–17:00。"),
    Action.HAND_OVER: HandOver(service=EmergencyService.FIRE, note="燃气泄漏，已转 119"),
    Action.REFUSE: Refuse(reason=OutOfScopeReason.LITIGATION, explanation="属民事纠纷"),
    Action.DISPATCH: Dispatch(lead_unit=LEAD),
    Action.SIGN: Sign(),
    Action.RETURN: Return(
        reason="不属本单位职责", legal_basis="《城市照明管理规定》第五条", suggested_unit=OTHER
    ),
    Action.DISPUTE_RETURN: DisputeReturn(decision="经核实属于该单位职责"),
    Action.RECORD_CONTACT: RecordContact(method=ContactMethod.PHONE, summary="已电话联系"),
    Action.REPLY: Reply(text="已修复路灯"),
    Action.RETURN_VISIT: ReturnVisit(
        unit_contacted=True, solved=True, satisfaction=Satisfaction.SATISFIED, trust=Trust.TRUSTED
    ),
    Action.CLOSE: Close(note="回访完成"),
    Action.REQUEST_EXTENSION: RequestExtension(working_days=5, reason="需采购灯具"),
    Action.APPROVE_EXTENSION: ApproveExtension(),
    Action.REJECT_EXTENSION: RejectExtension(note="理由不充分"),
    Action.URGE: Urge(note="市民再次来电"),
    Action.MERGE: Merge(into_id="wo-0", into_number="2026030100009"),
    Action.RE_HANDLE: ReHandle(note="诉求人反映路灯仍不亮"),
    Action.REQUEST_EXCLUSION: RequestExclusion(reason="诉求超出政策规定", leader_sign_off="李主任"),
    Action.APPROVE_EXCLUSION: ApproveExclusion(note="同意核减"),
    Action.REJECT_EXCLUSION: RejectExclusion(note="不符合核减条件"),
}

DISSATISFIED_VISIT = ReturnVisit(
    unit_contacted=True,
    solved=False,
    satisfaction=Satisfaction.DISSATISFIED,
    trust=Trust.DISTRUSTED,
)

# How to reach each status from a draft: (actor, command) steps applied with handle().
PATHS: dict[WorkOrderStatus, list[tuple[Actor, Command]]] = {
    S.DRAFT: [],
    S.ACCEPTED: [(AGENT, SAMPLES[Action.ACCEPT])],
    S.DISPATCHED: [(AGENT, SAMPLES[Action.ACCEPT]), (DISPATCHER, SAMPLES[Action.DISPATCH])],
}
PATHS[S.SIGNED] = [*PATHS[S.DISPATCHED], (UNIT, SAMPLES[Action.SIGN])]
PATHS[S.IN_PROGRESS] = [*PATHS[S.SIGNED], (UNIT, SAMPLES[Action.RECORD_CONTACT])]
PATHS[S.RETURNED] = [*PATHS[S.DISPATCHED], (UNIT, SAMPLES[Action.RETURN])]
PATHS[S.REPLIED] = [*PATHS[S.IN_PROGRESS], (UNIT, SAMPLES[Action.REPLY])]
PATHS[S.VISITED] = [*PATHS[S.REPLIED], (AGENT, SAMPLES[Action.RETURN_VISIT])]
PATHS[S.DISSATISFIED] = [*PATHS[S.REPLIED], (AGENT, DISSATISFIED_VISIT)]
PATHS[S.EXCLUSION_REQUESTED] = [*PATHS[S.DISSATISFIED], (UNIT, SAMPLES[Action.REQUEST_EXCLUSION])]
PATHS[S.CLOSED] = [*PATHS[S.VISITED], (AGENT, Close())]
PATHS[S.MERGED] = [*PATHS[S.ACCEPTED], (DISPATCHER, SAMPLES[Action.MERGE])]
PATHS[S.HANDED_OVER] = [(AGENT, SAMPLES[Action.HAND_OVER])]
PATHS[S.REFUSED] = [(AGENT, SAMPLES[Action.REFUSE])]


def run(
    order: WorkOrder,
    steps: list[tuple[Actor, Command]],
    start: datetime = T0,
    step: timedelta = timedelta(minutes=10),
) -> tuple[WorkOrder, list[WorkOrderEvent]]:
    ctx = context()
    events: list[WorkOrderEvent] = []
    now = start
    for actor, command in steps:
        now += step
        order, new = handle(order, command, actor, now, ctx)
        events.extend(new)
    return order, events


def order_in(status: WorkOrderStatus, **changes: object) -> WorkOrder:
    order, _ = run(draft(**changes), PATHS[status])
    assert order.status is status
    return order


def with_pending_extension(status: WorkOrderStatus) -> WorkOrder:
    order = order_in(status)
    order, _ = run(order, [(UNIT, SAMPLES[Action.REQUEST_EXTENSION])])
    return order
