"""Statutory clocks: the SLA policy table (domain.md §4) and deadline computation.

Defaults come from domain.md §4; operators override any row with a dict (``SlaPolicy.from_dict``)
loaded by the wiring from a file — no code change. Each row states its unit explicitly:

* ``hours``          wall-clock hours. Default for the 1-hour sign limit and the 2 h / 24 h
                     feedback limits: domain.md §4 says units keep a duty phone off-hours and
                     "still start within 1 hour", so hour limits run around the clock.
* ``working_hours``  hours counted only in working time (``BusinessCalendar.hours``): the
                     variant for cities whose sign limit pauses overnight and on holidays.
* ``calendar_days``  wall-clock days ("7 days"); an end on a non-working day rolls forward to
                     the next working day (``roll_to_working_day``, default on).
* ``working_days``   official working days (holidays off, 调休 make-up days on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core.business_calendar import BusinessCalendar
from core.errors import ValidationError


class SlaClass(StrEnum):
    """Feedback class of a work order (domain.md §4). Values are used as strings elsewhere."""

    EMERGENCY = "emergency"  # 紧急、不稳定因素、危及生命财产：2 小时反馈
    UTILITY = "utility"  # 水电气热 基本生活：24 小时反馈
    GENERAL = "general"  # 其他事项：7 天反馈
    COMPLEX = "complex"  # 复杂疑难：15 天拿出下一步措施
    ENTERPRISE = "enterprise"  # 涉企诉求：7 天反馈


class LimitUnit(StrEnum):
    HOURS = "hours"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True, slots=True)
class TimeLimit:
    amount: int
    unit: LimitUnit
    roll_to_working_day: bool = True  # only for calendar_days

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValidationError(f"time limit must be ≥ 0, got {self.amount}")

    def deadline(self, calendar: BusinessCalendar, start: datetime) -> datetime:
        """The instant this limit expires for a clock started at ``start``."""
        if self.unit is LimitUnit.HOURS:
            return calendar.local(start) + timedelta(hours=self.amount)
        if self.unit is LimitUnit.WORKING_HOURS:
            return calendar.add_working_time(start, timedelta(hours=self.amount))
        if self.unit is LimitUnit.CALENDAR_DAYS:
            return calendar.add_calendar_days(
                start, self.amount, roll_to_working_day=self.roll_to_working_day
            )
        return calendar.add_working_days(start, self.amount)

    def describe(self) -> str:
        return f"{self.amount} {self.unit.value}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"amount": self.amount, "unit": self.unit.value}
        if self.unit is LimitUnit.CALENDAR_DAYS:
            out["roll_to_working_day"] = self.roll_to_working_day
        return out


def _default_feedback() -> dict[SlaClass, TimeLimit]:
    return {
        SlaClass.EMERGENCY: TimeLimit(2, LimitUnit.HOURS),
        SlaClass.UTILITY: TimeLimit(24, LimitUnit.HOURS),
        SlaClass.GENERAL: TimeLimit(7, LimitUnit.CALENDAR_DAYS),
        SlaClass.COMPLEX: TimeLimit(15, LimitUnit.CALENDAR_DAYS),
        SlaClass.ENTERPRISE: TimeLimit(7, LimitUnit.CALENDAR_DAYS),
    }


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The SLA table. ``feedback`` = limit for the unit's reply (答复/反馈), counted from dispatch.

    ``visit`` is this project's default window (not in domain.md) for the return visit and
    closure after the reply deadline: ``close_due = visit.deadline(reply_due)``.
    """

    sign: TimeLimit = TimeLimit(1, LimitUnit.HOURS)
    return_window: TimeLimit = TimeLimit(2, LimitUnit.WORKING_DAYS)
    feedback: Mapping[SlaClass, TimeLimit] = field(default_factory=_default_feedback)
    visit: TimeLimit = TimeLimit(2, LimitUnit.WORKING_DAYS)
    extension_max_working_days: int = 30
    serious_overdue: TimeLimit = TimeLimit(3, LimitUnit.WORKING_DAYS)

    def __post_init__(self) -> None:
        missing = [c.value for c in SlaClass if c not in self.feedback]
        if missing:
            raise ValidationError(
                f"SLA policy has no feedback limit for {', '.join(missing)}",
                code="sla.policy_invalid",
                details={"missing": missing},
            )
        if self.extension_max_working_days < 0:
            raise ValidationError("extension_max_working_days must be ≥ 0")

    def feedback_limit(self, sla_class: SlaClass) -> TimeLimit:
        return self.feedback[sla_class]

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaPolicy:
        """Defaults overridden by ``data`` (e.g. parsed YAML/JSON). Unknown keys are errors.

        ``{"sign": {"amount": 1, "unit": "working_days"},
           "feedback": {"general": {"amount": 5, "unit": "working_days"}},
           "extension_max_working_days": 30}``
        """
        if not isinstance(data, Mapping):
            raise ValidationError("SLA policy must be a mapping", code="sla.policy_invalid")
        known = {
            "sign",
            "return_window",
            "feedback",
            "visit",
            "extension_max_working_days",
            "serious_overdue",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                f"unknown SLA policy keys: {', '.join(unknown)}",
                code="sla.policy_invalid",
                details={"unknown": unknown, "known": sorted(known)},
            )
        policy = cls()
        changes: dict[str, Any] = {}
        for key in ("sign", "return_window", "visit", "serious_overdue"):
            if key in data:
                changes[key] = _limit(key, data[key])
        if "feedback" in data:
            rows = data["feedback"]
            if not isinstance(rows, Mapping):
                raise ValidationError("feedback must map SLA class → limit")
            feedback = dict(policy.feedback)
            for name, row in rows.items():
                try:
                    sla_class = SlaClass(name)
                except ValueError:
                    raise ValidationError(
                        f"unknown SLA class {name!r}",
                        code="sla.policy_invalid",
                        details={"allowed": [c.value for c in SlaClass]},
                    ) from None
                feedback[sla_class] = _limit(f"feedback.{name}", row)
            changes["feedback"] = feedback
        if "extension_max_working_days" in data:
            value = data["extension_max_working_days"]
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError("extension_max_working_days must be an integer")
            changes["extension_max_working_days"] = value
        return replace(policy, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sign": self.sign.to_dict(),
            "return_window": self.return_window.to_dict(),
            "feedback": {c.value: self.feedback[c].to_dict() for c in SlaClass},
            "visit": self.visit.to_dict(),
            "extension_max_working_days": self.extension_max_working_days,
            "serious_overdue": self.serious_overdue.to_dict(),
        }


def _limit(key: str, row: Any) -> TimeLimit:
    if not isinstance(row, Mapping):
        raise ValidationError(f"{key}: expected {{amount, unit}}", code="sla.policy_invalid")
    amount, unit = row.get("amount"), row.get("unit")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValidationError(
            f"{key}.amount must be a non-negative integer", code="sla.policy_invalid"
        )
    try:
        limit_unit = LimitUnit(str(unit))
    except ValueError:
        raise ValidationError(
            f"{key}.unit must be one of {', '.join(u.value for u in LimitUnit)}",
            code="sla.policy_invalid",
        ) from None
    roll = row.get("roll_to_working_day", True)
    if not isinstance(roll, bool):
        raise ValidationError(f"{key}.roll_to_working_day must be true/false")
    extra = sorted(set(row) - {"amount", "unit", "roll_to_working_day"})
    if extra:
        raise ValidationError(
            f"{key}: unknown fields {', '.join(extra)}", code="sla.policy_invalid"
        )
    return TimeLimit(amount, limit_unit, roll)
