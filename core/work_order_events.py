"""Past-tense events emitted by work-order transitions (the audit trail and KPI input).

Every event carries who acted, the status before/after and the order version after the
transition, so KPIs can be recomputed from the stored history alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import DomainEvent
from core.sla import SlaClass
from core.work_order_model import (
    AppealType,
    Channel,
    ClosureKind,
    ContactMethod,
    EmergencyService,
    OutOfScopeReason,
    Satisfaction,
    Trust,
    WorkOrderStatus,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderEvent(DomainEvent):
    order_id: str
    number: str
    actor_id: str
    actor_role: str
    actor_unit: str | None = None
    from_status: WorkOrderStatus
    to_status: WorkOrderStatus
    version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderCreated(WorkOrderEvent):
    channel: Channel
    appeal_type: AppealType
    category_code: str
    call_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderEdited(WorkOrderEvent):
    """Intake fields corrected before dispatch; not a transition (from_status == to_status)."""

    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderAccepted(WorkOrderEvent):
    sla_class: SlaClass
    category_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderAnsweredAtIntake(WorkOrderEvent):
    answer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderHandedOver(WorkOrderEvent):
    service: EmergencyService
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderRefused(WorkOrderEvent):
    reason: OutOfScopeReason
    explanation: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderDispatched(WorkOrderEvent):
    lead_unit: str
    assisting_units: tuple[str, ...]
    copy_units: tuple[str, ...]
    sla_class: SlaClass
    sign_due: datetime
    return_due: datetime
    reply_due: datetime
    close_due: datetime
    provisional_years: tuple[int, ...] = ()  # years computed weekend-only (no official data)
    redispatch: bool  # after a return (to another unit, usually)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderSigned(WorkOrderEvent):
    unit: str
    sign_due: datetime
    on_time: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderReturned(WorkOrderEvent):
    unit: str
    reason: str
    legal_basis: str
    suggested_unit: str
    late: bool
    return_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderReturnDisputed(WorkOrderEvent):
    """The return was refused: the order is back with the same unit, to sign again."""

    unit: str
    decision: str
    sign_due: datetime
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AppellantContacted(WorkOrderEvent):
    unit: str
    method: ContactMethod
    summary: str
    round: int
    reply_due: datetime | None
    on_time: bool  # within the feedback limit of the order's class


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderReplied(WorkOrderEvent):
    unit: str
    text: str
    round: int
    reply_due: datetime | None
    on_time: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnVisitRecorded(WorkOrderEvent):
    unit: str | None
    unit_contacted: bool
    solved: bool
    satisfaction: Satisfaction
    trust: Trust
    round: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderClosed(WorkOrderEvent):
    unit: str | None
    closure: ClosureKind
    close_due: datetime | None
    on_time: bool
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionRequested(WorkOrderEvent):
    unit: str
    working_days: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionApproved(WorkOrderEvent):
    unit: str | None
    working_days: int
    total_working_days: int
    reply_due: datetime
    close_due: datetime
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionRejected(WorkOrderEvent):
    unit: str | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderUrged(WorkOrderEvent):
    unit: str | None
    urge_count: int
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderMerged(WorkOrderEvent):
    into_id: str
    into_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderReHandleOrdered(WorkOrderEvent):
    """重办: back to the same lead unit with fresh deadlines; it signs again."""

    unit: str
    round: int
    note: str
    sign_due: datetime
    reply_due: datetime
    close_due: datetime
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusionRequested(WorkOrderEvent):
    unit: str
    reason: str
    leader_sign_off: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusionApproved(WorkOrderEvent):
    unit: str | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusionRejected(WorkOrderEvent):
    unit: str | None
    note: str
