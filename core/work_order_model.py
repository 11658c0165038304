"""The work-order (工单) entity and its value objects. Immutable: transitions return copies.

The state machine lives in :mod:`core.work_order_rules` (the table) and
:mod:`core.work_order` (``handle``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.sla import SlaClass


class WorkOrderStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    ACCEPTED = "accepted"  # 受理
    DISPATCHED = "dispatched"  # 已派单，待签收
    SIGNED = "signed"  # 已签收
    IN_PROGRESS = "in_progress"  # 办理中（已联系诉求人）
    RETURNED = "returned"  # 已退单，待重新派单或退单审核
    REPLIED = "replied"  # 已答复，待回访
    VISITED = "visited"  # 已回访（满意/基本满意），待办结
    DISSATISFIED = "dissatisfied"  # 回访不满意：重办或申请核减
    EXCLUSION_REQUESTED = "exclusion_requested"  # 核减申请待审批
    CLOSED = "closed"  # 办结
    MERGED = "merged"  # 并案
    HANDED_OVER = "handed_over"  # 转 110/119/120/122 联动
    REFUSED = "refused"  # 不属于受理范围


TERMINAL_STATUSES = frozenset(
    {
        WorkOrderStatus.CLOSED,
        WorkOrderStatus.MERGED,
        WorkOrderStatus.HANDED_OVER,
        WorkOrderStatus.REFUSED,
    }
)

# Statuses in which the lead unit holds the order (the reply clock is running for it).
WITH_UNIT_STATUSES = frozenset(
    {WorkOrderStatus.DISPATCHED, WorkOrderStatus.SIGNED, WorkOrderStatus.IN_PROGRESS}
)


class AppealType(StrEnum):
    CONSULTATION = "咨询"
    HELP = "求助"
    COMPLAINT = "投诉"
    REPORT = "举报"
    SUGGESTION = "建议"
    PRAISE = "表扬"


class Channel(StrEnum):
    PHONE = "phone"
    VOICEMAIL = "voicemail"
    WEB = "web"
    WECHAT = "wechat"
    APP = "app"
    SMS = "sms"
    LETTER = "letter"
    EMAIL = "email"


class Satisfaction(StrEnum):
    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"


class Trust(StrEnum):
    TRUSTED = "信任"
    BASICALLY_TRUSTED = "基本信任"
    DISTRUSTED = "不信任"


class EmergencyService(StrEnum):
    """联动: emergencies are transferred at once and recorded, never dispatched."""

    POLICE = "110"
    FIRE = "119"
    AMBULANCE = "120"
    TRAFFIC = "122"


class OutOfScopeReason(StrEnum):
    """domain.md §1: matters the hotline explains and refuses instead of dispatching."""

    LITIGATION = "litigation"  # 应通过诉讼解决
    ARBITRATION = "arbitration"  # 仲裁
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检监察
    ADMINISTRATIVE_RECONSIDERATION = "administrative_reconsideration"  # 行政复议
    INFORMATION_DISCLOSURE = "information_disclosure"  # 政府信息公开申请
    PETITION = "petition"  # 已进入信访程序
    SECRETS = "secrets"  # 涉及国家秘密、商业秘密
    PERSONAL_PRIVACY = "personal_privacy"  # 涉及个人隐私
    AGAINST_PUBLIC_ORDER = "against_public_order"  # 违背社会公序良俗


class ContactMethod(StrEnum):
    PHONE = "phone"
    ON_SITE = "on_site"
    SMS = "sms"
    OTHER = "other"


class ExclusionState(StrEnum):
    """核减: an unreasonable appeal excluded from the unit's satisfaction figures."""

    NONE = "none"
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class ClosureKind(StrEnum):
    HANDLED = "handled"  # 回访满意/基本满意后办结
    ANSWERED_AT_INTAKE = "answered_at_intake"  # 咨询类直接答复办结
    WITHOUT_VISIT = "without_visit"  # 无法回访（联系不上/拒绝回访）
    HANDLED_LAWFULLY = "handled_lawfully"  # 仍不满意，经联合研判依法办结（计不满意）
    EXCLUDED = "excluded"  # 核减通过


