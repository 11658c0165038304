"""Deadlines reaching a year without official calendar data (2027 with chinesecalendar 1.11):
provisional (Mon–Fri, no holidays) and marked, or refused; and recomputed from the audit
trail once the data exists. The 2027 schedule used here is made up for the test."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from core.business_calendar import BusinessCalendar, UnknownYear
from core.clock import SHANGHAI
from core.errors import CalendarError
from core.sla import LimitUnit, SlaPolicy, TimeLimit
from core.use_cases.recompute_deadlines import replay_deadlines
from core.use_cases.records import transition_record
from core.work_order import (
    Accept,
    ApproveExtension,
    Dispatch,
    HandlingContext,
    RequestExtension,
    Sign,
    WorkOrder,
    WorkOrderEvent,
    handle,
)
from core.work_order_events import WorkOrderDispatched
from storage.calendar import ChineseWorkingCalendar
from tests.fixtures.orders import AGENT, DISPATCHER, SUPERVISOR, draft, handle_recorded, unit_actor

DEC15 = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
# Made up for the test (NOT the State Council's 2027 notice): Jan 1 and Mon Jan 4 off.
FAKE_2027 = (
    "date,kind,note\n2027-01-01,holiday,测试用虚构\n2027-01-04,holiday,测试用虚构\n"
    "2027,complete,测试用虚构日程（并非国务院通知）\n"
)


# the 15-working-day reply limit many hotlines use for general appeals
POLICY = SlaPolicy.from_dict({"feedback": {"general": {"amount": 15, "unit": "working_days"}}})


def ctx(mode: UnknownYear, override: Path | None = None) -> HandlingContext:
    cal = ChineseWorkingCalendar(override_file=override)
    return HandlingContext(BusinessCalendar(cal, unknown_year=mode), POLICY)


def at(month: int, day: int, hour: int = 10, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def dispatched(context: HandlingContext) -> tuple[WorkOrder, list[WorkOrderEvent]]:
    order, _ = handle(draft(DEC15 - timedelta(hours=1)), Accept(), AGENT, DEC15, context)
    return handle(order, Dispatch(lead_unit="dept.housing"), DISPATCHER, DEC15, context)


def test_dispatch_on_dec_15_gives_provisional_2027_deadlines() -> None:
    order, events = dispatched(ctx(UnknownYear.PROVISIONAL))
    d = order.deadlines
    # Dec 16–31: 12 working days (2026 data), then Fri Jan 1 (no 元旦: provisional!), Jan 4, 5
    assert d.reply_due == at(1, 5)
    assert d.close_due == at(1, 7)
    assert d.sign_due == DEC15 + timedelta(hours=1)
    assert d.provisional_years == (2027,)
    assert d.provisional
    event = events[0]
    assert isinstance(event, WorkOrderDispatched)
    assert event.provisional_years == (2027,)
    assert event.to_dict()["provisional_years"] == [2027]


def test_refuse_keeps_the_old_error() -> None:
    with pytest.raises(CalendarError) as err:
        dispatched(ctx(UnknownYear.REFUSE))
    assert err.value.code == "calendar.year_unsupported"
    assert err.value.details["year"] == 2027


def test_deadlines_within_2026_are_final() -> None:
    context = ctx(UnknownYear.PROVISIONAL)
    order, _ = handle(draft(at(11, 20, 9, 2026)), Accept(), AGENT, at(11, 20, 9, 2026), context)
    order, _ = handle(order, Dispatch(lead_unit="u"), DISPATCHER, at(11, 20, 10, 2026), context)
    assert order.deadlines.provisional_years == ()
    assert order.deadlines.close_due is not None
    assert order.deadlines.close_due.year == 2026


def _oracle_working_days(start: date, n: int) -> date:
    """Independent count: 2026 from chinese_calendar, 2027 Mon–Fri."""
    day = start
    while n:
        day += timedelta(days=1)
        working = chinese_calendar.is_workday(day) if day.year == 2026 else day.weekday() < 5
        n -= working
    return day


def test_2026_part_honours_real_holidays(caplog: pytest.LogCaptureFixture) -> None:
    cal = BusinessCalendar(ChineseWorkingCalendar(), unknown_year=UnknownYear.PROVISIONAL)
    start = at(9, 24, 10, 2026)  # before 中秋 (Sep 25) and 国庆 (Oct 1–7; 调休 Sat Oct 10)
    with caplog.at_level(logging.WARNING, logger="core.business_calendar"):
        due = TimeLimit(75, LimitUnit.WORKING_DAYS).deadline(cal, start)
        TimeLimit(20, LimitUnit.WORKING_DAYS).deadline(cal, at(1, 4))
    assert due.date() == _oracle_working_days(start.date(), 75)
    assert due.year == 2027
    naive = start.date() + timedelta(days=75 * 7 // 5)
    assert due.date() != naive  # the holidays moved it
    assert cal.provisional_years(start, due) == (2027,)
    assert cal.provisional_years(start, at(12, 31, 10, 2026)) == ()
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


def test_replay_with_2027_data_moves_deadlines_and_clears_the_mark(tmp_path: Path) -> None:
    context = ctx(UnknownYear.PROVISIONAL)
    unit = unit_actor("dept.housing")
    trail = []
    order = draft(DEC15 - timedelta(hours=1))
    steps = [
        (Accept(), AGENT, DEC15),
        (Dispatch(lead_unit="dept.housing"), DISPATCHER, DEC15),
        (Sign(), unit, DEC15 + timedelta(minutes=30)),
        (RequestExtension(working_days=3, reason="需协调"), unit, at(12, 18, 9, 2026)),
        (ApproveExtension(note="同意"), SUPERVISOR, at(12, 18, 11, 2026)),
    ]
    for cmd, actor, now in steps:
        order, record = handle_recorded(order, cmd, actor, now, context)
        trail.append(record)
    # provisional: Jan 5 + 3 → Fri Jan 8; close Jan 7 + 3 → Tue Jan 12
    assert order.deadlines.reply_due == at(1, 8)
    assert order.deadlines.close_due == at(1, 12)
    assert order.deadlines.provisional_years == (2027,)

    override = tmp_path / "calendar_2027_test.csv"
    override.write_text(FAKE_2027, encoding="utf-8")
    fresh = replay_deadlines(order, trail, ctx(UnknownYear.REFUSE, override))
    assert fresh is not None
    # Dec: 12 working days; Jan 1 and 4 off → Jan 5, 6, 7 = 15; + 3 extension → Jan 12
    assert fresh.reply_due == at(1, 12)
    assert fresh.close_due == at(1, 14)
    assert fresh.sign_due == order.deadlines.sign_due
    assert fresh.provisional_years == ()


def test_replay_without_new_data_changes_nothing() -> None:
    context = ctx(UnknownYear.PROVISIONAL)
    order, events = dispatched(context)
    record = transition_record(
        before=None, after=order, action="dispatch", actor=DISPATCHER, events=events, command={}
    )
    again = replay_deadlines(order, [record], ctx(UnknownYear.PROVISIONAL))
    assert again == order.deadlines


def test_override_year_declared_complete_is_official(tmp_path: Path) -> None:
    override = tmp_path / "calendar_2027_test.csv"
    override.write_text(FAKE_2027, encoding="utf-8")
    cal = ChineseWorkingCalendar(override_file=override)
    assert not cal.is_working_day(date(2027, 1, 4))  # listed
    assert cal.is_working_day(date(2027, 1, 5))  # ordinary Tuesday of a complete year
    assert not cal.is_working_day(date(2027, 1, 9))  # Saturday
    with pytest.raises(CalendarError):
        cal.is_working_day(date(2028, 1, 3))
