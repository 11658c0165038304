"""Deadline arithmetic on the official working-day calendar (Asia/Shanghai).

Rules (see docs/work_orders.md, "Deadline arithmetic"):

* Working time = the working hours of each working day. The default is the *whole* working
  day (00:00–24:00): 12345 units keep a duty phone, so a working day is not cut at 17:30.
  Operators may configure office hours (``"09:00-12:00,13:30-17:30"``); intervals are closed
  (a deadline may fall exactly at 17:30), except an interval ending at 24:00, which is
  half-open (midnight belongs to the next day).
* ``add_working_days(t, n)``: the clock starts at the first working instant at or after ``t``
  and keeps its time of day: Friday 10:00 + 2 working days = Tuesday 10:00 (when Mon/Tue work).
* ``add_working_hours(t, h)``: consumes only working time.
* ``add_calendar_days(t, n)``: wall-clock days; if the end falls on a non-working day it rolls
  to the same time on the next working day (the usual rule that a period ending on a holiday
  ends on the first day after it).

A day in a year the :class:`~core.ports.WorkingCalendar` has no official data for (it raises
``calendar.year_unsupported``) is, by :class:`UnknownYear`: an error (``REFUSE``, the default
of this class) or *provisionally* a working day when it is Monday–Friday (``PROVISIONAL``;
one WARNING per year). :meth:`BusinessCalendar.provisional_years` says which years a computed
deadline rests on provisionally, so the order can be marked and recomputed later
(docs/work_orders.md, "Calendar data").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from core.clock import SHANGHAI, ensure_aware
from core.errors import CalendarError, ValidationError
from core.ports import WorkingCalendar

log = logging.getLogger(__name__)

_DAY_US = 24 * 3600 * 1_000_000
_MAX_SCAN_DAYS = 60  # no real calendar has 60 non-working days in a row; beyond = bad data
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Working intervals of a working day as (start, end) microseconds after midnight."""

    intervals: tuple[tuple[int, int], ...] = ((0, _DAY_US),)

    def __post_init__(self) -> None:
        if not self.intervals:
            raise ValidationError("working hours need at least one interval")
        previous_end = -1
        for start, end in self.intervals:
            if not 0 <= start < end <= _DAY_US or start <= previous_end:
                raise ValidationError(
                    f"working hours must be sorted, non-overlapping spans within a day: "
                    f"{self.describe()}",
                    code="calendar.working_hours_invalid",
                )
            previous_end = end

    @classmethod
    def whole_day(cls) -> WorkingHours:
        return cls()

    @classmethod
    def parse(cls, spec: str) -> WorkingHours:
        """``"09:00-12:00,13:30-17:30"``; ``"00:00-24:00"`` or ``""`` is the whole day."""
        if not spec.strip():
            return cls()
        spans: list[tuple[int, int]] = []
        for part in spec.split(","):
            m = _SPAN.match(part)
            if m is None:
                raise ValidationError(
                    f"working hours {spec!r}: expected HH:MM-HH:MM[,HH:MM-HH:MM]",
                    code="calendar.working_hours_invalid",
                )
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
                raise ValidationError(
                    f"working hours {spec!r}: bad time", code="calendar.working_hours_invalid"
                )
            spans.append(((h1 * 60 + m1) * 60_000_000, (h2 * 60 + m2) * 60_000_000))
        return cls(tuple(spans))

    def describe(self) -> str:
        def fmt(us: int) -> str:
            minutes = us // 60_000_000
            return f"{minutes // 60:02d}:{minutes % 60:02d}"

        return ",".join(f"{fmt(s)}-{fmt(e)}" for s, e in self.intervals)

    def contains(self, offset_us: int) -> bool:
        return any(
            start <= offset_us <= end if end < _DAY_US else start <= offset_us < end
            for start, end in self.intervals
        )


class UnknownYear(StrEnum):
    """What a day in a year without official calendar data is."""

    PROVISIONAL = "provisional"  # Mon–Fri working, no holidays; deadlines marked provisional
    REFUSE = "refuse"  # CalendarError calendar.year_unsupported (no deadline at all)


