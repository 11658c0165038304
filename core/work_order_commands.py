"""Commands (imperative) applied to a work order by :func:`core.work_order.handle`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.dispatch import DispatchPlan
from core.sla import SlaClass
from core.work_order_model import (
    ContactMethod,
    EmergencyService,
    OutOfScopeReason,
    Satisfaction,
    Trust,
)
from core.work_order_rules import Action


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    action: ClassVar[Action]


@dataclass(frozen=True, slots=True, kw_only=True)
class Accept(Command):
    """受理. Optional fields override the draft's classification at acceptance."""

    action: ClassVar[Action] = Action.ACCEPT
    sla_class: SlaClass | None = None
    category_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerAtIntake(Command):
    """咨询 answered by the agent on the call: closed directly, never dispatched."""

    action: ClassVar[Action] = Action.ANSWER_AT_INTAKE
    answer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HandOver(Command):
    """联动: transferred to 110/119/120/122 and recorded."""

    action: ClassVar[Action] = Action.HAND_OVER
    service: EmergencyService
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Refuse(Command):
    action: ClassVar[Action] = Action.REFUSE
    reason: OutOfScopeReason
    explanation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispatch(Command):
    """派单 (also re-dispatch after a return). Build it from a ``core.dispatch.DispatchPlan``."""

    action: ClassVar[Action] = Action.DISPATCH
    lead_unit: str
    assisting_units: tuple[str, ...] = ()
    copy_units: tuple[str, ...] = ()
    note: str = ""

    @classmethod
    def from_plan(cls, plan: DispatchPlan, note: str = "") -> Dispatch:
        return cls(
            lead_unit=plan.lead_unit,
            assisting_units=plan.assisting_units,
            copy_units=plan.copy_units,
            note=note,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Sign(Command):
    action: ClassVar[Action] = Action.SIGN


@dataclass(frozen=True, slots=True, kw_only=True)
class Return(Command):
    """退单 with reason, legal basis and a suggested unit."""

    action: ClassVar[Action] = Action.RETURN
    reason: str
    legal_basis: str
    suggested_unit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeReturn(Command):
    """退单争议审核 — the hotline refuses the return; the order goes back to the same unit."""

    action: ClassVar[Action] = Action.DISPUTE_RETURN
    decision: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordContact(Command):
    action: ClassVar[Action] = Action.RECORD_CONTACT
    method: ContactMethod
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply(Command):
    """答复 — requires a contact with the appellant in this handling round."""

    action: ClassVar[Action] = Action.REPLY
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnVisit(Command):
    action: ClassVar[Action] = Action.RETURN_VISIT
    unit_contacted: bool
    solved: bool
    satisfaction: Satisfaction
    trust: Trust
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Close(Command):
    """办结. From ``visited`` normally; from ``replied`` when the visit is impossible
    (reason required); from ``dissatisfied`` after joint analysis (handled lawfully)."""

    action: ClassVar[Action] = Action.CLOSE
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestExtension(Command):
    action: ClassVar[Action] = Action.REQUEST_EXTENSION
    working_days: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveExtension(Command):
    """``working_days`` None = as requested; may grant fewer days than requested."""

    action: ClassVar[Action] = Action.APPROVE_EXTENSION
    working_days: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectExtension(Command):
    action: ClassVar[Action] = Action.REJECT_EXTENSION
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Urge(Command):
    action: ClassVar[Action] = Action.URGE
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Merge(Command):
    """并案 into another (open) order."""

    action: ClassVar[Action] = Action.MERGE
    into_id: str
    into_number: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReHandle(Command):
    """重办 — written re-assignment to the same lead unit after a dissatisfied visit."""

    action: ClassVar[Action] = Action.RE_HANDLE
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestExclusion(Command):
    """核减申请 with the unit leader's sign-off."""

    action: ClassVar[Action] = Action.REQUEST_EXCLUSION
    reason: str
    leader_sign_off: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveExclusion(Command):
    action: ClassVar[Action] = Action.APPROVE_EXCLUSION
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectExclusion(Command):
    action: ClassVar[Action] = Action.REJECT_EXCLUSION
    note: str = ""


ALL_COMMANDS: tuple[type[Command], ...] = (
    Accept,
    AnswerAtIntake,
    HandOver,
    Refuse,
    Dispatch,
    Sign,
    Return,
    DisputeReturn,
    RecordContact,
    Reply,
    ReturnVisit,
    Close,
    RequestExtension,
    ApproveExtension,
    RejectExtension,
    Urge,
    Merge,
    ReHandle,
    RequestExclusion,
    ApproveExclusion,
    RejectExclusion,
)
