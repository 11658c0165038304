"""What a work-order step gets and returns, and the helpers the step modules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.business_calendar import BusinessCalendar
from core.errors import ValidationError
from core.sla import SlaPolicy
from core.work_order_events import WorkOrderEvent
from core.work_order_model import Deadlines, WorkOrder


@dataclass(slots=True)
class HandlingContext:
    """What ``handle`` needs beyond the order: the calendar and the SLA table."""

    calendar: BusinessCalendar
    policy: SlaPolicy = field(default_factory=SlaPolicy)


# A step returns the fields to change on the order (``status`` may override the table's
# target) and the events to emit as (class, fields) — ``handle`` adds the common fields.
Changes = dict[str, Any]
EventSpec = tuple[type[WorkOrderEvent], dict[str, Any]]
Outcome = tuple[Changes, list[EventSpec]]


def require(**fields: str) -> None:
    """Refuse blank text fields, naming all of them at once."""
    missing = [name for name, value in fields.items() if not value.strip()]
    if missing:
        raise ValidationError(
            f"required: {', '.join(missing)}",
            code="work_order.field_required",
            details={"fields": missing},
        )


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def on_time(now: datetime, due: datetime | None) -> bool:
    return due is None or now <= due


def unit_deadlines(order: WorkOrder, now: datetime, ctx: HandlingContext) -> Deadlines:
    """Fresh deadlines for the lead unit, with the clock starting at ``now`` (stored in UTC)."""
    cal, policy = ctx.calendar, ctx.policy
    reply_due = policy.feedback_limit(order.sla_class).deadline(cal, now)
    return Deadlines(
        sign_due=utc(policy.sign.deadline(cal, now)),
        return_due=utc(policy.return_window.deadline(cal, now)),
        reply_due=utc(reply_due),
        close_due=utc(policy.visit.deadline(cal, reply_due)),
    )


def unique_codes(codes: tuple[str, ...], exclude: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        code = code.strip()
        if code and code not in exclude and code not in out:
            out.append(code)
    return tuple(out)
