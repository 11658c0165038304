"""异常工单自动上报: a pure scan over orders at ``now`` (domain.md §6).

The scheduler calls :func:`scan` with stored orders and an injected clock's ``now``; nothing
sleeps. Flags are sticky (an order that was overdue stays flagged after it is signed: the flag
is history for supervision and ledgers). Events are produced only for newly raised flags.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core.business_calendar import BusinessCalendar
from core.clock import ensure_aware
from core.errors import ValidationError
from core.events import DomainEvent
from core.repeat import AppealRecord, DifflibMatcher, RepeatKind, SameIssueMatcher, find_repeats
from core.sla import SlaPolicy
from core.work_order_model import (
    WITH_UNIT_STATUSES,
    ClosureKind,
    WorkOrder,
    WorkOrderStatus,
)


class FlagKind(StrEnum):
    OVERDUE_SIGN = "overdue_sign"  # 超时未签收
    OVERDUE_REPLY = "overdue_reply"  # 超期未答复
    SERIOUSLY_OVERDUE = "seriously_overdue"  # 严重超期
    OVERDUE_CLOSE = "overdue_close"  # 超期未办结（久办不结）
    MANY_URGES = "many_urges"  # 多次催办
    BUCK_PASSING = "buck_passing"  # 推诿扯皮（多次退单）
    DISSATISFIED = "dissatisfied"  # 回访不满意
    FAKE_REPLY = "fake_reply"  # 回访称承办单位未联系：虚假答复嫌疑
    SENSITIVE = "sensitive"  # 敏感预警
    REPEAT_CALLER = "repeat_caller"  # 同一诉求人一月内同一问题 ≥ 3 次
    MANY_CALLERS = "many_callers"  # ≥ 3 名诉求人同一问题


class SupervisionForm(StrEnum):
    PHONE = "phone"  # 电话督办
    LETTER = "letter"  # 书面督办（督办函）
    MEETING = "meeting"  # 会议督办
    LEADER_INSTRUCTION = "leader_instruction"  # 领导批示
    ON_SITE = "on_site"  # 现场督办


# Suggested supervision per flag (domain.md §6); on-site for the two repeat triggers.
SUPERVISION: Mapping[FlagKind, SupervisionForm] = {
    FlagKind.OVERDUE_SIGN: SupervisionForm.PHONE,
    FlagKind.OVERDUE_REPLY: SupervisionForm.PHONE,
    FlagKind.SERIOUSLY_OVERDUE: SupervisionForm.LETTER,
    FlagKind.OVERDUE_CLOSE: SupervisionForm.PHONE,
    FlagKind.MANY_URGES: SupervisionForm.LETTER,
    FlagKind.BUCK_PASSING: SupervisionForm.MEETING,
    FlagKind.DISSATISFIED: SupervisionForm.LETTER,
    FlagKind.FAKE_REPLY: SupervisionForm.LETTER,
    FlagKind.SENSITIVE: SupervisionForm.LEADER_INSTRUCTION,
    FlagKind.REPEAT_CALLER: SupervisionForm.ON_SITE,
    FlagKind.MANY_CALLERS: SupervisionForm.ON_SITE,
}

DEFAULT_SENSITIVE_KEYWORDS: tuple[str, ...] = (
    "自杀",
    "跳楼",
    "轻生",
    "爆炸",
    "上访",
    "集体上访",
    "群体性",
    "聚集",
    "静坐",
    "拉横幅",
    "堵路",
    "媒体曝光",
    "记者",
    "网上曝光",
    "讨薪",
    "欠薪",
)


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    urge_threshold: int = 3  # 多次催办: urged ≥ N times
    return_threshold: int = 2  # 推诿扯皮: returned ≥ N times
    sensitive_keywords: tuple[str, ...] = DEFAULT_SENSITIVE_KEYWORDS
    repeat_window_days: int = 30
    repeat_same_caller_min: int = 3
    repeat_distinct_callers_min: int = 3

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                f"unknown escalation settings: {', '.join(unknown)}",
                code="escalation.config_invalid",
                details={"unknown": unknown},
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "sensitive_keywords":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) and v.strip() for v in value
                ):
                    raise ValidationError(
                        "sensitive_keywords must be a list of non-empty strings",
                        code="escalation.config_invalid",
                    )
                values[key] = tuple(v.strip() for v in value)
            else:
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValidationError(
                        f"{key} must be a positive integer", code="escalation.config_invalid"
                    )
                values[key] = value
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Escalation:
    order_id: str
    kind: FlagKind
    detail: str
    supervision: SupervisionForm
    related_order_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationRaised(DomainEvent):
    order_id: str
    number: str
    kind: FlagKind
    detail: str
    supervision: SupervisionForm
    related_order_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    escalations: list[Escalation] = field(default_factory=list)  # every flag that holds now
    events: list[EscalationRaised] = field(default_factory=list)  # only the newly raised ones

    def flags_for(self, order_id: str) -> frozenset[str]:
        return frozenset(e.kind.value for e in self.escalations if e.order_id == order_id)


def _contains_keyword(text: str, keywords: Sequence[str]) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return [k for k in keywords if unicodedata.normalize("NFKC", k).lower() in folded]


def _order_flags(
    order: WorkOrder,
    now: datetime,
    config: EscalationConfig,
    calendar: BusinessCalendar | None,
    policy: SlaPolicy,
) -> list[tuple[FlagKind, str]]:
    """Per-order rules. Terminal orders raise nothing except a lawful closure still disputed."""
    out: list[tuple[FlagKind, str]] = []
    d = order.deadlines
    if order.closure is ClosureKind.HANDLED_LAWFULLY:
        # 仍不满意 → 依法办结但计不满意，书面督办并抄送纪委监委
        out.append((FlagKind.DISSATISFIED, "closed as handled lawfully, counted dissatisfied"))
    if order.visit is not None and not order.visit.unit_contacted:
        # domain.md §5: a reply without contact is a fake reply — the appellant says so here
        out.append((FlagKind.FAKE_REPLY, "return visit: the unit never contacted the appellant"))
    if order.is_terminal:
        return out
    if order.status is WorkOrderStatus.DISPATCHED and d.sign_due and now > d.sign_due:
        out.append((FlagKind.OVERDUE_SIGN, f"sign due {d.sign_due.isoformat()}"))
    if order.status in WITH_UNIT_STATUSES and d.reply_due and now > d.reply_due:
        out.append((FlagKind.OVERDUE_REPLY, f"reply due {d.reply_due.isoformat()}"))
        if calendar is not None and now > policy.serious_overdue.deadline(calendar, d.reply_due):
            out.append(
                (
                    FlagKind.SERIOUSLY_OVERDUE,
                    f"reply overdue by more than {policy.serious_overdue.describe()}",
                )
            )
    if d.close_due and now > d.close_due and order.status is not WorkOrderStatus.DRAFT:
        out.append((FlagKind.OVERDUE_CLOSE, f"close due {d.close_due.isoformat()}"))
    if order.counters.urge_count >= config.urge_threshold:
        out.append((FlagKind.MANY_URGES, f"urged {order.counters.urge_count} times"))
    if order.counters.return_count >= config.return_threshold:
        out.append((FlagKind.BUCK_PASSING, f"returned {order.counters.return_count} times"))
    if order.status in (WorkOrderStatus.DISSATISFIED, WorkOrderStatus.EXCLUSION_REQUESTED):
        out.append((FlagKind.DISSATISFIED, "return visit: 不满意"))
    hits = _contains_keyword(f"{order.title}\n{order.content}", config.sensitive_keywords)
    if hits:
        out.append((FlagKind.SENSITIVE, "keywords: " + "、".join(hits)))
    return out


def appeal_record(order: WorkOrder) -> AppealRecord:
    return AppealRecord(
        order_id=order.id,
        phone=order.appellant.phone,
        address=order.address,
        category_code=order.category_code,
        text=f"{order.title} {order.content}",
        at=order.created_at,
    )


def scan(
    orders: Iterable[WorkOrder],
    now: datetime,
    config: EscalationConfig | None = None,
    *,
    matcher: SameIssueMatcher | None = None,
    calendar: BusinessCalendar | None = None,
    policy: SlaPolicy | None = None,
) -> ScanResult:
    """Every flag that holds for ``orders`` at ``now`` and events for the new ones.

    ``calendar`` enables SERIOUSLY_OVERDUE (it needs working-day arithmetic). Repeat rules
    look at all given orders (closed ones too) created within the window; the flag goes on
    the newest order of the group, with the others as ``related_order_ids``.
    """
    now = ensure_aware(now)
    config = config or EscalationConfig()
    policy = policy or SlaPolicy()
    matcher = matcher or DifflibMatcher()
    orders = list(orders)
    by_id = {o.id: o for o in orders}
    escalations: list[Escalation] = []
    for order in orders:
        for kind, detail in _order_flags(order, now, config, calendar, policy):
            escalations.append(Escalation(order.id, kind, detail, SUPERVISION[kind]))
    groups = find_repeats(
        (appeal_record(o) for o in orders if o.status is not WorkOrderStatus.DRAFT),
        now,
        matcher,
        window=timedelta(days=config.repeat_window_days),
        same_caller_min=config.repeat_same_caller_min,
        distinct_callers_min=config.repeat_distinct_callers_min,
    )
    for group in groups:
        kind = (
            FlagKind.REPEAT_CALLER
            if group.kind is RepeatKind.SAME_CALLER
            else FlagKind.MANY_CALLERS
        )
        latest = group.latest_order_id
        related = tuple(i for i in group.order_ids if i != latest)
        detail = f"{len(group.order_ids)} appeals, {len(group.phones)} caller(s)"
        escalations.append(Escalation(latest, kind, detail, SUPERVISION[kind], related))
    events = [
        EscalationRaised(
            occurred_at=now,
            order_id=e.order_id,
            number=by_id[e.order_id].number,
            kind=e.kind,
            detail=e.detail,
            supervision=e.supervision,
            related_order_ids=e.related_order_ids,
        )
        for e in _unique(escalations)
        if e.kind.value not in by_id[e.order_id].flags
    ]
    return ScanResult(escalations, events)


def _unique(escalations: list[Escalation]) -> list[Escalation]:
    seen: set[tuple[str, FlagKind]] = set()
    out: list[Escalation] = []
    for e in escalations:
        if (e.order_id, e.kind) not in seen:
            seen.add((e.order_id, e.kind))
            out.append(e)
    return out


def with_flags(order: WorkOrder, flags: Iterable[str]) -> WorkOrder:
    """The order with ``flags`` added (sticky); unchanged (same version) when nothing is new."""
    merged = order.flags | frozenset(flags)
    if merged == order.flags:
        return order
    return replace(order, flags=merged, version=order.version + 1)
