"""Hypothesis properties of deadline arithmetic.

Run on the real calendar (2025–2026 data, the busiest holiday structure we have) and on
random fake calendars, each with whole-day working time and with office hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_calendar import BusinessCalendar, WorkingHours
from core.clock import SHANGHAI
from storage.calendar import ChineseWorkingCalendar
from tests.fixtures.calendars import WeekdayCalendar

HOURS = {
    "whole day": WorkingHours.whole_day(),
    "office": WorkingHours.parse("09:00-12:00,13:30-17:30"),
    "late shift": WorkingHours.parse("08:00-20:00"),
}
REAL = {name: BusinessCalendar(ChineseWorkingCalendar(), hours) for name, hours in HOURS.items()}

starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2026, 10, 31),
    timezones=st.just(SHANGHAI),
)
days = st.integers(min_value=0, max_value=30)
work_hours = st.integers(min_value=0, max_value=24 * 60)  # minutes up to a day of office time
calendars = st.sampled_from(sorted(REAL))


@st.composite
def fake_calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Random holidays and make-up days in 2030 (a year with no official data)."""
    day = st.dates(min_value=date(2030, 1, 1), max_value=date(2030, 12, 31))
    holidays = draw(st.frozensets(day, max_size=40))
    workdays = draw(st.frozensets(day, max_size=10))
    hours = HOURS[draw(st.sampled_from(sorted(HOURS)))]
    return BusinessCalendar(WeekdayCalendar(holidays, workdays), hours)


fake_starts = st.datetimes(
    min_value=datetime(2030, 1, 1),
    max_value=datetime(2030, 10, 31),
    timezones=st.just(SHANGHAI),
)


@settings(max_examples=150, deadline=None)
@given(calendars, starts, starts, days)
def test_working_days_monotone_in_start(name: str, a: datetime, b: datetime, n: int) -> None:
    cal = REAL[name]
    first, second = sorted((a, b))
    assert cal.add_working_days(first, n) <= cal.add_working_days(second, n)


@settings(max_examples=150, deadline=None)
@given(calendars, starts, starts, work_hours)
def test_working_time_monotone_in_start(name: str, a: datetime, b: datetime, m: int) -> None:
    cal = REAL[name]
    first, second = sorted((a, b))
    amount = timedelta(minutes=m)
    assert cal.add_working_time(first, amount) <= cal.add_working_time(second, amount)


@settings(max_examples=150, deadline=None)
@given(calendars, starts, days, work_hours)
def test_never_lands_outside_working_time(name: str, start: datetime, n: int, m: int) -> None:
    cal = REAL[name]
    assert cal.is_working_time(cal.add_working_days(start, n))
    assert cal.is_working_time(cal.add_working_time(start, timedelta(minutes=m)))
    assert cal.add_working_days(start, n) >= start


@settings(max_examples=150, deadline=None)
@given(calendars, starts, days)
def test_add_then_subtract_returns_the_start(name: str, start: datetime, n: int) -> None:
    cal = REAL[name]
    # The clock starts at the first working instant at or after ``start``; from there the
    # round trip is exact (and exact for any start that is itself working time).
    origin = cal.next_working_instant(start)
    assert cal.subtract_working_days(cal.add_working_days(start, n), n) == origin
    if cal.is_working_time(start):
        assert origin == start


@settings(max_examples=150, deadline=None)
@given(fake_calendars(), fake_starts, fake_starts, days)
def test_properties_on_random_calendars(
    cal: BusinessCalendar, a: datetime, b: datetime, n: int
) -> None:
    first, second = sorted((a, b))
    due_first, due_second = cal.add_working_days(first, n), cal.add_working_days(second, n)
    assert due_first <= due_second
    assert cal.is_working_time(due_first)
    assert cal.subtract_working_days(due_first, n) == cal.next_working_instant(first)


def working_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Independent oracle: overlap of [start, end] with every working interval, day by day."""
    total = timedelta(0)
    day = start.astimezone(SHANGHAI).date()
    while day <= end.astimezone(SHANGHAI).date():
        if cal.is_working_day(day):
            midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
            for lo, hi in cal.hours.intervals:
                a = max(start, midnight + timedelta(microseconds=lo))
                b = min(end, midnight + timedelta(microseconds=hi))
                if b > a:
                    total += b - a
        day += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(fake_calendars(), fake_starts, st.integers(min_value=0, max_value=5000))
def test_working_time_consumed_equals_the_amount(
    cal: BusinessCalendar, start: datetime, minutes: int
) -> None:
    amount = timedelta(minutes=minutes)
    due = cal.add_working_time(start, amount)
    assert working_time_between(cal, start, due) == amount