@dataclass(frozen=True, slots=True, kw_only=True)
class Appellant:
    """诉求人. ``confidential``: the caller asked for secrecy (GB/T 33358); units never see it."""

    name: str = ""
    phone: str = ""
    confidential: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadlines:
    """Stored deadlines, computed at transitions (never sleeping timers).

    ``provisional_years``: years without official calendar data that these deadlines were
    computed across with the weekend-only rule (Mon–Fri working, no holidays); empty = final.
    Provisional deadlines are recomputed from the same clock starts once the data exists.
    """

    sign_due: datetime | None = None
    return_due: datetime | None = None
    reply_due: datetime | None = None
    close_due: datetime | None = None
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


@dataclass(frozen=True, slots=True, kw_only=True)
class Counters:
    return_count: int = 0
    urge_count: int = 0
    extension_working_days: int = 0  # approved so far (≤ policy maximum)
    rehandle_count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactRecord:
    """The unit's contact with the appellant; required before a reply (else a fake reply)."""

    at: datetime
    by_user: str
    unit: str
    method: ContactMethod
    summary: str
    round: int  # handling round (1 + re-handles) the contact belongs to


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyRecord:
    at: datetime
    by_user: str
    unit: str
    text: str
    round: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnVisitResult:
    """回访: was the unit in contact, solved, satisfaction and trust ratings."""

    at: datetime
    by_user: str
    unit_contacted: bool
    solved: bool
    satisfaction: Satisfaction
    trust: Trust
    note: str = ""
    round: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRecord:
    """退单: reason, legal basis and the unit the returning unit suggests."""

    at: datetime
    by_user: str
    unit: str
    reason: str
    legal_basis: str
    suggested_unit: str
    late: bool  # after the return window (2 working days by default)
    disputed: bool = False  # the hotline refused the return (退单争议审核)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionRequest:
    at: datetime
    by_user: str
    working_days: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrder:
    id: str
    number: str
    status: WorkOrderStatus = WorkOrderStatus.DRAFT
    channel: Channel = Channel.PHONE
    appeal_type: AppealType = AppealType.HELP
    category_code: str = ""
    sla_class: SlaClass = SlaClass.GENERAL
    enterprise: bool = False  # 涉企诉求（直通车）
    title: str = ""
    content: str = ""
    appellant: Appellant = field(default_factory=Appellant)
    address: str = ""
    district: str = ""
    town: str = ""  # 街道/镇
    call_id: str | None = None
    lead_unit: str | None = None  # 主办
    assisting_units: tuple[str, ...] = ()  # 协办
    copy_units: tuple[str, ...] = ()  # 抄送
    deadlines: Deadlines = field(default_factory=Deadlines)
    counters: Counters = field(default_factory=Counters)
    handling_round: int = 1
    contacts: tuple[ContactRecord, ...] = ()
    reply: ReplyRecord | None = None
    visit: ReturnVisitResult | None = None
    returns: tuple[ReturnRecord, ...] = ()
    pending_extension: ExtensionRequest | None = None
    exclusion: ExclusionState = ExclusionState.NONE
    closure: ClosureKind | None = None
    answer: str = ""  # answer given at intake (咨询)
    handed_over_to: EmergencyService | None = None
    refusal_reason: OutOfScopeReason | None = None
    merged_into: str | None = None
    flags: frozenset[str] = frozenset()  # escalation flags (see core.escalation.FlagKind)
    created_at: datetime
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def contact_in_round(self) -> ContactRecord | None:
        """The first contact recorded in the current handling round, if any."""
        return next((c for c in self.contacts if c.round == self.handling_round), None)