@dataclass(slots=True)
class BusinessCalendar:
    """Deadline arithmetic over a :class:`core.ports.WorkingCalendar` in Asia/Shanghai.

    Results are aware datetimes in Asia/Shanghai; store them in UTC.
    """

    calendar: WorkingCalendar
    hours: WorkingHours = field(default_factory=WorkingHours)
    unknown_year: UnknownYear = UnknownYear.REFUSE
    _cache: dict[date, bool] = field(default_factory=dict, repr=False)
    _provisional: set[date] = field(default_factory=set, repr=False)

    # -- days -------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is None:
            cached = self._lookup(day)
            self._cache[day] = cached
        return cached

    def _lookup(self, day: date) -> bool:
        try:
            return bool(self.calendar.is_working_day(day))
        except CalendarError as exc:
            if exc.code != "calendar.year_unsupported" or self.unknown_year is UnknownYear.REFUSE:
                raise
        if not any(d.year == day.year for d in self._provisional):
            log.warning(
                "no official calendar data for %d: deadlines reaching into it are PROVISIONAL "
                "(Mon–Fri working, no holidays) until the year is added (override file or a "
                "newer chinesecalendar), then `python -m hotline calendar recompute-provisional`",
                day.year,
            )
        self._provisional.add(day)
        return day.weekday() < 5

    def provisional_years(self, start: datetime, end: datetime) -> tuple[int, ...]:
        """Years of the days from ``start`` to ``end`` (local dates, inclusive) answered
        provisionally so far — for a deadline computed from ``start``, the years it rests on
        without official data (empty: the deadline is final)."""
        first, last = self.local(start).date(), self.local(end).date()
        return tuple(sorted({d.year for d in self._provisional if first <= d <= last}))

    def next_working_day(self, day: date, *, include: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself when ``include``)."""
        candidate = day if include else day + timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise CalendarError(
            f"no working day within {_MAX_SCAN_DAYS} days after {day.isoformat()}",
            code="calendar.no_working_day",
            details={"day": day.isoformat()},
        )

    def previous_working_day(self, day: date) -> date:
        candidate = day - timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate -= timedelta(days=1)
        raise CalendarError(
            f"no working day within {_MAX_SCAN_DAYS} days before {day.isoformat()}",
            code="calendar.no_working_day",
            details={"day": day.isoformat()},
        )

    # -- instants ---------------------------------------------------------------------------
    @staticmethod
    def local(moment: datetime) -> datetime:
        return ensure_aware(moment).astimezone(SHANGHAI)

    @staticmethod
    def _at(day: date, offset_us: int) -> datetime:
        return datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(microseconds=offset_us)

    @staticmethod
    def _offset(moment: datetime) -> int:
        return _us(moment.timetz().replace(tzinfo=None))

    def is_working_time(self, moment: datetime) -> bool:
        t = self.local(moment)
        return self.is_working_day(t.date()) and self.hours.contains(self._offset(t))

    def next_working_instant(self, moment: datetime) -> datetime:
        """``moment`` itself when it is working time, else the start of the next working span."""
        t = self.local(moment)
        day, offset = t.date(), self._offset(t)
        if self.is_working_day(day):
            if self.hours.contains(offset):
                return t
            for start, _end in self.hours.intervals:
                if start > offset:
                    return self._at(day, start)
        return self._at(self.next_working_day(day), self.hours.intervals[0][0])

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        if days < 0:
            raise ValidationError("working days must be ≥ 0; use subtract_working_days")
        t = self.next_working_instant(moment)
        day, offset = t.date(), self._offset(t)
        for _ in range(days):
            day = self.next_working_day(day)
        return self._at(day, offset)

    def subtract_working_days(self, moment: datetime, days: int) -> datetime:
        """Inverse of :meth:`add_working_days` for instants in working time."""
        if days < 0:
            raise ValidationError("working days must be ≥ 0")
        t = self.next_working_instant(moment)
        day, offset = t.date(), self._offset(t)
        for _ in range(days):
            day = self.previous_working_day(day)
        return self._at(day, offset)

    def add_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        if amount < timedelta(0):
            raise ValidationError("working time must be ≥ 0")
        remaining = amount // timedelta(microseconds=1)
        t = self.next_working_instant(moment)
        day, offset = t.date(), self._offset(t)
        while True:
            end = next(e for s, e in self.hours.intervals if s <= offset <= e)
            available = end - offset
            if remaining < available or (remaining == available and end < _DAY_US):
                return self._at(day, offset + remaining)
            remaining -= available
            later = [s for s, _ in self.hours.intervals if s > end]
            if later:
                offset = later[0]
            else:
                day, offset = self.next_working_day(day), self.hours.intervals[0][0]

    def add_calendar_days(
        self, moment: datetime, days: int, *, roll_to_working_day: bool = True
    ) -> datetime:
        if days < 0:
            raise ValidationError("calendar days must be ≥ 0")
        t = self.local(moment) + timedelta(days=days)
        if not roll_to_working_day or self.is_working_day(t.date()):
            return t
        rolled = self._at(self.next_working_day(t.date()), self._offset(t))
        return self.next_working_instant(rolled)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` (0 when ``end <= start``)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
