"""What a work-order step gets and returns, and the helpers the step modules share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    """Fresh deadlines for the lead unit, with the clock starting at ``now`` (stored in UTC),
    marked with the years they rest on provisionally (no official calendar data yet)."""
    cal, policy = ctx.calendar, ctx.policy
    sign_due = policy.sign.deadline(cal, now)
    return_due = policy.return_window.deadline(cal, now)
    reply_due = policy.feedback_limit(order.sla_class).deadline(cal, now)
    close_due = policy.visit.deadline(cal, reply_due)
    latest = max(sign_due, return_due, reply_due, close_due)
    return Deadlines(
        sign_due=utc(sign_due),
        return_due=utc(return_due),
        reply_due=utc(reply_due),
        close_due=utc(close_due),
        provisional_years=cal.provisional_years(now, latest),
    )


def merged_years(*groups: tuple[int, ...]) -> tuple[int, ...]:
    """Union of provisional-year marks (a deadline moved from a provisional one stays so)."""
    return tuple(sorted({year for group in groups for year in group}))


def re_sign_deadlines(old: Deadlines, now: datetime, ctx: HandlingContext) -> Deadlines:
    """A refused return: fresh sign/return windows from ``now``; the reply clock runs on."""
    cal, policy = ctx.calendar, ctx.policy
    sign_due = policy.sign.deadline(cal, now)
    return_due = policy.return_window.deadline(cal, now)
    years = cal.provisional_years(now, max(sign_due, return_due))
    return replace(
        old,
        sign_due=utc(sign_due),
        return_due=utc(return_due),
        provisional_years=merged_years(old.provisional_years, years),
    )


def extended_deadlines(old: Deadlines, days: int, ctx: HandlingContext) -> Deadlines:
    """An approved extension moves reply and close deadlines by working days (same time)."""
    assert old.reply_due is not None
    assert old.close_due is not None
    cal = ctx.calendar
    reply_due = utc(cal.add_working_days(old.reply_due, days))
    close_due = utc(cal.add_working_days(old.close_due, days))
    years = merged_years(
        old.provisional_years,
        cal.provisional_years(old.reply_due, reply_due),
        cal.provisional_years(old.close_due, close_due),
    )
    return replace(old, reply_due=reply_due, close_due=close_due, provisional_years=years)


def unique_codes(codes: tuple[str, ...], exclude: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        code = code.strip()
        if code and code not in exclude and code not in out:
            out.append(code)
    return tuple(out)
