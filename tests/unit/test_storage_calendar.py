"""The chinese_calendar adapter and the operator override file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import CalendarError
from storage.calendar import ChineseWorkingCalendar, load_override_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar-overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_win_over_the_official_calendar(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,kind,note\n"
        "# 本市临时调整\n"
        "2026-10-10,holiday,本市取消调休（示例）\n"
        "2026-10-11,working,\n"
        "\n"
        "2027-01-01,holiday,元旦\n",
    )
    cal = ChineseWorkingCalendar(override_file=path)
    assert not cal.is_working_day(date(2026, 10, 10))
    assert cal.is_working_day(date(2026, 10, 11))
    assert not cal.is_working_day(date(2027, 1, 1))  # covered by the file, no fallback needed
    assert cal.is_working_day(date(2026, 10, 9))  # official data still used elsewhere
    with pytest.raises(CalendarError):
        cal.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("date,kind,note\n2026-13-01,holiday,x\n", 2, "bad date"),
        ("2026-10-10,holliday\n", 1, "bad kind"),
        ("date,kind\n2026-10-10,working\n\n2026-10-11\n", 4, "expected 'date,kind[,note]'"),
        ("2026-10-10,working,a,b\n", 1, "expected 'date,kind[,note]'"),
        ("2026-10-10,working\n# c\n2026-10-10,holiday\n", 3, "already given on line 1"),
        ("10/10/2026,working\n", 1, "bad date"),
    ],
)
def test_malformed_override_names_file_and_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as err:
        ChineseWorkingCalendar(override_file=path)
    assert str(path) in str(err.value)
    assert f"line {line}" in str(err.value)
    assert problem in str(err.value)
    assert err.value.details == {
        "file": str(path),
        "line": line,
        "problem": err.value.details["problem"],
    }
    assert err.value.code == "calendar.override_invalid"


def test_missing_override_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(CalendarError) as err:
        load_override_file(missing)
    assert str(missing) in str(err.value)
    assert err.value.code == "calendar.override_unreadable"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # 调休 Saturday
        (date(2026, 10, 17), False),  # ordinary Saturday
        (date(2026, 2, 14), True),  # 春节调休 Saturday
        (date(2026, 2, 17), False),  # 春节
    ],
)
def test_official_2026_days(day: date, working: bool) -> None:
    assert ChineseWorkingCalendar().is_working_day(day) is working


def test_year_without_data_is_an_explicit_error() -> None:
    with pytest.raises(CalendarError) as err:
        ChineseWorkingCalendar().is_working_day(date(2027, 3, 1))
    assert "2027" in str(err.value)
    assert err.value.code == "calendar.year_unsupported"


def test_weekend_only_fallback() -> None:
    cal = ChineseWorkingCalendar(weekend_only_fallback=True)
    assert cal.is_working_day(date(2027, 3, 1))  # Monday
    assert not cal.is_working_day(date(2027, 3, 6))  # Saturday
