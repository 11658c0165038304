"""Every SLA rule on the real 2026 calendar (chinese_calendar data, read not guessed):

National Day + Mid-autumn 2026: holidays Thu Oct 1 – Wed Oct 7 (Oct 3/4 a weekend);
make-up working days (调休) Sun Sep 20 and Sat Oct 10; Oct 8 (Thu) is a normal working day;
Fri Sep 25 is the Mid-autumn holiday.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from core.business_calendar import BusinessCalendar, WorkingHours
from core.clock import SHANGHAI
from core.errors import CalendarError, ValidationError
from core.sla import LimitUnit, SlaClass, SlaPolicy, TimeLimit
from storage.calendar import ChineseWorkingCalendar


def t(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def whole_day() -> BusinessCalendar:
    return BusinessCalendar(ChineseWorkingCalendar())


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    return BusinessCalendar(ChineseWorkingCalendar(), WorkingHours.parse("09:00-12:00,13:30-17:30"))


def test_the_2026_calendar_data_is_what_the_tests_assume(whole_day: BusinessCalendar) -> None:
    holidays = [d for d in range(1, 11) if not whole_day.is_working_day(date(2026, 10, d))]
    assert holidays == [1, 2, 3, 4, 5, 6, 7]
    assert whole_day.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert whole_day.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert not whole_day.is_working_day(date(2026, 9, 25))  # 中秋


POLICY = SlaPolicy()

# (rule, limit, start, expected deadline, why)
SLA_CASES = [
    ("sign 1 h wall", POLICY.sign, t(10, 1, 10), t(10, 1, 11), "duty phone: runs on holidays"),
    ("sign 1 h wall at night", POLICY.sign, t(9, 30, 23, 30), t(10, 1, 0, 30), "crosses midnight"),
    ("return 2 wd", POLICY.return_window, t(9, 30), t(10, 9), "Oct 1–7 skipped: Oct 8, Oct 9"),
    (
        "return 2 wd from holiday",
        POLICY.return_window,
        t(10, 3),
        t(10, 10, 0),
        "clock starts Oct 8 00:00; 2nd day = 调休 Sat",
    ),
    ("emergency 2 h", POLICY.feedback[SlaClass.EMERGENCY], t(10, 3, 23), t(10, 4, 1), "wall clock"),
    ("utility 24 h", POLICY.feedback[SlaClass.UTILITY], t(10, 1, 8), t(10, 2, 8), "wall clock"),
    ("general 7 d", POLICY.feedback[SlaClass.GENERAL], t(3, 2), t(3, 9), "ordinary week"),
    (
        "general 7 d over National Day",
        POLICY.feedback[SlaClass.GENERAL],
        t(9, 28),
        t(10, 8),
        "Oct 5 holiday → Oct 8",
    ),
    (
        "general 7 d ends on 调休 Sat",
        POLICY.feedback[SlaClass.GENERAL],
        t(10, 3),
        t(10, 10),
        "Sat Oct 10 is working",
    ),
    ("complex 15 d", POLICY.feedback[SlaClass.COMPLEX], t(9, 20), t(10, 8), "Oct 5 → Oct 8"),
    (
        "complex 15 d ordinary",
        POLICY.feedback[SlaClass.COMPLEX],
        t(9, 24),
        t(10, 9),
        "Oct 9 is Fri",
    ),
    ("enterprise 7 d", POLICY.feedback[SlaClass.ENTERPRISE], t(9, 22), t(9, 29), "Tue"),
    (
        "enterprise 7 d lands Sat",
        POLICY.feedback[SlaClass.ENTERPRISE],
        t(3, 7),
        t(3, 16),
        "Sat Mar 14 → Mon Mar 16",
    ),
    ("visit 2 wd", POLICY.visit, t(9, 29, 15), t(10, 8, 15), "Sep 30, Oct 8"),
    (
        "serious overdue 3 wd",
        POLICY.serious_overdue,
        t(10, 7, 12),
        t(10, 12, 0),
        "Oct 8,9,10 from Oct 8 00:00",
    ),
    (
        "Daye 5 wd",
        TimeLimit(5, LimitUnit.WORKING_DAYS),
        t(9, 30),
        t(10, 13),
        "Oct 8, 9, 10(调休), 12, 13",
    ),
    (
        "5 wd starting on 调休 Sunday",
        TimeLimit(5, LimitUnit.WORKING_DAYS),
        t(9, 20, 9),
        t(9, 28, 9),
        "Sep 25 中秋 skipped",
    ),
    (
        "calendar days without roll",
        TimeLimit(7, LimitUnit.CALENDAR_DAYS, roll_to_working_day=False),
        t(9, 28),
        t(10, 5),
        "no roll",
    ),
]


@pytest.mark.parametrize(
    ("limit", "start", "due"),
    [pytest.param(limit, start, due, id=name) for name, limit, start, due, _why in SLA_CASES],
)
def test_sla_rule(
    whole_day: BusinessCalendar, limit: TimeLimit, start: datetime, due: datetime
) -> None:
    assert limit.deadline(whole_day, start) == due


# Working-hours variant (operators who count the sign limit in office time).
OFFICE_CASES = [
    ("sign 1 working hour before National Day", 1, t(9, 30, 17, 0), t(10, 8, 9, 30)),
    ("sign 1 working hour over lunch", 1, t(10, 8, 11, 30), t(10, 8, 14, 0)),
    ("8 working hours over the 调休 Saturday", 8, t(10, 9, 16, 0), t(10, 10, 17, 0)),
    ("starts at night", 2, t(10, 8, 20, 0), t(10, 9, 11, 0)),
    ("ends exactly at 17:30", 4, t(10, 8, 13, 30), t(10, 8, 17, 30)),
]


@pytest.mark.parametrize(
    ("hours", "start", "due"),
    [pytest.param(h, s, d, id=name) for name, h, s, d in OFFICE_CASES],
)
def test_working_hour_limits(
    office: BusinessCalendar, hours: int, start: datetime, due: datetime
) -> None:
    assert TimeLimit(hours, LimitUnit.WORKING_HOURS).deadline(office, start) == due


def test_a_2026_deadline_that_runs_into_2027_is_an_error() -> None:
    cal = BusinessCalendar(ChineseWorkingCalendar())
    with pytest.raises(CalendarError) as err:
        TimeLimit(5, LimitUnit.WORKING_DAYS).deadline(cal, t(12, 28))
    assert err.value.code == "calendar.year_unsupported"
    assert err.value.details["year"] == 2027


def test_2027_with_weekend_only_fallback_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    cal = BusinessCalendar(ChineseWorkingCalendar(weekend_only_fallback=True))
    with caplog.at_level(logging.WARNING, logger="storage.calendar"):
        due = TimeLimit(5, LimitUnit.WORKING_DAYS).deadline(cal, t(12, 28))
        TimeLimit(5, LimitUnit.WORKING_DAYS).deadline(cal, t(1, 11, year=2027))
    # Dec 29, 30, 31 (2026 data) + Fri Jan 1 2027 (fallback: no 元旦 holiday!) + Mon Jan 4
    assert due == t(1, 4, year=2027)
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1  # once per year, not per day
    assert warnings[0].levelno == logging.WARNING


def test_policy_from_dict_overrides_rows() -> None:
    policy = SlaPolicy.from_dict(
        {
            "sign": {"amount": 1, "unit": "working_days"},
            "feedback": {"general": {"amount": 5, "unit": "working_days"}},
            "extension_max_working_days": 20,
        }
    )
    assert policy.sign == TimeLimit(1, LimitUnit.WORKING_DAYS)
    assert policy.feedback[SlaClass.GENERAL] == TimeLimit(5, LimitUnit.WORKING_DAYS)
    assert policy.feedback[SlaClass.UTILITY] == TimeLimit(24, LimitUnit.HOURS)  # untouched
    assert policy.extension_max_working_days == 20
    assert SlaPolicy.from_dict(policy.to_dict()) == policy


@pytest.mark.parametrize(
    "data",
    [
        {"sigh": {"amount": 1, "unit": "hours"}},
        {"sign": {"amount": -1, "unit": "hours"}},
        {"sign": {"amount": 1, "unit": "fortnights"}},
        {"sign": {"amount": 1, "unit": "hours", "extra": 1}},
        {"feedback": {"urgent": {"amount": 1, "unit": "hours"}}},
        {"extension_max_working_days": "30"},
        {"sign": "1h"},
    ],
)
def test_bad_policy_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SlaPolicy.from_dict(data)


def test_sla_class_values_are_the_shared_strings() -> None:
    assert [c.value for c in SlaClass] == [
        "emergency",
        "utility",
        "general",
        "complex",
        "enterprise",
    ]


@pytest.mark.parametrize("spec", ["9-17", "09:00-08:00", "09:00-12:00,11:00-13:00", "25:00-26:00"])
def test_bad_working_hours_are_refused(spec: str) -> None:
    with pytest.raises(ValidationError):
        WorkingHours.parse(spec)
