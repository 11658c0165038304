"""Work-order KPIs per handling unit and period (domain.md §7; formulas in docs/kpi.md).

Input: the stored event history (``WorkOrderEvent``s — the audit trail) plus the current
orders (for 办结率, whose denominator is "due in the period"). Every figure carries its formula
name and version and the numerator/denominator it came from, so reports can drill down.
The period is half-open ``[start, end)``; event times decide membership.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.clock import ensure_aware
from core.errors import ValidationError
from core.work_order_events import (
    AppellantContacted,
    ExclusionApproved,
    ReturnVisitRecorded,
    WorkOrderClosed,
    WorkOrderDispatched,
    WorkOrderEvent,
    WorkOrderReturned,
    WorkOrderSigned,
)
from core.work_order_model import Satisfaction, WorkOrder, WorkOrderStatus

VERSION = "v1"


class Kpi(StrEnum):
    VOLUME = "volume"  # 派单量
    ON_TIME_SIGN = "on_time_sign_rate"  # 按时签收率
    RESPONSE = "response_rate"  # 响应率
    CLOSURE = "closure_rate"  # 办结率
    ON_TIME_CLOSURE = "on_time_closure_rate"  # 按时办结率
    VISIT = "visit_rate"  # 回访率
    RESOLUTION = "resolution_rate"  # 解决率
    SATISFACTION = "satisfaction_rate"  # 满意率
    RETURN = "return_rate"  # 退单率
    COMPOSITE = "three_rates_score"  # 三率综合得分


LABELS: dict[Kpi, str] = {
    Kpi.VOLUME: "派单量",
    Kpi.ON_TIME_SIGN: "按时签收率",
    Kpi.RESPONSE: "响应率",
    Kpi.CLOSURE: "办结率",
    Kpi.ON_TIME_CLOSURE: "按时办结率",
    Kpi.VISIT: "回访率",
    Kpi.RESOLUTION: "解决率",
    Kpi.SATISFACTION: "满意率",
    Kpi.RETURN: "退单率",
    Kpi.COMPOSITE: "三率综合得分",
}


class SatisfactionVariant(StrEnum):
    INCLUSIVE = "inclusive"  # (满意 + 基本满意) ÷ rated — default
    STRICT = "strict"  # 满意 only ÷ rated


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if ensure_aware(self.start) >= ensure_aware(self.end):
            raise ValidationError("a KPI period needs start < end", code="kpi.period_invalid")

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class Weights:
    """三率 composite weights (configurable; must sum to 1)."""

    response: float = 0.30
    resolution: float = 0.35
    satisfaction: float = 0.35

    def __post_init__(self) -> None:
        total = self.response + self.resolution + self.satisfaction
        if abs(total - 1.0) > 1e-9 or min(self.response, self.resolution, self.satisfaction) < 0:
            raise ValidationError(
                f"三率 weights must be ≥ 0 and sum to 1 (got {total})", code="kpi.weights_invalid"
            )


@dataclass(frozen=True, slots=True)
class KpiValue:
    kpi: Kpi
    formula: str  # e.g. "satisfaction_rate/inclusive"
    version: str
    numerator: float
    denominator: int | None  # None for counts and the composite
    value: float | None  # None when the denominator is 0 (undefined, not 0% or 100%)
    order_ids: tuple[str, ...] = ()  # the numerator's orders (drill-down)

    @property
    def label(self) -> str:
        return LABELS[self.kpi]


def _rate(
    kpi: Kpi, hits: Iterable[str], base: Iterable[str], formula: str | None = None
) -> KpiValue:
    base_set = set(base)
    hit_set = set(hits) & base_set
    value = len(hit_set) / len(base_set) if base_set else None
    return KpiValue(
        kpi,
        formula or kpi.value,
        VERSION,
        len(hit_set),
        len(base_set),
        value,
        tuple(sorted(hit_set)),
    )


@dataclass(slots=True)
class UnitKpis:
    unit: str
    period: Period
    values: dict[Kpi, KpiValue] = field(default_factory=dict)

    def __getitem__(self, kpi: Kpi) -> KpiValue:
        return self.values[kpi]


def unit_kpis(
    unit: str,
    period: Period,
    orders: Sequence[WorkOrder],
    events: Sequence[WorkOrderEvent],
    *,
    satisfaction: SatisfactionVariant = SatisfactionVariant.INCLUSIVE,
    weights: Weights | None = None,
) -> UnitKpis:
    weights = weights or Weights()
    by_order: dict[str, list[WorkOrderEvent]] = defaultdict(list)
    for event in sorted(events, key=lambda e: (e.occurred_at, e.version)):
        by_order[event.order_id].append(event)

    def first(order_id: str, kind: type[WorkOrderEvent]) -> WorkOrderEvent | None:
        return next(
            (
                e
                for e in by_order[order_id]
                if isinstance(e, kind) and getattr(e, "unit", None) == unit
            ),
            None,
        )

    dispatched = {
        e.order_id
        for e in events
        if isinstance(e, WorkOrderDispatched) and e.lead_unit == unit and e.occurred_at in period
    }
    signed_on_time = set()
    responded = set()
    returned = set()
    for order_id in dispatched:
        sign = first(order_id, WorkOrderSigned)
        if isinstance(sign, WorkOrderSigned) and sign.on_time:
            signed_on_time.add(order_id)
            contact = first(order_id, AppellantContacted)
            if isinstance(contact, AppellantContacted) and contact.on_time:
                responded.add(order_id)
        if first(order_id, WorkOrderReturned) is not None:
            returned.add(order_id)

    due = {
        o.id
        for o in orders
        if o.lead_unit == unit
        and o.status is not WorkOrderStatus.MERGED
        and o.deadlines.close_due is not None
        and o.deadlines.close_due in period
    }
    closed_due = {o.id for o in orders if o.id in due and o.status is WorkOrderStatus.CLOSED}

    closes = [
        e
        for e in events
        if isinstance(e, WorkOrderClosed) and e.unit == unit and e.occurred_at in period
    ]
    closed_in_period = {e.order_id for e in closes}
    closed_on_time = {e.order_id for e in closes if e.on_time}
    visited_any = {
        e.order_id for e in events if isinstance(e, ReturnVisitRecorded) and e.unit == unit
    }

    last_visit: dict[str, ReturnVisitRecorded] = {}
    for order_id, history in by_order.items():
        for e in history:
            if isinstance(e, ReturnVisitRecorded) and e.unit == unit and e.occurred_at in period:
                last_visit[order_id] = e
    excluded = {e.order_id for e in events if isinstance(e, ExclusionApproved)}
    rated = {i for i in last_visit if i not in excluded}
    good = (
        {Satisfaction.SATISFIED}
        if satisfaction is SatisfactionVariant.STRICT
        else {Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED}
    )

    values = {
        Kpi.VOLUME: KpiValue(
            Kpi.VOLUME, Kpi.VOLUME.value, VERSION, len(dispatched), None, float(len(dispatched))
        ),
        Kpi.ON_TIME_SIGN: _rate(Kpi.ON_TIME_SIGN, signed_on_time, dispatched),
        Kpi.RESPONSE: _rate(Kpi.RESPONSE, responded, dispatched),
        Kpi.CLOSURE: _rate(Kpi.CLOSURE, closed_due, due),
        Kpi.ON_TIME_CLOSURE: _rate(Kpi.ON_TIME_CLOSURE, closed_on_time, closed_in_period),
        Kpi.VISIT: _rate(Kpi.VISIT, visited_any & closed_in_period, closed_in_period),
        Kpi.RESOLUTION: _rate(
            Kpi.RESOLUTION, {i for i, v in last_visit.items() if v.solved}, last_visit
        ),
        Kpi.SATISFACTION: _rate(
            Kpi.SATISFACTION,
            {i for i in rated if last_visit[i].satisfaction in good},
            rated,
            f"{Kpi.SATISFACTION.value}/{satisfaction.value}",
        ),
        Kpi.RETURN: _rate(Kpi.RETURN, returned, dispatched),
    }
    parts = (
        (values[Kpi.RESPONSE].value, weights.response),
        (values[Kpi.RESOLUTION].value, weights.resolution),
        (values[Kpi.SATISFACTION].value, weights.satisfaction),
    )
    score = None if any(v is None for v, _ in parts) else sum((v or 0.0) * w for v, w in parts)
    values[Kpi.COMPOSITE] = KpiValue(
        Kpi.COMPOSITE,
        f"{Kpi.COMPOSITE.value}/{weights.response:g}-{weights.resolution:g}-"
        f"{weights.satisfaction:g}",
        VERSION,
        score or 0.0,
        None,
        score,
    )
    return UnitKpis(unit, period, values)


def kpis_by_unit(
    period: Period,
    orders: Sequence[WorkOrder],
    events: Sequence[WorkOrderEvent],
    *,
    satisfaction: SatisfactionVariant = SatisfactionVariant.INCLUSIVE,
    weights: Weights | None = None,
) -> dict[str, UnitKpis]:
    """KPIs for every unit that appears as lead unit in ``orders`` or dispatch events."""
    units = {o.lead_unit for o in orders if o.lead_unit} | {
        e.lead_unit for e in events if isinstance(e, WorkOrderDispatched)
    }
    return {
        unit: unit_kpis(unit, period, orders, events, satisfaction=satisfaction, weights=weights)
        for unit in sorted(units)
    }
